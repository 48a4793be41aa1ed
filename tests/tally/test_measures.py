"""Tests of the satisfaction measures: hand-computed cases, weights, groups, and pabutools' own numbers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import elections

from pb.tally import pabulib
from pb.tally.election import Ballot, Election, Project
from pb.tally.measures import age_band, gini, measures, satisfaction

REFERENCE_FILES = (
    "Netherlands_Assen_2024.pb",
    "Poland_Lodz_2024_Katedralna.pb",
    "Poland_Warszawa_2019_Targowek_Mieszkaniowy.pb",
    "Poland_Warszawa_2024_Wesola.pb",
    "Poland_Warszawa_2026_Grochow.pb",
)


def _election(*ballots: Ballot, vote_type: str = "approval", budget: str = "600") -> Election:
    """Three projects a, b, c costing 100, 200 and 300."""
    return Election(
        meta={"budget": budget, "vote_type": vote_type},
        projects=(Project(id="a", cost=100), Project(id="b", cost=200), Project(id="c", cost=300)),
        ballots=ballots,
    )


FOUR_VOTERS = _election(
    Ballot(choices=("a", "b"), attributes={"sex": "F", "age": "17"}),
    Ballot(choices=("c",), attributes={"sex": "F", "age": "34"}),
    Ballot(choices=(), attributes={"sex": "M", "age": "unknown"}),
    Ballot(choices=("a",), attributes={"sex": "M", "age": "65"}),
)


def test_per_voter_satisfaction_by_hand() -> None:
    sat = satisfaction(FOUR_VOTERS, ["a", "c"])
    assert sat.cost.tolist() == [100, 300, 0, 100]
    assert sat.cardinality.tolist() == [1, 1, 0, 1]
    assert sat.voters == 4


def test_aggregates_by_hand() -> None:
    overall = measures(FOUR_VOTERS, ["a", "c"])["overall"]
    assert overall["voters"] == 4
    assert overall["share_non_empty_handed"] == pytest.approx(3 / 4)
    assert overall["avg_cost_sat"] == pytest.approx(125)
    assert overall["avg_cardinality_sat"] == pytest.approx(0.75)
    # Sorted costs 0, 100, 100, 300: (n + 1 - 2 * (0*4 + 100*3 + 100*2 + 300*1) / 500) / n = 0.45.
    assert overall["gini_cost_sat"] == pytest.approx(0.45)
    assert overall["gini_cardinality_sat"] == pytest.approx(0.25)
    # Shares: a 100/2, b 200/1, c 300/1; fair share capped at 600/4 = 150. Ratios 50/150, 1, 1; the
    # empty ballot asked for nothing and is left out of this average.
    assert overall["capped_fair_share_ratio"] == pytest.approx((1 / 3 + 1 + 1) / 3)


def test_money_is_reported_in_currency_not_cost_units() -> None:
    election = Election(
        meta={"budget": "6.00"},
        projects=(Project(id="a", cost=150),),
        ballots=(Ballot(choices=("a",)), Ballot(choices=())),
        cost_scale=100,
    )
    assert measures(election, ["a"])["overall"]["avg_cost_sat"] == pytest.approx(0.75)


def test_nothing_funded_gives_zero_everywhere() -> None:
    overall = measures(FOUR_VOTERS, [])["overall"]
    assert overall["share_non_empty_handed"] == 0
    assert overall["gini_cost_sat"] == 0 and overall["gini_cardinality_sat"] == 0
    assert overall["capped_fair_share_ratio"] == 0


def test_only_empty_ballots_have_no_fair_share_ratio() -> None:
    election = _election(Ballot(choices=()), Ballot(choices=()))
    overall = measures(election, ["a"])["overall"]
    assert overall["capped_fair_share_ratio"] is None
    assert overall["share_non_empty_handed"] == 0


def test_gini_of_ties_and_of_one_rich_voter() -> None:
    assert gini(np.array([5, 5, 5])) == 0
    assert gini(np.array([0, 0, 0])) == 0
    assert gini(np.array([0, 0, 0, 12])) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="non-negative"):
        gini(np.array([-1, 2]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 4)), min_size=1, max_size=12))
def test_weighted_gini_equals_pabutools_on_the_expanded_values(pairs: list[tuple[int, int]]) -> None:
    utils = pytest.importorskip("pabutools.utils")
    values, weights = np.array([v for v, _ in pairs]), np.array([w for _, w in pairs])
    expanded = [v for v, w in pairs for _ in range(w)]
    assert gini(values, weights) == pytest.approx(float(utils.gini_coefficient(expanded)), abs=1e-12)


def test_cumulative_support_is_a_positive_number_of_points() -> None:
    election = _election(
        Ballot(choices=("a", "b"), points=(3, 0)),
        Ballot(choices=("b",), points=(5,)),
        vote_type="cumulative",
    )
    sat = satisfaction(election, ["a", "b"])
    assert sat.cardinality.tolist() == [1, 1]
    assert sat.cost.tolist() == [100, 200]
    # The share counts voters, not points: each voter has one funded project.
    assert measures(election, ["b"])["overall"]["share_non_empty_handed"] == pytest.approx(0.5)


def test_weights_count_as_that_many_voters() -> None:
    weighted = _election(Ballot(choices=("a",), weight=3), Ballot(choices=("c",)))
    repeated = _election(*[Ballot(choices=("a",))] * 3, Ballot(choices=("c",)))
    assert measures(weighted, ["a"]) == measures(repeated, ["a"])
    assert measures(weighted, ["a"])["overall"]["voters"] == 4
    assert measures(weighted, ["a"])["overall"]["share_non_empty_handed"] == pytest.approx(0.75)


def test_groups_and_age_bands() -> None:
    result = measures(FOUR_VOTERS, ["a", "c"], by=("sex", "age_band", "district"), min_group=1)
    assert set(result["by_group"]) == {"sex", "age_band"}  # no voter has a district
    assert set(result["by_group"]["age_band"]) == {"<18", "18-34", "65+"}  # "unknown" is no age
    women = result["by_group"]["sex"]["F"]
    assert women["voters"] == 2 and women["share_non_empty_handed"] == 1
    assert result["by_group"]["sex"]["M"]["avg_cost_sat"] == pytest.approx(50)


def test_small_groups_are_suppressed() -> None:
    result = measures(FOUR_VOTERS, ["a"], by=("sex",), min_group=3)
    assert result["by_group"]["sex"] == {"F": {"suppressed": True}, "M": {"suppressed": True}}
    assert result["overall"]["voters"] == 4


@pytest.mark.parametrize(
    ("age", "band"),
    [("0", "<18"), ("17", "<18"), ("18", "18-34"), ("34", "18-34"), ("35", "35-64"), ("64", "35-64"),
     ("65", "65+"), ("101", "65+"), ("", None), (None, None), ("abc", None), ("-3", None)],
)
def test_age_band(age: str | None, band: str | None) -> None:
    assert age_band(age) == band


def test_selecting_an_unknown_project_is_an_error() -> None:
    with pytest.raises(ValueError, match="'z'"):
        satisfaction(FOUR_VOTERS, ["z"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(weighted=True), st.data())
def test_grouped_and_expanded_elections_measure_the_same(election: Election, data: st.DataObject) -> None:
    ids = [p.id for p in election.projects]
    selected = data.draw(st.lists(st.sampled_from(ids), unique=True))
    grouped = measures(election, selected, by=("sex", "age_band", "district"), min_group=2)
    expanded = measures(pabulib.parse(pabulib.write(election)), selected, by=("sex", "age_band", "district"),
                        min_group=2)
    _assert_close(grouped, expanded)


def _assert_close(actual: object, expected: object, path: str = "") -> None:
    """Nested dicts equal, numbers within 1e-9 relative."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), path
        for key in expected:
            _assert_close(actual[key], expected[key], f"{path}/{key}")
    elif isinstance(expected, float):
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12), (path, actual, expected)
    else:
        assert actual == expected, path


@pytest.fixture(scope="module")
def reference(pabulib_dir: Path) -> dict[str, dict]:
    """pabutools' measures of the official outcomes, from the shared folder."""
    return json.loads((pabulib_dir / "measures.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_measures_equal_pabutools_on_official_outcomes(pabulib_dir: Path, reference: dict, name: str) -> None:
    expected = reference[name]
    election = pabulib.read(pabulib_dir / "files" / name)
    selected = [p.id for p in election.projects if p.extra.get("selected") == "1"]
    assert sorted(selected) == sorted(expected["selected"])
    result = measures(election, selected)
    _assert_close(result["overall"], expected["overall"], "overall")
    for attribute, groups in result["by_group"].items():
        expected_groups = expected["by_group"].get(attribute, {})
        for group, values in groups.items():
            if group in expected_groups:
                # pabutools' groups carry no fair-share ratio; every other number must agree.
                _assert_close({k: values[k] for k in expected_groups[group]}, expected_groups[group], group)
            else:
                assert values == {"suppressed": True}, (attribute, group)
    assert set(expected["by_group"]) <= set(result["by_group"])
    for attribute, groups in expected["by_group"].items():
        assert set(groups) <= set(result["by_group"][attribute])


def test_grochow_paper_voters_fare_worse(pabulib_dir: Path) -> None:
    election = pabulib.read(pabulib_dir / "files" / "Poland_Warszawa_2026_Grochow.pb")
    selected = [p.id for p in election.projects if p.extra.get("selected") == "1"]
    groups = measures(election, selected)["by_group"]
    assert round(groups["voting_method"]["internet"]["share_non_empty_handed"], 3) == 0.896
    assert round(groups["voting_method"]["paper"]["share_non_empty_handed"], 3) == 0.357
    assert round(groups["age_band"]["65+"]["share_non_empty_handed"], 3) == 0.715


@pytest.mark.parametrize("name", ["Poland_Warszawa_2026_Grochow.pb", "Poland_Lodz_2024_Katedralna.pb"])
def test_grouping_a_real_file_changes_no_measure(pabulib_dir: Path, name: str) -> None:
    election = pabulib.read(pabulib_dir / "files" / name)
    grouped = pabulib.group_ballots(election)
    assert len(grouped.ballots) < len(election.ballots)
    selected = [p.id for p in election.projects if p.extra.get("selected") == "1"]
    _assert_close(measures(grouped, selected), measures(election, selected))


@pytest.mark.parametrize("age, band", [("17", "<18"), ("18", "18-34"), ("64", "35-64"), ("65", "65+"), (" 40 ", "35-64"),
                                       ("²", None), ("٣٠", None), ("-3", None), ("", None), (None, None), ("40.5", None)])
def test_age_band_reads_only_plain_whole_numbers(age, band):
    from pb.tally.measures import age_band

    assert age_band(age) == band
