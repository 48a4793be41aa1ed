"""equalshares/add1 against the plain sequential definition, on elections that need many money increments.

The reference loop below is the README definition written out: plain equal shares from floor(B/n) + k for
k = 0, 1, 2, ..., stopping at the first outcome over the budget. Any shortcut in ``EqualShares.add1``
(skipping increments) must give the same run, k and start money.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pb.tally.election import Ballot, Election, Project
from pb.tally.rules import count
from pb.tally.rules.equalshares import EqualShares
from pb.tally.rules.profile import prepare, tie_order

IDS = ("1", "10", "2", "9", "a", "b", "c")


@st.composite
def many_step_elections(draw: st.DrawFn) -> Election:
    """Few voters, costs large against B/n: add1 takes up to a few hundred increments."""
    ids = draw(st.lists(st.sampled_from(IDS), min_size=2, max_size=7, unique=True))
    projects = tuple(Project(id=pid, cost=draw(st.integers(1, 400))) for pid in ids)
    ballots = []
    for _ in range(draw(st.integers(1, 7))):
        size = draw(st.integers(1, len(ids)))
        ballots.append(
            Ballot(choices=tuple(draw(st.permutations(ids))[:size]), points=None, weight=draw(st.integers(1, 3)))
        )
    total = sum(p.cost for p in projects)
    budget = draw(st.integers(0, total))
    return Election(meta={"budget": str(budget), "vote_type": "approval"}, projects=projects, ballots=tuple(ballots))


def naive_add1(shares: EqualShares) -> tuple[list[int] | None, int, Fraction | None]:
    """One plain equal-shares run per increment, exactly as the README defines add1."""
    profile = shares.profile
    if sum(profile.costs[j] for j in shares.candidates) <= profile.budget:
        return None, 0, None
    unit = profile.money_unit
    base = profile.budget // (profile.voters * unit) * unit
    previous = shares.run(Fraction(base))
    k = 0
    while True:
        run = shares.run(Fraction(base + (k + 1) * unit))
        if sum(profile.costs[j] for j in run.selected) > profile.budget:
            return previous.selected, k, previous.start_money
        previous = run
        k += 1


@settings(max_examples=200, deadline=None)
@given(many_step_elections(), st.sampled_from(("lexico", "reverse-lexico", "cost-ascending")))
def test_add1_equals_the_sequential_loop(election: Election, tie_break: str) -> None:
    """Same projects in the same order, same k, same start money as the plain loop over k."""
    _, rank = tie_order(election.projects, tie_break)
    shares = EqualShares(prepare(election, rank))
    run, k = shares.add1()
    expected = naive_add1(shares)
    assert (None if run is None else run.selected, k, None if run is None else run.start_money) == expected
    outcome = count(election, "equalshares/add1", tie_break=tie_break)
    if run is not None:
        assert outcome.details["increments"] == k
        assert [outcome.explanations[j].project_id for j in run.selected] == list(outcome.selected)
