"""Delivered value: the figures on a fixture with known numbers equal an independent computation by hand."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from pb.delivery import queries, services
from pb.delivery.figures import CITY_WIDE, ProjectFacts, delivered_value
from pb.delivery.models import DeliveryStatus as S


def test_the_pure_figures_on_plain_data():
    facts = [ProjectFacts(1, "n", ("a",), 100, 90, S.DELIVERED, ratings=(5, 3)),
             ProjectFacts(2, "n", ("a", "b"), 200, 0, S.CANCELLED),
             ProjectFacts(3, CITY_WIDE, ("b",), 300, 10, None, co_producer_roles=("maintain",))]
    value = delivered_value(facts, {"n": 30}, [[1], [2, 3], [], [1, 3]])
    assert (value.total.adopted, value.total.delivered, value.total.stopped, value.total.in_progress) == (3, 1, 1, 1)
    assert value.by_district["n"].delivery_rate == Fraction(1, 2)
    assert value.per_head == {"n": Fraction(90, 30), CITY_WIDE: None}
    assert value.by_category["b"].delivery_rate == 0 and value.by_category["a"].mean_rating == 4
    assert (value.voters, value.voters_with_delivered, value.voter_share) == (4, 2, Fraction(1, 2))
    assert value.co_producers == {"maintain": 1}


@pytest.mark.breaks_vote_invariants
def test_delivery_figures_equal_an_independent_computation(db, ctx, clerk, make_process, make_project, make_user,
                                                           adopt):
    """North (12,000 residents) and South (8,000); five adopted projects, twelve counted ballots (one voided)."""
    from pb.processes.models import District
    from pb.voting.models import Ballot, BallotChoice, Channel, CountedBallot

    process = make_process(slug="fig")
    north = process.municipality.districts[0]
    south = District(code="south", name="South", population=8_000)
    process.municipality.districts.append(south)
    db.session.flush()
    # code: (district, category, voted EUR, spent EUR, status)
    plan = {
        "N1": (north, "culture", 10_000, 9_000, S.DELIVERED),
        "N2": (north, "sport", 20_000, 24_000, S.DELIVERED),
        "N3": (north, "sport", 5_000, 0, S.CANCELLED),
        "S1": (south, "culture", 8_000, 8_000, S.DELIVERED),
        "C1": (None, "culture", 30_000, 12_000, S.WORKS),
    }
    projects = {}
    for code, (district, category, voted, spent, status) in plan.items():
        project = make_project(process, status="selected", code=code, title=code, cost=voted * 100,
                               district_id=district.id if district else None)
        project.categories[0].category = category
        adopt(process, project)
        record = services.open_record(clerk, project)
        services.update_record(clerk, record, services.RecordInput(
            department="", officer_id=None, planned_start_on=None, planned_end_on=None, actual_start_on=None,
            actual_end_on=None, committed=spent * 100, spent=spent * 100, spending_explanation="Known."))
        if status is S.CANCELLED:
            services.change_status(clerk, record, status, reason="Site unavailable.")
        else:
            services.change_status(clerk, record, status)
        projects[code] = (project, record)
    # Ratings of delivered projects: N1 gets 5 and 3, S1 gets 2 and a hidden 1 (not counted).
    for code, scores in (("N1", (5, 3)), ("S1", (2, 1))):
        for score in scores:
            rating = services.rate(make_user(), projects[code][1], score, "")
        if code == "S1":
            services.hide_rating(clerk, rating, "Abusive.")
    # A co-producer maintains S1.
    offer = services.offer_co_production(make_user(), projects["S1"][0], services.OfferInput(
        "organisation", "School", True, "maintain", "We keep the garden."))
    services.record_agreement(clerk, offer, services.AgreementInput("Garden", "Safety", "Insurance",
                                                                    dt.date(2027, 1, 1), None))
    # Ballots: the ids each chose. Delivered: N1, N2, S1.
    pool = process.pools[0]
    choices = [["N1"], ["N2", "C1"], ["C1"], ["N3"], ["S1", "N3"], ["C1", "N3"], ["N1", "N2"], [], ["C1"],
               ["S1"], ["N3"], ["N2"]]
    for number, chosen in enumerate(choices):
        ballot = Ballot(id=f"b{number}", pool_id=pool.id, receipt_hash=f"r{number}", channel=Channel.ONLINE,
                        choices=[BallotChoice(project_id=projects[c][0].id, position=i) for i, c in enumerate(chosen)])
        db.session.add(ballot)
        db.session.add(CountedBallot(owner_tag=f"t{number}", pool_id=pool.id, ballot_id=ballot.id))
    # A voided ballot that chose a delivered project does not count.
    db.session.add(Ballot(id="bv", pool_id=pool.id, receipt_hash="rv", channel=Channel.ONLINE,
                          choices=[BallotChoice(project_id=projects["N1"][0].id, position=0)]))
    db.session.add(CountedBallot(owner_tag="tv", pool_id=pool.id, ballot_id="bv", voided=True))
    db.session.commit()

    value = queries.edition_value(process, queries.adopted_rows(process))

    # By hand: North adopted N1, N2, N3 and delivered N1, N2: rate 2/3; spent on delivered 9,000 + 24,000 EUR
    # = 3,300,000 cents over 12,000 residents = 275 cents a head. South: 1/1, 800,000 / 8,000 = 100 cents.
    n, s, c = value.by_district["north"], value.by_district["south"], value.by_district[CITY_WIDE]
    assert (n.adopted, n.delivered, n.stopped, n.delivery_rate) == (3, 2, 1, Fraction(2, 3))
    assert (s.adopted, s.delivered, s.delivery_rate) == (1, 1, 1)
    assert (c.adopted, c.delivered, c.in_progress, c.delivery_rate) == (1, 0, 1, 0)
    assert value.per_head == {"north": 275, "south": 100, CITY_WIDE: None}
    assert (n.voted, n.spent) == (3_500_000, 3_300_000)
    # Categories: culture N1, S1, C1 (2 of 3 delivered); sport N2, N3 (1 of 2).
    assert value.by_category["culture"].delivery_rate == Fraction(2, 3)
    assert value.by_category["sport"].delivery_rate == Fraction(1, 2)
    # Ballots with a delivered project: #0 N1, #1 N2, #4 S1, #6 N1, #9 S1, #11 N2 = 6 of 12.
    assert (value.voters, value.voters_with_delivered, value.voter_share) == (12, 6, Fraction(1, 2))
    # Mean ratings: North (5 + 3) / 2 = 4; South 2 (the hidden 1 left out).
    assert (n.mean_rating, s.mean_rating) == (4, 2)
    assert value.co_producers == {"maintain": 1}
    assert (value.total.voted, value.total.spent) == (7_300_000, 5_300_000)
