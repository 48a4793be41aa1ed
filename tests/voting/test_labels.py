"""The sentences residents read under each project's outcome, from the tally's reason codes and numbers."""

from __future__ import annotations

import pytest

from pb import create_app
from pb.voting.labels import reason_detail, reason_label


@pytest.fixture
def english():
    app = create_app({"PB_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def test_a_project_dearer_than_what_the_pool_kept_is_explained_by_the_pool(english):
    assert "more than the pool had left" in reason_label("over_budget")
    detail = reason_detail("over_budget", {"cost": 9_000_000, "pool_left": 2_500_000}, "EUR")
    assert detail == "It costs €90,000.00; €25,000.00 of the pool was left."


def test_supporters_needed_agree_in_number(english):
    numbers = {"money_left": 1_000_000, "lacking": 2_000_000, "start_money": 2_500_000}
    one = reason_detail("not_affordable", {**numbers, "extra_supporters_needed": 1}, "EUR")
    three = reason_detail("not_affordable", {**numbers, "extra_supporters_needed": 3}, "EUR")
    assert "about 1 more supporter would" in one
    assert "about 3 more supporters would" in three
    assert "€10,000.00 left; €20,000.00 was missing" in one
    assert "more" not in reason_detail("not_affordable", numbers, "EUR")


def test_the_constraints_reasons_are_sentences(english):
    assert reason_label("incompatible") == "Not funded: a project it cannot be funded with was funded first"
    assert reason_detail("incompatible", {"partner": "12", "round": 2}, "EUR") == (
        "It cannot be funded together with project 12, which was funded first.")
    assert reason_label("below_min_share") == "Not counted: too few voters chose it"
    one = reason_detail("below_min_share", {"supporters": 1, "needed": 40, "share": 0.05}, "EUR")
    assert one == "1 voter chose it; a project needed 40 (5% of the voters) to be counted."
    many = reason_detail("below_min_share", {"supporters": 12, "needed": 40, "share": 0.0525}, "EUR")
    assert many == "12 voters chose it; a project needed 40 (5.25% of the voters) to be counted."
    assert "fits in the budget together" in reason_label("all_fit")
