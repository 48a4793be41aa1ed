"""Who may write and publish impact assessments, and prepare the budget annex: named predicates."""

from __future__ import annotations

from typing import Any

from pb.accounts.permissions import can_manage_mandates, can_manage_processes


def can_write_assessments(user: Any) -> bool:
    """Legal officers (and administrators) write, generate and publish impact assessments."""
    return can_manage_mandates(user)


def can_prepare_annex(user: Any) -> bool:
    """Clerks (and administrators) import the census and prepare and finalise the budget annex."""
    return can_manage_processes(user)


def can_set_thresholds(user: Any) -> bool:
    """Legal officers (and administrators) set the thresholds the assessment flags are measured against."""
    return can_manage_mandates(user)


def can_watch_vote(user: Any) -> bool:
    """Clerks, legal officers and administrators see the live representativeness of a running vote (staff only
    until the close: early figures could sway residents who have not voted yet)."""
    return can_manage_processes(user) or can_manage_mandates(user)
