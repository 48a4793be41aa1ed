"""In-app notifications: who is interested in a project, and adding messages for them.

Other areas call these (the review area for review outcomes and appeal answers); they add rows in the
caller's transaction and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pb.deliberation.models import Follow, Notification, NotificationKind
from pb.proposals.models import Project, ProjectCoauthor


def interested_users(session: Session, project: Project) -> set[int]:
    """The ids of the project's author, its co-authors and its followers."""
    ids: set[int] = set()
    if project.author_id is not None:
        ids.add(project.author_id)
    ids.update(session.execute(
        sa.select(ProjectCoauthor.user_id).where(ProjectCoauthor.project_id == project.id)).scalars())
    ids.update(session.execute(
        sa.select(Follow.user_id).where(Follow.project_id == project.id)).scalars())
    return ids


def notify(session: Session, user_ids: Iterable[int | None], kind: NotificationKind, project_id: int,
           comment_id: int | None = None, *, exclude: int | None = None) -> None:
    """Add one unread notification per distinct user, skipping ``exclude`` (the acting user) and None."""
    recipients = {uid for uid in user_ids if uid is not None and uid != exclude}
    for user_id in sorted(recipients):
        session.add(Notification(user_id=user_id, kind=NotificationKind(kind), project_id=project_id,
                                 comment_id=comment_id))
    if recipients:
        session.flush()


def unread_count(session: Session, user_id: int) -> int:
    """How many notifications the user has not read yet."""
    return session.execute(
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one()
