"""Register, verification, casting, paper ballots and closing, through the services, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.core.db import utcnow
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.voting import services
from pb.voting.ballot_rules import Choice
from pb.voting.models import (Ballot, BallotChoice, Channel, CountedBallot, Participation, TallyResult,
                              VoterRegisterEntry, VotingCode)


def choices(*projects):
    return [Choice(p.id) for p in projects]


def count(db, model, **where):
    query = sa.select(sa.func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return db.session.scalar(query)


# --- register and verification ---

def test_register_stores_only_keyed_hashes(db, voting_world):
    entries = db.session.scalars(sa.select(VoterRegisterEntry)).all()
    assert len(entries) == 5
    assert all("AB" not in e.reference_hash and len(e.reference_hash) == 64 for e in entries)


def test_reimport_updates_and_counts(db, voting_world):
    w = voting_world
    result = services.import_register(w.clerk, w.process, "reference,birth_year,district\nAB-1001,1980,north\n"
                                                          "AB-1002,1976,north\nAB-2000,1999,north\n")
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)


def test_a_bad_register_file_changes_nothing(db, voting_world):
    w = voting_world
    with pytest.raises(ValidationError, match="line 3 has the birth year"):
        services.import_register(w.clerk, w.process, "reference,birth_year\nNEW-1,1980\nNEW-2,abc\n")
    with pytest.raises(ValidationError, match="line 2 has the district “south”, which is not a district of Testville"):
        services.import_register(w.clerk, w.process, "reference,birth_year,district\nNEW-1,1980,south\n")
    assert count(db, VoterRegisterEntry) == 5


def test_only_clerks_import_the_register(db, voting_world):
    with pytest.raises(NotAllowed):
        services.import_register(voting_world.other, voting_world.process, "reference\nX\n")


def test_register_match_gives_one_message_for_wrong_reference_and_wrong_year(db, voting_world):
    w = voting_world
    with pytest.raises(ValidationError) as wrong_year:
        services.verify_by_register(w.other, w.process, "AB-1002", 1900)
    with pytest.raises(ValidationError) as wrong_reference:
        services.verify_by_register(w.other, w.process, "ZZ-9", 1975)
    assert str(wrong_year.value) == str(wrong_reference.value)


def test_an_entry_links_to_one_account(db, voting_world):
    w = voting_world
    with pytest.raises(NotAllowed, match="already linked to another account"):
        services.verify_by_register(w.other, w.process, "AB-1001", 1980)
    with pytest.raises(InvalidTransition, match="already verified"):
        services.verify_by_register(w.resident, w.process, "AB-1002", 1975)


def test_voting_codes_work_once(db, voting_world):
    w = voting_world
    letters = services.issue_codes(w.clerk, w.process, ["AB-1002"])
    assert letters[0].district == "North" and len(letters[0].code) == 14
    entry = services.redeem_code(w.other, w.process, letters[0].code.lower())
    assert entry.user_id == w.other.id and entry.verification.value == "code"
    third = w.clerk  # any other account
    with pytest.raises(ValidationError, match="already been used"):
        services.redeem_code(third, w.process, letters[0].code)


def test_a_new_code_revokes_the_old_one(db, voting_world):
    w = voting_world
    first = services.issue_codes(w.clerk, w.process, ["AB-1002"])[0].code
    services.issue_codes(w.clerk, w.process, ["AB-1002"])
    with pytest.raises(ValidationError, match="not valid"):
        services.redeem_code(w.other, w.process, first)
    assert count(db, VotingCode) == 2


def test_codes_for_unknown_references_are_refused(db, voting_world):
    with pytest.raises(ValidationError, match="not in the register: NOPE"):
        services.issue_codes(voting_world.clerk, voting_world.process, ["AB-1002", "NOPE"])


def test_assisted_verification_is_audited(db, voting_world):
    w = voting_world
    with pytest.raises(ValidationError):
        services.verify_assisted(w.clerk, w.other, w.process, "AB-1002", "")
    services.verify_assisted(w.clerk, w.other, w.process, "AB-1002", "Passport seen")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "register.verify.assisted")).one()
    assert event.actor_id == w.clerk.id and event.after["note"] == "Passport seen"
    with pytest.raises(NotAllowed):
        services.verify_assisted(w.other, w.resident, w.process, "AB-1003", "Passport seen")


# --- casting ---

def test_cast_change_and_repeat(db, voting_world):
    w = voting_world
    first = services.cast_ballot(w.resident, w.city, choices(w.projects[0], w.projects[1]), "form-1")
    again = services.cast_ballot(w.resident, w.city, choices(w.projects[0], w.projects[1]), "form-1")
    assert again.code == first.code and again.repeated
    changed = services.cast_ballot(w.resident, w.city, choices(w.projects[4]), "form-2",
                                   based_on=services.ballot_version(w.resident, w.city))
    assert changed.changed and changed.code != first.code
    db.session.commit()
    # The first ballot stays as written; the counted ballot now points at the second.
    assert count(db, Participation) == 1 and count(db, Ballot) == 2 and count(db, CountedBallot) == 1
    ballot = db.session.get(Ballot, db.session.scalars(sa.select(CountedBallot.ballot_id)).one())
    assert [c.project_id for c in ballot.choices] == [w.projects[4].id]
    # The first form, sent again after the change, is refused instead of bringing the old ballot back.
    with pytest.raises(services.StaleBallot, match="older than your current ballot"):
        services.cast_ballot(w.resident, w.city, choices(w.projects[0], w.projects[1]), "form-1",
                             based_on=services.ballot_version(w.resident, w.city))
    counted = db.session.get(Ballot, db.session.scalars(sa.select(CountedBallot.ballot_id)).one())
    assert [c.project_id for c in counted.choices] == [w.projects[4].id]


def test_ballot_carries_coarse_demographics_only(db, voting_world):
    w = voting_world
    services.cast_ballot(w.resident, w.city, choices(w.projects[0]), "f", sex="F")
    ballot = db.session.scalars(sa.select(Ballot)).one()
    assert (ballot.age_band, ballot.sex, ballot.district_code, ballot.channel) == ("35-64", "F", "north", Channel.ONLINE)


def test_a_ballot_breaking_the_rules_is_refused_and_nothing_is_stored(db, voting_world):
    w = voting_world
    with pytest.raises(services.BallotInvalid) as refused:
        services.cast_ballot(w.resident, w.city, choices(w.projects[0], w.projects[1], w.projects[3]), "f")
    assert [v.code for v in refused.value.violations] == ["over_budget"]
    assert "€120,000.00" in str(refused.value)
    db.session.rollback()
    assert count(db, Participation) == 0 and count(db, Ballot) == 0


def test_a_project_of_another_pool_is_refused(db, voting_world):
    w = voting_world
    with pytest.raises(services.BallotInvalid, match="not on this ballot"):
        services.cast_ballot(w.resident, w.city, choices(w.north_projects[0]), "f")


def test_unverified_young_and_other_district_residents_are_refused(db, voting_world, make_user):
    w = voting_world
    with pytest.raises(NotAllowed, match="Verify"):
        services.cast_ballot(w.other, w.city, choices(w.projects[0]), "f")
    young = make_user()
    services.verify_by_register(young, w.process, "AB-1003", 2015)
    with pytest.raises(NotAllowed, match="from the age of 16"):
        services.cast_ballot(young, w.city, choices(w.projects[0]), "f")
    no_district = make_user()
    services.verify_by_register(no_district, w.process, "AB-1004", 1990)
    with pytest.raises(NotAllowed, match="another district"):
        services.cast_ballot(no_district, w.north, choices(w.north_projects[0]), "f")
    assert [p.name for p in services.eligible_pools(services.register_entry_for(no_district, w.process), w.process)] \
        == ["City-wide"]


def test_voting_outside_the_phase_is_refused(db, voting_world):
    w = voting_world
    with pytest.raises(NotAllowed, match="no longer possible"):
        services.cast_ballot(w.resident, w.city, choices(w.projects[0]), "f", now=utcnow() + dt.timedelta(days=30))


def test_paper_then_online_is_refused_and_the_other_way_round(db, voting_world, make_user):
    w = voting_world
    services.enter_paper_ballot(w.clerk, w.city, "AB-1001", choices(w.projects[0]), "paper-1")
    with pytest.raises(services.AlreadyVoted, match="already voted on paper"):
        services.cast_ballot(w.resident, w.city, choices(w.projects[1]), "f")
    with pytest.raises(services.AlreadyVoted, match="already been entered"):
        services.enter_paper_ballot(w.clerk, w.city, "AB-1001", choices(w.projects[1]), "paper-2")
    online = make_user()
    services.verify_by_register(online, w.process, "AB-1002", 1975)
    services.cast_ballot(online, w.city, choices(w.projects[1]), "f")
    with pytest.raises(services.AlreadyVoted, match="already voted online"):
        services.enter_paper_ballot(w.clerk, w.city, "AB-1002", choices(w.projects[0]), "paper-3")
    assert count(db, Ballot) == 2 and count(db, Ballot, channel=Channel.PAPER) == 1


def test_residents_cannot_enter_paper_ballots(db, voting_world):
    with pytest.raises(NotAllowed):
        services.enter_paper_ballot(voting_world.resident, voting_world.city, "AB-1002", [], "x")


def test_the_ballot_table_holds_nothing_that_points_at_a_person(db):
    columns = {c.name for c in Ballot.__table__.columns} | {c.name for c in BallotChoice.__table__.columns}
    assert not {"user_id", "register_entry_id", "participation_id", "created_at", "updated_at"} & columns
    targets = {fk.column.table.name for t in (Ballot.__table__, BallotChoice.__table__) for fk in t.foreign_keys}
    assert targets == {"pool", "ballot", "project"}


# --- closing ---

def test_close_counts_every_pool_and_stores_the_results(db, voting_world, make_user):
    w = voting_world
    services.cast_ballot(w.resident, w.city, choices(w.projects[0], w.projects[1]), "f")
    services.cast_ballot(w.resident, w.north, choices(w.north_projects[1]), "f")
    services.enter_paper_ballot(w.clerk, w.city, "AB-1002", choices(w.projects[1], w.projects[4]), "p")
    db.session.commit()
    with pytest.raises(ValidationError, match="reason"):
        services.close_vote(w.clerk, w.process)
    results = services.close_vote(w.clerk, w.process, reason="The council decided to end the vote today.")
    db.session.commit()
    official = {r.pool_id: r for r in results if r.is_official}
    assert set(official) == {w.city.id, w.north.id}
    city = official[w.city.id]
    assert city.rule == "greedy" and city.ballots_counted == 2 and len(city.input_hash) == 64
    funded = {rp.project_id for rp in city.projects if rp.selected}
    assert funded == {w.projects[0].id, w.projects[1].id, w.projects[4].id}
    assert {r.rule for r in results if r.pool_id == w.city.id} >= {"greedy", "equalshares/add1", "phragmen"}
    db.session.refresh(w.projects[2])
    assert w.projects[2].status.value == "not_selected"
    with pytest.raises(InvalidTransition, match="already closed"):
        services.close_vote(w.clerk, w.process)
    with pytest.raises(InvalidTransition, match="closed"):
        services.cast_ballot(w.resident, w.city, choices(w.projects[2]), "g")


def test_a_recount_reproduces_the_stored_result(db, voting_world):
    from pb.voting import counting

    w = voting_world
    services.cast_ballot(w.resident, w.city, choices(w.projects[2], w.projects[4]), "f")
    services.close_vote(w.clerk, w.process, reason="Closing for the test of a recount.")
    db.session.commit()
    stored = db.session.scalars(sa.select(TallyResult).where(TallyResult.pool_id == w.city.id,
                                                             TallyResult.is_official)).one()
    election = counting.election_for_pool(db.session, w.city)
    assert counting.input_hash(election) == stored.input_hash
    again = counting.count_pool(election, w.process.tally_rule, w.process.tie_break)[0].outcome
    assert {rp.project_id for rp in stored.projects if rp.selected} == {
        p.id for p in w.projects if p.code in again.selected}


def test_closing_before_voting_starts_is_refused(db, make_process, make_user):
    process = make_process(vote_in_days=5)
    with pytest.raises(InvalidTransition, match="not started"):
        services.close_vote(make_user(role="clerk"), process)


def test_ballot_rules_are_fixed_once_voting_starts(db, voting_world, make_process):
    w = voting_world
    w.city.max_choices = 2
    with pytest.raises(InvalidTransition, match="fixed: voting has started"):
        db.session.flush()
    db.session.rollback()
    later = make_process(slug="later", vote_in_days=5)
    later.pools[0].max_choices = 3
    db.session.commit()
    assert later.pools[0].max_choices == 3


def test_a_fraudulent_participation_is_invalidated_and_its_ballot_voided_unseen(db, voting_world):
    w = voting_world
    services.cast_ballot(w.resident, w.city, choices(w.projects[0]), "f")
    services.cast_ballot(w.resident, w.north, choices(w.north_projects[0]), "f")
    db.session.commit()
    participation = db.session.scalars(sa.select(Participation).where(Participation.pool_id == w.city.id)).one()
    with pytest.raises(ValidationError):
        services.invalidate_participation(w.clerk, participation, "")
    with pytest.raises(NotAllowed):
        services.invalidate_participation(w.resident, participation, "Registered with a stolen reference.")
    services.invalidate_participation(w.clerk, participation, "Registered with a stolen reference.")
    db.session.commit()
    assert db.session.scalars(sa.select(CountedBallot.voided).where(CountedBallot.pool_id == w.city.id)).one() is True
    assert db.session.scalars(sa.select(CountedBallot.voided).where(CountedBallot.pool_id == w.north.id)).one() is False
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "participation.invalidate")).one()
    ballot_id = db.session.scalars(sa.select(Ballot.id).where(Ballot.pool_id == w.city.id)).one()
    assert ballot_id not in str(event.after) and event.after["ballot_voided"] is True
    with pytest.raises(InvalidTransition, match="invalidated by the council|already"):
        services.invalidate_participation(w.clerk, participation, "Registered with a stolen reference.")
    with pytest.raises(NotAllowed, match="invalidated"):
        services.cast_ballot(w.resident, w.city, choices(w.projects[1]), "g")
    results = services.close_vote(w.clerk, w.process, reason="Closing after the fraud was handled.")
    assert next(r for r in results if r.is_official and r.pool_id == w.city.id).ballots_counted == 0


def test_a_paper_form_sent_twice_enters_one_ballot_and_is_audited_once(db, voting_world):
    w = voting_world
    first = services.enter_paper_ballot(w.clerk, w.city, "AB-1002", choices(w.projects[0]), "sheet-1")
    again = services.enter_paper_ballot(w.clerk, w.city, "AB-1002", choices(w.projects[0]), "sheet-1")
    assert again.repeated and again.code == first.code
    assert count(db, Ballot) == 1
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "ballot.paper_entered")).all()
    assert len(events) == 1 and events[0].after == {"register_entry_id": events[0].after["register_entry_id"],
                                                    "channel": "paper"}
