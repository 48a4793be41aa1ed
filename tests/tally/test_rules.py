"""The rules on hand-made elections: scores, tie-breaks, stopping rules, exact ties and explanations."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from pb.tally.election import WITHDRAWN_COST, Ballot, Election, Project
from pb.tally.rules import RULES, NeedsApprovalBallots, UnknownProject, UnknownRule, count
from pb.tally.rules.equalshares import EqualShares
from pb.tally.rules.profile import prepare, tie_order


def make(costs: dict[str, int], votes: list[tuple[str, ...]], budget: int, **meta: str) -> Election:
    """An approval (or other) election from costs, ballots as tuples of ids, and META extras."""
    return Election(
        meta={"budget": str(budget), "vote_type": "approval", **meta},
        projects=tuple(Project(id=pid, cost=cost) for pid, cost in costs.items()),
        ballots=tuple(Ballot(choices=vote) for vote in votes),
    )


def test_scores_follow_the_readme_for_every_ballot_kind() -> None:
    """Approval counts, cumulative sums points, ordinal gives L - position, weights multiply."""
    projects = (Project("a", 1), Project("b", 1), Project("c", 1))
    ordinal = Election(
        meta={"budget": "3", "vote_type": "ordinal"},
        projects=projects,
        ballots=(Ballot(("a", "b", "c")), Ballot(("c", "a"), weight=2)),
    )
    assert prepare(ordinal, [0, 1, 2]).scores == (3 + 2 * 1, 2, 1 + 2 * 2)
    cumulative = Election(
        meta={"budget": "3", "vote_type": "cumulative"},
        projects=projects,
        ballots=(Ballot(("a", "b"), points=(3, 2)), Ballot(("b",), points=(5,), weight=3)),
    )
    assert prepare(cumulative, [0, 1, 2]).scores == (3, 17, 0)


def test_unknown_rule_and_missing_rule_are_refused() -> None:
    """A rule name must be one of RULES; with none given, the election's META rule is used."""
    election = make({"a": 1}, [("a",)], 1)
    with pytest.raises(UnknownRule, match="names no rule"):
        count(election)
    with pytest.raises(UnknownRule, match="unknown rule 'majority'"):
        count(election, "majority")
    assert count(make({"a": 1}, [("a",)], 1, rule="greedy")).rule == "greedy"
    with pytest.raises(UnknownProject, match="'z'"):
        count(make({"a": 1}, [("z",)], 1), "greedy")


def test_phragmen_needs_approval_ballots() -> None:
    """Phragmen on cumulative ballots is a clear error."""
    election = Election(
        meta={"budget": "5", "vote_type": "cumulative"},
        projects=(Project("a", 1),),
        ballots=(Ballot(("a",), points=(2,)),),
    )
    with pytest.raises(NeedsApprovalBallots, match="phragmen needs approval ballots"):
        count(election, "phragmen")


def test_tie_break_orders() -> None:
    """Ids compare as strings; explicit lists, cost order and key functions are accepted."""
    projects = (Project("9", 5), Project("10", 1), Project("2", 3))
    assert tie_order(projects, "lexico") == ("lexico", [2, 0, 1])
    assert tie_order(projects, "reverse-lexico") == ("reverse-lexico", [0, 2, 1])
    assert tie_order(projects, "cost-ascending") == ("cost-ascending", [2, 0, 1])
    assert tie_order(projects, ["2"]) == ("explicit", [2, 1, 0])

    def by_cost_descending(project: Project) -> int:
        return -project.cost

    assert tie_order(projects, by_cost_descending) == ("by_cost_descending", [0, 2, 1])
    with pytest.raises(ValueError, match="unknown tie-break"):
        tie_order(projects, "coin")


def test_greedy_ties_follow_the_tie_break() -> None:
    """Two projects tied on score, only one fits: the tie-break decides, "10" before "9" in lexico."""
    election = make({"9": 5, "10": 5}, [("9", "10")], 5)
    assert count(election, "greedy").selected == ("10",)
    assert count(election, "greedy", tie_break="reverse-lexico").selected == ("9",)
    assert count(election, "greedy", tie_break=["9"]).selected == ("9",)


def test_greedy_variants_and_their_reasons() -> None:
    """greedy skips, greedy-no-skip stops, greedy-threshold drops low scores; withdrawn is passed over."""
    votes = [("a", "b", "c", "w")] * 3 + [("a", "b", "d")] * 2 + [("d",)]
    election = make({"a": 4, "b": 7, "c": 2, "d": 3, "w": WITHDRAWN_COST}, votes, 10, min_project_score_threshold="4")
    plain = count(election, "greedy")
    assert plain.selected == ("a", "c", "d")
    assert plain.explanation("b").reason == "did_not_fit"
    assert dict(plain.explanation("b").numbers) == {"rank": 2, "needed": 7, "left": 6}
    assert plain.explanation("w").reason == "withdrawn"
    no_skip = count(election, "greedy-no-skip")
    assert no_skip.selected == ("a",)
    assert [no_skip.explanation(p).reason for p in "cd"] == ["below_threshold", "below_threshold"]
    threshold = count(election, "greedy-threshold")
    assert threshold.selected == ("a",)
    assert threshold.explanation("d").reason == "below_threshold"
    no_threshold = count(make({"a": 4, "b": 7, "c": 2}, [("a", "b", "c"), ("a", "b"), ("a",)], 10), "greedy-no-skip")
    assert no_threshold.selected == ("a",)
    assert no_threshold.explanation("c").reason == "stopped"


def test_equalshares_prices_and_explanations() -> None:
    """Four voters with 25 each: the shared project costs 40, so its two poorer supporters pay all they have."""
    votes = [("big", "small")] * 2 + [("big",)] * 2
    election = make({"big": 80, "small": 30}, votes, 100)
    outcome = count(election, "equalshares")
    # small: 2 supporters pay 15 each (rho/cost = 1/2); big: 4 pay 20 (1/4) -> big first.
    assert outcome.selected == ("big",)
    bought = outcome.explanation("big")
    assert dict(bought.numbers) == {"round": 1, "price": 20.0, "full_payers": 4, "partial_payers": 0, "supporters": 4}
    # small costs 30 and the pool keeps 20 after big: no supporter could have changed that.
    rejected = outcome.explanation("small")
    assert rejected.reason == "over_budget"
    assert dict(rejected.numbers) == {"cost": 30, "pool_left": 20}
    json.dumps(outcome.to_dict())


def test_equalshares_explains_a_project_the_pool_could_still_pay_for() -> None:
    """Four voters with 25 each; all buy big (60) at 15 each; small (30) has one supporter, who keeps 10."""
    votes = [("big", "small")] + [("big",)] * 3
    outcome = count(make({"big": 60, "small": 30}, votes, 100), "equalshares")
    assert outcome.selected == ("big",)
    rejected = outcome.explanation("small")
    assert rejected.reason == "not_affordable"  # the pool keeps 40, more than small costs
    assert rejected.numbers["money_left"] == pytest.approx(10.0)
    assert rejected.numbers["lacking"] == pytest.approx(20.0)
    assert rejected.numbers["extra_supporters_needed"] == 1


def test_add1_explains_by_the_real_pool_not_the_inflated_shares() -> None:
    """With add1 the shares grow until one more increment would overspend; an unfunded project that costs more
    than the pool keeps is explained by the pool, not by the few cents its supporters lacked in shares."""
    votes = [("a", "c")] * 3 + [("b", "c")] * 2 + [("c",)]
    election = make({"a": 50, "b": 40, "c": 45}, votes, 100)
    outcome = count(election, "equalshares/add1")
    assert outcome.selected == ("c", "a")
    assert outcome.explanation("b").reason == "over_budget"
    assert dict(outcome.explanation("b").numbers) == {"cost": 40, "pool_left": 5}


def test_equalshares_partial_payers() -> None:
    """A supporter with less than the price pays all they have; the others pay the price."""
    votes = [("a", "b"), ("b",), ("b",)]
    election = make({"a": 2, "b": 5}, votes, 9)  # 3 each; a: rho 2 (1 voter), q = 1; b: rho 5/3, q = 1/3
    outcome = count(election, "equalshares")
    assert outcome.selected[0] == "b"
    assert outcome.explanation("b").numbers["full_payers"] == 3


def test_exact_tie_is_settled_exactly_and_by_the_tie_break() -> None:
    """rho/cost equal in exact arithmetic (1/3 = (17/3)/17) though floats may differ: the tie-break decides."""
    election = make({"10": 1, "9": 17}, [("10", "9")] * 3 + [()] * 2, 29)
    assert count(election, "equalshares").selected == ("10",)
    assert count(election, "equalshares", tie_break="reverse-lexico").selected == ("9",)
    run = EqualShares(prepare(election, [0, 1])).run(Fraction(29, 5))
    assert run.exact


def test_add1_steps_money_until_the_outcome_no_longer_fits() -> None:
    """add1 returns the last outcome within the budget; add1+greedy completes it; all-fit takes everything."""
    votes = [("a", "b")] * 3 + [("c",)] * 2 + [("d",)]
    election = make({"a": 30, "b": 30, "c": 50, "d": 25}, votes, 100)
    add1 = count(election, "equalshares/add1")
    assert add1.total_cost <= 100
    assert add1.total_cost >= count(election, "equalshares").total_cost
    completed = count(election, "equalshares/add1+greedy")
    assert completed.selected[: len(add1.selected)] == add1.selected
    assert completed.total_cost <= 100
    for pid in completed.selected[len(add1.selected) :]:
        assert completed.explanation(pid).reason == "selected_by_completion"
    everything = count(make({"a": 10, "b": 20, "c": 5}, [("a", "b"), ("b",)], 100), "equalshares/add1")
    assert set(everything.selected) == {"a", "b"}
    assert everything.explanation("c").reason == "no_supporters"


def test_add1_comparison_takes_greedy_when_more_voters_prefer_it() -> None:
    """Wieliczka's rule: greedy wins only if strictly more voters have more approved winners under it."""
    majority = [("x",)] * 6
    minority = [("y",)] * 4
    election = make({"x": 60, "y": 40}, majority + minority, 60)
    outcome = count(election, "equalshares/add1-comparison")
    greedy = count(election, "greedy")
    shares = count(election, "equalshares/add1")
    assert outcome.details["chosen"] in ("greedy", "equalshares/add1")
    prefer_greedy = int(outcome.details["prefer_greedy"])
    prefer_shares = int(outcome.details["prefer_equalshares"])
    expected = greedy.selected if prefer_greedy > prefer_shares else shares.selected
    assert outcome.selected == expected


def test_phragmen_stops_at_the_first_project_that_does_not_fit() -> None:
    """Phragmen buys by earliest time and stops, rather than skips, at a project over the budget."""
    votes = [("a",)] * 5 + [("b",)] * 4 + [("c",)] * 1
    election = make({"a": 50, "b": 60, "c": 5}, votes, 100)
    outcome = count(election, "phragmen")
    # a: 50/5 = 10, c: 5, b: 60/4 = 15 -> c, a, then b does not fit: stop.
    assert outcome.selected == ("c", "a")
    assert outcome.explanation("b").reason == "did_not_fit"
    assert outcome.explanation("a").numbers["load"] == pytest.approx(10.0)


@pytest.mark.parametrize("rule", RULES)
def test_no_ballots_and_zero_budget_fund_nothing_costly(rule: str) -> None:
    """Degenerate elections do not crash any rule."""
    empty = make({"a": 5, "b": 0}, [], 0)
    outcome = count(empty, rule)
    assert outcome.total_cost == 0
    assert len(outcome.explanations) == 2


def test_outcome_to_dict_is_json_ready() -> None:
    """Every rule's outcome serialises to JSON."""
    election = make({"a": 4, "b": 7, "c": 2}, [("a", "b"), ("b", "c"), ("c",)], 10)
    for rule in RULES:
        data = json.loads(json.dumps(count(election, rule).to_dict()))
        assert data["rule"] == rule
        assert len(data["explanations"]) == 3
