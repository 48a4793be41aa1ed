"""Which phase of a process runs now; pure functions of the dates, so no one switches phases by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from pb.processes.models import PhaseKind


class Dated(Protocol):
    """What a phase needs for these functions: a kind and its dates."""

    kind: PhaseKind
    starts_at: dt.datetime
    ends_at: dt.datetime


def current_phase(phases: Sequence[Dated], now: dt.datetime) -> Dated | None:
    """The phase running at ``now``; when phases overlap, the one that started last."""
    running = [p for p in phases if p.starts_at <= now < p.ends_at]
    return max(running, key=lambda p: p.starts_at) if running else None


def next_phase(phases: Sequence[Dated], now: dt.datetime) -> Dated | None:
    """The next phase to start after ``now``, if any."""
    upcoming = [p for p in phases if p.starts_at > now]
    return min(upcoming, key=lambda p: p.starts_at) if upcoming else None


def is_finished(phases: Sequence[Dated], now: dt.datetime) -> bool:
    """Whether every phase of the process has ended."""
    return bool(phases) and all(p.ends_at <= now for p in phases)


DEFAULT_LENGTHS = {
    PhaseKind.INFORMATION: 14, PhaseKind.PROPOSALS: 42, PhaseKind.REVIEW: 35, PhaseKind.DELIBERATION: 21,
    PhaseKind.VOTING: 14, PhaseKind.RESULTS: 14, PhaseKind.ADOPTION: 60, PhaseKind.IMPLEMENTATION: 365,
}


def schedule_around_vote(
    vote_start: dt.datetime, vote_end: dt.datetime, lengths: dict[PhaseKind, int] | None = None,
) -> list[tuple[PhaseKind, dt.datetime, dt.datetime]]:
    """Every phase back to back, placed around given voting dates, with typical lengths in days."""
    days = lengths or DEFAULT_LENGTHS
    kinds = list(PhaseKind)
    voting = kinds.index(PhaseKind.VOTING)
    schedule = []
    at = vote_start
    for kind in reversed(kinds[:voting]):
        start = at - dt.timedelta(days=days[kind])
        schedule.insert(0, (kind, start, at))
        at = start
    schedule.append((PhaseKind.VOTING, vote_start, vote_end))
    at = vote_end
    for kind in kinds[voting + 1:]:
        end = at + dt.timedelta(days=days[kind])
        schedule.append((kind, at, end))
        at = end
    return schedule
