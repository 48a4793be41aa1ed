"""Incompatible projects and a minimum vote share, from the database to the count, the ballot and the results."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pb.processes.models import IncompatibleSet, IncompatibleSetMember, Process
from pb.tally import pabulib
from pb.voting import counting, services
from pb.voting.ballot_rules import Choice
from pb.voting.models import TallyResult


def choices(*projects):
    return [Choice(p.id) for p in projects]


@pytest.fixture
def constrained(db, voting_world):
    """The open vote of ``voting_world`` with C1 and C2 of the city-wide pool incompatible ("One plot") and a
    minimum share of 30% of the voters, recorded before the vote opened (written here beneath the ORM, which
    refuses them now that voting runs)."""
    w = voting_world
    set_id = db.session.execute(sa.insert(IncompatibleSet).values(pool_id=w.city.id, note="One plot")
                                .returning(IncompatibleSet.id)).scalar_one()
    db.session.execute(sa.insert(IncompatibleSetMember), [
        {"set_id": set_id, "project_id": w.projects[0].id}, {"set_id": set_id, "project_id": w.projects[1].id}])
    db.session.execute(sa.update(Process).where(Process.id == w.process.id).values(min_vote_share_basis_points=3000))
    db.session.commit()
    db.session.expire_all()
    return w


def _close_with_three_ballots(db, w) -> dict[str, object]:
    """C2 on every ballot, C1, C3 and C4 on one each, C5 on none: greedy funds C2, passes over its partner C1,
    funds C3 (2,500,000 of the 7,000,000 left) and has too little for C4; C5 is under 30% of the voters."""
    c1, c2, c3, c4, _c5 = w.projects
    services.cast_ballot(w.resident, w.city, choices(c1, c2), "a")
    services.enter_paper_ballot(w.clerk, w.city, "AB-1002", choices(c2, c4), "b")
    services.enter_paper_ballot(w.clerk, w.city, "AB-1005", choices(c2, c3), "c")
    db.session.commit()
    results = services.close_vote(w.clerk, w.process, reason="Closing the vote for the constraints test.")
    db.session.commit()
    return {r.rule: r for r in results if r.pool_id == w.city.id}


def test_the_count_keeps_the_constraints_and_explains_them(db, constrained):
    w = constrained
    c1, c2, c3, c4, c5 = w.projects
    by_rule = _close_with_three_ballots(db, w)
    official = next(r for r in by_rule.values() if r.is_official)
    assert official.rule == "greedy"
    rows = {rp.project_id: rp for rp in official.projects}
    assert {p for p, rp in rows.items() if rp.selected} == {c2.id, c3.id}
    assert rows[c1.id].reason == "incompatible" and rows[c1.id].numbers["partner"] == "C2"
    assert rows[c4.id].reason == "did_not_fit"
    assert rows[c5.id].reason == "below_min_share"
    assert rows[c5.id].numbers == {"rank": 5, "supporters": 0, "needed": 1, "share": 0.3}
    assert official.parameters["incompatible_projects"] == "C1,C2" and official.parameters["min_vote_share"] == "0.3"
    for result in by_rule.values():
        funded = {rp.project_id for rp in result.projects if rp.selected}
        assert not {c1.id, c2.id} <= funded, result.rule
        assert c5.id not in funded, result.rule


def test_the_election_and_its_export_carry_the_constraints(client, db, constrained):
    w = constrained
    _close_with_three_ballots(db, w)
    election = counting.election_for_pool(db.session, w.city)
    assert election.meta["incompatible_projects"] == "C1,C2" and election.meta["min_vote_share"] == "0.3"
    stored = db.session.scalars(sa.select(TallyResult).where(TallyResult.pool_id == w.city.id,
                                                             TallyResult.is_official)).one()
    assert counting.input_hash(election) == stored.input_hash
    exported = pabulib.parse(client.get(f"/pools/{w.city.id}/ballots.pb").get_data(as_text=True))
    assert exported.meta["incompatible_projects"] == "C1,C2"
    # The North pool has neither a set nor anything under the share: its META says only the share.
    north = counting.election_for_pool(db.session, w.north)
    assert "incompatible_projects" not in north.meta and north.meta["min_vote_share"] == "0.3"


def test_a_set_narrows_to_the_projects_on_the_ballot(db, constrained):
    """A set with only one project left on the ballot constrains nothing and is not written."""
    w = constrained
    w.projects[1].status = w.projects[1].status.__class__("withdrawn")
    db.session.commit()
    election = counting.election_for_pool(db.session, w.city)
    assert "incompatible_projects" not in election.meta


def test_the_results_page_says_why_in_both_languages(client, db, constrained):
    w = constrained
    _close_with_three_ballots(db, w)
    english = client.get("/m/testville/vote/results", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Not funded: a project it cannot be funded with was funded first" in english
    assert "It cannot be funded together with project C2, which was funded first." in english
    assert "Not counted: too few voters chose it" in english
    assert "0 voters chose it; a project needed 1 (30% of the voters) to be counted." in english
    greek = client.get("/m/testville/vote/results", headers={"Accept-Language": "el"}).get_data(as_text=True)
    assert "It cannot be funded together" not in greek and "C2" in greek
    assert "30%" in greek


def test_the_ballot_names_the_projects_that_exclude_each_other(client, login, db, constrained):
    w = constrained
    login(w.resident)
    page = client.get(f"/pools/{w.city.id}/ballot", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Projects that exclude each other" in page
    note = page[page.index("Projects that exclude each other"):page.index('class="ballot"')]
    assert w.projects[0].title in note and w.projects[1].title in note and "(One plot)" in note
    assert w.projects[2].title not in note
    greek = client.get(f"/pools/{w.city.id}/ballot", headers={"Accept-Language": "el"}).get_data(as_text=True)
    assert "Projects that exclude each other" not in greek and "(One plot)" in greek
    # A pool without sets shows no note.
    north = client.get(f"/pools/{w.north.id}/ballot").get_data(as_text=True)
    assert "(One plot)" not in north
