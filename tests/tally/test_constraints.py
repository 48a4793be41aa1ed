"""Incompatible projects and a minimum vote share: their values, their META keys, and every rule under them."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pb.tally.constraints import ConstraintError, Constraints, parse_share
from pb.tally.election import Ballot, Election, Project
from pb.tally.rules import RULES, count
from tests.tally.test_rules_properties import _fundable, _lexico_key, _scores, _voters, small_elections


def make(costs: dict[str, int], votes: list[tuple[str, ...]], budget: int, **meta: str) -> Election:
    """An approval election from costs, ballots as tuples of ids, and META extras."""
    return Election(
        meta={"budget": str(budget), "vote_type": "approval", **meta},
        projects=tuple(Project(id=pid, cost=cost) for pid, cost in costs.items()),
        ballots=tuple(Ballot(choices=vote) for vote in votes),
    )


# ---- the values and their META keys ----


def test_meta_keys_round_trip() -> None:
    constraints = Constraints(incompatible=(frozenset({"7", "3"}), frozenset({"12", "13", "14"})), min_share=Fraction(1, 20))
    meta = constraints.to_meta()
    assert meta == {"incompatible_projects": "3,7|12,13,14", "min_vote_share": "0.05"}
    assert Constraints.from_meta(meta) == constraints
    assert Constraints().to_meta() == {} and Constraints.from_meta({}).is_empty


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"incompatible_projects": "1"}, "fewer than two"),
        ({"incompatible_projects": "1,1"}, "fewer than two"),
        ({"incompatible_projects": "1,2|"}, "empty project id"),
        ({"incompatible_projects": "1,,2"}, "empty project id"),
        ({"min_vote_share": "5%"}, "not a decimal from 0 to 1"),
        ({"min_vote_share": "1.5"}, "not a decimal from 0 to 1"),
        ({"min_vote_share": "-0.1"}, "not a decimal from 0 to 1"),
        ({"min_vote_share": "0.٥"}, "not a decimal from 0 to 1"),
        ({"min_vote_share": "0." + "1" * 13}, "not a decimal from 0 to 1"),
    ],
)
def test_malformed_meta_keys_are_refused(meta: dict[str, str], message: str) -> None:
    with pytest.raises(ConstraintError, match=message):
        Constraints.from_meta(meta)


def test_values_are_checked() -> None:
    with pytest.raises(ConstraintError, match="at least two"):
        Constraints(incompatible=(frozenset({"a"}),))
    with pytest.raises(ConstraintError, match="from 0 to 1"):
        Constraints(min_share=Fraction(3, 2))
    with pytest.raises(ConstraintError, match="cannot be written"):
        Constraints(incompatible=(frozenset({"a|b", "c"}),)).to_meta()
    assert Constraints(min_share=Fraction(0)).min_share is None
    assert parse_share(".5") == Fraction(1, 2) and parse_share("1") == 1


def test_partners_and_fewest_supporters() -> None:
    constraints = Constraints(incompatible=(frozenset({"a", "b"}), frozenset({"a", "c"})), min_share=Fraction(1, 3))
    assert constraints.partners(["a", "b", "c", "d"]) == ((1, 2), (0,), (0,), ())
    assert constraints.min_supporters(10) == 4  # a third of 10 voters, rounded up
    assert constraints.min_supporters(9) == 3
    with pytest.raises(ConstraintError, match="'z'"):
        Constraints(incompatible=(frozenset({"a", "z"}),)).partners(["a"])


def test_an_unknown_project_in_meta_is_refused_by_count() -> None:
    election = make({"a": 1}, [("a",)], 1, incompatible_projects="a,z")
    with pytest.raises(ConstraintError, match="'z'"):
        count(election, "greedy")


# ---- the rules under the constraints, by hand ----


def test_greedy_passes_over_the_partner_of_a_funded_project_and_says_so() -> None:
    votes = [("park", "car_park")] * 5 + [("car_park",)] * 2 + [("bench",)]
    election = make({"park": 40, "car_park": 30, "bench": 10}, votes, 100, incompatible_projects="park,car_park")
    outcome = count(election, "greedy")
    assert outcome.selected == ("car_park", "bench")
    park = outcome.explanation("park")
    assert park.reason == "incompatible" and dict(park.numbers) == {"rank": 2, "partner": "car_park"}
    # Without the constraint both would be funded.
    assert set(count(election, "greedy", constraints=Constraints()).selected) == {"park", "car_park", "bench"}


def test_greedy_no_skip_does_not_stop_at_an_incompatible_project() -> None:
    votes = [("a", "b")] * 3 + [("c",)] * 2
    election = make({"a": 50, "b": 60, "c": 40}, votes, 100, incompatible_projects="a,b")
    outcome = count(election, "greedy-no-skip")
    assert outcome.selected == ("a", "c")
    assert outcome.explanation("b").reason == "incompatible"


def test_equal_shares_drops_the_partners_of_a_project_it_buys() -> None:
    votes = [("a", "b")] * 4 + [("b",)] * 2
    election = make({"a": 30, "b": 50, "c": 10}, votes + [("c",)], 70, incompatible_projects="a,b")
    outcome = count(election, "equalshares")
    assert "a" not in outcome.selected and "b" in outcome.selected
    a = outcome.explanation("a")
    assert a.reason == "incompatible" and a.numbers["partner"] == "b" and a.numbers["round"] == 1


def test_phragmen_drops_the_partners_of_a_project_it_buys() -> None:
    votes = [("a", "b")] * 4 + [("b",)] * 2
    # a: 30 / 4 voters = 7.5, earlier than b: 50 / 6 = 8.33; b would still fit, but it is a's partner.
    outcome = count(make({"a": 30, "b": 50}, votes, 100, incompatible_projects="a,b"), "phragmen")
    assert outcome.selected == ("a",)
    assert outcome.explanation("b").reason == "incompatible"
    assert dict(outcome.explanation("b").numbers) == {"partner": "a", "round": 1}


def test_min_vote_share_makes_a_project_ineligible_under_every_rule() -> None:
    # 10 voters; "rare" has 1 supporter, under 20% (2 voters needed).
    votes = [("big",)] * 6 + [("mid",)] * 3 + [("rare",)]
    election = make({"big": 50, "mid": 30, "rare": 5}, votes, 100, min_vote_share="0.2")
    for rule in RULES:
        outcome = count(election, rule)
        assert "rare" not in outcome.selected, rule
        rare = outcome.explanation("rare")
        assert rare.reason == "below_min_share", rule
        assert {k: rare.numbers[k] for k in ("supporters", "needed", "share")} == {
            "supporters": 1,
            "needed": 2,
            "share": 0.2,
        }


def test_add1_with_incompatible_projects_that_all_fit() -> None:
    """All candidates fit together: add1 funds one of each set, the one more voters support."""
    votes = [("a",)] * 3 + [("b",)] * 2 + [("c",)]
    election = make({"a": 10, "b": 10, "c": 10}, votes, 100, incompatible_projects="a,b")
    outcome = count(election, "equalshares/add1")
    assert set(outcome.selected) == {"a", "c"}
    assert outcome.explanation("b").reason == "incompatible"
    assert outcome.details["stop_reason"] == "all_fit"


def test_add1_stops_where_more_money_changes_nothing() -> None:
    """Together the projects cost more than the budget, but one of each set never does: add1 stops at the
    money per voter from which every run funds the same projects."""
    votes = [("a", "b")] * 2 + [("c",)] * 2
    election = make({"a": 60, "b": 50, "c": 30}, votes, 100, incompatible_projects="a,b")
    outcome = count(election, "equalshares/add1")
    assert set(outcome.selected) == {"a", "c"}
    assert outcome.details["stop_reason"] == "limit"
    assert outcome.details["start_money"] >= 60 + 50 + 30  # the cost of all candidates
    assert outcome.explanation("b").reason == "incompatible"


def test_add1_details_say_why_money_was_left() -> None:
    """The first money, the money the count stopped at, and what one more increment would have cost."""
    votes = [("a", "b")] * 3 + [("c",)] * 2 + [("d",)]
    election = make({"a": 30, "b": 30, "c": 50, "d": 25}, votes, 100)
    details = count(election, "equalshares/add1").details
    assert details["stop_reason"] == "next_overspends"
    assert details["first_money"] == 100 // 6
    assert details["start_money"] == details["first_money"] + details["increments"]
    assert details["next_money"] == details["start_money"] + 1
    assert details["next_cost"] > 100 and details["money_unit"] == 1


# ---- properties on every rule, against references written from the definitions ----


@st.composite
def constrained(draw: st.DrawFn) -> tuple[Election, Constraints]:
    """A small election (every ballot kind) with random incompatible sets and a minimum vote share."""
    election = draw(small_elections())
    ids = [p.id for p in election.projects]
    sets = []
    if len(ids) >= 2:
        for _ in range(draw(st.integers(0, 3))):
            sets.append(frozenset(draw(st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True))))
    share = draw(st.sampled_from([None, Fraction(1, 10), Fraction(1, 4), Fraction(1, 2), Fraction(1)]))
    return election, Constraints(incompatible=tuple(sets), min_share=share)


def _support(election: Election) -> dict[str, int]:
    support = {p.id: 0 for p in election.projects}
    for ballot in _voters(election):
        for pid in set(ballot.choices):
            support[pid] += 1
    return support


def _eligible(election: Election, constraints: Constraints) -> set[str]:
    n = len(_voters(election))
    share = constraints.min_share or 0
    return {pid for pid, s in _support(election).items() if s >= share * n}


def _partners(constraints: Constraints) -> dict[str, set[str]]:
    partners: dict[str, set[str]] = {}
    for members in constraints.incompatible:
        for pid in members:
            partners.setdefault(pid, set()).update(members - {pid})
    return partners


def ref_greedy(election: Election, constraints: Constraints) -> list[str]:
    """Greedy by score; pass over withdrawn, ineligible and partnered projects; take what fits."""
    scores = _scores(election)
    tie = _lexico_key(election, False)
    eligible, partners = _eligible(election, constraints), _partners(constraints)
    left, chosen = election.budget, []
    for p in sorted(election.projects, key=lambda p: (-scores[p.id], tie[p.id])):
        if election.is_withdrawn(p) or p.id not in eligible or partners.get(p.id, set()) & set(chosen):
            continue
        if p.cost <= left:
            chosen.append(p.id)
            left -= p.cost
    return chosen


def ref_mes(election: Election, start: Fraction, constraints: Constraints) -> list[str]:
    """Equal shares one voter at a time in Fractions, over the eligible projects, dropping partners."""
    voters = _voters(election)
    money = [start] * len(voters)
    tie = _lexico_key(election, False)
    eligible, partners = _eligible(election, constraints), _partners(constraints)
    remaining = [
        p for p in _fundable(election) if p.id in eligible and any(p.id in b.choices for b in voters)
    ]
    chosen: list[str] = []
    while True:
        offers = []
        for p in remaining:
            backers = [i for i, b in enumerate(voters) if p.id in b.choices]
            if sum(money[i] for i in backers) < p.cost:
                continue
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
        remaining = [p for p in remaining if p is not best and p.id not in partners.get(best.id, set())]


def ref_add1(election: Election, constraints: Constraints) -> set[str]:
    """add1 with the constraints: k = 0, 1, ... until the outcome overspends, or until the money per voter
    covers every candidate (from there on the outcome no longer changes)."""
    n = len(_voters(election))
    eligible, partners = _eligible(election, constraints), _partners(constraints)
    candidates = [
        p for p in _fundable(election) if p.id in eligible and any(p.id in b.choices for b in election.ballots)
    ]
    ceiling = sum(p.cost for p in candidates)
    if ceiling <= election.budget:
        # The outcome with ever more money: most supporters first (then the tie-break), partners dropped.
        support, tie = _support(election), _lexico_key(election, False)
        chosen: list[str] = []
        for p in sorted(candidates, key=lambda p: (-support[p.id], tie[p.id])):
            if not partners.get(p.id, set()) & set(chosen):
                chosen.append(p.id)
        return set(chosen)
    costs = {p.id: p.cost for p in election.projects}
    money = election.budget // n
    previous = ref_mes(election, Fraction(money), constraints)
    while money < ceiling:
        money += 1
        outcome = ref_mes(election, Fraction(money), constraints)
        if sum(costs[pid] for pid in outcome) > election.budget:
            break
        previous = outcome
    return set(previous)


@settings(max_examples=200, deadline=None)
@given(constrained())
def test_every_rule_keeps_the_constraints_and_explains_them(drawn: tuple[Election, Constraints]) -> None:
    """No two incompatible projects funded, no project under the minimum share funded, and the reasons say so."""
    election, constraints = drawn
    eligible, partners = _eligible(election, constraints), _partners(constraints)
    for rule in RULES:
        if rule == "phragmen" and election.vote_type not in ("approval", "choose-1"):
            continue
        outcome = count(election, rule, constraints=constraints)
        funded = set(outcome.selected)
        assert outcome.total_cost <= election.budget
        for members in constraints.incompatible:
            assert len(members & funded) <= 1, (rule, members)
        assert funded <= eligible, rule
        for item in outcome.explanations:
            if item.project_id not in eligible and item.reason != "withdrawn":
                assert item.reason == "below_min_share", rule
            if item.reason == "incompatible":
                assert item.numbers["partner"] in funded & partners[item.project_id], rule


@settings(max_examples=150, deadline=None)
@given(constrained())
def test_greedy_under_constraints_matches_the_definition(drawn: tuple[Election, Constraints]) -> None:
    election, constraints = drawn
    assert list(count(election, "greedy", constraints=constraints).selected) == ref_greedy(election, constraints)


@settings(max_examples=150, deadline=None)
@given(constrained())
def test_equalshares_under_constraints_matches_the_definition(drawn: tuple[Election, Constraints]) -> None:
    election, constraints = drawn
    start = Fraction(election.budget, len(_voters(election)))
    outcome = count(election, "equalshares", constraints=constraints)
    assert list(outcome.selected) == ref_mes(election, start, constraints)


@settings(max_examples=120, deadline=None)
@given(constrained())
def test_add1_under_constraints_matches_the_definition(drawn: tuple[Election, Constraints]) -> None:
    election, constraints = drawn
    assert set(count(election, "equalshares/add1", constraints=constraints).selected) == ref_add1(election, constraints)


@settings(max_examples=60, deadline=None)
@given(constrained())
def test_constraints_in_meta_count_like_constraints_passed(drawn: tuple[Election, Constraints]) -> None:
    """The META keys are read back to the same constraints, and count reads them by default."""
    election, constraints = drawn
    if any("|" in pid or "," in pid for members in constraints.incompatible for pid in members):
        return
    with_meta = Election(
        meta={**election.meta, **constraints.to_meta()}, projects=election.projects, ballots=election.ballots
    )
    for rule in ("greedy", "equalshares/add1"):
        assert count(with_meta, rule).selected == count(election, rule, constraints=constraints).selected
