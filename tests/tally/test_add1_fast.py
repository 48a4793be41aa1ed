"""equalshares/add1's fast path against the unit-step loop, which stays the reference.

``EqualShares.add1`` jumps over ranges of money per voter that it proves give the same purchases;
``EqualShares.add1_unit_steps`` runs one count per increment, exactly as the README defines add1. Both must
return the same run (purchases, prices, money), the same k and the same first over-budget run, on every
shared real file and on generated elections with fine currency units, many projects and the constraints.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pb.tally.constraints import Constraints
from pb.tally.election import Ballot, Election, Project
from pb.tally.pabulib import read
from pb.tally.rules import count
from pb.tally.rules.equalshares import Add1, EqualShares
from pb.tally.rules.profile import prepare, tie_order

IDS = ("1", "10", "2", "9", "a", "b", "c")
TIE_BREAKS = ("lexico", "reverse-lexico", "cost-ascending")
# Above this many counts the unit-step loop is left to the benchmark (its time grows with the budget per voter).
UNIT_STEP_RUNS = 10_000


def _key(found: Add1) -> tuple[object, ...]:
    """Everything add1 returns, in comparable form (the money of every ballot group included)."""
    run, after = found.run, found.next_run
    return (
        found.increments,
        found.first_money,
        None if run is None else (run.start_money, run.purchases, run.exact, run.money.tolist(), run.classes.tolist()),
        None if after is None else (after.start_money, after.purchases),
    )


def _shares(election: Election, tie_break: str, constraints: Constraints | None = None) -> EqualShares:
    _, rank = tie_order(election.projects, tie_break)
    return EqualShares(prepare(election, rank, constraints))


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


@st.composite
def fine_unit_elections(draw: st.DrawFn) -> tuple[Election, Constraints]:
    """Up to 40 projects and 60 ballot groups, costs of thousands of currency units (or of cents), and often
    incompatible sets and a minimum vote share: long ranges of money per voter with the same outcome, ties
    between projects with as many supporters, and changes of outcome a unit apart."""
    count_ = draw(st.integers(2, 40))
    ids = [f"p{i}" for i in range(count_)]
    cents = draw(st.booleans())
    scale = 100 if cents else 1
    # A few cost values, so that equal costs (and exact ties) are common.
    palette = draw(st.lists(st.integers(50, 3000), min_size=1, max_size=6))
    projects = tuple(Project(id=pid, cost=draw(st.sampled_from(palette)) * scale) for pid in ids)
    groups = draw(st.integers(1, 60))
    ballots = []
    for _ in range(groups):
        size = draw(st.integers(1, min(6, count_)))
        picks = draw(st.lists(st.sampled_from(ids), min_size=size, max_size=size, unique=True))
        ballots.append(Ballot(choices=tuple(picks), weight=draw(st.integers(1, 4))))
    total = sum(p.cost for p in projects)
    budget = draw(st.integers(total // 10, total))
    sets = []
    for _ in range(draw(st.integers(0, 3))):
        sets.append(frozenset(draw(st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True))))
    share = draw(st.sampled_from([None, Fraction(0), Fraction(1, 20), Fraction(1, 10), Fraction(1, 4)]))
    meta = {"budget": str(budget // scale) + (f".{budget % scale:02d}" if cents else ""), "vote_type": "approval"}
    election = Election(meta=meta, projects=projects, ballots=tuple(ballots), cost_scale=scale)
    return election, Constraints(incompatible=tuple(sets), min_share=share)


def naive_add1(shares: EqualShares) -> tuple[list[int] | None, int, Fraction | None]:
    """One plain equal-shares run per increment, exactly as the README defines add1 (no constraints)."""
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
@given(many_step_elections(), st.sampled_from(TIE_BREAKS))
def test_add1_equals_the_sequential_loop(election: Election, tie_break: str) -> None:
    """Same projects in the same order, same k, same start money as the plain loop over k."""
    shares = _shares(election, tie_break)
    found = shares.add1()
    run, k = found.run, found.increments
    expected = naive_add1(shares)
    assert (None if run is None else run.selected, k, None if run is None else run.start_money) == expected
    assert _key(found) == _key(shares.add1_unit_steps())
    outcome = count(election, "equalshares/add1", tie_break=tie_break)
    if run is not None:
        assert outcome.details["increments"] == k
        assert [outcome.explanations[j].project_id for j in run.selected] == list(outcome.selected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(fine_unit_elections(), st.sampled_from(TIE_BREAKS))
def test_add1_equals_the_unit_steps_with_fine_units_and_constraints(
    drawn: tuple[Election, Constraints], tie_break: str
) -> None:
    """The fast path returns exactly what the unit-step loop returns, constraints included."""
    election, constraints = drawn
    shares = _shares(election, tie_break, constraints)
    assert _key(shares.add1()) == _key(shares.add1_unit_steps())


@pytest.mark.slow
def test_add1_equals_the_unit_steps_on_shared_files(shared_file: Path) -> None:
    """Every shared real file: the fast path and the unit-step loop agree in everything, for every tie-break.

    Where the unit-step loop would need more than UNIT_STEP_RUNS counts (Budapest VIII needs 51,515, 25 s to
    minutes), the comparison is benchmarks/add1.py's "same run" column, and test_pabulib compares the outcome
    with pabutools'.
    """
    election = read(shared_file)
    for tie_break in TIE_BREAKS:
        shares = _shares(election, tie_break)
        found = shares.add1()
        if found.increments > UNIT_STEP_RUNS:
            pytest.skip(f"{found.increments} unit steps: compared by benchmarks/add1.py")
        assert _key(found) == _key(shares.add1_unit_steps()), tie_break
