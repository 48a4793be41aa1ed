"""Staff review of projects: assigning reviewers, recording reviews, appeals and their answers.

Lifecycle of a project here (guarded, each refusal raising InvalidTransition with a message for a clerk):

    published --assign--> under_review --review--> on_ballot | unfeasible | needs_changes
    unfeasible | needs_changes --appeal upheld--> on_ballot
    needs_changes --the authors revise it, by the reviewer's deadline--> under_review (reviewed again, until the vote)

A feasible (and lawful) review puts the project straight on the ballot: only feasible projects go there.
While the review phase is open a project may be reviewed again (the newest review counts), unless an appeal
against it waits for an answer. Services flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

from pb.accounts.models import User
from pb.accounts.permissions import can_manage_processes, check_works_in, works_in
from pb.audit.services import changes, record
from pb.core.db import utcnow
from pb.core.money import format_money, minor_units
from pb.deliberation.models import NotificationKind
from pb.deliberation.notifications import interested_users, notify
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.extensions import db
from pb.processes.models import Pool, Process
from pb.processes.services import Action, require_phase
from pb.proposals.models import (
    Appeal,
    AppealOutcome,
    Feasibility,
    Project,
    ProjectStatus,
    Review,
    ReviewAssignment,
)
from pb.review.forms import ReviewInput
from pb.review.permissions import can_answer_appeals, can_appeal, can_be_reviewer, can_review

S = ProjectStatus

# Where a review may take a project from; the newest review replaces an earlier one.
REVIEWABLE = (S.PUBLISHED, S.UNDER_REVIEW, S.NEEDS_CHANGES, S.UNFEASIBLE, S.FEASIBLE, S.ON_BALLOT)
# What each verdict makes of the project.
OUTCOME_STATUS = {
    Feasibility.FEASIBLE: S.ON_BALLOT,
    Feasibility.UNFEASIBLE: S.UNFEASIBLE,
    Feasibility.NEEDS_CHANGES: S.NEEDS_CHANGES,
}
APPEALABLE = (S.UNFEASIBLE, S.NEEDS_CHANGES)

PROJECT_FIELDS = ["status", "cost"]
REVIEW_FIELDS = ["feasibility", "legally_compliant", "legal_note", "revised_cost", "cost_explanation",
                 "public_reason", "internal_note", "revise_until"]
APPEAL_FIELDS = ["outcome", "answer", "answered_at"]


def _process(project: Project) -> Process:
    return db.session.get(Process, project.process_id)


def _require_reviewable(project: Project) -> None:
    """Refuse, in words a clerk understands, to review a project that is not in a reviewable state."""
    if project.status in REVIEWABLE:
        return
    if project.status is S.DRAFT:
        raise InvalidTransition(_("This project is still a draft: it can be reviewed once its author publishes it."))
    if project.status is S.WITHDRAWN:
        raise InvalidTransition(_("The author withdrew this project: it cannot be reviewed."))
    raise InvalidTransition(_("The vote on this project is over: its review can no longer change."))


def latest_review(project: Project) -> Review | None:
    """The newest review of the project, which is the one that counts."""
    return db.session.execute(
        sa.select(Review).where(Review.project_id == project.id).order_by(Review.created_at.desc(), Review.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def open_appeal(project: Project) -> Appeal | None:
    """The project's appeal still waiting for an answer, if any."""
    return db.session.execute(
        sa.select(Appeal).where(Appeal.project_id == project.id, Appeal.outcome.is_(None)).limit(1)
    ).scalar_one_or_none()


def appeal_deadline(review: Review, process: Process) -> dt.datetime:
    """The moment the appeal period against this review ends."""
    return review.created_at + dt.timedelta(days=process.appeal_days)


def assign_reviewer(actor: User, project: Project, reviewer: User, now: dt.datetime | None = None) -> ReviewAssignment:
    """A clerk assigns a clerk or administrator to review the project, during the review phase."""
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can assign reviewers."))
    check_works_in(actor, _process(project).municipality_id)
    require_phase(_process(project), Action.REVIEW, now)
    _require_reviewable(project)
    if not can_be_reviewer(reviewer):
        raise ValidationError("reviewer", _("Only clerks and administrators can review projects."))
    if not works_in(reviewer, _process(project).municipality_id):
        raise ValidationError("reviewer", _("%(name)s does not work for this municipality.",
                                            name=reviewer.display_name or reviewer.email))
    already = db.session.execute(
        sa.select(ReviewAssignment.id).where(ReviewAssignment.project_id == project.id,
                                             ReviewAssignment.reviewer_id == reviewer.id)
    ).first()
    if already is not None:
        raise ValidationError("reviewer", _("%(name)s is already reviewing this project.",
                                            name=reviewer.display_name or reviewer.email))
    before = changes(project, PROJECT_FIELDS)
    assignment = ReviewAssignment(project_id=project.id, reviewer_id=reviewer.id, assigned_by_id=actor.id)
    db.session.add(assignment)
    if project.status is S.PUBLISHED:
        project.status = S.UNDER_REVIEW
    db.session.flush()
    record(db.session, actor, "review.assign", "project", project.id, before=before,
           after={**changes(project, PROJECT_FIELDS), "reviewer_id": reviewer.id})
    return assignment


def unassign_reviewer(actor: User, project: Project, reviewer_id: int, now: dt.datetime | None = None) -> None:
    """A clerk takes a reviewer off the project; the reviews already recorded stay."""
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can assign reviewers."))
    check_works_in(actor, _process(project).municipality_id)
    require_phase(_process(project), Action.REVIEW, now)
    assignment = db.session.execute(
        sa.select(ReviewAssignment).where(ReviewAssignment.project_id == project.id,
                                          ReviewAssignment.reviewer_id == reviewer_id)
    ).scalar_one_or_none()
    if assignment is None:
        raise InvalidTransition(_("This person is not assigned to the project."))
    db.session.delete(assignment)
    db.session.flush()
    record(db.session, actor, "review.unassign", "project", project.id,
           before={"reviewer_id": reviewer_id}, after={"reviewer_id": None})


def _to_minor(amount: Decimal, currency: str) -> int:
    """Whole units of the currency as integer minor units; refuses fractions of a minor unit."""
    scaled = amount * minor_units(currency)
    if scaled != scaled.to_integral_value():
        raise ValidationError("revised_cost", _("The cost has more decimals than the currency %(currency)s has.",
                                                currency=currency))
    if scaled < 0:
        raise ValidationError("revised_cost", _("The cost cannot be negative."))
    return int(scaled)


def _check_revised_cost(revised: int, process: Process, project: Project) -> None:
    """A revised cost is held to the same limits as the author's: the edition's maximum and the pool's money."""
    if process.max_project_cost is not None and revised > process.max_project_cost:
        raise ValidationError("revised_cost", _(
            "The revised cost is more than the most a project may cost in this edition, %(max)s.",
            max=format_money(process.max_project_cost, process.currency, _locale())))
    pool = db.session.get(Pool, project.pool_id) if project.pool_id else None
    if pool is not None and revised > pool.amount:
        raise ValidationError("revised_cost", _(
            "The revised cost is more than the whole pool “%(pool)s” holds, %(amount)s.", pool=pool.name,
            amount=format_money(pool.amount, process.currency, _locale())))


def _locale() -> str:
    return str(get_locale() or "en")


def _revise_until(value: ReviewInput, process: Process, now: dt.datetime | None) -> dt.datetime | None:
    """"Needs changes": the end of the day the reviewer gave, where the municipality is; it must be today or later
    and end before the vote opens. Other outcomes give the author no revision time."""
    if value.feasibility is not Feasibility.NEEDS_CHANGES:
        return None
    if value.revise_by is None:
        raise ValidationError("revise_by", _("Give the authors a last day to revise the project: without one, "
                                             "“needs changes” is a dead end."))
    zone = ZoneInfo(process.municipality.timezone)
    now = now or utcnow()
    if value.revise_by < now.astimezone(zone).date():
        raise ValidationError("revise_by", _("The last day to revise cannot be in the past."))
    until = dt.datetime.combine(value.revise_by + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    voting = process.voting_phase
    if voting is not None and until > voting.starts_at:
        raise ValidationError("revise_by", _("The authors must finish revising before the vote opens on %(date)s.",
                                             date=format_datetime(voting.starts_at, "medium")))
    return until


def revision_deadline(project: Project, now: dt.datetime | None = None) -> dt.datetime | None:
    """Until when the authors may revise a project a review found in need of changes; None when they may not
    (any more)."""
    if project.status is not S.NEEDS_CHANGES:
        return None
    review = latest_review(project)
    if review is None or review.revise_until is None or review.revise_until <= (now or utcnow()):
        return None
    return review.revise_until


def is_revised_after_changes(project: Project) -> bool:
    """Whether the project waits for a new review after its authors revised it as a review asked."""
    review = latest_review(project)
    return (project.status is S.UNDER_REVIEW and review is not None
            and review.feasibility is Feasibility.NEEDS_CHANGES)


def record_review(actor: User, project: Project, value: ReviewInput, now: dt.datetime | None = None) -> Review:
    """Record a reviewer's verdict during the review phase; it sets the project's status and ballot cost."""
    if not can_review(actor, project):
        raise NotAllowed(_("Only a reviewer assigned to this project, or a clerk, can review it."))
    process = _process(project)
    check_works_in(actor, process.municipality_id)
    if not is_revised_after_changes(project):
        require_phase(process, Action.REVIEW, now)
    elif process.voting_has_started(now):
        raise InvalidTransition(_("Voting has started: no project can be added to the ballot any more."))
    _require_reviewable(project)
    if open_appeal(project) is not None:
        raise InvalidTransition(_("An appeal against the review of this project waits for an answer: "
                                  "answer the appeal first."))
    if value.feasibility is Feasibility.FEASIBLE and not value.legally_compliant:
        raise ValidationError("legally_compliant",
                              _("A project that is not legally compliant cannot be feasible."))
    if value.feasibility is not Feasibility.FEASIBLE and not value.public_reason.strip():
        raise ValidationError("public_reason", _("Give a public reason: residents must be told why the project "
                                                 "is not feasible or needs changes."))
    revised = None
    if value.revised_cost is not None:
        revised = _to_minor(value.revised_cost, process.currency)
        if not value.cost_explanation.strip():
            raise ValidationError("cost_explanation", _("Explain the revised cost: residents see why it changed."))
        _check_revised_cost(revised, process, project)
    revise_until = _revise_until(value, process, now)

    before = changes(project, PROJECT_FIELDS)
    review = Review(project_id=project.id, reviewer_id=actor.id, feasibility=value.feasibility,
                    legally_compliant=value.legally_compliant, legal_note=value.legal_note.strip(),
                    revised_cost=revised, cost_explanation=value.cost_explanation.strip() if revised is not None else "",
                    public_reason=value.public_reason.strip(), internal_note=value.internal_note.strip(),
                    revise_until=revise_until, created_at=now or utcnow())
    db.session.add(review)
    project.status = OUTCOME_STATUS[value.feasibility]
    # The ballot cost is the reviewer's figure; without one, the author's estimate (keeping estimated_cost intact).
    if revised is not None:
        project.cost = revised
    elif project.estimated_cost is not None:
        project.cost = project.estimated_cost
    db.session.flush()
    record(db.session, actor, "review.record", "project", project.id, before=before,
           after={**changes(project, PROJECT_FIELDS), "review_id": review.id, **changes(review, REVIEW_FIELDS)})
    notify(db.session, interested_users(db.session, project), NotificationKind.REVIEW_OUTCOME, project.id,
           exclude=actor.id)
    return review


def submit_appeal(actor: User, project: Project, text: str, now: dt.datetime | None = None) -> Appeal:
    """The author (or a co-author) appeals against a negative review, within the appeal period."""
    if not can_appeal(actor, project):
        raise NotAllowed(_("Only the project's author or co-authors can appeal against its review."))
    now = now or utcnow()
    process = _process(project)
    require_phase(process, Action.APPEAL, now)
    review = latest_review(project)
    if review is None or project.status not in APPEALABLE:
        raise InvalidTransition(_("Only a review that found the project not feasible or in need of changes "
                                  "can be appealed."))
    deadline = appeal_deadline(review, process)
    if now >= deadline:
        raise InvalidTransition(_("The time to appeal ended on %(date)s.", date=format_datetime(deadline, "medium")))
    if open_appeal(project) is not None:
        raise InvalidTransition(_("An appeal against this review is already waiting for an answer."))
    answered = db.session.execute(
        sa.select(Appeal.id).where(Appeal.review_id == review.id)).first()
    if answered is not None:
        raise InvalidTransition(_("This review was already appealed and the appeal was answered."))
    if not text.strip():
        raise ValidationError("text", _("Write the reasons for your appeal."))
    appeal = Appeal(project_id=project.id, review_id=review.id, author_id=actor.id, text=text.strip(), created_at=now)
    db.session.add(appeal)
    db.session.flush()
    record(db.session, actor, "review.appeal", "project", project.id, before={"appeal": None},
           after={"appeal_id": appeal.id, "review_id": review.id, "text": appeal.text})
    return appeal


def answer_appeal(actor: User, appeal: Appeal, outcome: AppealOutcome, answer: str,
                  now: dt.datetime | None = None) -> Appeal:
    """A clerk answers an appeal: upheld puts the project on the ballot with the answer as its public reason;
    rejected leaves the review as it is."""
    if not can_answer_appeals(actor):
        raise NotAllowed(_("Only a clerk can answer appeals."))
    check_works_in(actor, _process(db.session.get(Project, appeal.project_id)).municipality_id)
    if appeal.outcome is not None:
        raise InvalidTransition(_("This appeal has already been answered."))
    if not answer.strip():
        raise ValidationError("answer", _("Write the answer to the appeal."))
    now = now or utcnow()
    project = db.session.get(Project, appeal.project_id)
    process = _process(project)
    before = {**changes(project, PROJECT_FIELDS), **changes(appeal, APPEAL_FIELDS)}
    if outcome is AppealOutcome.UPHELD:
        if project.status not in APPEALABLE:
            raise InvalidTransition(_("The project is no longer not feasible or in need of changes, so the "
                                      "appeal cannot be upheld; reject it with an explanation instead."))
        if process.voting_has_started(now):
            raise InvalidTransition(_("Voting has started: no project can be added to the ballot any more."))
        appealed = db.session.get(Review, appeal.review_id)
        # The decision on appeal is a review of its own, so the project page shows the outcome that counts.
        db.session.add(Review(project_id=project.id, reviewer_id=actor.id, feasibility=Feasibility.FEASIBLE,
                              legally_compliant=True, legal_note=appealed.legal_note if appealed else "",
                              revised_cost=appealed.revised_cost if appealed else None,
                              cost_explanation=appealed.cost_explanation if appealed else "",
                              public_reason=answer.strip(), created_at=now))
        project.status = S.ON_BALLOT
    appeal.outcome = outcome
    appeal.answer = answer.strip()
    appeal.answered_at = now
    appeal.answered_by_id = actor.id
    db.session.flush()
    record(db.session, actor, "review.appeal_answer", "project", project.id, before=before,
           after={**changes(project, PROJECT_FIELDS), **changes(appeal, APPEAL_FIELDS), "appeal_id": appeal.id})
    notify(db.session, interested_users(db.session, project), NotificationKind.APPEAL_ANSWER, project.id,
           exclude=actor.id)
    return appeal
