"""Administrators deactivate and reactivate staff accounts, moderators unblock residents: with reasons, audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pb.accounts.services import deactivate_account, reactivate_account
from pb.audit.models import AuditEvent
from pb.deliberation.services import block_user, unblock_user
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from tests.conftest import PASSWORD, sign_in_through_forms


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_an_administrator_deactivates_and_reactivates_a_clerk(app, client, db, login, make_user):
    clerk = make_user(role="clerk")
    other = app.test_client()
    sign_in_through_forms(other, clerk)
    assert other.get("/staff/processes").status_code == 200
    login(make_user(role="admin"))
    page = client.get(f"/staff/users/{clerk.id}").get_data(as_text=True)
    assert "Deactivate the account" in page
    short = client.post(f"/staff/users/{clerk.id}/deactivate", data={"status-reason": "left"})
    assert short.status_code == 422 and "why the account is deactivated" in short.get_data(as_text=True)
    done = client.post(f"/staff/users/{clerk.id}/deactivate",
                       data={"status-reason": "Left the council's service on 30 November."})
    assert done.status_code == 302
    # Signed out everywhere, and the password no longer signs in.
    assert other.get("/staff/processes").status_code == 302
    assert other.post("/login", data={"email": clerk.email, "password": PASSWORD}).status_code != 302
    [event] = _events(db, "account.deactivate")
    assert event.before == {"blocked_at": None, "blocked_reason": None}
    assert event.after["blocked_reason"] == "Left the council's service on 30 November."
    listed = client.get("/staff/users").get_data(as_text=True)
    assert "Deactivated" in listed
    back = client.post(f"/staff/users/{clerk.id}/reactivate", data={"status-reason": "Back from leave, same desk."})
    assert back.status_code == 302
    [event] = _events(db, "account.reactivate")
    assert event.after == {"blocked_at": None, "blocked_reason": None, "reason": "Back from leave, same desk."}
    sign_in_through_forms(other, db.session.get(type(clerk), clerk.id))
    assert other.get("/staff/processes").status_code == 200


def test_deactivation_rules(db, make_user, make_process):
    municipality = make_process().municipality
    root = make_user(role="admin")
    scoped = make_user(role="admin", municipalities=[municipality])
    everywhere_clerk = make_user(role="clerk")
    with pytest.raises(NotAllowed):
        deactivate_account(scoped, everywhere_clerk, "A reason in a sentence.")
    with pytest.raises(NotAllowed):
        deactivate_account(root, root, "A reason in a sentence.")
    with pytest.raises(NotAllowed):
        deactivate_account(root, make_user(), "Residents are blocked by moderators.")
    with pytest.raises(InvalidTransition):
        reactivate_account(root, everywhere_clerk, "It was never deactivated.")
    ours = make_user(role="clerk", municipalities=[municipality])
    deactivate_account(scoped, ours, "Moved to another department.")
    with pytest.raises(InvalidTransition):
        deactivate_account(scoped, ours, "Moved to another department.")


def test_a_moderator_unblocks_a_resident_with_a_reason(client, db, login, make_user):
    clerk = make_user(role="clerk")
    resident = make_user()
    block_user(clerk, resident, "Insults in three comments.")
    db.session.commit()
    login(clerk)
    queue = client.get("/staff/moderation").get_data(as_text=True)
    assert resident.email in queue and "Insults in three comments." in queue
    empty = client.post(f"/staff/moderation/users/{resident.id}/unblock", data={"reason": ""})
    assert empty.status_code == 422
    done = client.post(f"/staff/moderation/users/{resident.id}/unblock",
                       data={"reason": "The resident apologised and the comments are hidden."})
    assert done.status_code == 302
    assert db.session.get(type(resident), resident.id).blocked_at is None
    [event] = _events(db, "account.unblock")
    assert event.before["blocked_reason"] == "Insults in three comments."
    assert event.after["reason"] == "The resident apologised and the comments are hidden."
    with pytest.raises(InvalidTransition):
        unblock_user(clerk, resident, "Again.")
    with pytest.raises(NotAllowed):
        unblock_user(make_user(role="legal_officer"), resident, "Not a moderator.")
    with pytest.raises(ValidationError):
        unblock_user(clerk, resident, " ")
