"""The pure rules of delivery: the lifecycle, the spending explanation, the deadline and lateness."""

from __future__ import annotations

import datetime as dt

import pytest

from pb.delivery import rules
from pb.delivery.models import DeliveryStatus as S


def test_a_project_moves_forward_back_one_step_or_ends():
    assert rules.allowed_next(S.PLANNED) == (S.DESIGN, S.PROCUREMENT, S.WORKS, S.DELIVERED, S.CANCELLED, S.MERGED)
    assert rules.allowed_next(S.PROCUREMENT) == (S.DESIGN, S.WORKS, S.DELIVERED, S.CANCELLED, S.MERGED)
    assert not rules.can_move(S.WORKS, S.PLANNED)
    for final in (S.DELIVERED, S.CANCELLED, S.MERGED):
        assert rules.allowed_next(final) == ()


def test_only_cancelled_and_merged_need_a_reason():
    assert [s for s in S if rules.needs_reason(s)] == [S.CANCELLED, S.MERGED]


@pytest.mark.parametrize(("voted", "spent", "tolerance", "finished", "needed"), [
    (10_000, 0, 1000, False, False),        # nothing spent yet
    (10_000, 11_000, 1000, False, False),   # exactly 10% over: within
    (10_000, 11_001, 1000, False, True),    # a cent beyond
    (10_000, 8_999, 1000, False, False),    # under while under way: the rest is still to come
    (10_000, 8_999, 1000, True, True),      # under by more than 10% once delivered
    (10_000, 9_000, 1000, True, False),
    (10_000, 10_000, 0, True, False),
    (10_000, 10_001, 0, False, True),
    (0, 1, 10_000, False, True),            # spending against nothing voted
])
def test_spending_far_from_the_vote_needs_an_explanation(voted, spent, tolerance, finished, needed):
    assert rules.needs_explanation(voted, spent, tolerance, is_finished=finished) is needed


def test_the_deadline_is_the_end_of_the_fiscal_year_plus_months():
    assert rules.delivery_deadline(2026, None) is None
    assert rules.delivery_deadline(2026, 0) == dt.date(2026, 12, 31)
    assert rules.delivery_deadline(2026, 2) == dt.date(2027, 2, 28)
    assert rules.delivery_deadline(2027, 14) == dt.date(2029, 2, 28)
    assert rules.delivery_deadline(2026, 18) == dt.date(2028, 6, 30)


def test_lateness_counts_only_unfinished_projects():
    today = dt.date(2028, 1, 10)
    late = rules.lateness(S.WORKS, today, dt.date(2027, 12, 31), None)
    assert late.past_deadline and not late.past_planned_end and late.is_overdue
    assert rules.lateness(S.DESIGN, today, None, dt.date(2028, 1, 9)).past_planned_end
    assert not rules.lateness(S.DESIGN, today, dt.date(2028, 1, 10), dt.date(2028, 1, 10)).is_overdue
    assert not rules.lateness(S.DELIVERED, today, dt.date(2020, 1, 1), dt.date(2020, 1, 1)).is_overdue
