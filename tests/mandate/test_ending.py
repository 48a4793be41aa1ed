"""Ending the mandate in force: a reason and an explicit confirmation, both required, the reason in the audit log."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.errors import ValidationError
from pb.mandate import services
from pb.mandate.models import Mandate, MandateStatus

REASON = "The council withdrew the process (resolution 77/2026)."


def _text(response):
    return response.get_data(as_text=True)


def _status(db, mandate_id):
    db.session.expire_all()
    return db.session.get(Mandate, mandate_id).status


def _end_events(db):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "mandate.expire")).scalars().all()


def test_the_version_page_asks_for_a_reason_and_a_confirmation(client, db, signed, officer, login):
    mandate = signed()
    login(officer)
    page = _text(client.get(f"/staff/mandates/{mandate.id}"))
    assert 'name="end-reason"' in page and 'name="end-understood"' in page and 'type="checkbox"' in page
    assert "I understand: from now on this mandate no longer governs the process" in page
    assert f'action="/staff/mandates/{mandate.id}/expire"' in page


@pytest.mark.parametrize("data, missing", [
    ({}, ["Give the reason for ending the mandate; it is kept in the audit log.", "Tick the box to confirm."]),
    ({"end-reason": REASON}, ["Tick the box to confirm."]),
    ({"end-understood": "y"}, ["Give the reason for ending the mandate; it is kept in the audit log."]),
    ({"end-reason": "   ", "end-understood": "y"},
     ["Give the reason for ending the mandate; it is kept in the audit log."]),
])
def test_ending_without_a_reason_or_the_confirmation_is_refused(client, db, signed, officer, login, data, missing):
    mandate = signed()
    login(officer)
    refused = client.post(f"/staff/mandates/{mandate.id}/expire", data=data)
    assert refused.status_code == 422
    page = _text(refused)
    for message in missing:
        assert message in page
    if data.get("end-reason", "").strip():
        assert REASON in page  # the reason typed is kept
    [checkbox] = re.findall(r'<input[^>]*name="end-understood"[^>]*>', page)
    assert ("checked" in checkbox) == ("end-understood" in data)  # the box stays as it was
    assert _status(db, mandate.id) is MandateStatus.IN_FORCE
    assert _end_events(db) == []


def test_a_legal_officer_ends_the_mandate_with_a_reason(client, db, process, signed, officer, login):
    mandate = signed()
    login(officer)
    done = client.post(f"/staff/mandates/{mandate.id}/expire", data={"end-reason": f"  {REASON} ",
                                                                     "end-understood": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/staff/mandates/{mandate.id}")
    assert _status(db, mandate.id) is MandateStatus.EXPIRED
    [event] = _end_events(db)
    assert event.after["reason"] == REASON and event.after["status"] == "expired"
    assert event.before["status"] == "in_force"
    page = _text(client.get(f"/staff/mandates/{mandate.id}"))
    assert "The mandate has ended; the reason is kept in the audit log." in page
    assert 'name="end-reason"' not in page  # only the version in force can end


def test_a_clerk_cannot_end_a_mandate(client, db, signed, clerk, login):
    mandate = signed()
    login(clerk)
    assert 'name="end-reason"' not in _text(client.get(f"/staff/mandates/{mandate.id}"))
    refused = client.post(f"/staff/mandates/{mandate.id}/expire", data={"end-reason": REASON, "end-understood": "y"})
    assert refused.status_code == 403
    assert _status(db, mandate.id) is MandateStatus.IN_FORCE


def test_only_the_version_in_force_can_end(client, db, ctx, process, officer, login):
    mandate = services.start_mandate(officer, process)
    db.session.commit()
    login(officer)
    refused = client.post(f"/staff/mandates/{mandate.id}/expire", data={"end-reason": REASON, "end-understood": "y"})
    assert refused.status_code == 200
    assert "Only the version in force can expire." in _text(refused)
    assert _status(db, mandate.id) is MandateStatus.DRAFT


def test_the_service_requires_the_reason(db, signed, officer):
    mandate = signed()
    with pytest.raises(ValidationError, match="Give the reason for ending the mandate") as refused:
        services.expire_mandate(officer, mandate, "  ")
    assert refused.value.field == "reason"
    assert mandate.status is MandateStatus.IN_FORCE


def _token(page: str, name: str = "csrf_token") -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page).group(1)


def test_the_new_forms_refuse_a_post_without_their_csrf_token(make_app, db, process, signed, officer, clerk):
    """Ending a mandate and recording the population are forms like any other: CSRF protection holds."""
    import pyotp

    from pb.accounts import second_factor
    from tests.conftest import PASSWORD, TOTP_SECRET

    mandate = signed()
    municipality_id = process.municipality_id
    for user in (officer, clerk):
        second_factor.set_secret(user, TOTP_SECRET)
        user.totp_enabled_at = user.created_at
    db.session.commit()
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        def sign_in(client, user):
            client.post("/login", data={"email": user.email, "password": PASSWORD,
                                        "csrf_token": _token(client.get("/login").get_data(as_text=True))})
            code = client.post("/login/code", data={
                "code": pyotp.TOTP(TOTP_SECRET).now(),
                "csrf_token": _token(client.get("/login/code").get_data(as_text=True))})
            assert code.status_code == 302

        client = app.test_client()
        sign_in(client, officer)
        page = _text(client.get(f"/staff/mandates/{mandate.id}"))
        data = {"end-reason": REASON, "end-understood": "y"}
        refused = client.post(f"/staff/mandates/{mandate.id}/expire", data=data)
        assert refused.status_code == 400 and "form had expired" in _text(refused)
        assert _status(db, mandate.id) is MandateStatus.IN_FORCE
        done = client.post(f"/staff/mandates/{mandate.id}/expire",
                           data={**data, "end-csrf_token": _token(page, "end-csrf_token")})
        assert done.status_code == 302 and _status(db, mandate.id) is MandateStatus.EXPIRED

        client = app.test_client()
        sign_in(client, clerk)
        page = _text(client.get(f"/staff/municipalities/{municipality_id}"))
        refused = client.post(f"/staff/municipalities/{municipality_id}", data={"population": "48000"})
        assert refused.status_code == 400
        done = client.post(f"/staff/municipalities/{municipality_id}",
                           data={"population": "48000", "csrf_token": _token(page)})
        assert done.status_code == 302
