"""The ballot rules checker, without an app: every rule and its violation code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pb.voting.ballot_rules import BallotRules, Choice, check, running_total

COSTS = {1: 400, 2: 300, 3: 250, 4: 500}


def codes(rules, choices):
    return [v.code for v in check(rules, [Choice(*c) if isinstance(c, tuple) else Choice(c) for c in choices], COSTS)]


def test_approval_counts_between_min_and_max():
    rules = BallotRules("approval", min_choices=2, max_choices=3)
    assert codes(rules, [1, 2]) == []
    assert codes(rules, [1]) == ["too_few"]
    assert codes(rules, [1, 2, 3, 4]) == ["too_many"]
    assert codes(rules, []) == ["empty"]


def test_unknown_and_duplicate_projects_are_refused():
    rules = BallotRules("approval")
    assert codes(rules, [9]) == ["unknown_project"]
    assert codes(rules, [1, 1]) == ["duplicate"]


def test_knapsack_must_fit_and_spend_the_minimum_share():
    rules = BallotRules("knapsack", budget=1000, min_spend_basis_points=7000)
    assert rules.min_spend == 700
    assert codes(rules, [1, 2]) == []
    assert codes(rules, [1, 2, 4]) == ["over_budget"]
    violation = check(rules, [Choice(1)], COSTS)[0]
    assert (violation.code, violation.numbers) == ("under_min_spend", {"spent": 400, "least": 700})
    assert running_total(rules, [Choice(1), Choice(3)], COSTS) == 650


def test_min_spend_rounds_up_to_the_cent():
    assert BallotRules("knapsack", budget=1001, min_spend_basis_points=7000).min_spend == 701


def test_cumulative_points():
    rules = BallotRules("cumulative", min_choices=2, total_points=10, max_points_per_project=5)
    assert codes(rules, [(1, 5), (2, 5)]) == []
    assert codes(rules, [(1, 5), (2, None)]) == ["points_missing"]
    assert codes(rules, [(1, 6), (2, 4)]) == ["points_over_project_max"]
    assert codes(rules, [(1, 5), (2, 4), (3, 2)]) == ["points_over_total"]
    assert codes(rules, [(1, 0), (2, 4)]) == ["points_not_positive"]
    assert codes(rules, [(1, 5)]) == ["too_few"]
    assert running_total(rules, [Choice(1, 3), Choice(2, 4)], COSTS) == 7


def test_ranking_top_k_and_choose_one():
    assert codes(BallotRules("ranking", max_choices=3), [3, 1, 2]) == []
    assert codes(BallotRules("ranking", max_choices=3), [3, 1, 2, 4]) == ["too_many"]
    assert codes(BallotRules("choose-1", max_choices=5), [1, 2]) == ["too_many"]
    assert codes(BallotRules("choose-1"), [1]) == []


@given(st.lists(st.sampled_from(sorted(COSTS)), unique=True), st.integers(0, 2000))
def test_a_knapsack_ballot_is_valid_exactly_when_it_fits(chosen, budget):
    rules = BallotRules("knapsack", min_choices=1, budget=budget)
    valid = not check(rules, [Choice(p) for p in chosen], COSTS)
    assert valid == (bool(chosen) and sum(COSTS[p] for p in chosen) <= budget)


@pytest.mark.parametrize("kind", ["approval", "knapsack", "cumulative", "ranking", "choose-1"])
def test_every_kind_refuses_an_empty_ballot(kind):
    assert codes(BallotRules(kind, budget=10**9), []) == ["empty"]


def test_two_projects_ranked_in_one_place_are_refused():
    rules = BallotRules("ranking", max_choices=3)
    assert [v.code for v in check(rules, [Choice(1, rank=1), Choice(2, rank=1)], COSTS)] == ["rank_repeated"]
    assert check(rules, [Choice(1, rank=1), Choice(2, rank=3)], COSTS) == []
