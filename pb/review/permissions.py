"""Who may review projects, answer appeals and appeal against a review: named predicates."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pb.accounts.models import Role
from pb.accounts.permissions import can_manage_processes, is_signed_in
from pb.extensions import db
from pb.proposals.models import Project, ReviewAssignment
from pb.proposals.permissions import is_project_author

# The roles a clerk may assign as reviewers.
REVIEWER_ROLES = (Role.CLERK, Role.ADMIN)


def can_be_reviewer(user: Any) -> bool:
    """Reviewers are staff who run processes: clerks and administrators."""
    return is_signed_in(user) and user.role in REVIEWER_ROLES


def is_assigned_reviewer(user: Any, project: Project) -> bool:
    """Whether a clerk assigned this user to review the project."""
    if not is_signed_in(user):
        return False
    return db.session.execute(
        sa.select(ReviewAssignment.id).where(ReviewAssignment.project_id == project.id,
                                             ReviewAssignment.reviewer_id == user.id)
    ).first() is not None


def can_review(user: Any, project: Project) -> bool:
    """An assigned reviewer who still holds a reviewer's role, or any clerk, records a review."""
    if can_manage_processes(user):
        return True
    return can_be_reviewer(user) and is_assigned_reviewer(user, project)


def can_answer_appeals(user: Any) -> bool:
    """Clerks answer appeals against reviews."""
    return can_manage_processes(user)


def can_appeal(user: Any, project: Project) -> bool:
    """Only the project's author or co-authors may appeal against its review."""
    return is_project_author(user, project)
