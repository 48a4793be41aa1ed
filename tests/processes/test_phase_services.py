"""Each action in its phase, checked in one place; early opening and closing by a clerk, audited."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.core.db import utcnow
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.processes.models import PhaseKind
from pb.processes.services import Action, PhaseClosed, close_phase_now, is_open, open_phase_now, require_phase


def test_actions_follow_the_phase(app, make_process):
    process = make_process(vote_in_days=10)  # now: deliberation
    assert is_open(process, Action.SUPPORT) and is_open(process, Action.COMMENT)
    assert not is_open(process, Action.PROPOSE) and not is_open(process, Action.VOTE)
    with app.test_request_context():
        with pytest.raises(PhaseClosed, match="opens on"):
            require_phase(process, Action.VOTE)
        with pytest.raises(PhaseClosed, match="has ended"):
            require_phase(process, Action.PROPOSE)
    later = utcnow() + dt.timedelta(days=12)
    assert is_open(process, Action.VOTE, later) and not is_open(process, Action.SUPPORT, later)


def test_clerk_opens_voting_early_with_a_reason(app, db, make_process, make_user, put_mandate_in_force):
    clerk = make_user(role="clerk")
    process = make_process(vote_in_days=10)
    put_mandate_in_force(process)
    with app.test_request_context():
        with pytest.raises(ValidationError):
            open_phase_now(clerk, process, PhaseKind.VOTING, "")
        with pytest.raises(NotAllowed):
            open_phase_now(make_user(), process, PhaseKind.VOTING, "The council decided on 3 May.")
        open_phase_now(clerk, process, PhaseKind.VOTING, "The council decided on 3 May to start early.")
    db.session.commit()
    assert is_open(process, Action.VOTE) and not is_open(process, Action.SUPPORT)
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "phase.open_early")).scalar_one()
    assert event.actor_id == clerk.id and event.after["reason"].startswith("The council")
    assert event.before["phases"]["voting"]["starts_at"] != event.after["phases"]["voting"]["starts_at"]


def test_ended_phase_cannot_reopen_and_voting_closes_only_by_its_count(app, make_process, make_user,
                                                                       put_mandate_in_force):
    clerk = make_user(role="clerk")
    process = make_process(vote_in_days=10)
    put_mandate_in_force(process)
    with app.test_request_context():
        with pytest.raises(InvalidTransition, match="ended"):
            open_phase_now(clerk, process, PhaseKind.PROPOSALS, "Residents asked for more time.")
        close_phase_now(clerk, process, PhaseKind.DELIBERATION, "Enough supports were gathered early.")
        open_phase_now(clerk, process, PhaseKind.VOTING, "Deliberation closed early, so voting starts.")
        with pytest.raises(InvalidTransition, match="counts the ballots"):
            close_phase_now(clerk, process, PhaseKind.VOTING, "We want to stop the vote now.")


def test_phase_page_for_clerks(client, db, make_process, make_user, login, put_mandate_in_force):
    process = make_process(vote_in_days=10)
    put_mandate_in_force(process)
    login(make_user(role="clerk"))
    page = client.get(f"/staff/processes/{process.id}/phases")
    assert page.status_code == 200 and "Deliberation and supports" in page.get_data(as_text=True)
    refused = client.post(f"/staff/processes/{process.id}/phases", data={"phase": "voting", "change": "open", "reason": "x"})
    assert "Give the reason in a sentence" in refused.get_data(as_text=True)
    done = client.post(f"/staff/processes/{process.id}/phases",
                       data={"phase": "voting", "change": "open", "reason": "The council decided to open early."})
    assert done.status_code == 302
    db.session.expire_all()
    assert is_open(process, Action.VOTE)
