"""Live representativeness while the vote is open: turnout and the representation index per group and per day.

Pure: numpy arrays in, frozen dataclasses out, no Flask and no database (``pb.reports.monitoring`` reads the
rows). The measures are the assessment's (``pb.reports.metrics``): T_g = V_g / E_g, RI_g = (V_g / V_a) /
(E_g / E_a), flagged green/amber/red against the municipality's thresholds. Two things differ, because the
figures are read by staff during the vote and never published:

- no group is suppressed (staff see the desk's counts already), but a group's flag is judged only once the
  group *would* have ``min_group`` voters had it voted like the electorate as a whole (its expected voters
  V_a * E_g / E_a). Early in the vote every group is "too early to judge"; a district with five voters where
  fifty were expected is red.
- every figure is given per day, cumulative from the opening to the end of that day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pb.reports.metrics import DEFAULT_THRESHOLDS, NO_BASELINE, Population, Status, Thresholds, worst


@dataclass(frozen=True)
class Column:
    """One attribute of every participant: the group names and each participant's group index (-1 unknown).

    ``counts`` adds participants without a day (a group known only in total, e.g. sex from the ballots, which
    carry no time): the groups' totals, by name, counted on the last day only.
    """

    names: tuple[str, ...]
    codes: np.ndarray
    counts: Mapping[str, int] | None = None


@dataclass(frozen=True)
class LiveGroup:
    """One group now and day by day; ``daily_*`` are cumulative to the end of each day.

    ``expected`` is V_a * E_g / E_a, the voters the group would have if it voted like the electorate;
    ``status`` is None while ``expected`` is under the thresholds' ``min_group`` or without a baseline.
    """

    attribute: str
    group: str
    voters: int
    eligible: int | None
    turnout: float | None
    representation: float | None
    expected: float | None
    status: Status | None
    daily_voters: tuple[int, ...]
    daily_turnout: tuple[float | None, ...]
    daily_representation: tuple[float | None, ...]

    @property
    def is_judged(self) -> bool:
        """Whether the group has a flag yet."""
        return self.status is not None


@dataclass(frozen=True)
class LiveFigures:
    """The vote so far: participants overall and per group, on each day since the opening."""

    days: tuple[str, ...]
    voters: int
    eligible: int | None
    daily_voters: tuple[int, ...]
    groups: tuple[LiveGroup, ...]
    thresholds: Thresholds

    @property
    def turnout(self) -> float | None:
        """Participants per eligible resident so far."""
        return self.voters / self.eligible if self.eligible else None

    @property
    def daily_turnout(self) -> tuple[float | None, ...]:
        """Cumulative turnout at the end of each day."""
        return tuple(v / self.eligible if self.eligible else None for v in self.daily_voters)

    def of(self, attribute: str) -> tuple[LiveGroup, ...]:
        """The groups of one attribute."""
        return tuple(g for g in self.groups if g.attribute == attribute)

    def group(self, attribute: str, name: str) -> LiveGroup | None:
        """One group, or None when it has neither voters nor a baseline."""
        return next((g for g in self.groups if g.attribute == attribute and g.group == name), None)

    @property
    def red(self) -> tuple[LiveGroup, ...]:
        """The groups whose flag is red now."""
        return tuple(g for g in self.groups if g.status is Status.RED)

    @property
    def status(self) -> Status | None:
        """The worst flag now."""
        return worst(g.status for g in self.groups)


def _series(values: np.ndarray, denominator: float | np.ndarray | None) -> tuple[float | None, ...]:
    if denominator is None:
        return tuple(None for _ in values)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values / denominator
    return tuple(float(x) if np.isfinite(x) else None for x in np.broadcast_to(ratio, values.shape))


def live_figures(
    columns: Mapping[str, Column],
    days: np.ndarray,
    day_labels: Sequence[str],
    population: Population,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    weights: np.ndarray | None = None,
) -> LiveFigures:
    """The live figures of ``len(days)`` participants: ``days[i]`` is the index in ``day_labels`` of the day
    participant i first voted; ``columns`` gives each participant's group per attribute (same length).
    With ``weights``, row i stands for ``weights[i]`` participants of the same groups and day.

    Every group of the baseline is shown, with or without voters. Cost: one ``bincount`` per attribute over
    the participants, then work per group and day only.
    """
    n_days = max(len(day_labels), 1)
    weights = np.ones(len(days), dtype=np.int64) if weights is None else np.asarray(weights, dtype=np.int64)
    total_daily = np.cumsum(np.bincount(days, weights=weights, minlength=n_days)[:n_days]).astype(np.int64)
    groups: list[LiveGroup] = []
    for attribute, column in columns.items():
        baseline = population.eligible_by.get(attribute, {})
        names = list(column.names) + sorted(name for name in baseline if name not in column.names)
        codes = column.codes
        known = codes >= 0
        flat = np.bincount(codes[known] * n_days + days[known], weights=weights[known],
                           minlength=len(names) * n_days).astype(np.int64)
        daily = np.cumsum(flat[: len(names) * n_days].reshape(len(names), n_days), axis=1)
        for name, count in (column.counts or {}).items():
            if name not in names:
                names.append(name)
                daily = np.vstack([daily, np.zeros(n_days, dtype=daily.dtype)])
            daily[names.index(name), -1] += count
        known_daily = daily.sum(axis=0)
        eligible_total = sum(baseline.values()) or None
        for index, name in enumerate(names):
            row = daily[index]
            voters = int(row[-1])
            e = baseline.get(name)
            if attribute in NO_BASELINE:
                turnout = _series(row, population.eligible)
                representation: tuple[float | None, ...] = tuple(None for _ in row)
                expected = None
            elif e is None or not eligible_total:
                turnout, representation, expected = _series(row, e), tuple(None for _ in row), None
            else:
                turnout = _series(row, e)
                with np.errstate(divide="ignore", invalid="ignore"):
                    share = row / known_daily
                representation = _series(share, e / eligible_total)
                expected = float(known_daily[-1]) * e / eligible_total
            if column.counts is not None:
                # Counted without a day: only the total is known.
                turnout = (*(None for _ in row[:-1]), turnout[-1])
                representation = (*(None for _ in row[:-1]), representation[-1])
            now = representation[-1]
            status = (thresholds.representation(now)
                      if expected is not None and expected >= thresholds.min_group else None)
            groups.append(LiveGroup(
                attribute=attribute, group=name, voters=voters, eligible=e, turnout=turnout[-1],
                representation=now, expected=expected, status=status,
                daily_voters=tuple(int(x) for x in row), daily_turnout=turnout,
                daily_representation=representation))
    return LiveFigures(days=tuple(day_labels), voters=int(total_daily[-1]),
                       eligible=population.eligible, daily_voters=tuple(int(x) for x in total_daily),
                       groups=tuple(groups), thresholds=thresholds)


def encode(labels: Sequence[str | None], order: Sequence[str] = ()) -> Column:
    """A column from one label per participant (None when unknown): names in ``order`` first, then sorted."""
    found = {label for label in labels if label}
    names = tuple(name for name in order if name in found) + tuple(sorted(found - set(order)))
    index = {name: code for code, name in enumerate(names)}
    return Column(names, np.fromiter((index.get(label, -1) if label else -1 for label in labels),
                                     dtype=np.int64, count=len(labels)))


@dataclass(frozen=True)
class BeforeAfter:
    """A group's cumulative turnout when an action started and at its end (or now), beside the electorate's.

    ``before`` is the turnout at the end of the day before the start, None when the action started before the
    vote opened (or on its first day) or when the group has no daily figure; ``after`` is at the end of the
    action's last day, or of the last day so far; None when the action has not started yet. Changes are
    percentage points of turnout. An association in time, not proof of an effect: other things happen on the
    same days, and residents who would have voted anyway may vote earlier or later.
    """

    before: float | None
    after: float | None
    electorate_before: float | None
    electorate_after: float | None
    after_day: str | None

    @property
    def change(self) -> float | None:
        """The group's turnout gained over the action's days."""
        return None if self.before is None or self.after is None else self.after - self.before

    @property
    def electorate_change(self) -> float | None:
        """The electorate's turnout gained over the same days."""
        if self.electorate_before is None or self.electorate_after is None:
            return None
        return self.electorate_after - self.electorate_before


def before_after(figures: LiveFigures, attribute: str, group: str, starts_on: str, ends_on: str | None) -> BeforeAfter:
    """The turnout of a group (everyone for an empty ``attribute``) before and after an action's dates
    (ISO dates, compared with ``figures.days``)."""
    days = figures.days
    if not days or not days[0] or starts_on > days[-1]:
        return BeforeAfter(None, None, None, None, None)
    start = sum(1 for day in days if day < starts_on)  # the index of the action's first day of the vote
    # Its last day of the vote; an action that ended before the vote opened (material, training) is read now.
    ended = ends_on is not None and days[0] <= ends_on
    last = max(start, sum(1 for day in days if day <= ends_on) - 1) if ended else len(days) - 1
    overall = figures.daily_turnout
    found = figures.group(attribute, group) if attribute else None
    series = found.daily_turnout if found is not None else (overall if not attribute else None)
    before = series[start - 1] if series is not None and start > 0 else None
    after = series[last] if series is not None else None
    return BeforeAfter(before=before, after=after, electorate_before=overall[start - 1] if start > 0 else None,
                       electorate_after=overall[last], after_day=days[last])
