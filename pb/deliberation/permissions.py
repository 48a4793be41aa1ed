"""Who may take part in deliberation and who moderates it: named predicates for views and services."""

from __future__ import annotations

from typing import Any

from pb.accounts.permissions import can_manage_processes, is_signed_in
from pb.deliberation.models import Comment


def is_blocked(user: Any) -> bool:
    """A moderator blocked the account."""
    return getattr(user, "blocked_at", None) is not None


def can_take_part(user: Any) -> bool:
    """Signed-in accounts that are not blocked comment, support, follow and flag."""
    return is_signed_in(user) and not is_blocked(user)


def can_edit_comment(user: Any, comment: Comment) -> bool:
    """Authors edit their own comments while they are visible."""
    return can_take_part(user) and comment.author_id == user.id and comment.hidden_at is None


def can_moderate(user: Any) -> bool:
    """Clerks are the moderators: they hide content, dismiss flags and block accounts."""
    return can_manage_processes(user)
