"""The outcome of a count and why each project was or was not funded, as plain data for any language.

A reason is a code plus numbers, never a sentence, so the web application can translate it. The codes:

- ``selected``: funded. Greedy: ``rank`` (place in the score order), ``left`` (money left before it).
  Equal shares: ``round``, ``price`` (what each supporter with enough money paid, in cost units),
  ``full_payers`` (supporters who paid the whole price) and ``partial_payers`` (supporters who had less and
  paid all they had left), ``supporters``. Phragmen: ``round`` and ``load`` (the load, i.e. the time, at which
  it was bought).
- ``selected_by_completion``: funded by the greedy completion after equal shares (``rank``, ``left``).
- ``did_not_fit``: its turn came but it cost more than was left: ``needed`` (its cost), ``left``.
- ``stopped``: a rule that stops at the first project that does not fit (greedy-no-skip, phragmen) had
  already stopped: ``left``.
- ``below_threshold``: its score is under META ``min_project_score_threshold``: ``score``, ``threshold``.
- ``not_affordable``: equal shares ended while its supporters could not pay for it. ``money_left`` is what
  its supporters still held in total at the end of the count, ``lacking`` = cost - money_left, and
  ``extra_supporters_needed`` is how many more voters with an untouched share (the start money
  ``start_money``) would have had to support it to cover ``lacking``.
- ``over_budget``: equal shares ended with less money left in the pool than it costs: ``cost``, and
  ``pool_left`` = the budget - the cost of the projects bought. It could not have been funded whoever
  supported it; ``not_affordable`` is for the projects the pool could still have paid for.
- ``zero_cost``: costs nothing; equal shares with cost satisfaction gives no satisfaction for it, so the
  reference never buys it.
- ``no_supporters``: no ballot supports it (equal shares).
- ``withdrawn``: it keeps the Pabulib sentinel cost of a withdrawn project.
- ``not_chosen``: the rule that was compared against won (equalshares/add1-comparison): ``chosen``.
- ``all_fit``: funded by equalshares/add1 because every supported project fits in the budget together
  (``rank``, its place in the score order); see the details' ``stop_reason``.
- ``incompatible``: a project it cannot be funded with (pb.tally.constraints) was funded first: ``partner``
  (that project's id), and ``round`` (equal shares, Phragmen: the round that bought the partner) or ``rank``
  (greedy and the add1 all-fit case: its own place in the score order).
- ``below_min_share``: fewer voters support it than the minimum vote share asks, so no rule counts it:
  ``supporters``, ``needed`` (the fewest supporters, i.e. the share of the voters rounded up) and ``share``
  (the minimum, from 0 to 1); greedy adds ``rank``.

The details of an outcome (``Outcome.details``), per rule:

- equalshares: ``start_money``, every voter's share B/n in cost units.
- equalshares/add1 (and the add1 part of add1+greedy and add1-comparison): ``stop_reason`` says why the count
  stopped where it did, that is why the budget was not spent further:

  - ``next_overspends``: one more increment would have overspent the pool. ``first_money`` is floor(B/n)
    in whole currency units, where the increments began; ``increments`` is k; ``start_money`` =
    first_money + k x ``money_unit`` is the share per voter of the counted run; ``next_money`` is the share
    one increment later and ``next_cost`` what that run's projects would have cost (more than the budget).
    Shares and costs are in cost units (``money_unit`` cost units make one unit of the currency).
  - ``all_fit``: every supported project fits in the budget together, so all are funded without a count
    (``all_fit`` = 1; with incompatible projects, one of each set: the one more voters support).
  - ``limit``: the share per voter reached the cost of all the projects on the count together; from there
    on more money cannot change the outcome, which still fits (only with incompatible projects).
    ``start_money``, ``increments``, ``first_money`` and ``money_unit`` as above.
  - ``no_ballots``: nobody voted.
- equalshares/add1-comparison adds ``prefer_greedy`` and ``prefer_equalshares`` (voters with strictly more
  approved winners under each) and ``chosen`` (the rule whose outcome was taken).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

Number = int | float | str



@dataclass(frozen=True)
class ProjectExplanation:
    """Why one project was or was not funded under one rule: a reason code and the numbers behind it."""

    project_id: str
    selected: bool
    score: int
    cost: int
    reason: str
    numbers: Mapping[str, Number] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "numbers", MappingProxyType(dict(self.numbers)))

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "project_id": self.project_id,
            "selected": self.selected,
            "score": self.score,
            "cost": self.cost,
            "reason": self.reason,
            "numbers": dict(self.numbers),
        }


@dataclass(frozen=True)
class Outcome:
    """The projects a rule funds, in the order it chose them, with one explanation per project."""

    rule: str
    tie_break: str
    selected: tuple[str, ...]
    total_cost: int
    budget: int
    explanations: tuple[ProjectExplanation, ...]
    details: Mapping[str, Number] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def explanation(self, project_id: str) -> ProjectExplanation:
        """The explanation of one project; KeyError names it when there is none."""
        for item in self.explanations:
            if item.project_id == project_id:
                return item
        raise KeyError(project_id)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "rule": self.rule,
            "tie_break": self.tie_break,
            "selected": list(self.selected),
            "total_cost": self.total_cost,
            "budget": self.budget,
            "details": dict(self.details),
            "explanations": [item.to_dict() for item in self.explanations],
        }
