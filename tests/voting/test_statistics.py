"""Turnout statistics: the counts, the clerks' page during the vote, and the public page only after the close."""

from __future__ import annotations

import pytest

from pb.voting import services, statistics
from pb.voting.ballot_rules import Choice
from pb.voting.models import Channel
from pb.voting.statistics import Group, suppress


@pytest.fixture
def turnout_world(db, voting_world):
    """The voting world with 20 more residents of North: 12 voted on paper in the city-wide pool (born 1950,
    women), and the verified resident voted online in both pools."""
    w = voting_world
    services.import_register(w.clerk, w.process, "reference,birth_year,district\n" + "".join(
        f"T-{n},{1950 if n < 12 else 2000},north\n" for n in range(20)))
    for n in range(12):
        services.enter_paper_ballot(w.clerk, w.city, f"T-{n}", [Choice(w.projects[4].id)], f"sheet-{n}", sex="F")
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "online", sex="M")
    services.cast_ballot(w.resident, w.north, [Choice(w.north_projects[0].id)], "online-north")
    db.session.commit()
    return w


def test_turnout_against_the_register_and_the_population(db, turnout_world):
    w = turnout_world
    found = statistics.turnout(w.process)
    # 25 residents, of whom AB-1003 is too young: 24 eligible; 13 voted (the resident in two pools counts once).
    assert (found.eligible, found.voters) == (24, 13)
    north, no_district = found.districts
    assert (north.key, north.ballots, north.eligible, north.population) == ("North", 13, 23, 12_000)
    assert (no_district.key, no_district.ballots, no_district.eligible) == (None, 0, 1)
    city, north_pool = found.pools
    assert (city.ballots, city.eligible, north_pool.ballots, north_pool.eligible) == (13, 24, 1, 23)
    assert {g.key: g.ballots for g in city.channels} == {"online": 1, "paper": 12}
    assert {g.key: (g.ballots, g.eligible) for g in city.age_bands} == {
        "18-34": (0, 8), "35-64": (1, 3), "65+": (12, 13)}  # 1950 is 65+ in the year of this vote
    assert {g.key: g.ballots for g in city.sexes} == {"F": 12, "M": 1}


def test_register_summary_and_pool_counts(db, turnout_world):
    w = turnout_world
    summary = statistics.register_summary(w.process)
    assert (summary.entries, summary.eligible, summary.verified, summary.by_method) == (
        25, 24, 1, {"register_match": 1})
    city = statistics.pool_counts(w.process, with_districts=True)[0]
    assert city.ballots == {Channel.ONLINE: 1, Channel.PAPER: 12} == city.participations and city.is_reconciled
    assert city.by_district == [("North", {Channel.ONLINE: 1, Channel.PAPER: 12})]


def test_small_groups_are_suppressed_and_a_lone_one_does_not_leak_through_the_total():
    groups = [Group("a", 40), Group("b", 3), Group("c", 25)]
    assert [g.suppressed for g in suppress(groups)] == [False, True, True]
    assert [g.suppressed for g in suppress([Group("a", 40), Group("b", 3), Group("c", 0)])] == [False, True, True]
    assert [g.suppressed for g in suppress([Group("a", 40), Group("b", 12)])] == [False, False]
    assert [g.suppressed for g in suppress([Group("a", 4)])] == [True]


def test_clerks_see_the_counts_while_the_vote_runs(client, login, turnout_world):
    login(turnout_world.clerk)
    page = client.get(f"/staff/voting/{turnout_world.process.id}/statistics").get_data(as_text=True)
    assert "For staff only while the vote runs" in page
    assert "<dd>13</dd>" in page and "54.2%" in page  # 13 of 24


def test_the_public_sees_no_count_before_the_close(client, login, turnout_world):
    for who in (None, turnout_world.resident):
        if who is not None:
            login(who)
        page = client.get("/m/testville/vote/statistics").get_data(as_text=True)
        assert "published when voting closes" in page
        main = page.split('<main')[1].split("</main>")[0]
        assert "<table" not in main and "<dd>" not in main and "13" not in main


def test_the_public_sees_the_turnout_after_the_close_without_small_groups(client, db, turnout_world):
    w = turnout_world
    services.close_vote(w.clerk, w.process, reason="Closing early for the statistics test.")
    db.session.commit()
    page = client.get("/m/testville/vote/statistics").get_data(as_text=True)
    main = page.split('<main')[1].split("</main>")[0]
    assert "published when voting closes" not in main and "fewer than 10 ballots are not shown" in main
    assert "<dd>13</dd>" in main and "54.2%" in main
    assert ">12</td>" in main  # the 12 paper ballots and the 12 women are shown
    assert main.count("not shown (small group)") >= 4  # online (1), its partner paper (hidden too), men, bands
    assert client.get("/m/testville/nope/statistics").status_code == 404


@pytest.mark.breaks_vote_invariants  # participations alone: their ballots play no part in the turnout
def test_imported_participations_count_for_their_pools_district(db, voting_world):
    from pb.voting.models import Participation

    w = voting_world
    db.session.add_all([Participation(pool_id=w.north.id, channel=Channel.IMPORTED) for _ in range(3)]
                       + [Participation(pool_id=w.city.id, channel=Channel.IMPORTED) for _ in range(5)])
    db.session.commit()
    found = statistics.turnout(w.process)
    assert found.voters == 5  # nobody can be followed across pools: the larger pool is the lower bound
    assert {g.key: g.ballots for g in found.districts} == {"North": 3, None: 0}
