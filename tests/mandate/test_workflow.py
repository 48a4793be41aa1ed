"""The mandate's workflow: every transition, every refusal with its message, amendments with their diff."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.core.db import utcnow
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.mandate import services
from pb.mandate.models import Mandate, MandateCharacter, MandateStatus
from tests.mandate.conftest import complete_input

S = MandateStatus
ADVISORY, STATUTE, SELF = (MandateCharacter.ADVISORY, MandateCharacter.BINDING_STATUTE,
                           MandateCharacter.BINDING_SELF_COMMITMENT)


def _in_review(officer, process, value=None):
    mandate = services.start_mandate(officer, process)
    services.update_mandate(officer, mandate, value or complete_input())
    services.submit_for_review(officer, mandate)
    return mandate


def _actions(db):
    return [e.action for e in db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars()]


def test_the_whole_workflow_is_audited(db, ctx, process, officer, clerk):
    mandate = services.start_mandate(clerk, process)
    assert (mandate.version, mandate.status, mandate.created_by_id) == (1, S.DRAFT, clerk.id)
    services.update_mandate(clerk, mandate, complete_input())
    services.submit_for_review(clerk, mandate)
    assert mandate.status is S.LEGAL_REVIEW
    services.send_back(officer, mandate, "Cite the official journal.")
    assert mandate.status is S.DRAFT
    services.submit_for_review(clerk, mandate)
    services.sign_mandate(officer, mandate, "The basis is valid.")
    assert (mandate.status, mandate.signed_by_id, mandate.opinion) == (S.SIGNED, officer.id, "The basis is valid.")
    services.put_in_force(officer, mandate)
    assert mandate.status is S.IN_FORCE and mandate.effective_from is not None
    assert services.require_mandate_in_force(process) is mandate
    services.expire_mandate(officer, mandate, "The council withdrew the process.")
    assert mandate.status is S.EXPIRED
    db.session.commit()
    assert _actions(db) == ["mandate.start", "mandate.update", "mandate.submit", "mandate.send_back",
                            "mandate.submit", "mandate.sign", "mandate.in_force", "mandate.expire"]


def test_who_may_do_what(db, ctx, process, officer, clerk, make_user):
    resident, admin = make_user(), make_user(role="admin")
    with pytest.raises(NotAllowed, match="Only clerks and legal officers can draft"):
        services.start_mandate(resident, process)
    mandate = _in_review(clerk, process)
    with pytest.raises(NotAllowed, match="Only a legal officer can sign a mandate."):
        services.sign_mandate(clerk, mandate, "Fine.")
    with pytest.raises(NotAllowed, match="Only a legal officer can sign a mandate."):
        services.sign_mandate(admin, mandate, "Fine.")
    with pytest.raises(NotAllowed, match="Only a legal officer can send a mandate back"):
        services.send_back(clerk, mandate)
    services.sign_mandate(officer, mandate, "Fine.")
    with pytest.raises(NotAllowed, match="Only a legal officer can put a mandate in force."):
        services.put_in_force(clerk, mandate)
    services.put_in_force(officer, mandate)
    with pytest.raises(NotAllowed, match="Only a legal officer can end a mandate."):
        services.expire_mandate(clerk, mandate, "The council withdrew the process.")
    with pytest.raises(NotAllowed, match="Only clerks and legal officers can amend"):
        services.amend_mandate(resident, mandate, "Because.")
    with pytest.raises(NotAllowed, match="Only clerks and legal officers can edit"):
        services.update_mandate(resident, mandate, complete_input())


def test_transitions_out_of_order_are_refused(db, ctx, process, officer):
    mandate = services.start_mandate(officer, process)
    with pytest.raises(InvalidTransition, match="already has a mandate"):
        services.start_mandate(officer, process)
    with pytest.raises(InvalidTransition, match="still a draft: submit it for legal review before signing"):
        services.sign_mandate(officer, mandate, "Fine.")
    with pytest.raises(InvalidTransition, match="Only a version in legal review can be sent back"):
        services.send_back(officer, mandate)
    with pytest.raises(InvalidTransition, match="Only a signed version can be put in force."):
        services.put_in_force(officer, mandate)
    with pytest.raises(InvalidTransition, match="Only the version in force can expire."):
        services.expire_mandate(officer, mandate, "The council withdrew the process.")
    with pytest.raises(InvalidTransition, match="Only a signed version can be amended"):
        services.amend_mandate(officer, mandate, "Because.")
    services.update_mandate(officer, mandate, complete_input())
    services.submit_for_review(officer, mandate)
    with pytest.raises(InvalidTransition, match="Only a draft can be submitted"):
        services.submit_for_review(officer, mandate)
    services.sign_mandate(officer, mandate, "Fine.")
    with pytest.raises(InvalidTransition, match="Version 1 is already signed."):
        services.sign_mandate(officer, mandate, "Again.")


def test_a_signed_version_is_immutable(db, ctx, process, officer):
    mandate = _in_review(officer, process)
    services.sign_mandate(officer, mandate, "Fine.")
    with pytest.raises(InvalidTransition, match="Version 1 is signed and can no longer change. Amend it"):
        services.update_mandate(officer, mandate, complete_input(basis_article="77"))
    assert mandate.basis_article == "76"


def test_signing_needs_an_opinion_and_a_complete_legal_basis(db, ctx, process, officer):
    mandate = _in_review(officer, process, complete_input(basis_date=None, basis_url=""))
    with pytest.raises(ValidationError, match="Write your legal opinion") as refused:
        services.sign_mandate(officer, mandate, "  ")
    assert refused.value.field == "text"
    with pytest.raises(ValidationError) as refused:
        services.sign_mandate(officer, mandate, "Fine.")
    assert ("The legal basis is incomplete: Date of the instrument, a link to the text or its official journal "
            "reference missing.") in refused.value.message
    assert mandate.status is S.LEGAL_REVIEW and mandate.signed_by_id is None
    services.update_mandate(officer, mandate, complete_input(basis_url="", basis_journal="ΦΕΚ Α' 87/2010"))
    services.sign_mandate(officer, mandate, "Fine.")
    assert mandate.status is S.SIGNED


@pytest.mark.parametrize("change, message", [
    ({"basis_instrument": ""}, "The legal basis is incomplete: Type of instrument missing"),
    ({"basis_number": ""}, "its number or title missing"),
    ({"decision_body": ""}, "An advisory mandate must say which body decides after the vote."),
    ({"character": STATUTE, "bound_party": ""}, ("A binding mandate must say who decides, who is bound and to what: "
                                              "Party bound by the vote missing.")),
    ({"character": SELF}, "needs the council decision that commits it"),
    ({"terms": {"justification_days": None}}, "Set the deadline, in days after the vote"),
    ({"terms": {"justification_published": ""}}, "Say where the council's reasoned response is published."),
    ({"terms": {"winner_fails": ""}}, "Say what happens when a winning project fails"),
    ({"terms": {"budget_amount": None}}, "Give the amount the budget authorises"),
    ({"terms": {"budget_amount": 99_999}}, "The pools share out €100,000.00 but the budget authorises only"),
    ({"effective_from": dt.date(2026, 5, 1), "effective_until": dt.date(2026, 4, 1)},
     "The mandate cannot end before it starts."),
])
def test_each_general_check_refuses_the_signature(db, ctx, process, officer, change, message):
    change = dict(change)
    character = change.pop("character", ADVISORY)
    mandate = _in_review(officer, process, complete_input(character, **change))
    with pytest.raises(ValidationError, match="The mandate cannot be signed yet") as refused:
        services.sign_mandate(officer, mandate, "Fine.")
    assert message in refused.value.message


def test_warnings_do_not_stop_the_signature_but_are_recorded(db, ctx, process, officer):
    mandate = _in_review(officer, process, complete_input(terms={"budget_fiscal_year": 2025}))
    services.sign_mandate(officer, mandate, "Fine.")
    db.session.commit()
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "mandate.sign")).scalar_one()
    assert "The budget authorisation is for 2025" in event.after["warnings"][0]


def test_terms_are_validated(db, ctx, process, officer):
    mandate = services.start_mandate(officer, process)
    with pytest.raises(ValidationError, match="terms pb does not know: colour"):
        services.update_mandate(officer, mandate, complete_input(terms={"colour": "red"}))
    with pytest.raises(ValidationError, match="must be one of the listed choices") as refused:
        services.update_mandate(officer, mandate, complete_input(terms={"winner_fails": "lottery"}))
    assert refused.value.field == "winner_fails"
    with pytest.raises(ValidationError, match="must be a whole number"):
        services.update_mandate(officer, mandate, complete_input(terms={"justification_days": -1}))
    with pytest.raises(ValidationError, match="more decimals than the currency EUR"):
        services.update_mandate(officer, mandate, complete_input(terms={"budget_amount": Decimal("1.001")}))
    services.update_mandate(officer, mandate, complete_input())
    assert mandate.terms["budget_amount"] == 10_000_000  # minor units


def test_putting_in_force_respects_the_period(db, ctx, process, officer):
    later = utcnow().date() + dt.timedelta(days=30)
    mandate = _in_review(officer, process, complete_input(effective_from=later))
    services.sign_mandate(officer, mandate, "Fine.")
    with pytest.raises(InvalidTransition, match="comes into force on"):
        services.put_in_force(officer, mandate)
    services.put_in_force(officer, mandate, now=utcnow() + dt.timedelta(days=31))
    with pytest.raises(InvalidTransition, match="not in force yet|no longer in force"):
        services.require_mandate_in_force(process)  # its period has not started today


def test_a_period_that_has_ended_cannot_come_into_force(db, ctx, process, officer):
    mandate = _in_review(officer, process, complete_input(effective_from=dt.date(2020, 1, 1),
                                                          effective_until=dt.date(2020, 12, 31)))
    services.sign_mandate(officer, mandate, "Fine.")
    with pytest.raises(InvalidTransition, match="period ended on"):
        services.put_in_force(officer, mandate)


def test_amendment_creates_a_new_version_with_a_diff_and_keeps_the_old_one(db, ctx, process, officer, signed):
    first = signed()
    before = {c.name: getattr(first, c.name) for c in Mandate.__table__.columns}
    with pytest.raises(ValidationError, match="Say why the mandate is amended"):
        services.amend_mandate(officer, first, " ")
    second = services.amend_mandate(officer, first, "The council extended the deadline.")
    assert (second.version, second.status, second.amendment_reason) == (2, S.DRAFT,
                                                                        "The council extended the deadline.")
    assert second.signed_by_id is None and second.opinion is None
    with pytest.raises(InvalidTransition, match="Version 2 is newer"):
        services.amend_mandate(officer, first, "Again.")
    services.update_mandate(officer, second, complete_input(terms={"justification_days": 90},
                                                            basis_article="76 (as amended)",
                                                            effective_from=first.effective_from))
    diff = {change.field: (change.before, change.after) for change in services.diff_versions(first, second)}
    assert diff == {"basis_article": ("76", "76 (as amended)"), "justification_days": (60, 90)}
    assert {c.name: getattr(first, c.name) for c in Mandate.__table__.columns} == before

    services.submit_for_review(officer, second)
    services.sign_mandate(officer, second, "Still sound.")
    assert services.require_mandate_in_force(process) is first  # the old one governs until the new one is in force
    services.put_in_force(officer, second)
    assert (first.status, second.status) == (S.SUPERSEDED, S.IN_FORCE)
    assert services.require_mandate_in_force(process) is second
    db.session.commit()
    assert "mandate.supersede" in _actions(db)


def test_voting_cannot_open_without_a_mandate_in_force(db, ctx, process, officer):
    with pytest.raises(InvalidTransition, match="this process has no mandate yet"):
        services.require_mandate_in_force(process)
    mandate = _in_review(officer, process)
    with pytest.raises(InvalidTransition, match="version 1 must be signed by a legal officer and put in force"):
        services.require_mandate_in_force(process)
    services.sign_mandate(officer, mandate, "Fine.")
    services.put_in_force(officer, mandate)
    services.expire_mandate(officer, mandate, "The council withdrew the process.")
    with pytest.raises(InvalidTransition, match="no longer in force"):
        services.require_mandate_in_force(process)


def test_opening_the_voting_phase_early_needs_a_mandate_in_force(db, ctx, process, clerk, put_mandate_in_force,
                                                                 make_ready_for_voting):
    from pb.processes.models import PhaseKind
    from pb.processes.services import Action, is_open, open_phase_now

    make_ready_for_voting(process)
    with pytest.raises(InvalidTransition, match="Voting cannot open: this process has no mandate yet"):
        open_phase_now(clerk, process, PhaseKind.VOTING, "The council decided to start early.")
    assert not is_open(process, Action.VOTE)
    put_mandate_in_force(process)
    open_phase_now(clerk, process, PhaseKind.VOTING, "The council decided to start early.")
    assert is_open(process, Action.VOTE)
