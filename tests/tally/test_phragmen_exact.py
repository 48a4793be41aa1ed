"""Sequential Phragmen never lets float rounding decide: ties and near ties against an exact reference.

The reference below is pabutools 1.2.3 ``sequential_phragmen`` written out in plain fractions, one voter group
at a time: buy the project whose supporters can pay for it earliest, stop at the first project (among those
tied for the earliest time) that would exceed the budget, break exact ties by the tie-break order.
"""

from __future__ import annotations

import importlib
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pb.tally.election import WITHDRAWN_COST, Ballot, Election, Project
from pb.tally.rules import count

# The module itself: pb.tally.rules re-exports the function under the same name.
phragmen_module = importlib.import_module("pb.tally.rules.phragmen")

TIE_BREAKS = ("lexico", "reverse-lexico")


def ref_phragmen(election: Election, tie_break: str) -> tuple[str, ...]:
    """Sequential Phragmen in exact fractions, as pabutools computes it (ids compare as strings)."""
    budget = election.budget
    voters = [(set(b.choices), b.weight) for b in election.ballots]
    loads = [Fraction(0)] * len(voters)
    score = {p.id: sum(w for approved, w in voters if p.id in approved) for p in election.projects}
    remaining = [p for p in election.projects if not election.is_withdrawn(p) and p.cost <= budget]
    selected: list[str] = []
    spent = 0
    while remaining:
        times: dict[str, Fraction | None] = {}  # None: no supporter, an infinite time
        for p in remaining:
            if score[p.id]:
                paid = (w * loads[i] for i, (approved, w) in enumerate(voters) if p.id in approved)
                times[p.id] = (sum(paid, Fraction(0)) + p.cost) / score[p.id]
            else:
                times[p.id] = None
        finite = [t for t in times.values() if t is not None]
        when = min(finite) if finite else None
        tied = [p for p in remaining if times[p.id] == when]
        if any(spent + p.cost > budget for p in tied):
            break
        chosen = (min if tie_break == "lexico" else max)(tied, key=lambda p: p.id)
        remaining.remove(chosen)
        selected.append(chosen.id)
        spent += chosen.cost
        for i, (approved, _) in enumerate(voters):
            if chosen.id in approved:
                loads[i] = when  # type: ignore[assignment]  # a supporter means a finite time
    return tuple(selected)


def election_of(costs: dict[str, int], ballots: list[tuple[tuple[str, ...], int]], budget: int) -> Election:
    """An approval election from costs, (approved ids, weight) ballots and a budget."""
    return Election(
        meta={"budget": str(budget), "vote_type": "approval"},
        projects=tuple(Project(id=pid, cost=cost) for pid, cost in costs.items()),
        ballots=tuple(Ballot(choices=choices, weight=weight) for choices, weight in ballots),
    )


def _fresh(n: int, prefix: str) -> list[tuple[tuple[str, ...], int]]:
    """n single voters with pairwise distinct ballots: each also approves an unfundable project of its own."""
    return [((f"{prefix}{k}",), 1) for k in range(n)]


def _with(ballots: list[tuple[tuple[str, ...], int]], *ids: str) -> list[tuple[tuple[str, ...], int]]:
    return [((*choices, *ids), w) for choices, w in ballots]


def _x_costs(prefix: str, n: int, budget: int) -> dict[str, int]:
    """The private projects of _fresh voters: over the budget, so never candidates."""
    return {f"{prefix}{k}": budget + 1 for k in range(n)}


# Costs stay under WITHDRAWN_COST (999,999,999 units marks a withdrawn project), so near ties come from voter
# weights: times like 999 / 10**15 and 1000 / 1001001001001001 differ by 1e-18 relative, which float64 cannot
# see. Every weight total stays under 2**53.
CASES = {  # costs, (approved ids, weight) ballots, budget, and the outcome under (lexico, reverse-lexico)
    # An exact tie: a at 10/2 = 5, b at 5/1 = 5. The tie-break alone decides, and the loser does not fit.
    "exact tie, integer times": (
        {"a": 10, "b": 5},
        [(("a",), 2), (("b",), 1)],
        10,
        (("a",), ("b",)),
    ),
    # Ten distinct voters buy t at 29/10; p (30/10 before) then needs (10 * 29/10 + 30) / 10 = 59/10, tied
    # exactly with q at 59/10. In floats the ten loads 2.9 sum to 28.999999999999996, so p looks earlier.
    "exact tie after summed float loads": (
        {"t": 29, "p": 30, "q": 59, **_x_costs("x", 10, 88)},
        [*_with(_fresh(10, "x"), "t", "p"), (("q",), 10)],
        88,
        (("t", "p"), ("t", "q")),
    ),
    # Equal in float64: b at 999 / 10**15 is earlier than a at 1000 / 1001001001001001 (by 1e-18 relative).
    "times equal in float, b earlier": (
        {"a": 1000, "b": 999},
        [(("a",), 1001001001001001), (("b",), 10**15)],
        1000,
        (("b",), ("b",)),
    ),
    # The same with the other id earlier.
    "times equal in float, a earlier": (
        {"a": 999, "b": 1000},
        [(("a",), 10**15), (("b",), 1001001001001001)],
        1000,
        (("a",), ("a",)),
    ),
    # One supporter more among 10**14: b is earlier by 1e-14 relative, far inside the float margin.
    "supports 1e14 apart by one": (
        {"a": 7, "b": 7},
        [(("a",), 10**14), (("b",), 10**14 + 1)],
        13,
        (("b",), ("b",)),
    ),
    # 1/3 against 333333333 / 999999999, the same third reached another way: an exact tie.
    "one third against 333333333 / 999999999": (
        {"a": 1, "b": 333_333_333},
        [(("a",), 3), (("b",), 999_999_999)],
        333_333_333,
        (("a",), ("b",)),
    ),
    # 1/3 against 333333333 / 999999998 (0.33333333366...): a is earlier, by 1.000000002e-9 relative, just
    # outside the margin.
    "one third against 333333333 / 999999998": (
        {"a": 1, "b": 333_333_333},
        [(("a",), 3), (("b",), 999_999_998)],
        333_333_333,
        (("a",), ("a",)),
    ),
    # 1 / (3 * 10**14) against 3 / (9 * 10**14 + 1): b is earlier, by 1.1e-15 relative.
    "thirds of 1e14 apart by 1e-15": (
        {"a": 1, "b": 3},
        [(("a",), 3 * 10**14), (("b",), 9 * 10**14 + 1)],
        3,
        (("b",), ("b",)),
    ),
    # A near tie reached after a purchase: t at 1/10**15 raises p to (1 + 10**8) / (2 * 10**15); q at
    # 99999996 / 1999999900000001 is earlier by 2.5e-32 and equal in float64.
    "near tie after a purchase, q earlier": (
        {"t": 1, "p": 10**8, "q": 99_999_996},
        [(("t", "p"), 10**15), (("p",), 10**15), (("q",), 1_999_999_900_000_001)],
        10**8 + 1,
        (("t", "q"), ("t", "q")),
    ),
    # The same with q later: 100000006 / 2000000099999999.
    "near tie after a purchase, q later": (
        {"t": 1, "p": 10**8, "q": 100_000_006},
        [(("t", "p"), 10**15), (("p",), 10**15), (("q",), 2_000_000_099_999_999)],
        100_000_006,
        (("t", "p"), ("t", "p")),
    ),
    # Three projects tied exactly at 1/7; whichever the tie-break takes first, the next tied one does not fit.
    "three-way exact tie stops at the first misfit": (
        {"a": 1, "b": 2, "c": 3},
        [(("a",), 7), (("b",), 14), (("c",), 21)],
        4,
        (("a", "b"), ("c",)),
    ),
}


@pytest.mark.parametrize("tie_break", TIE_BREAKS)
@pytest.mark.parametrize("name", list(CASES))
def test_ties_and_near_ties_are_settled_exactly(name: str, tie_break: str) -> None:
    costs, ballots, budget, expected = CASES[name]
    election = election_of(costs, ballots, budget)
    want = expected[TIE_BREAKS.index(tie_break)]
    assert ref_phragmen(election, tie_break) == want  # the reference agrees with the hand computation
    assert count(election, "phragmen", tie_break=tie_break).selected == want


def test_the_cases_fool_plain_floats() -> None:
    """The cases above only test exactness if float64 gets them wrong."""
    total = 0.0
    for _ in range(10):
        total += 2.9
    assert (total + 30) / 10 < 59 / 10  # an exact tie that floats see as p first
    assert 999 / 10**15 == 1000 / 1_001_001_001_001_001
    assert (1.0 + 10**8) / (2 * 10**15) == 99_999_996 / 1_999_999_900_000_001


@pytest.mark.parametrize("tie_break", TIE_BREAKS)
@pytest.mark.parametrize("name", list(CASES))
def test_the_error_bound_alone_sends_rounding_to_exact_arithmetic(
    name: str, tie_break: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no margin at all (TOL = 0), the rounding-error bound still catches every too-close call."""
    monkeypatch.setattr(phragmen_module, "TOL", 0.0)
    costs, ballots, budget, expected = CASES[name]
    election = election_of(costs, ballots, budget)
    assert count(election, "phragmen", tie_break=tie_break).selected == expected[TIE_BREAKS.index(tie_break)]


def test_selected_loads_are_the_exact_times_rounded() -> None:
    """The reported load of a purchase is its exact time, rounded once at the end."""
    costs, ballots, budget, _ = CASES["exact tie after summed float loads"]
    outcome = count(election_of(costs, ballots, budget), "phragmen")
    assert outcome.explanation("t").numbers["load"] == 2.9
    assert outcome.explanation("p").numbers["load"] == 5.9
    assert outcome.explanation("q").reason == "did_not_fit"


# ---- random small approval elections, with costs built to tie or nearly tie ----

IDS = ("1", "10", "2", "9", "a", "b")


@st.composite
def tie_prone_elections(draw: st.DrawFn, big_weights: bool | None = None) -> Election:
    """A tiny approval election built to tie or nearly tie.

    Small: costs and weights are small, so times are small fractions that often tie exactly; voters may each
    also approve a private project over the budget, so that no two share a group and their float loads are
    summed one by one, with rounding. Big: voter weights are W, W + 1 or W + 2 for a W around 10**14 (the
    total stays under 2**53), and costs repeat, so times differ by 1e-14 relative or less. Costs stay under
    WITHDRAWN_COST; a project is sometimes withdrawn; ballots may be empty or approve every project.
    """
    if big_weights is None:
        big_weights = draw(st.booleans())
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=5, unique=True))
    if big_weights:
        base = draw(st.sampled_from((1, 10**8)))
        cost = st.builds(lambda k, d: base * k + d, st.integers(0, 3), st.integers(0, 1))
        big = draw(st.sampled_from((10**14, 3 * 10**14)))
        weight = st.one_of(st.integers(big, big + 2), st.integers(1, 2))
    else:
        base = 1
        cost = st.integers(0, 12)
        weight = st.integers(1, 3)
    projects = []
    for pid in ids:
        withdrawn = draw(st.integers(0, 15)) == 0
        projects.append(Project(id=pid, cost=WITHDRAWN_COST if withdrawn else draw(cost)))
    budget = base * draw(st.integers(0, 8)) + draw(st.integers(0, 3))
    private = not big_weights and draw(st.booleans())
    ballots = []
    for n in range(draw(st.integers(0, 12 if private else 7))):
        size = draw(st.integers(0, len(ids)))
        choices = tuple(draw(st.permutations(ids))[:size])
        if private:
            projects.append(Project(id=f"x{n}", cost=budget + 1))
            choices += (f"x{n}",)
        ballots.append(Ballot(choices=choices, weight=draw(weight)))
    meta = {"budget": str(budget), "vote_type": "approval"}
    return Election(meta=meta, projects=tuple(projects), ballots=tuple(ballots))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=tie_prone_elections(), tie_break=st.sampled_from(TIE_BREAKS))
def test_phragmen_matches_the_exact_reference(election: Election, tie_break: str) -> None:
    outcome = count(election, "phragmen", tie_break=tie_break)
    assert outcome.selected == ref_phragmen(election, tie_break)
    assert outcome.total_cost <= outcome.budget


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=tie_prone_elections(), tie_break=st.sampled_from(TIE_BREAKS))
def test_phragmen_matches_the_exact_reference_with_no_margin(election: Election, tie_break: str) -> None:
    """The same with TOL = 0: the rounding-error bound alone must send every close call to fractions."""
    saved = phragmen_module.TOL
    phragmen_module.TOL = 0.0
    try:
        assert count(election, "phragmen", tie_break=tie_break).selected == ref_phragmen(election, tie_break)
    finally:
        phragmen_module.TOL = saved


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(election=tie_prone_elections(big_weights=False), tie_break=st.sampled_from(TIE_BREAKS))
def test_the_reference_is_pabutools(election: Election, tie_break: str) -> None:
    """The Fraction reference buys what pabutools 1.2.3 buys (in exact gmpy2 fractions)."""
    pabutools = pytest.importorskip("pabutools.election")
    from pabutools.rules import sequential_phragmen
    from pabutools.tiebreaking import TieBreakingRule

    instance = pabutools.Instance(budget_limit=election.budget)
    by_id = {}
    for p in election.projects:
        if not election.is_withdrawn(p):  # pabutools knows no withdrawn projects; ours are never candidates
            by_id[p.id] = pabutools.Project(p.id, p.cost)
            instance.add(by_id[p.id])
    profile = pabutools.ApprovalProfile(instance=instance)
    for b in election.ballots:
        for _ in range(b.weight):
            profile.append(pabutools.ApprovalBallot({by_id[pid] for pid in b.choices if pid in by_id}))
    order = sorted(by_id)
    if tie_break == "reverse-lexico":
        order.reverse()
    rule = TieBreakingRule(lambda _instance, _profile, project: order.index(project.name))
    got = sequential_phragmen(instance, profile, tie_breaking=rule)
    # pabutools returns the allocation sorted, not in purchase order.
    assert sorted(p.name for p in got) == sorted(ref_phragmen(election, tie_break))
