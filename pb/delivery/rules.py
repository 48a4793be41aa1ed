"""The pure rules of delivery, with no Flask and no database: the status lifecycle, when spending needs an
explanation, the mandate's delivery deadline, and when a project is overdue.

Lifecycle::

    planned → design → procurement → works → delivered
       │         │          │          │
       └─────────┴──────────┴──────────┴──→ cancelled | merged   (each with a public reason)

A project moves forward, skipping steps if it must (a small purchase needs no design), or back one step
(a failed tender goes back to design); delivered, cancelled and merged are final.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from pb.delivery.models import DeliveryStatus

S = DeliveryStatus
ACTIVE = (S.PLANNED, S.DESIGN, S.PROCUREMENT, S.WORKS)
FINAL = (S.DELIVERED, S.CANCELLED, S.MERGED)
# Ending without delivery: the public must be told why.
NEEDS_REASON = (S.CANCELLED, S.MERGED)


def allowed_next(current: DeliveryStatus) -> tuple[DeliveryStatus, ...]:
    """The statuses a record in ``current`` may move to."""
    if current in FINAL:
        return ()
    position = ACTIVE.index(current)
    back = ACTIVE[position - 1:position] if position else ()
    return (*back, *ACTIVE[position + 1:], S.DELIVERED, S.CANCELLED, S.MERGED)


def can_move(current: DeliveryStatus, new: DeliveryStatus) -> bool:
    """Whether the lifecycle allows ``current`` → ``new``."""
    return new in allowed_next(current)


def needs_reason(status: DeliveryStatus) -> bool:
    """Cancelled and merged projects carry a public reason."""
    return status in NEEDS_REASON


def spending_gap_basis_points(voted: int, spent: int) -> int | None:
    """How far spending is from the voted amount, in basis points of it (rounded up); None when nothing was voted."""
    if voted <= 0:
        return None
    gap = abs(spent - voted) * 10_000
    return -(-gap // voted)


def needs_explanation(voted: int, spent: int, tolerance_basis_points: int, *, is_finished: bool) -> bool:
    """Spending that differs from the voted amount by more than the municipality's tolerance must be explained.

    Spending above the vote needs it at once; spending below it only once the project is delivered, since
    until then the rest of the money is still to come. Spending against a zero vote always does."""
    if spent <= voted and not is_finished:
        return False
    gap = spending_gap_basis_points(voted, spent)
    return gap is None or gap > tolerance_basis_points


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, on the same day of the month or the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def delivery_deadline(fiscal_year: int, months: int | None) -> dt.date | None:
    """The mandate's delivery deadline: the end of the fiscal year (31 December) plus ``months``; None if unset."""
    if months is None:
        return None
    return add_months(dt.date(fiscal_year, 12, 31), months)


@dataclass(frozen=True)
class Lateness:
    """Why an unfinished project is late, if it is: past the mandate's deadline and/or its own planned end."""

    past_deadline: bool
    past_planned_end: bool

    @property
    def is_overdue(self) -> bool:
        return self.past_deadline or self.past_planned_end


def lateness(status: DeliveryStatus, today: dt.date, deadline: dt.date | None,
             planned_end: dt.date | None) -> Lateness:
    """A project still under way after the mandate's deadline or its planned end is overdue; a finished one never."""
    if status in FINAL:
        return Lateness(False, False)
    return Lateness(deadline is not None and today > deadline, planned_end is not None and today > planned_end)
