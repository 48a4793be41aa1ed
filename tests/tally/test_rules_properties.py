"""Properties of the rules on random small elections, against brute-force references written from the README."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from pb.tally.election import WITHDRAWN_COST, Ballot, Election, Project
from pb.tally.rules import RULES, count
from tests.tally.strategies import elections

IDS = ("1", "10", "2", "9", "a", "b")


@st.composite
def small_elections(
    draw: st.DrawFn,
    vote_types: tuple[str, ...] = ("approval", "cumulative", "ordinal", "choose-1", "scoring"),
    max_projects: int = 5,
    max_voters: int = 8,
    weighted: bool = False,
    withdrawn: bool = True,
) -> Election:
    """A tiny election with small costs, so that brute force (and add1's k = 0, 1, 2, ...) stays quick.

    Costs repeat often and ids sort differently as strings and numbers, so ties are common.
    """
    vote_type = draw(st.sampled_from(vote_types))
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=max_projects, unique=True))
    projects = tuple(
        Project(id=pid, cost=WITHDRAWN_COST if withdrawn and draw(st.integers(0, 12)) == 0 else draw(st.integers(1, 30)))
        for pid in ids
    )
    ballots = []
    for _ in range(draw(st.integers(1, max_voters))):
        size = 1 if vote_type == "choose-1" else draw(st.integers(1, len(ids)))
        choices = tuple(draw(st.permutations(ids))[:size])
        points = tuple(draw(st.integers(1, 4)) for _ in choices) if vote_type in ("cumulative", "scoring") else None
        ballots.append(Ballot(choices=choices, points=points, weight=draw(st.integers(1, 3)) if weighted else 1))
    meta = {"budget": str(draw(st.integers(0, 80))), "vote_type": vote_type}
    if draw(st.booleans()):
        meta["min_project_score_threshold"] = str(draw(st.integers(0, 6)))
    return Election(meta=meta, projects=projects, ballots=tuple(ballots))


# ---- brute-force references, straight from the README, one voter at a time, in Fractions ----


def _voters(election: Election) -> list[Ballot]:
    return [b for b in election.ballots for _ in range(b.weight)]


def _scores(election: Election) -> dict[str, int]:
    scores = {p.id: 0 for p in election.projects}
    for ballot in _voters(election):
        for pos, pid in enumerate(ballot.choices):
            if ballot.points is not None:
                scores[pid] += ballot.points[pos]
            elif election.vote_type == "ordinal":
                scores[pid] += len(ballot.choices) - pos
            else:
                scores[pid] += 1
    return scores


def _fundable(election: Election) -> list[Project]:
    """Projects equal shares may buy: not withdrawn, and costing something (cost satisfaction)."""
    return [p for p in election.projects if p.cost > 0 and not election.is_withdrawn(p)]


def _lexico_key(election: Election, reverse: bool) -> dict[str, int]:
    order = sorted(p.id for p in election.projects)
    return {pid: pos for pos, pid in enumerate(order[::-1] if reverse else order)}


def ref_greedy(election: Election, reverse: bool = False) -> list[str]:
    """Greedy: decreasing score, ties by id; take a project when it fits."""
    scores = _scores(election)
    tie = _lexico_key(election, reverse)
    left = election.budget
    chosen = []
    for p in sorted(election.projects, key=lambda p: (-scores[p.id], tie[p.id])):
        if p.cost <= left:
            chosen.append(p.id)
            left -= p.cost
    return chosen


def ref_mes(election: Election, start: Fraction, reverse: bool = False) -> list[str]:
    """Equal shares, cost satisfaction: pay min(money, rho); buy the smallest rho / cost; repeat."""
    voters = _voters(election)
    money = [start] * len(voters)
    tie = _lexico_key(election, reverse)
    remaining = [p for p in _fundable(election) if any(p.id in b.choices for b in voters)]
    chosen: list[str] = []
    while True:
        offers = []
        for p in remaining:
            backers = [i for i, b in enumerate(voters) if p.id in b.choices]
            if sum(money[i] for i in backers) < p.cost:
                continue
            # the smallest rho with sum(min(money, rho)) == cost: try each supporter as the poorest rich one
            for i in sorted(backers, key=lambda i: money[i]):
                poor = [k for k in backers if money[k] < money[i]]
                rho = Fraction(p.cost - sum(money[k] for k in poor)) / (len(backers) - len(poor))
                if all(money[k] < rho for k in poor) and rho <= money[i]:
                    break
            offers.append((rho / p.cost, tie[p.id], rho, p, backers))
        if not offers:
            return chosen
        _, _, rho, best, backers = min(offers, key=lambda o: (o[0], o[1]))
        for i in backers:
            money[i] -= min(money[i], rho)
        chosen.append(best.id)
        remaining.remove(best)


def ref_add1(election: Election) -> set[str]:
    """add1: floor(B/n) + k for k = 0, 1, ... until the outcome costs more than B; the last that fits."""
    n = len(_voters(election))
    supported = [p for p in _fundable(election) if any(p.id in b.choices for b in election.ballots)]
    if sum(p.cost for p in supported) <= election.budget:
        return {p.id for p in supported}
    costs = {p.id: p.cost for p in election.projects}
    k = 0
    previous = ref_mes(election, Fraction(election.budget // n))
    while True:
        k += 1
        outcome = ref_mes(election, Fraction(election.budget // n + k))
        if sum(costs[pid] for pid in outcome) > election.budget:
            return set(previous)
        previous = outcome


def ejr_up_to_one_violation(election: Election, winners: Sequence[str]) -> tuple[str, ...] | None:
    """A set T of projects witnessing a violation of EJR up to one project (cost utilities), or None.

    Peters, Pierczynski, Skowron (2021): a group S of voters who all approve T is T-cohesive when
    |S| / n * B >= cost(T). EJR up to one asks that every such S has a voter i with cost(A_i & W) >= cost(T),
    or cost(A_i & W) + cost(a) > cost(T) for some a in T \\ W. It fails for T exactly when the voters of S
    who satisfy neither are numerous enough to be T-cohesive on their own.
    """
    voters = _voters(election)
    n = len(voters)
    cost = {p.id: p.cost for p in election.projects}
    won = set(winners)
    for size in range(1, len(cost) + 1):
        for group in combinations(sorted(cost), size):
            need = sum(cost[a] for a in group)
            unhappy = 0
            for ballot in voters:
                if not set(group) <= set(ballot.choices):
                    continue
                have = sum(cost[a] for a in set(ballot.choices) & won)
                if have < need and all(have + cost[a] <= need for a in set(group) - won):
                    unhappy += 1
            if unhappy and unhappy * election.budget >= n * need:
                return group
    return None


def _ungrouped(election: Election) -> Election:
    ballots = tuple(Ballot(choices=b.choices, points=b.points) for b in _voters(election))
    return Election(meta=election.meta, projects=election.projects, ballots=ballots, cost_scale=election.cost_scale)


# ---- the properties ----


@settings(max_examples=60, deadline=None)
@given(elections(max_projects=5, max_voters=6))
def test_every_rule_stays_within_budget_on_parser_like_elections(election: Election) -> None:
    """Every rule's outcome fits in the budget and never funds a withdrawn project (the strategy of the parser tests)."""
    for rule in RULES:
        if rule.startswith("equalshares/add1"):
            continue  # huge random costs with a few voters: add1 would need up to 10^6 increments
        if rule == "phragmen" and election.vote_type not in ("approval", "choose-1"):
            continue
        outcome = count(election, rule)
        assert outcome.total_cost <= election.budget
        assert not any(election.is_withdrawn(election.project(pid)) for pid in outcome.selected)
        assert len(outcome.explanations) == len(election.projects)


@settings(max_examples=150, deadline=None)
@given(small_elections())
def test_every_rule_stays_within_budget(election: Election) -> None:
    """Every rule, add1 included, funds a set that fits and has one explanation per project."""
    for rule in RULES:
        if rule == "phragmen" and election.vote_type not in ("approval", "choose-1"):
            continue
        outcome = count(election, rule)
        assert outcome.total_cost == sum(election.project(pid).cost for pid in outcome.selected) <= election.budget
        assert len(set(outcome.selected)) == len(outcome.selected)
        assert not any(election.is_withdrawn(election.project(pid)) for pid in outcome.selected)
        assert {e.project_id for e in outcome.explanations if e.selected} == set(outcome.selected)


@settings(max_examples=150, deadline=None)
@given(small_elections(), st.booleans())
def test_greedy_matches_brute_force(election: Election, reverse: bool) -> None:
    """Greedy equals the README definition, in order, for both tie-breaks."""
    outcome = count(election, "greedy", tie_break="reverse-lexico" if reverse else "lexico")
    assert list(outcome.selected) == ref_greedy(election, reverse)


@settings(max_examples=150, deadline=None)
@given(small_elections(), st.booleans())
def test_equalshares_matches_brute_force(election: Election, reverse: bool) -> None:
    """Equal shares equals the one-voter-at-a-time Fraction definition, in order, for both tie-breaks."""
    outcome = count(election, "equalshares", tie_break="reverse-lexico" if reverse else "lexico")
    expected = ref_mes(election, Fraction(election.budget, len(_voters(election))), reverse)
    assert list(outcome.selected) == expected


@settings(max_examples=120, deadline=None)
@given(small_elections(max_voters=6))
def test_add1_matches_sequential_definition(election: Election) -> None:
    """add1 equals the plain sequential definition k = 0, 1, 2, ... in Fractions."""
    assert set(count(election, "equalshares/add1").selected) == ref_add1(election)


@settings(max_examples=100, deadline=None)
@given(small_elections(vote_types=("approval",), withdrawn=False))
def test_equalshares_is_ejr_up_to_one(election: Election) -> None:
    """Equal shares satisfies EJR up to one project for cost utilities on approval ballots."""
    outcome = count(election, "equalshares")
    assert ejr_up_to_one_violation(election, outcome.selected) is None


@settings(max_examples=100, deadline=None)
@given(small_elections(weighted=True))
def test_grouped_ballots_count_like_single_ones(election: Election) -> None:
    """A ballot of weight w counts exactly as w identical ballots, under every rule."""
    single = _ungrouped(election)
    for rule in RULES:
        if rule == "phragmen" and election.vote_type not in ("approval", "choose-1"):
            continue
        assert count(election, rule).selected == count(single, rule).selected
