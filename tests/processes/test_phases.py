"""The current phase follows the dates (pure functions, no app)."""

from __future__ import annotations

import datetime as dt

from pb.processes.models import PhaseKind
from pb.processes.phases import current_phase, next_phase, schedule_around_vote

UTC = dt.timezone.utc
START = dt.datetime(2026, 6, 1, tzinfo=UTC)
END = dt.datetime(2026, 6, 15, tzinfo=UTC)


class P:
    def __init__(self, kind, starts_at, ends_at):
        self.kind, self.starts_at, self.ends_at = kind, starts_at, ends_at


def test_schedule_places_every_phase_around_the_vote():
    schedule = schedule_around_vote(START, END)
    assert [k for k, _, _ in schedule] == list(PhaseKind)
    assert dict((k, (s, e)) for k, s, e in schedule)[PhaseKind.VOTING] == (START, END)
    for (_, _, end), (_, start, _) in zip(schedule, schedule[1:]):
        assert end == start


def test_current_and_next_phase_follow_the_clock():
    phases = [P(k, s, e) for k, s, e in schedule_around_vote(START, END)]
    assert current_phase(phases, START).kind is PhaseKind.VOTING
    assert current_phase(phases, END - dt.timedelta(microseconds=1)).kind is PhaseKind.VOTING
    assert current_phase(phases, END).kind is PhaseKind.RESULTS
    assert next_phase(phases, START).kind is PhaseKind.RESULTS
    assert current_phase(phases, START - dt.timedelta(days=400)) is None
    assert next_phase(phases, END + dt.timedelta(days=1000)) is None
