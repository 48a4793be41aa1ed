"""Tests of the assessment's measures: hand-computed cases, flags, suppression, and pabutools' own numbers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pb.reports import metrics
from pb.reports.metrics import Missing, PoolResult, Population, Status, Thresholds
from pb.tally import pabulib
from pb.tally.election import Ballot, Election, Project

from .conftest import DEMO_DIR

#: Our names of pabutools' result keys.
FIELDS = {
    "voters": "voters",
    "share_non_empty_handed": "share_funded",
    "avg_cost_sat": "avg_cost",
    "avg_cardinality_sat": "avg_cardinality",
    "gini_cost_sat": "gini_cost",
    "gini_cardinality_sat": "gini_cardinality",
    "capped_fair_share_ratio": "fair_share",
}


def _voter(district: str, sex: str, age: str, channel: str, weight: int, choices=("a",)) -> Ballot:
    return Ballot(choices=choices, weight=weight,
                  attributes={"district": district, "sex": sex, "age": age, "channel": channel})


#: 45 voters: 30 women of 40 in the north online, 10 men of 70 in the south on paper, 5 men of 20 in the
#: south online (a group too small to show).
VOTERS = (
    _voter("north", "F", "40", "online", 30),
    _voter("south", "M", "70", "paper", 10),
    _voter("south", "M", "20", "online", 5),
)

CENSUS = Population(
    population=1000,
    eligible=900,
    eligible_by={
        "district": {"north": 400, "south": 400, "east": 100},
        "sex": {"F": 450, "M": 450},
        "age_band": {"18-34": 300, "35-64": 400, "65+": 200},
    },
    population_by_district={"north": 500, "south": 500},
    source="Census 2021",
    as_of="2021-03-31",
)


def _group(result: metrics.Participation, attribute: str, name: str) -> metrics.GroupParticipation:
    (found,) = [g for g in result.groups if g.attribute == attribute and g.group == name]
    return found


def test_coverage_and_turnout_by_hand() -> None:
    result = metrics.participation(VOTERS, CENSUS)
    assert metrics.coverage(CENSUS) == pytest.approx(0.9)
    assert result.voters == 45 and result.turnout == pytest.approx(45 / 900)
    north = _group(result, "district", "north")
    assert (north.voters, north.eligible) == (30, 400)
    assert north.turnout == pytest.approx(0.075)
    # (30/45) / (400/900) = 1.5: above 1.25, inside 1.6.
    assert north.representation == pytest.approx(1.5) and north.status is Status.AMBER
    south = _group(result, "district", "south")
    assert south.representation == pytest.approx(0.75) and south.status is Status.AMBER
    assert result.missing == ()


def test_a_district_where_nobody_voted_is_shown_not_suppressed() -> None:
    east = _group(metrics.participation(VOTERS, CENSUS), "district", "east")
    assert (east.voters, east.turnout, east.representation) == (0, 0, 0)
    assert east.status is Status.RED and not east.suppressed


def test_small_groups_are_suppressed_with_every_figure() -> None:
    young = _group(metrics.participation(VOTERS, CENSUS), "age_band", "18-34")
    assert young.suppressed and young.status is None
    assert (young.voters, young.turnout, young.representation, young.voter_share) == (None,) * 4
    # A lower threshold shows it: (5/45) / (300/900) = 1/3.
    shown = _group(metrics.participation(VOTERS, CENSUS, Thresholds(min_group=5)), "age_band", "18-34")
    assert shown.representation == pytest.approx(1 / 3) and shown.status is Status.RED


def test_dissimilarity_and_turnout_spread_by_hand() -> None:
    result = metrics.participation(VOTERS, CENSUS)
    # 1/2 (|30/45 - 4/9| + |15/45 - 4/9| + |0 - 1/9|) = 2/9.
    assert result.dissimilarity["district"] == pytest.approx(2 / 9)
    assert result.dissimilarity["sex"] == pytest.approx(1 / 6)
    # The suppressed group still counts in the aggregate: 1/2 (|5/45 - 1/3| + |30/45 - 4/9| + 0).
    assert result.dissimilarity["age_band"] == pytest.approx(2 / 9)
    assert "channel" not in result.dissimilarity
    # District turnouts 0.075, 0.0375, 0: mean 0.0375, population sd 0.0375 * sqrt(2/3).
    assert result.turnout_spread == pytest.approx(math.sqrt(2 / 3))


def test_channels_have_turnout_against_the_electorate_and_no_representation_index() -> None:
    result = metrics.participation(VOTERS, CENSUS)
    paper = _group(result, "channel", "paper")
    assert paper.turnout == pytest.approx(10 / 900) and paper.voter_share == pytest.approx(10 / 45)
    assert paper.representation is None and paper.status is None


def test_missing_baseline_is_reported_missing_not_zero() -> None:
    census = Population(population=None, eligible=None, eligible_by={"sex": {"F": 450}})
    result = metrics.participation(VOTERS, census)
    men = _group(result, "sex", "M")
    assert men.voters == 15 and men.eligible is None and men.turnout is None and men.representation is None
    assert result.turnout is None and metrics.coverage(census) is None
    assert Missing("eligible") in result.missing and Missing("eligible", "sex", "M") in result.missing
    assert Missing("eligible", "sex", "F") not in result.missing
    assert "sex" not in result.dissimilarity  # the baseline lacks a group that has voters
    assert Missing("eligible", "channel", "paper") not in result.missing  # no census counts by channel


def test_representation_flags_at_the_boundaries() -> None:
    thresholds = Thresholds()
    assert [thresholds.representation(x) for x in (0.8, 1.25, 0.6, 1.6, 0.5999, 1.6001, None)] == [
        Status.GREEN, Status.GREEN, Status.AMBER, Status.AMBER, Status.RED, Status.RED, None]
    assert [thresholds.spending_gini(x) for x in (0.0, 0.1999, 0.2, 0.35, 0.3501)] == [
        Status.GREEN, Status.GREEN, Status.AMBER, Status.AMBER, Status.RED]
    assert [thresholds.funded_share(x) for x in (1.0, 0.75, 0.7499, 0.5, 0.4999)] == [
        Status.GREEN, Status.GREEN, Status.AMBER, Status.AMBER, Status.RED]


def test_a_municipality_sets_its_own_thresholds() -> None:
    strict = Thresholds(representation_green=(0.95, 1.05), representation_amber=(0.9, 1.1))
    assert strict.representation(1.08) is Status.AMBER and strict.representation(1.2) is Status.RED


def test_worst_flag() -> None:
    assert metrics.worst([Status.GREEN, None, Status.AMBER]) is Status.AMBER
    assert metrics.worst([Status.RED, Status.GREEN]) is Status.RED
    assert metrics.worst([None, None]) is None


# ---------------------------------------------------------------------------------------------- spending


def test_weighted_gini_by_hand_and_at_the_edges() -> None:
    assert metrics.weighted_gini([], []) == 0
    assert metrics.weighted_gini([0, 0], [10, 20]) == 0
    assert metrics.weighted_gini([3, 3, 3], [1, 5, 9]) == 0  # ties: everyone gets the same per head
    assert metrics.weighted_gini([7], [100]) == 0
    # All the money in district 1: G = p2 / P.
    assert metrics.weighted_gini([2.0, 0.0], [100, 300]) == pytest.approx(0.75)
    # Weights are people: a district of 2 equals two districts of 1 with the same spending.
    assert metrics.weighted_gini([1, 4], [2, 1]) == pytest.approx(metrics.weighted_gini([1, 1, 4], [1, 1, 1]))


def test_spending_per_head_and_funds_by_category_by_hand() -> None:
    funded = [
        (100, "north", ("green", "roads"), ("children",)),
        (300, "south", ("green",), ()),
        (50, None, ("roads",), ("seniors",)),
    ]
    result = metrics.spending(funded, CENSUS)
    assert result.total == 450 and result.city_wide == 50
    assert [(d.district, d.amount, d.per_head) for d in result.districts] == [
        ("north", 100, pytest.approx(0.2)), ("south", 300, pytest.approx(0.6))]
    # Equal populations, 0.2 and 0.6 per head: 2 * 500 * 500 * 0.4 / (2 * 1000^2 * 0.4) = 0.25.
    assert result.gini == pytest.approx(0.25) and result.status is Status.AMBER
    assert [(f.name, f.amount, f.projects) for f in result.by_category] == [("green", 400, 2), ("roads", 150, 2)]
    assert result.by_category[0].share == pytest.approx(400 / 450)
    # Equal amounts sort by name; a project with no group counts as unclassified.
    assert [(f.name, f.amount) for f in result.by_beneficiary] == [("", 300), ("children", 100), ("seniors", 50)]


def test_spending_with_a_district_lacking_its_population_has_no_gini() -> None:
    result = metrics.spending([(100, "west", (), ())], CENSUS)
    west = next(d for d in result.districts if d.district == "west")
    assert west.population is None and west.per_head is None
    assert result.gini is None and result.status is None
    assert result.missing == (Missing("population", "district", "west"),)


def test_a_district_with_people_and_no_money_counts_as_zero_per_head() -> None:
    result = metrics.spending([(100, "north", (), ())], CENSUS)
    assert [(d.district, d.per_head) for d in result.districts] == [("north", 0.2), ("south", 0.0)]
    assert result.gini == pytest.approx(0.5)


def test_ex_ante_measures_the_pools_per_head() -> None:
    result = metrics.ex_ante(CENSUS, [(50000, "north"), (50000, "south"), (20000, None)], cost_scale=100)
    assert result.mode == "ex-ante" and result.participation is None and result.satisfaction == ()
    assert [d.per_head for d in result.spending.districts] == [1.0, 1.0]
    assert result.spending.gini == 0 and result.status is Status.GREEN
    assert result.coverage == pytest.approx(0.9)


# ---------------------------------------------------------------------------------------------- satisfaction


def _pool(*ballots: Ballot, funded=("a", "c"), vote_type="approval") -> PoolResult:
    election = Election(
        meta={"budget": "600", "vote_type": vote_type},
        projects=(Project(id="a", cost=100, categories=("green",)), Project(id="b", cost=200),
                  Project(id="c", cost=300, extra={"district": "east"})),
        ballots=ballots,
    )
    return PoolResult("City", election, funded, district="north")


def test_satisfaction_by_hand_with_a_histogram() -> None:
    pool = _pool(Ballot(choices=("a", "c")), Ballot(choices=("b",)), Ballot(choices=("a",), weight=2))
    result = metrics.pool_satisfaction(pool, Thresholds(min_group=1))
    assert result.overall.voters == 4
    assert result.overall.share_funded == pytest.approx(0.75) and result.overall.status is Status.GREEN
    assert result.overall.avg_cost == pytest.approx((400 + 0 + 200) / 4)
    assert result.overall.avg_cardinality == pytest.approx(1.0)
    assert result.histogram == (1, 2, 1)  # one voter with none, two with one, one with two
    assert result.groups == ()  # nobody has an attribute


def test_cumulative_ballots_count_voters_not_points() -> None:
    pool = _pool(
        Ballot(choices=("a", "b"), points=(3, 0)),
        Ballot(choices=("b",), points=(5,)),
        Ballot(choices=("c", "b"), points=(1, 9)),
        vote_type="cumulative",
    )
    result = metrics.pool_satisfaction(pool)
    # Zero points support nothing: the first voter has a (funded), the second nothing, the third c.
    assert result.overall.share_funded == pytest.approx(2 / 3)
    assert result.overall.avg_cardinality == pytest.approx(2 / 3)
    assert result.histogram == (1, 2)


def test_satisfaction_groups_are_suppressed_under_the_threshold() -> None:
    ballots = [Ballot(choices=("a",), attributes={"sex": "F", "voting_method": "paper"}, weight=12),
               Ballot(choices=("b",), attributes={"sex": "M", "voting_method": "paper"}, weight=3)]
    result = metrics.pool_satisfaction(_pool(*ballots))
    women, men = result.of("sex")
    assert women.figures.share_funded == 1 and women.figures.voters == 12
    assert men.suppressed and men.figures is None
    (paper,) = result.of("channel")  # Pabulib's voting_method is the channel
    assert paper.figures.voters == 15 and paper.figures.share_funded == pytest.approx(0.8)


def test_nothing_funded_is_red_and_an_empty_pool_has_no_flag() -> None:
    result = metrics.pool_satisfaction(_pool(Ballot(choices=("b",)), funded=()))
    assert result.overall.share_funded == 0 and result.overall.status is Status.RED
    assert result.overall.gini_cost == 0 and result.histogram == (1,)
    empty = metrics.pool_satisfaction(_pool())
    assert empty.overall.voters == 0 and empty.overall.status is None and empty.histogram == ()


def test_ex_post_puts_funded_money_in_the_project_or_pool_district() -> None:
    pool = _pool(Ballot(choices=("a",), attributes={"district": "north"}, weight=10))
    result = metrics.ex_post(CENSUS, [pool])
    assert {d.district: d.amount for d in result.spending.districts} == {"north": 100, "south": 0, "east": 300}
    assert Missing("population", "district", "east") in result.missing
    assert result.participation.voters == 10


def test_pools_with_different_cost_units_add_up_in_the_finer_one() -> None:
    cents = Election(meta={"budget": "10.00"}, projects=(Project(id="x", cost=250),), ballots=(), cost_scale=100)
    whole = Election(meta={"budget": "10"}, projects=(Project(id="y", cost=3),), ballots=())
    result = metrics.ex_post(Population(), [PoolResult("A", cents, ("x",)), PoolResult("B", whole, ("y",))])
    assert result.spending.cost_scale == 100 and result.spending.total == 550


# ---------------------------------------------------------------------------------------------- real elections


def _official(path: Path) -> PoolResult:
    election = pabulib.read(path)
    funded = tuple(p.id for p in election.projects if p.extra.get("selected") == "1")
    return PoolResult(election.meta.get("subunit") or path.stem, election, funded)


def _assert_figures(figures: metrics.SatisfactionFigures, expected: dict, where: str) -> None:
    for theirs, ours in FIELDS.items():
        if theirs in expected:
            assert getattr(figures, ours) == pytest.approx(expected[theirs], rel=1e-9, abs=1e-12), (where, ours)


def test_satisfaction_equals_pabutools_on_real_elections(pabulib_dir: Path) -> None:
    reference = json.loads((pabulib_dir / "measures.json").read_text(encoding="utf-8"))
    assert len(reference) == 5  # Assen, Lodz Katedralna, Warsaw Targowek, Wesola and Grochow
    for name, expected in reference.items():
        _assert_pool(_official(pabulib_dir / "files" / name), expected)


def _assert_pool(pool: PoolResult, expected: dict) -> None:
    """Our figures of one official outcome equal pabutools', overall and per sex, age band and channel."""
    assert sorted(pool.funded) == sorted(expected["selected"])
    result = metrics.ex_post(Population(), [pool]).satisfaction[0]
    _assert_figures(result.overall, expected["overall"], "overall")
    ours_by = {"sex": "sex", "age_band": "age_band", "voting_method": "channel"}
    for attribute, groups in expected["by_group"].items():
        shown = {g.group: g for g in result.of(ours_by[attribute])}
        for group, values in groups.items():
            _assert_figures(shown[group].figures, values, f"{pool.name}: {attribute}={group}")
        # pabutools leaves out groups under 10 voters; we show them as suppressed.
        assert all(g.suppressed for name, g in shown.items() if name not in groups)


def test_grochow_shows_paper_and_older_voters_less_often_on_the_winning_side() -> None:
    result = metrics.ex_post(Population(), [_official(DEMO_DIR / "Poland_Warszawa_2026_Grochow.pb")])
    pool = result.satisfaction[0]
    share = {(g.attribute, g.group): g.figures.share_funded for g in pool.groups if g.figures}
    assert round(share["channel", "internet"], 3) == 0.896
    assert round(share["channel", "paper"], 3) == 0.357
    assert round(share["age_band", "65+"], 3) == 0.715
    assert share["age_band", "65+"] < share["age_band", "35-64"] < share["age_band", "18-34"]
    flags = {(g.attribute, g.group): g.figures.status for g in pool.groups if g.figures}
    assert flags["channel", "paper"] is Status.RED and flags["age_band", "65+"] is Status.AMBER
    assert pool.overall.status is Status.GREEN and result.status is Status.RED
    # Without a census, turnout and representation are missing, not zero.
    assert result.participation.turnout is None and Missing("population") in result.missing


def test_one_district_has_no_spending_gini() -> None:
    result = metrics.spending([(100, "north", (), ())], Population(population_by_district={"north": 10}))
    assert result.districts[0].per_head == 10 and result.gini is None and result.status is None
    assert result.missing == ()


def test_age_bands_are_listed_youngest_first() -> None:
    ballots = [Ballot(choices=(), attributes={"age": age}, weight=10) for age in ("70", "12", "40", "20")]
    groups = metrics.participation(ballots, Population()).of("age_band")
    assert [g.group for g in groups] == ["<18", "18-34", "35-64", "65+"]
