"""What the review pages read: the clerk's queue, a project's review record, and the public outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pb.accounts.models import User, staff_municipality
from pb.core.db import utcnow
from pb.extensions import db
from pb.processes.models import Process
from pb.processes.services import ACTION_PHASES, Action, is_open
from pb.proposals.models import Appeal, Feasibility, Project, ProjectStatus, Review, ReviewAssignment
from pb.review.forms import FEASIBILITY_LABELS, AppealForm
from pb.review.permissions import REVIEWER_ROLES, can_appeal
from pb.review.services import APPEALABLE, appeal_deadline, latest_review, open_appeal, revision_deadline

S = ProjectStatus

# The appeal form sits on the project page beside other forms: its field ids carry this prefix.
APPEAL_PREFIX = "appeal"

# The queue's filters: the statuses each one shows.
QUEUE_FILTERS: dict[str, tuple[ProjectStatus, ...]] = {
    "waiting": (S.PUBLISHED,),
    "under_review": (S.UNDER_REVIEW,),
    "reviewed": (S.NEEDS_CHANGES, S.FEASIBLE, S.UNFEASIBLE, S.ON_BALLOT),
}
QUEUE_STATUSES = tuple(s for group in QUEUE_FILTERS.values() for s in group)


@dataclass(frozen=True)
class QueueRow:
    """One project in the review queue with its reviewers and whether an appeal waits."""

    project: Project
    reviewers: list[str]
    has_open_appeal: bool


@dataclass(frozen=True)
class PublicReview:
    """The part of a review residents see (never the internal note or the reviewer)."""

    feasibility: Feasibility
    legally_compliant: bool
    legal_note: str
    revised_cost: int | None
    cost_explanation: str
    public_reason: str
    created_at: dt.datetime

    @property
    def feasibility_label(self) -> str:
        """The verdict in the reader's language."""
        return str(FEASIBILITY_LABELS[self.feasibility.value])


def review_processes(within: frozenset[int] | None = None) -> list[tuple[Process, int]]:
    """Every process (of the municipalities ``within``, when given) with how many of its projects wait for a first
    review (published or under review)."""
    waiting = (sa.select(Project.process_id, sa.func.count().label("n"))
               .where(Project.status.in_((S.PUBLISHED, S.UNDER_REVIEW))).group_by(Project.process_id).subquery())
    query = (sa.select(Process, sa.func.coalesce(waiting.c.n, 0)).outerjoin(waiting, waiting.c.process_id == Process.id)
             .order_by(Process.fiscal_year.desc(), Process.name))
    if within is not None:
        query = query.where(Process.municipality_id.in_(within))
    rows = db.session.execute(query).all()
    return [(process, count) for process, count in rows]


def review_queue(process: Process, status_filter: str | None) -> list[QueueRow]:
    """The process's projects that are waiting, under review or reviewed, optionally one group of them."""
    statuses = QUEUE_FILTERS.get(status_filter or "", QUEUE_STATUSES)
    projects = db.session.execute(
        sa.select(Project).where(Project.process_id == process.id, Project.status.in_(statuses))
        .order_by(Project.code, Project.id)
    ).scalars().all()
    ids = [p.id for p in projects]
    reviewers: dict[int, list[str]] = {i: [] for i in ids}
    appeals: set[int] = set()
    if ids:
        for project_id, name, email in db.session.execute(
            sa.select(ReviewAssignment.project_id, User.display_name, User.email)
            .join(User, User.id == ReviewAssignment.reviewer_id)
            .where(ReviewAssignment.project_id.in_(ids)).order_by(User.display_name, User.email)
        ):
            reviewers[project_id].append(name or email)
        appeals = set(db.session.execute(
            sa.select(Appeal.project_id).where(Appeal.project_id.in_(ids), Appeal.outcome.is_(None))).scalars())
    return [QueueRow(p, reviewers[p.id], p.id in appeals) for p in projects]


def reviewer_candidates(municipality_id: int) -> list[User]:
    """Accounts a clerk may assign as reviewers: active clerks and administrators of the municipality."""
    granted = sa.select(staff_municipality.c.user_id).where(staff_municipality.c.municipality_id == municipality_id)
    return list(db.session.execute(
        sa.select(User).where(User.role.in_(REVIEWER_ROLES), User.blocked_at.is_(None),
                              sa.or_(User.all_municipalities, User.id.in_(granted)))
        .order_by(User.display_name, User.email)
    ).scalars())


def assignments(project: Project) -> list[tuple[ReviewAssignment, User]]:
    """The project's reviewers with their assignments."""
    return [tuple(row) for row in db.session.execute(
        sa.select(ReviewAssignment, User).join(User, User.id == ReviewAssignment.reviewer_id)
        .where(ReviewAssignment.project_id == project.id).order_by(ReviewAssignment.assigned_at)
    )]


def reviews(project: Project) -> list[tuple[Review, User | None]]:
    """Every review of the project with its reviewer, newest first (staff only: they include internal notes)."""
    return [tuple(row) for row in db.session.execute(
        sa.select(Review, User).outerjoin(User, User.id == Review.reviewer_id)
        .where(Review.project_id == project.id).order_by(Review.created_at.desc(), Review.id.desc())
    )]


def appeals(project: Project) -> list[Appeal]:
    """The project's appeals, oldest first."""
    return list(db.session.execute(
        sa.select(Appeal).where(Appeal.project_id == project.id).order_by(Appeal.created_at, Appeal.id)
    ).scalars())


def project_review(project: Project, viewer: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """The context of templates/review/_project_review.html: the public outcome, the appeals and, for the
    author within the appeal period, an appeal form. Every key starts with ``review_``."""
    now = now or utcnow()
    review = latest_review(project)
    context: dict[str, Any] = {
        "review_project_id": project.id,
        "review_outcome": None,
        "review_appeals": [],
        "review_appeal_form": None,
        "review_appeal_deadline": None,
        "review_currency": None,
        "review_revise_until": None,
    }
    if review is None:
        return context
    process = db.session.get(Process, project.process_id)
    context["review_currency"] = process.currency
    context["review_outcome"] = PublicReview(
        feasibility=review.feasibility, legally_compliant=review.legally_compliant, legal_note=review.legal_note,
        revised_cost=review.revised_cost, cost_explanation=review.cost_explanation,
        public_reason=review.public_reason, created_at=review.created_at)
    context["review_appeals"] = appeals(project)
    context["review_revise_until"] = revision_deadline(project, now)
    if project.status in APPEALABLE and can_appeal(viewer, project):
        deadline = appeal_deadline(review, process)
        already = any(a.review_id == review.id for a in context["review_appeals"]) or open_appeal(project)
        if now < deadline and not already and is_open(process, Action.APPEAL, now):
            # The promise never outlasts the phases in which appeals are heard (an early opening may end them).
            heard_until = max(p.ends_at for p in process.phases if p.kind in ACTION_PHASES[Action.APPEAL])
            context["review_appeal_deadline"] = min(deadline, heard_until)
            context["review_appeal_form"] = AppealForm(formdata=None, prefix=APPEAL_PREFIX)
    return context
