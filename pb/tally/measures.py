"""How satisfied voters are with an outcome, overall and per group of voters, as pabutools measures it.

A voter supports a project when the ballot approves it, ranks it or gives it a positive number of points.
Cost satisfaction is the total cost of the funded projects the voter supports, cardinality satisfaction
their number. The aggregates follow pabutools.analysis (mean, Gini coefficient, capped fair share ratio)
and honour ballot weights, so a grouped election gives the same numbers as the ungrouped one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from pb.tally.election import Ballot, Election

#: Voter groups smaller than this are reported as suppressed, so that no small group can be singled out.
MIN_GROUP = 10

#: The age bands of the social impact assessment, as (label, lowest age, highest age).
AGE_BANDS = (("<18", 0, 17), ("18-34", 18, 34), ("35-64", 35, 64), ("65+", 65, 200))


@dataclass(frozen=True)
class Satisfaction:
    """Per-ballot satisfaction with an outcome; a ballot of weight w stands for w voters.

    ``cost`` is in cost units (divide by ``cost_scale`` for money). ``fair_share_ratio`` is each ballot's
    capped fair share ratio, NaN for an empty ballot (nothing was asked, so nothing could be owed).
    """

    weights: np.ndarray
    cost: np.ndarray
    cardinality: np.ndarray
    fair_share_ratio: np.ndarray
    cost_scale: int

    @property
    def voters(self) -> int:
        """The number of voters."""
        return int(self.weights.sum())

    def summary(self, mask: np.ndarray | None = None) -> dict[str, float | int | None]:
        """The aggregate measures over all voters, or over the ballots where mask is true."""
        weights = self.weights if mask is None else self.weights[mask]
        cost = self.cost if mask is None else self.cost[mask]
        cardinality = self.cardinality if mask is None else self.cardinality[mask]
        ratio = self.fair_share_ratio if mask is None else self.fair_share_ratio[mask]
        voters = int(weights.sum())
        asked = ~np.isnan(ratio)
        asked_voters = weights[asked].sum()
        return {
            "voters": voters,
            "share_non_empty_handed": _mean(cardinality > 0, weights),
            "avg_cost_sat": _mean(cost, weights) / self.cost_scale,
            "avg_cardinality_sat": _mean(cardinality, weights),
            "gini_cost_sat": gini(cost, weights),
            "gini_cardinality_sat": gini(cardinality, weights),
            # None rather than NaN when no voter asked for anything, so that the result stays valid JSON.
            "capped_fair_share_ratio": (
                float((ratio[asked] * weights[asked]).sum() / asked_voters) if asked_voters else None
            ),
        }


def _mean(values: np.ndarray, weights: np.ndarray) -> float:
    """The weighted mean, 0 for no voters."""
    total = weights.sum()
    return float((values * weights).sum() / total) if total else 0.0


def gini(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The Gini coefficient of non-negative values, each counted weight times (pabutools' formula).

    pabutools sorts the n values v_0 <= ... <= v_{n-1} and returns (n + 1 - 2 sum_i v_i (n - i) / sum v) / n,
    and 0 when every value is 0. A block of w equal values starting at position c contributes
    v (w (n - c) - w (w - 1) / 2) to the sum, which is what makes the weighted form exact.
    """
    values = np.asarray(values, dtype=np.float64)
    weights = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=np.float64)
    if (values < 0).any():
        raise ValueError("the Gini coefficient needs non-negative values")
    n = weights.sum()
    total = (values * weights).sum()
    if n == 0 or total == 0:
        return 0.0
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    start = np.cumsum(w) - w
    ranked = (v * (w * (n - start) - w * (w - 1) / 2)).sum()
    return float((n + 1 - 2 * ranked / total) / n)


def _supported(ballot: Ballot) -> tuple[str, ...]:
    """The projects a ballot supports: every choice, or every choice with positive points."""
    if ballot.points is None:
        return ballot.choices
    return tuple(c for c, p in zip(ballot.choices, ballot.points) if p > 0)


def satisfaction(election: Election, selected: Iterable[str]) -> Satisfaction:
    """Per-ballot cost, cardinality and fair-share satisfaction of the voters with the selected projects."""
    index = {p.id: i for i, p in enumerate(election.projects)}
    funded = np.zeros(len(index), dtype=bool)
    for project_id in selected:
        if project_id not in index:
            raise ValueError(f"the selected project '{project_id}' is not in the election")
        funded[index[project_id]] = True
    costs = np.array([p.cost for p in election.projects], dtype=np.float64)

    # Ballots share their choice tuples (the parser and group_ballots make sure of it), so each distinct
    # pattern of support is resolved once; pattern_of maps every ballot to its pattern.
    patterns: dict[tuple[int, int], int] = {}
    rows: list[int] = []
    cols: list[int] = []
    of_ballot: list[int] = []
    for ballot in election.ballots:
        key = (id(ballot.choices), id(ballot.points))
        pattern = patterns.get(key)
        if pattern is None:
            pattern = patterns[key] = len(patterns)
            supported = [index[c] for c in _supported(ballot)]
            rows.extend([pattern] * len(supported))
            cols.extend(supported)
        of_ballot.append(pattern)
    pattern_of = np.array(of_ballot, dtype=np.int64)
    weights = np.array([ballot.weight for ballot in election.ballots], dtype=np.int64)
    n_patterns = len(patterns)
    row, col = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)

    cost = np.bincount(row, weights=(costs * funded)[col], minlength=n_patterns)
    cardinality = np.bincount(row, weights=funded[col].astype(np.float64), minlength=n_patterns)
    asked = np.bincount(row, minlength=n_patterns) > 0

    # Capped fair share (pabutools.analysis.fairshare): a project's cost is shared equally by its
    # supporters; a voter's fair share is the sum of their shares of all supported projects, capped at
    # budget / voters, and the ratio is what the funded projects give them of it, capped at 1.
    pattern_weight = np.bincount(pattern_of, weights=weights, minlength=n_patterns)
    supporters = np.bincount(col, weights=pattern_weight[row], minlength=len(index))
    share = np.divide(costs, supporters, out=np.zeros_like(costs), where=supporters > 0)
    owed = np.bincount(row, weights=share[col], minlength=n_patterns)
    got = np.bincount(row, weights=(share * funded)[col], minlength=n_patterns)
    voters = weights.sum()
    fair = np.asarray(np.minimum(owed, election.budget / voters) if voters else owed, dtype=float)
    ratio = np.full(n_patterns, np.nan)
    # A voter owed nothing (a zero budget, or only free projects) lacks nothing: ratio 1.
    ratio[asked] = np.minimum(np.divide(got[asked], fair[asked], out=np.ones_like(fair[asked]),
                                        where=fair[asked] > 0), 1.0)

    return Satisfaction(
        weights=weights,
        cost=cost[pattern_of],
        cardinality=cardinality[pattern_of],
        fair_share_ratio=ratio[pattern_of],
        cost_scale=election.cost_scale,
    )


def age_band(age: str | None) -> str | None:
    """The age band of an ``age`` attribute, or None when it is missing or not a whole number."""
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if age is None or not (age.strip().isascii() and age.strip().isdecimal()):
        return None
    years = int(age)
    for label, low, high in AGE_BANDS:
        if low <= years <= high:
            return label
    return None


def _group_of(attributes: Mapping[str, str], attribute: str) -> str | None:
    """The group of one voter for an attribute; ``age_band`` is derived from ``age``."""
    if attribute == "age_band":
        return age_band(attributes.get("age"))
    return attributes.get(attribute) or None


def measures(
    election: Election,
    selected: Iterable[str],
    *,
    by: Iterable[str] = ("sex", "age_band", "voting_method"),
    min_group: int = MIN_GROUP,
) -> dict[str, object]:
    """The measures of an outcome overall and per voter group, shaped like the shared measures.json.

    An attribute no voter has is left out; a group of fewer than ``min_group`` voters is reported as
    ``{"suppressed": True}``. Voters without the attribute belong to no group of it.
    """
    sat = satisfaction(election, selected)
    overall = sat.summary()
    # Ballots share attribute mappings (the parser makes sure of it), so each distinct mapping is
    # looked at once; mapping_of gives every ballot the index of its mapping.
    distinct: dict[int, int] = {}
    mappings: list[Mapping[str, str]] = []
    of_ballot = []
    for ballot in election.ballots:
        at = distinct.get(id(ballot.attributes))
        if at is None:
            at = distinct[id(ballot.attributes)] = len(mappings)
            mappings.append(ballot.attributes)
        of_ballot.append(at)
    mapping_of = np.array(of_ballot, dtype=np.int64)
    by_group: dict[str, dict[str, object]] = {}
    for attribute in by:
        labels = [_group_of(mapping, attribute) for mapping in mappings]
        names = sorted({label for label in labels if label is not None})
        if not names:
            continue
        code_of = {name: code for code, name in enumerate(names)}
        codes = np.array([code_of.get(label, -1) for label in labels], dtype=np.int64)[mapping_of]
        groups: dict[str, object] = {}
        for code, name in enumerate(names):
            mask = codes == code
            if sat.weights[mask].sum() < min_group:
                groups[name] = {"suppressed": True}
            else:
                groups[name] = sat.summary(mask)
        by_group[attribute] = groups
    return {"overall": overall, "by_group": by_group}
