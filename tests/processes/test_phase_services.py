"""Each action in its phase, checked in one place; early opening and closing, and extending, by a clerk, audited."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.core.db import utcnow
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.processes.models import PhaseKind
from pb.processes.services import (
    Action,
    PhaseClosed,
    close_phase_now,
    extend_phase,
    is_open,
    open_phase_now,
    require_phase,
)
from tests.voting.conftest import voting_world  # noqa: F401  (fixture: an open vote)


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


def test_clerk_opens_voting_early_with_a_reason(app, db, make_process, make_user, put_mandate_in_force,
                                                make_ready_for_voting):
    clerk = make_user(role="clerk")
    process = make_ready_for_voting(make_process(vote_in_days=10))
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
                                                                       put_mandate_in_force, make_ready_for_voting):
    clerk = make_user(role="clerk")
    process = make_ready_for_voting(make_process(vote_in_days=10))
    put_mandate_in_force(process)
    with app.test_request_context():
        with pytest.raises(InvalidTransition, match="ended"):
            open_phase_now(clerk, process, PhaseKind.PROPOSALS, "Residents asked for more time.")
        close_phase_now(clerk, process, PhaseKind.DELIBERATION, "Enough supports were gathered early.")
        open_phase_now(clerk, process, PhaseKind.VOTING, "Deliberation closed early, so voting starts.")
        with pytest.raises(InvalidTransition, match="counts the ballots"):
            close_phase_now(clerk, process, PhaseKind.VOTING, "We want to stop the vote now.")


def test_phase_page_for_clerks(client, db, make_process, make_user, login, put_mandate_in_force,
                               make_ready_for_voting):
    process = make_ready_for_voting(make_process(vote_in_days=10))
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


# Extending a phase (a vote after an outage) ------------------------------------------------------------------

def _voting_now(make_process, put_mandate_in_force):
    process = make_process(vote_in_days=-1)  # voting opened yesterday and runs 14 days
    put_mandate_in_force(process)
    return process


def _phases(process):
    return {p.kind: p for p in process.phases}


def test_clerk_extends_the_vote_and_later_phases_move(app, db, make_process, make_user, put_mandate_in_force):
    clerk = make_user(role="clerk")
    process = _voting_now(make_process, put_mandate_in_force)
    voting = _phases(process)[PhaseKind.VOTING]
    first_end, results_start = voting.ends_at, _phases(process)[PhaseKind.RESULTS].starts_at
    until = first_end + dt.timedelta(days=2)
    with app.test_request_context():
        extend_phase(clerk, process, PhaseKind.VOTING, until, "The site was down for a day on 12 May.")
    db.session.commit()
    db.session.expire_all()
    phases = _phases(process)
    assert phases[PhaseKind.VOTING].ends_at == until
    assert phases[PhaseKind.VOTING].scheduled_ends_at == first_end
    assert phases[PhaseKind.VOTING].extension_reason == "The site was down for a day on 12 May."
    assert phases[PhaseKind.RESULTS].starts_at == results_start + dt.timedelta(days=2)
    assert is_open(process, Action.VOTE, first_end + dt.timedelta(hours=1))
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "phase.extend")).scalar_one()
    assert event.actor_id == clerk.id and event.after["reason"].startswith("The site was down")
    assert event.before["phases"]["voting"]["ends_at"] != event.after["phases"]["voting"]["ends_at"]


def test_a_second_extension_keeps_the_first_published_end(app, db, make_process, make_user, put_mandate_in_force):
    clerk = make_user(role="clerk")
    process = _voting_now(make_process, put_mandate_in_force)
    first_end = _phases(process)[PhaseKind.VOTING].ends_at
    with app.test_request_context():
        extend_phase(clerk, process, PhaseKind.VOTING, first_end + dt.timedelta(days=1), "The site was down on 12 May.")
        extend_phase(clerk, process, PhaseKind.VOTING, first_end + dt.timedelta(days=3), "And again on 13 May, for hours.")
    db.session.commit()
    voting = _phases(process)[PhaseKind.VOTING]
    assert voting.scheduled_ends_at == first_end and voting.extension_reason.startswith("And again")


def test_a_ballot_after_the_first_end_counts_once_extended(app, db, voting_world):
    from pb.voting import services
    from pb.voting.ballot_rules import Choice

    voting = _phases(voting_world.process)[PhaseKind.VOTING]
    after_first_end = voting.ends_at + dt.timedelta(hours=1)
    choice = [Choice(voting_world.north_projects[0].id)]
    with app.test_request_context():
        with pytest.raises(PhaseClosed):
            services.cast_ballot(voting_world.resident, voting_world.north, choice, "form-1", now=after_first_end)
        db.session.rollback()
        extend_phase(voting_world.clerk, voting_world.process, PhaseKind.VOTING,
                     voting.ends_at + dt.timedelta(days=1), "Voting was down for the last day; council decision 7/2026.",
                     now=after_first_end - dt.timedelta(minutes=30))
        db.session.commit()
        services.cast_ballot(voting_world.resident, voting_world.north, choice, "form-1", now=after_first_end)
    db.session.commit()


def test_what_cannot_be_extended(app, db, make_process, make_user, put_mandate_in_force):
    clerk = make_user(role="clerk")
    upcoming = make_process(slug="later", vote_in_days=10)
    process = _voting_now(make_process, put_mandate_in_force)
    end = _phases(process)[PhaseKind.VOTING].ends_at
    with app.test_request_context():
        with pytest.raises(NotAllowed):
            extend_phase(make_user(), process, PhaseKind.VOTING, end + dt.timedelta(days=1), "A resident asks for it.")
        with pytest.raises(ValidationError, match="later than the present end"):
            extend_phase(clerk, process, PhaseKind.VOTING, end - dt.timedelta(days=1), "The site was down on 12 May.")
        with pytest.raises(InvalidTransition, match="has not started"):
            extend_phase(clerk, upcoming, PhaseKind.VOTING, end + dt.timedelta(days=30), "The site was down on 12 May.")
        with pytest.raises(InvalidTransition, match="has ended"):
            extend_phase(clerk, process, PhaseKind.PROPOSALS, end, "Residents asked for more time.")
        process.vote_closed_at = utcnow()
        db.session.commit()
        with pytest.raises(InvalidTransition, match="closed and counted"):
            extend_phase(clerk, process, PhaseKind.VOTING, end + dt.timedelta(days=1), "The site was down on 12 May.")


def test_the_vote_runs_no_longer_than_its_mandate(app, db, make_process, make_user, put_mandate_in_force):
    clerk = make_user(role="clerk")
    process = _voting_now(make_process, put_mandate_in_force)
    voting = _phases(process)[PhaseKind.VOTING]
    from pb.mandate.models import Mandate

    in_force = db.session.execute(sa.select(Mandate).where(Mandate.process_id == process.id)).scalar_one()
    in_force.effective_until = (voting.ends_at + dt.timedelta(days=1)).date()
    db.session.commit()
    with app.test_request_context(), pytest.raises(ValidationError, match="mandate in force does not cover"):
        extend_phase(clerk, process, PhaseKind.VOTING, voting.ends_at + dt.timedelta(days=5),
                     "The site was down on 12 May.")


def test_the_phases_page_extends_and_residents_see_why(client, db, make_process, make_user, login,
                                                       put_mandate_in_force):
    process = _voting_now(make_process, put_mandate_in_force)
    path = f"/m/testville/{process.slug}"
    client.get(path)  # a visitor's view of the page is cached now
    login(make_user(role="clerk"))
    phases_path = f"/staff/processes/{process.id}/phases"
    assert "Extend" in client.get(phases_path).get_data(as_text=True)
    missing = client.post(phases_path, data={"phase": "voting", "change": "extend", "until": "",
                                             "reason": "The site was down on 12 May."})
    assert "Give the new end" in missing.get_data(as_text=True)
    earlier = client.post(phases_path, data={"phase": "voting", "change": "extend", "until": "2020-01-01T10:00",
                                             "reason": "The site was down on 12 May."})
    assert "later than the present end" in earlier.get_data(as_text=True)
    athens = zoneinfo.ZoneInfo("Europe/Athens")  # the test app's PB_TIMEZONE
    local_end = (_phases(process)[PhaseKind.VOTING].ends_at + dt.timedelta(days=2)).astimezone(athens)
    until = local_end.replace(hour=20, minute=0, second=0, microsecond=0)
    done = client.post(phases_path, data={"phase": "voting", "change": "extend",
                                          "until": until.strftime("%Y-%m-%dT%H:%M"),
                                          "reason": "The site was down on 12 May for six hours."})
    assert done.status_code == 302
    db.session.expire_all()
    assert _phases(process)[PhaseKind.VOTING].ends_at == until  # 20:00 in Athens, whatever the offset
    client.post("/logout")
    page = client.get(path).get_data(as_text=True)
    assert "Extended until" in page and "The site was down on 12 May for six hours." in page


def test_opening_the_vote_early_changes_no_ones_eligibility(app, db, make_process, make_user, put_mandate_in_force,
                                                             make_ready_for_voting):
    """The vote was published to start on 5 January next year; a clerk opens it now, in December."""
    from pb.voting import services as voting
    from pb.voting.statistics import register_summary

    today = utcnow()
    days = (dt.datetime(today.year + 1, 1, 5, 12, tzinfo=dt.UTC) - today).days
    process = make_ready_for_voting(make_process(vote_in_days=days))
    put_mandate_in_force(process)
    clerk = make_user(role="clerk")
    born = today.year + 1 - process.min_voter_age  # of age in the published year only
    with app.test_request_context():
        voting.import_register(clerk, process, f"reference,birth_year,district\nYO-1,{born},\n")
        assert voting.vote_year(process) == today.year + 1
        eligible = register_summary(process)
        open_phase_now(clerk, process, PhaseKind.VOTING, "The council decided to start before the holidays.",
                       now=today)
        db.session.commit()
        assert process.voting_phase.published_starts_at.year == today.year + 1
        assert voting.vote_year(process) == today.year + 1
        assert register_summary(process) == eligible
        resident = make_user()
        voting.verify_by_register(resident, process, "YO-1", born)  # not refused as under age
        db.session.commit()


def _reviewed_not_feasible(db, process, make_project, make_user):
    from pb.proposals.models import Feasibility, ProjectStatus, Review

    project = make_project(process, status="unfeasible")
    db.session.add(Review(project_id=project.id, reviewer_id=make_user(role="clerk").id,
                          feasibility=Feasibility.UNFEASIBLE, legally_compliant=True,
                          public_reason="The site floods.", created_at=utcnow() - dt.timedelta(days=1)))
    project.status = ProjectStatus.UNFEASIBLE
    db.session.commit()
    return project


def test_opening_early_asks_to_confirm_an_appeal_window_it_cuts(app, db, make_process, make_user, make_project,
                                                                  put_mandate_in_force, make_ready_for_voting):
    process = make_ready_for_voting(make_process(vote_in_days=10))  # now: deliberation, when appeals are heard
    put_mandate_in_force(process)
    project = _reviewed_not_feasible(db, process, make_project, make_user)
    clerk = make_user(role="clerk")
    reason = "The council decided on 3 May to start early."
    with app.test_request_context():
        with pytest.raises(ValidationError, match="ends the time to appeal of 1 project") as refused:
            open_phase_now(clerk, process, PhaseKind.VOTING, reason)
        assert refused.value.field == "cut_appeals"
        db.session.rollback()
        open_phase_now(clerk, process, PhaseKind.VOTING, reason, cut_appeals=True)
    db.session.commit()
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "phase.open_early")).scalar_one()
    assert event.after["appeals_cut"] == [project.id]


def test_the_phases_page_asks_for_the_confirmation(client, db, make_process, make_user, make_project, login,
                                                   put_mandate_in_force, make_ready_for_voting):
    process = make_ready_for_voting(make_process(vote_in_days=10))
    put_mandate_in_force(process)
    _reviewed_not_feasible(db, process, make_project, make_user)
    login(make_user(role="clerk"))
    data = {"phase": "voting", "change": "open", "reason": "The council decided on 3 May to start early."}
    url = f"/staff/processes/{process.id}/phases"
    page = client.post(url, data=data).get_data(as_text=True)
    assert "ends the time to appeal of 1 project" in page and 'name="cut_appeals"' in page
    assert client.post(url, data={**data, "cut_appeals": "y"}).status_code == 302


def test_a_phase_cannot_be_extended_to_the_year_9999(client, app, db, make_process, make_user, login,
                                                     put_mandate_in_force):
    process = make_process(vote_in_days=10)
    clerk = make_user(role="clerk")
    with app.test_request_context():
        with pytest.raises(ValidationError, match="within five years"):
            extend_phase(clerk, process, PhaseKind.DELIBERATION, dt.datetime(9999, 12, 31, tzinfo=dt.UTC),
                         "The servers were down for a day.")
    db.session.rollback()
    login(clerk)
    page = client.post(f"/staff/processes/{process.id}/phases", data={
        "phase": "deliberation", "change": "extend", "until": "9999-12-31T23:59",
        "reason": "The servers were down for a day."})
    assert page.status_code == 200 and "within five years" in page.get_data(as_text=True)


def test_the_project_page_promises_no_appeal_after_the_appeal_phases_end(app, db, make_process, make_user,
                                                                         make_project):
    from pb.review.queries import project_review

    process = make_process(vote_in_days=3)  # deliberation ends in three days; the appeal period is 14 days
    project = _reviewed_not_feasible(db, process, make_project, make_user)
    author = db.session.get(type(make_user()), project.author_id)
    with app.test_request_context():
        context = project_review(project, author)
    deliberation = next(p for p in process.phases if p.kind is PhaseKind.DELIBERATION)
    assert context["review_appeal_form"] is not None
    assert context["review_appeal_deadline"] == deliberation.ends_at
