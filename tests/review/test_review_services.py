"""The review services: assigning, reviewing, appealing and answering, with their guards, audit and notices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.core.db import utcnow
from pb.deliberation.models import Follow, Notification, NotificationKind
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.processes.services import PhaseClosed
from pb.proposals.models import (Appeal, AppealOutcome, Feasibility, ProjectCoauthor, ProjectStatus, Review,
                                 ReviewAssignment)
from pb.review import services
from pb.review.forms import ReviewInput

FEASIBLE = ReviewInput(Feasibility.FEASIBLE, True)
SOON = dt.date.today() + dt.timedelta(days=5)
UNFEASIBLE = ReviewInput(Feasibility.UNFEASIBLE, True, public_reason="The land belongs to the state.")


@pytest.fixture
def world(db, make_user, make_process, make_project):
    """A process in its review phase, a clerk, a published project by a resident who has a follower."""
    process = make_process(vote_in_days=40)
    author = make_user(display_name="Author")
    project = make_project(process, author=author, cost=500_000)
    follower = make_user(display_name="Follower")
    db.session.add(Follow(project_id=project.id, user_id=follower.id))
    db.session.commit()
    return {"process": process, "project": project, "author": author, "follower": follower,
            "clerk": make_user(role="clerk")}


def events(db, action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def notices(db, kind):
    return sorted(db.session.execute(
        sa.select(Notification.user_id).where(Notification.kind == kind)).scalars())


def test_assign_reviewer_puts_project_under_review_and_is_audited(db, world, make_user):
    reviewer = make_user(role="clerk")
    services.assign_reviewer(world["clerk"], world["project"], reviewer)
    db.session.commit()
    assert world["project"].status is ProjectStatus.UNDER_REVIEW
    assert db.session.execute(sa.select(ReviewAssignment.reviewer_id)).scalars().all() == [reviewer.id]
    (event,) = events(db, "review.assign")
    assert event.before["status"] == "published"
    assert event.after == {"status": "under_review", "cost": 500_000, "reviewer_id": reviewer.id}
    with pytest.raises(ValidationError, match="already reviewing"):
        services.assign_reviewer(world["clerk"], world["project"], reviewer)


def test_only_clerks_and_admins_can_be_assigned_and_only_clerks_assign(world, make_user):
    with pytest.raises(ValidationError) as error:
        services.assign_reviewer(world["clerk"], world["project"], make_user(role="legal_officer"))
    assert error.value.field == "reviewer"
    with pytest.raises(NotAllowed):
        services.assign_reviewer(make_user(role="legal_officer"), world["project"], world["clerk"])
    with pytest.raises(NotAllowed):
        services.assign_reviewer(world["author"], world["project"], world["clerk"])


def test_feasible_review_puts_project_on_ballot_at_revised_cost(db, world):
    value = ReviewInput(Feasibility.FEASIBLE, True, revised_cost=Decimal("6250.50"),
                        cost_explanation="Includes the foundations.", internal_note="Checked with roads dept.")
    review = services.record_review(world["clerk"], world["project"], value)
    db.session.commit()
    project = world["project"]
    assert project.status is ProjectStatus.ON_BALLOT
    assert project.cost == 625_050
    assert project.estimated_cost == 500_000  # the author's estimate is kept
    assert review.revised_cost == 625_050
    (event,) = events(db, "review.record")
    assert event.before == {"status": "published", "cost": 500_000}
    assert event.after["status"] == "on_ballot" and event.after["cost"] == 625_050
    assert event.after["feasibility"] == "feasible" and event.after["internal_note"] == "Checked with roads dept."
    assert notices(db, NotificationKind.REVIEW_OUTCOME) == sorted([world["author"].id, world["follower"].id])


def test_unfeasible_review_requires_a_public_reason(db, world):
    with pytest.raises(ValidationError) as error:
        services.record_review(world["clerk"], world["project"], ReviewInput(Feasibility.UNFEASIBLE, True))
    assert error.value.field == "public_reason"
    assert "Give a public reason" in error.value.message
    with pytest.raises(ValidationError):
        services.record_review(world["clerk"], world["project"], ReviewInput(Feasibility.NEEDS_CHANGES, True,
                                                                             revise_by=SOON))
    services.record_review(world["clerk"], world["project"], UNFEASIBLE)
    db.session.commit()
    assert world["project"].status is ProjectStatus.UNFEASIBLE
    assert world["project"].cost == 500_000


def test_revised_cost_needs_an_explanation_and_whole_cents(world):
    with pytest.raises(ValidationError) as error:
        services.record_review(world["clerk"], world["project"],
                               ReviewInput(Feasibility.FEASIBLE, True, revised_cost=Decimal("100")))
    assert error.value.field == "cost_explanation"
    with pytest.raises(ValidationError) as error:
        services.record_review(world["clerk"], world["project"],
                               ReviewInput(Feasibility.FEASIBLE, True, revised_cost=Decimal("1.005"),
                                           cost_explanation="x"))
    assert error.value.field == "revised_cost"


def test_unlawful_project_cannot_be_feasible(world):
    with pytest.raises(ValidationError) as error:
        services.record_review(world["clerk"], world["project"], ReviewInput(Feasibility.FEASIBLE, False))
    assert error.value.field == "legally_compliant"


def test_review_refused_outside_the_review_phase(db, make_process, make_project, make_user):
    process = make_process(slug="late")  # now in deliberation
    project = make_project(process)
    with pytest.raises(PhaseClosed, match="no longer possible"):
        services.record_review(make_user(role="clerk"), project, FEASIBLE)
    early = make_project(make_process(slug="early", vote_in_days=200))
    with pytest.raises(PhaseClosed, match="opens on"):
        services.record_review(make_user(role="clerk"), early, FEASIBLE)


def test_review_refused_for_residents_and_unassigned_staff(world, make_user):
    for role in ("resident", "legal_officer"):
        with pytest.raises(NotAllowed, match="Only a reviewer assigned"):
            services.record_review(make_user(role=role), world["project"], FEASIBLE)
    with pytest.raises(NotAllowed):
        services.record_review(world["author"], world["project"], FEASIBLE)


def test_draft_and_withdrawn_projects_cannot_be_reviewed(world, make_project):
    for status, words in (("draft", "still a draft"), ("withdrawn", "withdrew")):
        project = make_project(world["process"], status=status)
        with pytest.raises(InvalidTransition, match=words):
            services.record_review(world["clerk"], project, FEASIBLE)


def reviewed_unfeasible(db, world, at=None):
    review = services.record_review(world["clerk"], world["project"], UNFEASIBLE, now=at)
    db.session.commit()
    return review


def test_author_appeals_within_the_window_once(db, world, make_user):
    review = reviewed_unfeasible(db, world)
    with pytest.raises(NotAllowed):
        services.submit_appeal(make_user(), world["project"], "Not mine but I object.")
    with pytest.raises(ValidationError) as error:
        services.submit_appeal(world["author"], world["project"], "   ")
    assert error.value.field == "text"
    appeal = services.submit_appeal(world["author"], world["project"], "The land was transferred to the city.")
    db.session.commit()
    assert appeal.review_id == review.id and appeal.outcome is None
    (event,) = events(db, "review.appeal")
    assert event.after["text"] == "The land was transferred to the city."
    with pytest.raises(InvalidTransition, match="already waiting for an answer"):
        services.submit_appeal(world["author"], world["project"], "Again.")


def test_coauthor_may_appeal(db, world, make_user):
    coauthor = make_user()
    db.session.add(ProjectCoauthor(project_id=world["project"].id, user_id=coauthor.id))
    reviewed_unfeasible(db, world)
    services.submit_appeal(coauthor, world["project"], "We disagree.")


def test_appeal_after_the_window_is_refused(db, world):
    reviewed_unfeasible(db, world, at=utcnow() - dt.timedelta(days=15))
    with pytest.raises(InvalidTransition, match="The time to appeal ended"):
        services.submit_appeal(world["author"], world["project"], "Too late?")


def test_feasible_outcome_cannot_be_appealed(db, world):
    services.record_review(world["clerk"], world["project"], FEASIBLE)
    db.session.commit()
    with pytest.raises(InvalidTransition, match="can be appealed"):
        services.submit_appeal(world["author"], world["project"], "Why?")


def test_new_review_waits_for_the_open_appeal(db, world):
    reviewed_unfeasible(db, world)
    services.submit_appeal(world["author"], world["project"], "Please look again.")
    with pytest.raises(InvalidTransition, match="answer the appeal first"):
        services.record_review(world["clerk"], world["project"], FEASIBLE)


def test_upheld_appeal_puts_project_on_ballot_with_the_answer_as_reason(db, world):
    reviewed_unfeasible(db, world)
    appeal = services.submit_appeal(world["author"], world["project"], "The land is the city's.")
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.answer_appeal(world["author"], appeal, AppealOutcome.UPHELD, "Yes")
    services.answer_appeal(world["clerk"], appeal, AppealOutcome.UPHELD, "The land register confirms it.")
    db.session.commit()
    assert world["project"].status is ProjectStatus.ON_BALLOT
    latest = services.latest_review(world["project"])
    assert latest.feasibility is Feasibility.FEASIBLE and latest.public_reason == "The land register confirms it."
    assert appeal.outcome is AppealOutcome.UPHELD and appeal.answered_by_id == world["clerk"].id
    (event,) = events(db, "review.appeal_answer")
    assert event.before["status"] == "unfeasible" and event.before["outcome"] is None
    assert event.after["status"] == "on_ballot" and event.after["outcome"] == "upheld"
    assert notices(db, NotificationKind.APPEAL_ANSWER) == sorted([world["author"].id, world["follower"].id])
    with pytest.raises(InvalidTransition, match="already been answered"):
        services.answer_appeal(world["clerk"], appeal, AppealOutcome.REJECTED, "No")


def test_rejected_appeal_needs_an_answer_and_keeps_the_review(db, world):
    reviewed_unfeasible(db, world)
    appeal = services.submit_appeal(world["author"], world["project"], "The land is the city's.")
    db.session.commit()
    with pytest.raises(ValidationError) as error:
        services.answer_appeal(world["clerk"], appeal, AppealOutcome.REJECTED, "  ")
    assert error.value.field == "answer"
    services.answer_appeal(world["clerk"], appeal, AppealOutcome.REJECTED, "The register says otherwise.")
    db.session.commit()
    assert world["project"].status is ProjectStatus.UNFEASIBLE
    assert db.session.execute(sa.select(sa.func.count()).select_from(Review)).scalar_one() == 1
    assert appeal.answer == "The register says otherwise."
    assert notices(db, NotificationKind.APPEAL_ANSWER) == sorted([world["author"].id, world["follower"].id])
    # One appeal per review: the answered one closes it.
    with pytest.raises(InvalidTransition, match="already appealed"):
        services.submit_appeal(world["author"], world["project"], "Once more.")
    assert db.session.execute(sa.select(sa.func.count()).select_from(Appeal)).scalar_one() == 1


def test_needs_changes_gives_the_authors_a_deadline_before_the_vote(db, world):
    process, project, clerk = world["process"], world["project"], world["clerk"]
    asked = ReviewInput(Feasibility.NEEDS_CHANGES, True, public_reason="Move it to the north side.")
    with pytest.raises(ValidationError, match="Give the authors a last day to revise") as refused:
        services.record_review(clerk, project, asked)
    assert refused.value.field == "revise_by"
    with pytest.raises(ValidationError, match="cannot be in the past"):
        services.record_review(clerk, project, ReviewInput(**{**asked.__dict__,
                                                              "revise_by": dt.date.today() - dt.timedelta(days=2)}))
    vote_day = process.voting_phase.starts_at.date()
    with pytest.raises(ValidationError, match="before the vote opens"):
        services.record_review(clerk, project, ReviewInput(**{**asked.__dict__, "revise_by": vote_day}))
    review = services.record_review(clerk, project, ReviewInput(**{**asked.__dict__, "revise_by": SOON}))
    db.session.commit()
    assert services.revision_deadline(project) == review.revise_until > utcnow()
    assert services.revision_deadline(project, review.revise_until) is None  # the deadline passed


def test_the_authors_revise_after_the_proposals_phase_and_the_project_is_reviewed_again(db, world, client, login):
    from tests.proposals.helpers import proposal

    process, project, clerk = world["process"], world["project"], world["clerk"]
    voting = process.voting_phase.starts_at
    # The deadline falls in the deliberation phase, after the review phase.
    last_day = (voting - dt.timedelta(days=3)).date()
    services.record_review(clerk, project, ReviewInput(Feasibility.NEEDS_CHANGES, True, revise_by=last_day,
                                                       public_reason="Move it to the north side."))
    db.session.commit()
    login(world["author"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "the authors may revise the project until" in page
    response = client.post(f"/projects/{project.id}/edit", data=proposal(process, title="Benches, north side"))
    assert response.status_code == 302
    db.session.expire_all()
    assert project.title == "Benches, north side" and project.status is ProjectStatus.UNDER_REVIEW
    # Reviewed again after the review phase, until the vote opens.
    services.record_review(clerk, project, FEASIBLE, now=voting - dt.timedelta(days=2))
    assert project.status is ProjectStatus.ON_BALLOT
    db.session.rollback()
    with pytest.raises(InvalidTransition, match="Voting has started"):
        services.record_review(clerk, project, FEASIBLE, now=voting + dt.timedelta(hours=1))


def test_a_revised_cost_is_held_to_the_maximum_and_the_pool(db, world):
    process, project, clerk = world["process"], world["project"], world["clerk"]
    process.max_project_cost = 15_000_000
    process.pools[0].amount = 15_000_000
    db.session.commit()
    costly = ReviewInput(Feasibility.FEASIBLE, True, revised_cost=Decimal(160000), cost_explanation="Steel.")
    with pytest.raises(ValidationError, match="more than the most a project may cost") as refused:
        services.record_review(clerk, project, costly)
    assert refused.value.field == "revised_cost"
    process.max_project_cost = None
    db.session.commit()
    with pytest.raises(ValidationError, match="more than the whole pool"):
        services.record_review(clerk, project, costly)
    services.record_review(clerk, project, ReviewInput(Feasibility.FEASIBLE, True, revised_cost=Decimal(150000),
                                                       cost_explanation="Steel."))
    assert project.cost == 15_000_000
