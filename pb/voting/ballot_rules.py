"""The rules a ballot must keep, per pool: checked the same way online, on paper and when counting.

Pure: no Flask, no database. A violation is a code plus numbers, never a sentence, so that the web
application can say it in the resident's language (pb.voting.labels).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

APPROVAL, KNAPSACK, CUMULATIVE, RANKING, CHOOSE_ONE = "approval", "knapsack", "cumulative", "ranking", "choose-1"


@dataclass(frozen=True)
class BallotRules:
    """What a pool's ballot allows. Money in minor units; ``min_spend_basis_points`` 7000 means 70%."""

    kind: str
    min_choices: int = 1
    max_choices: int | None = None
    budget: int = 0
    min_spend_basis_points: int | None = None
    total_points: int | None = None
    max_points_per_project: int | None = None

    @property
    def min_spend(self) -> int:
        """The least a knapsack ballot must spend, rounded up to the minor unit."""
        if self.kind != KNAPSACK or not self.min_spend_basis_points:
            return 0
        return -(-self.budget * self.min_spend_basis_points // 10_000)

    @property
    def uses_points(self) -> bool:
        """Whether each choice carries points."""
        return self.kind == CUMULATIVE

    @property
    def is_ordered(self) -> bool:
        """Whether the order of the choices is a ranking."""
        return self.kind == RANKING


@dataclass(frozen=True)
class Choice:
    """One project on a ballot; ``points`` only on cumulative ballots. Order on the ballot is rank order;
    ``rank`` is the number a resident typed on a ranking ballot, kept to catch two projects given one place."""

    project_id: int
    points: int | None = None
    rank: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Violation:
    """A broken rule: a code (see ``check``) and the numbers the message needs."""

    code: str
    numbers: Mapping[str, int] = field(default_factory=dict)


def check(rules: BallotRules, choices: Sequence[Choice], costs: Mapping[int, int]) -> list[Violation]:
    """Every rule the choices break; an empty list means the ballot is valid.

    ``costs`` maps each project on this pool's ballot to its cost. Codes: ``empty``, ``unknown_project``,
    ``duplicate``, ``rank_repeated``, ``too_few``, ``too_many``, ``over_budget``, ``under_min_spend``, ``points_missing``,
    ``points_not_positive``, ``points_over_project_max``, ``points_over_total``.
    """
    violations: list[Violation] = []
    if not choices:
        return [Violation("empty")]
    ids = [choice.project_id for choice in choices]
    if any(project_id not in costs for project_id in ids):
        violations.append(Violation("unknown_project"))
    if len(set(ids)) != len(ids):
        violations.append(Violation("duplicate"))
    ranks = [choice.rank for choice in choices if choice.rank is not None]
    if len(set(ranks)) != len(ranks):
        violations.append(Violation("rank_repeated"))
    count = len(set(ids))
    least = 1 if rules.kind == CHOOSE_ONE else max(rules.min_choices, 1)
    most = 1 if rules.kind == CHOOSE_ONE else rules.max_choices
    if count < least:
        violations.append(Violation("too_few", {"least": least, "chosen": count}))
    if most is not None and count > most:
        violations.append(Violation("too_many", {"most": most, "chosen": count}))
    if rules.kind == KNAPSACK:
        spent = sum(costs.get(project_id, 0) for project_id in set(ids))
        if spent > rules.budget:
            violations.append(Violation("over_budget", {"spent": spent, "budget": rules.budget}))
        elif spent < rules.min_spend:
            violations.append(Violation("under_min_spend", {"spent": spent, "least": rules.min_spend}))
    if rules.uses_points:
        violations.extend(_check_points(rules, choices))
    return violations


def _check_points(rules: BallotRules, choices: Sequence[Choice]) -> list[Violation]:
    if any(choice.points is None for choice in choices):
        return [Violation("points_missing")]
    points = [choice.points or 0 for choice in choices]
    found = []
    if any(p < 1 for p in points):
        found.append(Violation("points_not_positive"))
    if rules.max_points_per_project is not None and max(points) > rules.max_points_per_project:
        found.append(Violation("points_over_project_max", {"most": rules.max_points_per_project, "given": max(points)}))
    if rules.total_points is not None and sum(points) > rules.total_points:
        found.append(Violation("points_over_total", {"most": rules.total_points, "given": sum(points)}))
    return found


def running_total(rules: BallotRules, choices: Sequence[Choice], costs: Mapping[int, int]) -> int:
    """What the ballot page shows as it is filled in: points given, or the cost of the chosen projects."""
    if rules.uses_points:
        return sum(choice.points or 0 for choice in choices)
    return sum(costs.get(project_id, 0) for project_id in {choice.project_id for choice in choices})
