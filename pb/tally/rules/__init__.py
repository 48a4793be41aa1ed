"""The counting rules cities use, exactly as the reference (pabutools 1.2.3) computes them.

``count(election, rule, tie_break=...)`` returns an Outcome: the funded projects in the order they were
chosen and an explanation for every project. The README's "The tally library" section defines each rule
through pabutools' functions (https://pabutools.readthedocs.io); files follow https://pabulib.org/format.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from pb.tally.constraints import ConstraintError, Constraints
from pb.tally.election import Election
from pb.tally.explain import Number, Outcome, ProjectExplanation
from pb.tally.rules.equalshares import EqualShares, MesRun
from pb.tally.rules.greedy import Verdicts, below_min_share, greedy, greedy_order
from pb.tally.rules.phragmen import NeedsApprovalBallots, phragmen
from pb.tally.rules.profile import TIE_BREAKS, Profile, TieBreak, UnknownProject, prepare, tie_order

__all__ = [
    "RULES",
    "TIE_BREAKS",
    "ConstraintError",
    "Constraints",
    "NeedsApprovalBallots",
    "Outcome",
    "ProjectExplanation",
    "TieBreak",
    "UnknownProject",
    "UnknownRule",
    "count",
]

RULES = (
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1+greedy",
    "equalshares/add1-comparison",
    "phragmen",
)

Counted = tuple[list[int], Verdicts, dict[str, Number]]


class UnknownRule(ValueError):
    """The rule is not one of RULES, or the election names none and none was given."""


def _mes_verdicts(shares: EqualShares, run: MesRun) -> Verdicts:
    """Why each project was bought or not in one run of equal shares."""
    profile = shares.profile
    verdicts: Verdicts = {}
    for place, purchase in enumerate(run.purchases, start=1):
        verdicts[purchase.project] = (
            "selected",
            {
                "round": place,
                "price": purchase.price,
                "full_payers": purchase.full_payers,
                "partial_payers": purchase.partial_payers,
                "supporters": shares.support[purchase.project],
            },
        )
    start = float(run.start_money)
    # What the pool itself keeps after the run's projects: with add1 the run's shares are inflated, so its
    # supporters may lack a few cents of a project that the pool could never have paid for.
    pool_left = profile.budget - sum(profile.costs[j] for j in run.selected)
    barred = _barred_by(profile, run.selected)
    eligible = profile.eligible(shares.support)
    for j in range(len(profile.ids)):
        if j in verdicts:
            continue
        if profile.withdrawn[j]:
            verdicts[j] = ("withdrawn", {})
        elif not eligible[j]:
            verdicts[j] = below_min_share(profile, shares.support[j])
        elif j in barred:
            partner, place = barred[j]
            verdicts[j] = ("incompatible", {"partner": profile.ids[partner], "round": place})
        elif profile.costs[j] == 0:
            verdicts[j] = ("zero_cost", {})
        elif shares.support[j] == 0:
            verdicts[j] = ("no_supporters", {})
        elif profile.costs[j] > pool_left:
            verdicts[j] = ("over_budget", {"cost": profile.costs[j], "pool_left": pool_left})
        else:
            left = shares.money_left(run, j)
            lacking = max(profile.costs[j] - left, 0.0)
            verdicts[j] = (
                "not_affordable",
                {
                    "money_left": left,
                    "lacking": lacking,
                    "extra_supporters_needed": math.ceil(lacking / start) if start > 0 else 0,
                    "start_money": start,
                },
            )
    return verdicts


def _barred_by(profile: Profile, chosen: list[int]) -> dict[int, tuple[int, int]]:
    """For each project passed over because a partner was funded: that partner and its place in ``chosen``."""
    barred: dict[int, tuple[int, int]] = {}
    for place, j in enumerate(chosen, start=1):
        for partner in profile.partners[j]:
            barred.setdefault(partner, (j, place))
    return barred


def _equalshares(profile: Profile) -> Counted:
    shares = EqualShares(profile)
    if profile.voters == 0:
        return [], _mes_verdicts(shares, shares.run(Fraction(0))), {"start_money": 0}
    run = shares.run(Fraction(profile.budget, profile.voters))
    return run.selected, _mes_verdicts(shares, run), {"start_money": float(run.start_money)}


def _add1(profile: Profile) -> Counted:
    shares = EqualShares(profile)
    if profile.voters == 0:
        details: dict[str, Number] = {"start_money": 0, "increments": 0, "stop_reason": "no_ballots"}
        return [], _mes_verdicts(shares, shares.run(Fraction(0))), details
    found = shares.add1()
    if found.run is None:
        # Every supported project fits in the budget together: all of them (one of each incompatible set, the
        # one that runs with ever more money would buy), in score order.
        limit = set(shares.limit_selection())
        chosen = [j for j in greedy_order(profile) if j in limit]
        verdicts = _mes_verdicts(shares, shares.run(Fraction(0)))
        barred = _barred_by(profile, chosen)
        for place, j in enumerate(chosen, start=1):
            verdicts[j] = ("all_fit", {"rank": place})
        for j, (partner, place) in barred.items():
            if j not in limit and verdicts[j][0] not in ("withdrawn", "below_min_share"):
                verdicts[j] = ("incompatible", {"partner": profile.ids[partner], "rank": place})
        return chosen, verdicts, {"all_fit": 1, "stop_reason": "all_fit"}
    run = found.run
    details = {
        "start_money": float(run.start_money),
        "increments": found.increments,
        "first_money": float(found.first_money),
        "money_unit": profile.money_unit,
    }
    if found.next_run is not None:
        details["stop_reason"] = "next_overspends"
        details["next_money"] = float(found.next_run.start_money)
        details["next_cost"] = sum(profile.costs[j] for j in found.next_run.selected)
    else:
        details["stop_reason"] = "limit"
    return run.selected, _mes_verdicts(shares, run), details


def _add1_greedy(profile: Profile) -> Counted:
    chosen, verdicts, details = _add1(profile)
    left = profile.budget - sum(profile.costs[j] for j in chosen)
    more, completion = greedy(profile, left=left, skip=set(chosen), selected_reason="selected_by_completion")
    verdicts.update(completion)
    return chosen + more, verdicts, details


def _add1_comparison(profile: Profile) -> Counted:
    shares, share_verdicts, details = _add1(profile)
    plain, plain_verdicts = greedy(profile)
    in_shares, in_plain = set(shares), set(plain)
    prefer_greedy = prefer_shares = 0
    for group, weight in zip(profile.groups, profile.weights.tolist()):
        by_shares = sum(1 for j in group if j in in_shares)
        by_greedy = sum(1 for j in group if j in in_plain)
        if by_greedy > by_shares:
            prefer_greedy += weight
        elif by_shares > by_greedy:
            prefer_shares += weight
    details = {**details, "prefer_greedy": prefer_greedy, "prefer_equalshares": prefer_shares}
    if prefer_greedy > prefer_shares:
        return plain, plain_verdicts, {**details, "chosen": "greedy"}
    return shares, share_verdicts, {**details, "chosen": "equalshares/add1"}


def _phragmen(profile: Profile) -> Counted:
    chosen, verdicts = phragmen(profile)
    return chosen, verdicts, {}


_COUNTERS: dict[str, Callable[[Profile], Counted]] = {
    "greedy": lambda p: (*greedy(p), {}),
    "greedy-no-skip": lambda p: (*greedy(p, stop_at_misfit=True, threshold=p.threshold), {}),
    "greedy-threshold": lambda p: (*greedy(p, threshold=p.threshold or Fraction(0)), {}),
    "equalshares": _equalshares,
    "equalshares/add1": _add1,
    "equalshares/add1+greedy": _add1_greedy,
    "equalshares/add1-comparison": _add1_comparison,
    "phragmen": _phragmen,
}


def count(
    election: Election,
    rule: str | None = None,
    *,
    tie_break: TieBreak = "lexico",
    constraints: Constraints | None = None,
) -> Outcome:
    """Count an election by a rule (default: the rule its META names), breaking ties by ``tie_break``.

    ``constraints`` (incompatible projects, a minimum vote share: pb.tally.constraints) apply to every rule;
    by default, those the election's META states. ConstraintError when they name an unknown project.
    """
    rule = rule or election.rule
    if rule is None:
        raise UnknownRule(f"the election names no rule; pass one of {', '.join(RULES)}")
    if rule not in _COUNTERS:
        raise UnknownRule(f"unknown rule {rule!r}; known rules: {', '.join(RULES)}")
    if constraints is None:
        constraints = Constraints.from_meta(election.meta)
    tie_name, rank = tie_order(election.projects, tie_break)
    profile = prepare(election, rank, constraints)
    chosen, verdicts, details = _COUNTERS[rule](profile)
    chosen_set = set(chosen)
    explanations = tuple(
        ProjectExplanation(
            project_id=profile.ids[j],
            selected=j in chosen_set,
            score=profile.scores[j],
            cost=profile.costs[j],
            reason=verdicts[j][0],
            numbers=verdicts[j][1],
        )
        for j in range(len(profile.ids))
    )
    return Outcome(
        rule=rule,
        tie_break=tie_name,
        selected=tuple(profile.ids[j] for j in chosen),
        total_cost=sum(profile.costs[j] for j in chosen),
        budget=profile.budget,
        explanations=explanations,
        details=details,
    )
