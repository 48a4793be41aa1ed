"""The clerks' voting desk through the test client: register, verification, paper ballots, sheets, closing."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.core.db import utcnow
from pb.processes.models import Phase, PhaseKind
from pb.voting import services
from pb.voting.models import Ballot, Channel, Participation, ReceiptRoot, TallyResult, VoterRegisterEntry


def count(db, model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def token(html: str) -> str:
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', html).group(1)


def upload(text: str | bytes, name: str = "file.csv"):
    return io.BytesIO(text.encode() if isinstance(text, str) else text), name


@pytest.fixture
def clerk(client, login, voting_world):
    """The test client, signed in as the world's clerk."""
    login(voting_world.clerk)
    return client


def test_the_desk_shows_the_register_and_the_ballots_per_pool(clerk, voting_world):
    w = voting_world
    page = clerk.get(f"/staff/voting/{w.process.id}").get_data(as_text=True)
    assert page.count("<h1>") == 1 and "Voting desk" in page
    assert re.search(r"Residents in the register</dt><dd>5<", page)
    assert re.search(r"Of voting age</dt><dd>4<", page)  # AB-1003 is born in 2015
    assert re.search(r"Register match at sign-up</dt><dd>1<", page)
    assert f'/staff/voting/pools/{w.city.id}/paper' in page and f'/staff/voting/pools/{w.north.id}/paper' in page
    assert "/staff/voting" in clerk.get("/staff/processes").get_data(as_text=True)
    assert "PB vote" in clerk.get("/staff/voting").get_data(as_text=True)


def test_register_import_reports_counts_and_a_bad_file_changes_nothing(clerk, db, voting_world):
    url = f"/staff/voting/{voting_world.process.id}/register"
    bad = clerk.post(url, data={"file": upload("reference,birth_year\nNEW-1,1980\nNEW-2,abc\nNEW-3,17\n")})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "The file was not imported" in text
    assert "line 3 has the birth year" in text and "line 4 has the birth year" in text
    assert count(db, VoterRegisterEntry) == 5
    latin1 = clerk.post(url, data={"file": upload("reference\nMÜLLER-1\n".encode("latin-1"))})
    assert "not UTF-8" in latin1.get_data(as_text=True) and count(db, VoterRegisterEntry) == 5
    assert "Choose the register file" in clerk.post(url, data={}).get_data(as_text=True)
    done = clerk.post(url, data={"file": upload("\ufeffreference,birth_year,district\nAB-1001,1980,north\n"
                                                "AB-1002,1976,north\nAB-2000,1999,north\n")}, follow_redirects=True)
    assert "1 added, 1 updated, 1 unchanged" in done.get_data(as_text=True)
    assert count(db, VoterRegisterEntry) == 6


def test_assisted_verification_finds_the_account_and_is_audited(clerk, db, voting_world):
    w = voting_world
    url = f"/staff/voting/{w.process.id}/assisted"
    unknown = clerk.post(url, data={"email": "nobody@example.org", "reference": "AB-1002", "note": "ID card seen"})
    assert "No account has this e-mail address" in unknown.get_data(as_text=True)
    no_note = clerk.post(url, data={"email": w.other.email, "reference": "AB-1002", "note": ""})
    assert "Say how you checked" in no_note.get_data(as_text=True)
    taken = clerk.post(url, data={"email": w.other.email, "reference": "AB-1001", "note": "ID card seen"})
    assert "already linked to another account" in taken.get_data(as_text=True)
    done = clerk.post(url, data={"email": w.other.email.upper(), "reference": "ab-1002", "note": "ID card seen"},
                      follow_redirects=True)
    assert "is verified for PB vote" in done.get_data(as_text=True)
    entry = db.session.scalar(sa.select(VoterRegisterEntry).where(VoterRegisterEntry.user_id == w.other.id))
    assert entry.verification.value == "assisted"
    assert count(db, AuditEvent, AuditEvent.action == "register.verify.assisted") == 1


def test_paper_ballots_from_the_keyboard(clerk, db, voting_world):
    w = voting_world
    url = f"/staff/voting/pools/{w.city.id}/paper"
    page = clerk.get(url).get_data(as_text=True)
    assert "autofocus" in re.search(r'<input[^>]*id="reference"[^>]*>', page).group(0)
    assert "separated by spaces" in page and "at most €100,000.00" in page and "C5" in page
    form = {"form_token": token(page), "reference": "AB-1002", "projects": "c1 C3", "channel": "paper", "sex": "F"}

    done = clerk.post(url, data=form)
    assert done.status_code == 302 and done.headers["Location"].endswith("channel=paper")
    after = clerk.get(done.headers["Location"]).get_data(as_text=True)
    assert "Ballot of AB-1002 entered (Paper)." in after and "Tracking code" not in after
    assert "c1 C3" not in after  # what was chosen never travels in the session cookie
    assert token(after) != form["form_token"]  # a fresh form for the next ballot
    ballot = db.session.scalars(sa.select(Ballot)).one()
    assert (ballot.channel, ballot.sex, [c.project_id for c in ballot.choices]) == (
        Channel.PAPER, "F", [w.projects[0].id, w.projects[2].id])

    # The same form sent again (a double click) adds nothing.
    clerk.post(url, data=form)
    assert count(db, Ballot) == 1 and count(db, Participation) == 1


@pytest.mark.parametrize(("typed", "message"), [
    ({"reference": "AB-1005", "projects": "C1 C2 C4"}, "more than the pool"),
    ({"reference": "AB-1005", "projects": "C1 C9"}, "“C9” is not the code of a project on this ballot"),
    ({"reference": "AB-1005", "projects": "C1:3"}, "this ballot gives no points"),
    ({"reference": "AB-1005", "projects": ""}, "Choose at least one project"),
    ({"reference": "ZZ-9999", "projects": "C1"}, "No resident in the register has this reference"),
    ({"reference": "AB-1003", "projects": "C1"}, "from the age of 16"),
    ({"reference": "AB-1001", "projects": "C1"}, "already voted online"),
])
def test_a_refused_paper_ballot_says_why_and_keeps_what_was_typed(clerk, db, voting_world, typed, message):
    from pb.voting import services
    from pb.voting.ballot_rules import Choice

    w = voting_world
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[4].id)], "online")
    db.session.commit()
    url = f"/staff/voting/pools/{w.city.id}/paper"
    response = clerk.post(url, data={"form_token": "t-1", "channel": "in_person", **typed})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and message in text
    assert f'value="{typed["reference"]}"' in text and '<option selected value="in_person">' in text
    if typed["projects"]:
        assert f'value="{typed["projects"]}"' in text
    assert count(db, Ballot) == 1


def test_paper_then_paper_again_is_refused_with_its_message(clerk, db, voting_world):
    w = voting_world
    url = f"/staff/voting/pools/{w.north.id}/paper"
    clerk.post(url, data={"form_token": "a", "reference": "AB-1002", "projects": "N1", "channel": "paper"})
    again = clerk.post(url, data={"form_token": "b", "reference": "AB-1002", "projects": "N2", "channel": "paper"})
    assert "already been entered" in again.get_data(as_text=True)
    assert count(db, Ballot) == 1


def test_a_sheets_file_enters_the_good_sheets_and_refuses_the_others(clerk, db, voting_world):
    w = voting_world
    url = f"/staff/voting/pools/{w.city.id}/sheets"
    assert "Ballot sheets" in clerk.get(url).get_data(as_text=True)
    sheets = ("reference,projects,channel\n"
              "AB-1002,C1 C5,paper\n"       # entered
              "AB-1005,C1 C2 C4,paper\n"    # over the budget
              "AB-1004,C2,in person\n"      # entered, in person
              "AB-1002,C3,paper\n"          # already entered two lines above
              "ZZ-1,C1,\n"                  # not in the register
              "AB-1001,C7,paper\n"          # no such project
              "AB-1003,C1,post\n")          # no such channel
    response = clerk.post(url, data={"file": upload(sheets)})
    text = response.get_data(as_text=True)
    assert "Sheets entered: 2. Refused: 5." in text
    for message in ("more than the pool", "already been entered", "No resident in the register has this reference",
                    "“C7” is not the code", "“post” is not a channel"):
        assert message in text
    assert count(db, Ballot) == 2 and count(db, Participation) == 2
    assert count(db, Ballot, Ballot.channel == Channel.IN_PERSON) == 1
    # The whole file again: every sheet refused, nothing changes.
    again = clerk.post(url, data={"file": upload(sheets)}).get_data(as_text=True)
    assert "Sheets entered: 0. Refused: 7." in again and count(db, Ballot) == 2


def test_a_sheets_file_without_its_columns_enters_nothing(clerk, db, voting_world):
    url = f"/staff/voting/pools/{voting_world.city.id}/sheets"
    text = clerk.post(url, data={"file": upload("ref,choices\nAB-1002,C1\n")}).get_data(as_text=True)
    assert "no column “reference”" in text and count(db, Ballot) == 0


@pytest.mark.breaks_vote_invariants
def test_reconciliation_compares_participations_and_ballots(clerk, db, voting_world):
    w = voting_world
    clerk.post(f"/staff/voting/pools/{w.north.id}/paper",
               data={"form_token": "a", "reference": "AB-1002", "projects": "N1", "channel": "paper"})
    url = f"/staff/voting/{w.process.id}/reconciliation"
    page = clerk.get(url).get_data(as_text=True)
    assert "Warning" not in page and "North" in page and "Equal" in page
    # A participation without its ballot (what the secrecy split must never allow) is flagged.
    db.session.add(Participation(pool_id=w.north.id, channel=Channel.PAPER))
    db.session.commit()
    page = clerk.get(url).get_data(as_text=True)
    assert "Warning: in North the participations (2) and the ballots (1) differ" in page and "Differs by 1" in page


def _move_voting(db, process, **dates) -> None:
    """Move the voting phase's dates (beneath the ORM, as the desk never does)."""
    db.session.execute(sa.update(Phase).where(Phase.process_id == process.id, Phase.kind == PhaseKind.VOTING)
                       .values(**dates))
    db.session.commit()


def _nothing_closed(db, process) -> bool:
    """Whether the vote is still open and uncounted, with no trace of a close."""
    db.session.refresh(process)
    return (process.vote_closed_at is None and count(db, TallyResult) == 0 and count(db, ReceiptRoot) == 0
            and count(db, AuditEvent, AuditEvent.action == "vote.close") == 0)


def test_closing_early_asks_for_the_reason_before_the_confirmation(clerk, db, voting_world):
    w = voting_world
    url = f"/staff/voting/{w.process.id}/close"
    ends_at = next(p.ends_at for p in w.process.phases if p.kind is PhaseKind.VOTING)
    # No reason, or too short a one: said on the first step, with the form as typed and no confirmation.
    for typed in ("", "Too soon"):
        refused = clerk.post(url, data={"reason": typed})
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422 and "give the reason for closing it early" in text
        assert "Close the vote and count now" not in text and 'name="confirmed"' not in text
        assert f"{typed}</textarea>" in text and "Please correct the following" in text
    # With a reason, the confirmation; the check before it closed and counted nothing.
    reason = "The council ends the vote early today."
    confirm = clerk.post(url, data={"reason": reason})
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Close the vote and count now" in text
    assert 'name="confirmed" value="yes"' in text and reason in text
    assert _nothing_closed(db, w.process)
    assert next(p.ends_at for p in w.process.phases if p.kind is PhaseKind.VOTING) == ends_at
    # A confirmation without the reason (an old or forged form) is still refused.
    no_reason = clerk.post(url, data={"reason": "", "confirmed": "yes"})
    assert no_reason.status_code == 422 and "give the reason for closing it early" in no_reason.get_data(as_text=True)
    assert _nothing_closed(db, w.process)
    done = clerk.post(url, data={"reason": reason, "confirmed": "yes"}, follow_redirects=True).get_data(as_text=True)
    assert "The vote is closed and counted" in done and "/m/testville/vote/results" in done
    db.session.refresh(w.process)
    assert w.process.vote_closed_at is not None
    assert count(db, AuditEvent, AuditEvent.action == "vote.close") == 1
    # Closing again is refused on the first step too.
    again = clerk.post(url, data={"reason": "Once more, to be sure."})
    text = again.get_data(as_text=True)
    assert again.status_code == 422 and "already closed" in text and "Close the vote and count now" not in text


def test_after_the_scheduled_end_the_close_needs_no_reason(clerk, db, voting_world):
    w = voting_world
    _move_voting(db, w.process, ends_at=utcnow() - dt.timedelta(hours=1))
    confirm = clerk.post(f"/staff/voting/{w.process.id}/close", data={"reason": ""})
    assert confirm.status_code == 200 and "Close the vote and count now" in confirm.get_data(as_text=True)
    assert _nothing_closed(db, w.process)


def test_a_vote_not_yet_open_cannot_be_closed_nor_confirmed(clerk, db, voting_world):
    w = voting_world
    _move_voting(db, w.process, starts_at=utcnow() + dt.timedelta(days=1))
    refused = clerk.post(f"/staff/voting/{w.process.id}/close", data={"reason": "The council ends the vote early."})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Voting has not started yet" in text
    assert "Close the vote and count now" not in text and _nothing_closed(db, w.process)


def test_the_desk_offers_ballot_entry_only_while_voting_is_open(clerk, db, voting_world):
    w = voting_world
    desk_url, paper_url = f"/staff/voting/{w.process.id}", f"/staff/voting/pools/{w.city.id}/paper"
    assert "Enter ballots of City-wide" in clerk.get(desk_url).get_data(as_text=True)
    starts_at = next(p.starts_at for p in w.process.phases if p.kind is PhaseKind.VOTING)
    _move_voting(db, w.process, starts_at=utcnow() + dt.timedelta(days=1))
    desk = clerk.get(desk_url).get_data(as_text=True)
    assert "Enter ballots of" not in desk and paper_url not in desk
    assert "Paper ballots can be entered only while voting is open." in desk
    page = clerk.get(paper_url).get_data(as_text=True)
    assert "Paper ballots can be entered only while voting is open." in page and 'id="reference"' not in page
    _move_voting(db, w.process, starts_at=starts_at)
    services.close_vote(w.clerk, w.process, "The council ends the vote early today.")
    db.session.commit()
    desk = clerk.get(desk_url).get_data(as_text=True)
    assert "Enter ballots of" not in desk and paper_url not in desk and "The vote was closed on" in desk
    page = clerk.get(paper_url).get_data(as_text=True)
    assert "The vote is closed and counted: no more ballots can be entered." in page
    assert 'id="reference"' not in page and "Enter the ballot" not in page
    sheets = clerk.get(f"/staff/voting/pools/{w.city.id}/sheets").get_data(as_text=True)
    assert "no more ballots can be entered" in sheets and 'type="file"' not in sheets
    # The entry itself still refuses a ballot sent anyway.
    late = clerk.post(paper_url, data={"form_token": "late", "reference": "AB-1002", "projects": "C1",
                                       "channel": "paper"})
    assert "Voting has closed" in late.get_data(as_text=True)
    sheet = clerk.post(f"/staff/voting/pools/{w.city.id}/sheets",
                       data={"file": upload("reference,projects\nAB-1002,C1\n")})
    assert "Voting has closed" in sheet.get_data(as_text=True)
    assert count(db, Ballot) == 0 and count(db, Participation) == 0


def test_residents_cannot_use_the_desk(client, login, voting_world):
    login(voting_world.resident)
    assert client.get(f"/staff/voting/{voting_world.process.id}").status_code == 403
    response = client.post(f"/staff/voting/pools/{voting_world.city.id}/paper",
                           data={"form_token": "x", "reference": "AB-1002", "projects": "C1", "channel": "paper"})
    assert response.status_code == 403


def test_a_clerk_invalidates_a_fraudulent_participation(clerk, db, voting_world):
    from pb.voting.ballot_rules import Choice
    from pb.voting.models import CountedBallot

    w = voting_world
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "f")
    db.session.commit()
    refused = clerk.post(f"/staff/voting/{w.process.id}/invalidate", data={"reference": "AB-1002",
                                                                          "reason": "Stolen reference reported."})
    assert "no valid participation" in refused.get_data(as_text=True)
    done = clerk.post(f"/staff/voting/{w.process.id}/invalidate", data={"reference": "AB-1001",
                                                                       "reason": "Stolen reference reported."})
    assert done.status_code == 302
    assert db.session.scalars(sa.select(CountedBallot.voided)).one() is True


# Annulling a whole pool ----------------------------------------------------------------------------------

def _vote_in_north(db, w):
    from pb.voting.ballot_rules import Choice

    services.cast_ballot(w.resident, w.north, [Choice(w.north_projects[0].id)], "north-1")
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "city-1")
    services.enter_paper_ballot(w.clerk, w.north, "AB-1002", [Choice(w.north_projects[1].id)], "paper-1")
    db.session.commit()


def test_annulling_a_pool_voids_its_ballots_and_no_other(app, db, voting_world):
    from pb.voting.models import CountedBallot

    w = voting_world
    _vote_in_north(db, w)
    with app.test_request_context():
        n = services.annul_pool(w.clerk, w.north, "Council decision 41/2026: mass registration in North.")
    db.session.commit()
    assert n == 2
    assert count(db, CountedBallot, CountedBallot.pool_id == w.north.id, CountedBallot.voided.is_(False)) == 0
    assert count(db, CountedBallot, CountedBallot.pool_id == w.city.id, CountedBallot.voided.is_(False)) == 1
    assert count(db, Participation, Participation.pool_id == w.north.id, Participation.invalidated_at.is_(None)) == 0
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "pool.annul")).scalar_one()
    assert event.actor_id == w.clerk.id and event.after["ballots_voided"] == 2
    assert set(event.after) == {"reason", "participations_invalidated", "ballots_voided"}  # no ballot named


def test_nobody_votes_in_an_annulled_pool(app, db, voting_world):
    from pb.errors import InvalidTransition
    from pb.voting.ballot_rules import Choice

    w = voting_world
    with app.test_request_context():
        services.annul_pool(w.clerk, w.north, "Council decision 41/2026: mass registration in North.")
        db.session.commit()
        with pytest.raises(InvalidTransition, match="annulled the vote"):
            services.cast_ballot(w.resident, w.north, [Choice(w.north_projects[0].id)], "north-1")
        db.session.rollback()
        with pytest.raises(InvalidTransition, match="annulled the vote"):
            services.enter_paper_ballot(w.clerk, w.north, "AB-1002", [Choice(w.north_projects[0].id)], "paper-1")
        db.session.rollback()
        services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "city-1")  # other pools go on
        db.session.commit()
        with pytest.raises(InvalidTransition, match="already annulled"):
            services.annul_pool(w.clerk, w.north, "Council decision 42/2026, to be sure.")


def test_what_cannot_be_annulled(app, db, voting_world, make_user):
    from pb.errors import InvalidTransition, NotAllowed, ValidationError

    w = voting_world
    with app.test_request_context():
        with pytest.raises(NotAllowed):
            services.annul_pool(w.resident, w.north, "Council decision 41/2026: mass registration.")
        with pytest.raises(ValidationError):
            services.annul_pool(w.clerk, w.north, "fraud")
        services.close_vote(w.clerk, w.process, "The council ends the vote early today.")
        db.session.commit()
        with pytest.raises(InvalidTransition, match="counted"):
            services.annul_pool(w.clerk, w.north, "Council decision 41/2026: mass registration.")


def test_the_close_counts_nothing_for_an_annulled_pool_and_everyone_sees_why(app, clerk, db, voting_world):
    from pb.voting.models import TallyResult

    w = voting_world
    _vote_in_north(db, w)
    page = f"/staff/voting/{w.process.id}/invalidate"
    assert "Annul the vote of a whole pool" in clerk.get(page).get_data(as_text=True)
    unticked = clerk.post(f"/staff/voting/{w.process.id}/annul", data={
        "annul-pool": w.north.id, "annul-reason": "Council decision 41/2026: mass registration in North."})
    assert unticked.status_code == 422 and "Tick the box" in unticked.get_data(as_text=True)
    done = clerk.post(f"/staff/voting/{w.process.id}/annul", data={
        "annul-pool": w.north.id, "annul-reason": "Council decision 41/2026: mass registration in North.",
        "annul-understood": "y"},
        follow_redirects=True)
    assert "The vote in North is annulled" in done.get_data(as_text=True)
    with app.test_request_context():
        services.close_vote(w.clerk, w.process, "The council ends the vote early today.")
    db.session.commit()
    assert {r.pool_id for r in db.session.scalars(sa.select(TallyResult))} == {w.city.id}
    visitor = app.test_client()
    results = visitor.get("/m/testville/vote/results").get_data(as_text=True)
    assert "annulled the vote in this pool" in results and "mass registration in North" in results
    assert "mass registration in North" in visitor.get("/m/testville/vote").get_data(as_text=True)
    from pb.reports.data import budget_annex

    with app.test_request_context():
        annex = {pool.name: pool for pool in budget_annex(w.process).pools}
    assert annex["North"].rule.startswith("Vote annulled") and annex["North"].projects == ()


def test_an_under_age_resident_is_not_told_they_may_vote_and_a_clerk_undoes_the_link(client, login, db,
                                                                                       voting_world):
    from pb.voting.ballot_rules import Choice

    w = voting_world
    login(w.other)
    # AB-1003 is born in 2015: a parent typed their child's entry.
    done = client.post(f"/m/{w.process.municipality.slug}/{w.process.slug}/verify",
                       data={"match-reference": "AB-1003", "match-birth_year": "2015"}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "you may vote" not in page and "you cannot vote this time" in page
    entry = db.session.scalar(sa.select(VoterRegisterEntry).where(VoterRegisterEntry.user_id == w.other.id))
    with client.session_transaction() as session:
        session.clear()  # signed out, so that the clerk signs in on the same client
    login(w.clerk)
    url = f"/staff/voting/{w.process.id}/unlink"
    short = client.post(url, data={"unlink-reference": "AB-1003", "unlink-reason": "wrong"})
    assert short.status_code == 422 and "Say in a sentence why the link is wrong" in short.get_data(as_text=True)
    undone = client.post(url, data={"unlink-reference": "AB-1003",
                                    "unlink-reason": "A parent's account was linked to their child's entry."},
                         follow_redirects=True)
    assert "The link was undone" in undone.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.user_id is None and entry.verification is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "register.unlink"))
    assert event.before["user_id"] == w.other.id and event.after["reason"].startswith("A parent's account")
    # The account can now be verified with the right entry.
    services.verify_by_register(w.other, w.process, "AB-1002", 1975)
    # A link used to vote is not undone.
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "t-unlink")
    db.session.commit()
    used = client.post(url, data={"unlink-reference": "AB-1001",
                                  "unlink-reason": "The resident says it was not them."})
    assert used.status_code == 422 and "A ballot was cast with this link" in used.get_data(as_text=True)


def test_a_register_file_is_refused_with_every_problem_at_once(clerk, db, voting_world):
    url = f"/staff/voting/{voting_world.process.id}/register"
    text = "reference;birth_year;district\nNEW-1;19x0;north\nNEW-2;1980;atlantis\nNEW-3;1990\n"
    page = clerk.post(url, data={"file": upload(text)}).get_data(as_text=True)
    assert "line 2 has the birth year" in page and "line 3 has the district “atlantis”" in page
    assert "line 4 has 3 values" not in page and "line 4 has 2 values where the first line names 3 columns" in page
    assert count(db, VoterRegisterEntry) == 5
