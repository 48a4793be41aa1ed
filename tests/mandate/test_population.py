"""The municipality's population, which the Polish preset's signature threshold needs: recorded by staff on a page,
validated, audited, and pointed to from the mandate's checks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.mandate import services
from pb.mandate.models import Mandate, MandateCharacter, MandateStatus
from pb.processes.models import Municipality
from tests.mandate.conftest import complete_input

STATUTE = MandateCharacter.BINDING_STATUTE
POLISH = {"appeal_procedure": "Within 7 days to the mayor.", "support_signatures": 40}


def _text(response):
    return response.get_data(as_text=True)


def _population(db, municipality_id):
    db.session.expire_all()
    return db.session.get(Municipality, municipality_id).population


def _polish_mandate_in_review(db, drafter, process, **terms):
    """Drafted by ``drafter``: under the Polish preset's four eyes, someone else signs it."""
    mandate = services.start_mandate(drafter, process, "pl")
    services.update_mandate(drafter, mandate, complete_input(
        STATUTE, enabling_decision="Resolution XII/3/2026", terms={**POLISH, **terms}))
    services.submit_for_review(drafter, mandate)
    db.session.commit()
    return mandate


def test_a_polish_mandate_is_signed_once_a_clerk_records_the_population(client, db, ctx, process, officer, clerk,
                                                                        login):
    municipality_id = process.municipality_id
    process.municipality.population = None
    mandate = _polish_mandate_in_review(db, clerk, process)
    login(officer)
    page = _text(client.get(f"/staff/mandates/{mandate.id}"))
    assert "the municipality&#39;s population is not recorded" in page
    link = f'href="/staff/municipalities/{municipality_id}"'
    assert link in page  # the check says where the population is recorded
    refused = client.post(f"/staff/mandates/{mandate.id}/sign", data={"text": "Sound.", "reviewed": services.content_hash(mandate)})
    assert "the municipality&#39;s population is not recorded" in _text(refused) and link in _text(refused)
    # The legal officer reads the page the link leads to, but a clerk records the figure.
    assert "Not recorded" in _text(client.get(f"/staff/municipalities/{municipality_id}"))
    assert client.post(f"/staff/municipalities/{municipality_id}", data={"population": "48000"}).status_code == 403
    assert _population(db, municipality_id) is None
    client.post("/logout")

    login(clerk)
    page = _text(client.get(f"/staff/municipalities/{municipality_id}"))
    assert 'name="population"' in page
    assert f'href="/staff/municipalities/{municipality_id}"' in _text(client.get("/staff/processes"))
    done = client.post(f"/staff/municipalities/{municipality_id}", data={"population": "48000"})
    assert done.status_code == 302
    assert _population(db, municipality_id) == 48_000
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "municipality.population")
                               ).scalar_one()
    assert (event.object_type, event.object_id) == ("municipality", str(municipality_id))
    assert (event.before, event.after, event.actor_label) == ({"population": None}, {"population": 48_000},
                                                              "clerk@example.org")
    assert "48,000" in _text(client.get(f"/staff/municipalities/{municipality_id}"))
    client.post("/logout")

    login(officer)
    assert "population is not recorded" not in _text(client.get(f"/staff/mandates/{mandate.id}"))
    assert client.post(f"/staff/mandates/{mandate.id}/sign", data={"text": "Sound.", "reviewed": services.content_hash(mandate)}).status_code == 302
    assert db.session.get(Mandate, mandate.id).status is MandateStatus.SIGNED


@pytest.mark.parametrize("typed", ["0", "-5", "abc", "1.5", "", "   ", "3000000000", "10000000000000000000"])
def test_the_population_must_be_a_positive_whole_number(client, db, process, clerk, login, typed):
    municipality_id = process.municipality_id
    login(clerk)
    refused = client.post(f"/staff/municipalities/{municipality_id}", data={"population": typed})
    assert refused.status_code == 422
    page = _text(refused)
    assert "Enter the number of residents: a whole number from 1 to 100,000,000." in page
    assert "Not a valid integer value" not in page  # one message, ours
    if typed.strip():
        assert f'value="{typed}"' in page  # the form keeps what was typed
    assert _population(db, municipality_id) == 50_000
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "municipality.population")
                              ).first() is None


def test_an_administrator_changes_the_population_and_a_resident_cannot(client, db, process, make_user, login):
    municipality_id = process.municipality_id
    resident = make_user()
    login(resident)
    assert client.get(f"/staff/municipalities/{municipality_id}").status_code == 403
    assert client.post(f"/staff/municipalities/{municipality_id}", data={"population": "1"}).status_code == 403
    client.post("/logout")
    login(make_user(role="admin"))
    assert client.post(f"/staff/municipalities/{municipality_id}", data={"population": " 51234 "}).status_code == 302
    assert _population(db, municipality_id) == 51_234
    assert client.get("/staff/municipalities/999").status_code == 404


def test_the_population_service_checks_the_role_and_the_value(db, ctx, process, officer, clerk):
    from pb.errors import NotAllowed, ValidationError
    from pb.processes.services import record_population

    municipality = process.municipality
    with pytest.raises(NotAllowed, match="Only a clerk or an administrator can record the municipality's population"):
        record_population(officer, municipality, 48_000)
    for wrong in (0, -1, 100_000_001, True, "48000"):
        with pytest.raises(ValidationError, match="a whole number from 1 to 100,000,000") as refused:
            record_population(clerk, municipality, wrong)
        assert refused.value.field == "population"
    record_population(clerk, municipality, 48_000)
    assert municipality.population == 48_000


def test_no_signatures_needed_is_recorded_as_zero_and_needs_no_population(db, ctx, process, officer, clerk):
    process.municipality.population = None
    mandate = _polish_mandate_in_review(db, clerk, process, support_signatures=None)
    messages = " ".join(f.message for f in services.findings(mandate))
    # Empty is "not stated": the Polish check asks for the number, and says how to record "none".
    assert ("Poland: record how many signatures a proposal needs, 0 when it needs none; the law allows at most 0.1% "
            "of residents.") in messages
    mandate.status = MandateStatus.DRAFT
    services.update_mandate(clerk, mandate, complete_input(
        STATUTE, enabling_decision="Resolution XII/3/2026", terms={**POLISH, "support_signatures": 0}))
    assert [f for f in services.findings(mandate) if f.severity == "error"] == []  # no population needed for 0
    services.submit_for_review(clerk, mandate)
    services.sign_mandate(officer, mandate, "Sound.")
    assert mandate.status is MandateStatus.SIGNED


def test_the_signature_field_says_how_to_record_none(client, db, process, officer, login):
    login(officer)
    client.post(f"/staff/mandates/processes/{process.id}/start", data={"preset": "pl"})
    mandate = db.session.execute(sa.select(Mandate)).scalar_one()
    page = _text(client.get(f"/staff/mandates/{mandate.id}/edit"))
    assert "Leave empty when proposals need no signatures." not in page
    assert "Enter 0 when proposals need no signatures." in page
