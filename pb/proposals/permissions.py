"""Who may propose, edit and see projects: named predicates, applied in views and checked again in services."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pb.accounts.models import Role
from pb.accounts.permissions import is_signed_in, is_staff
from pb.extensions import db
from pb.proposals.models import Project, ProjectCoauthor, ProjectStatus

# A project can be changed by its authors until staff start reviewing it.
EDITABLE_STATUSES = (ProjectStatus.DRAFT, ProjectStatus.PUBLISHED, ProjectStatus.NEEDS_CHANGES)


def can_propose(user: Any) -> bool:
    """Residents propose projects; staff accounts are for work and do not."""
    return is_signed_in(user) and user.role is Role.RESIDENT


def is_project_author(user: Any, project: Project) -> bool:
    """The author or a co-author of the project."""
    if not is_signed_in(user):
        return False
    if project.author_id == user.id:
        return True
    return db.session.execute(
        sa.select(ProjectCoauthor.user_id).where(ProjectCoauthor.project_id == project.id,
                                                 ProjectCoauthor.user_id == user.id)
    ).first() is not None


def can_edit_project(user: Any, project: Project) -> bool:
    """Authors and co-authors edit their project while it is still theirs to change (the phase is checked apart)."""
    return can_propose(user) and project.status in EDITABLE_STATUSES and is_project_author(user, project)


def can_view_project(user: Any, project: Project) -> bool:
    """Drafts are seen by their authors only; everything else is public (hidden ones show the reason)."""
    if project.status is not ProjectStatus.DRAFT:
        return True
    return is_project_author(user, project)


def can_view_hidden_content(user: Any, project: Project) -> bool:
    """A hidden project's text stays readable for its authors and for staff."""
    return is_staff(user) or is_project_author(user, project)
