"""The voting booth residents can trust: the tracking code kept for the session (never in a cookie), no ballot
replaced unseen, a ballot change that starts empty, the review step."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from pb.voting.models import Ballot, CountedBallot, KeptReceipt


def form_token(html: str) -> str:
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', html).group(1)


def _code(html: str) -> str:
    return re.search(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>", html).group(1)


def _session_data(client) -> dict:
    """What anyone holding the browser's session cookie can read from it (it is signed, not encrypted)."""
    app = client.application
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"], domain=app.config["SERVER_NAME"] or "localhost")
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def _cast(client, pool_id: int, project_ids: list[int]):
    page = client.get(f"/pools/{pool_id}/ballot").get_data(as_text=True)
    return client.post(f"/pools/{pool_id}/ballot", data={
        "form_token": form_token(page), "based_on": _based_on(page), "action": "cast",
        "project": [str(p) for p in project_ids]})


def _based_on(html: str) -> str:
    found = re.search(r'name="based_on" type="hidden" value="([^"]*)"', html)
    return found.group(1) if found else ""


def test_the_code_survives_reload_and_language_switch_and_goes_at_sign_out(app, client, login, db, voting_world):
    w = voting_world
    login(w.resident)
    done = _cast(client, w.city.id, [w.projects[0].id])
    assert done.status_code == 302
    first = client.get(done.headers["Location"])
    code = _code(first.get_data(as_text=True))
    assert 'data-focus-on-load' in first.get_data(as_text=True)
    assert code in client.get(done.headers["Location"]).get_data(as_text=True)  # a reload
    switched = client.post("/language", data={"language": "el", "next": done.headers["Location"]})
    greek = client.get(switched.headers["Location"]).get_data(as_text=True)
    assert code in greek and 'lang="el"' in greek
    download = client.get(f"/pools/{w.city.id}/receipt.txt")
    assert download.status_code == 200 and code in download.get_data(as_text=True)
    assert "attachment" in download.headers["Content-Disposition"]
    client.post("/logout")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KeptReceipt)) == 0
    login(w.resident)
    again = client.get(f"/pools/{w.city.id}/receipt")
    assert again.status_code == 302 and again.headers["Location"].endswith("/vote")


def test_the_session_cookie_holds_no_tracking_code_and_no_ballot_reference(app, client, login, db, voting_world):
    w = voting_world
    login(w.resident)
    done = _cast(client, w.city.id, [w.projects[0].id, w.projects[1].id])
    code = _code(client.get(done.headers["Location"]).get_data(as_text=True))
    ballot_id, receipt_hash = db.session.execute(
        sa.select(Ballot.id, Ballot.receipt_hash).join(CountedBallot, CountedBallot.ballot_id == Ballot.id)).one()
    readable = json.dumps(_session_data(client))
    for secret in (code, code.replace("-", ""), ballot_id, receipt_hash):
        assert secret not in readable
    # Nor the pool voted in or the projects chosen.
    assert not re.search(rf"\b{w.city.id}\b", json.dumps(
        {k: v for k, v in _session_data(client).items() if k not in ("_user_id", "_id", "csrf_token")}))
    # The stored row alone does not read as the code either.
    sealed = db.session.scalar(sa.select(KeptReceipt.sealed))
    assert code not in sealed and code.replace("-", "") not in sealed
def test_a_code_kept_on_another_session_or_changed_since_is_not_shown(app, client, login, db, voting_world):
    w = voting_world
    login(w.resident)
    done = _cast(client, w.city.id, [w.projects[0].id])
    location = done.headers["Location"]
    other = app.test_client()
    from tests.conftest import sign_in_through_forms

    sign_in_through_forms(other, w.resident)
    assert other.get(location).status_code == 302  # the other device never saw this code
    changed = client.get(f"/pools/{w.city.id}/ballot?change=1").get_data(as_text=True)
    client.post(f"/pools/{w.city.id}/ballot", data={"form_token": form_token(changed),
                                                    "based_on": _based_on(changed), "action": "cast",
                                                    "project": [str(w.projects[1].id)]})
    assert "Your ballot is changed" in client.get(location).get_data(as_text=True)



def test_a_form_from_a_tab_opened_before_the_ballot_was_cast_is_refused(client, login, db, voting_world):
    w = voting_world
    login(w.resident)
    tab_a = client.get(f"/pools/{w.city.id}/ballot").get_data(as_text=True)
    assert _cast(client, w.city.id, [w.projects[1].id]).status_code == 302  # in tab B
    stale = client.post(f"/pools/{w.city.id}/ballot", data={
        "form_token": form_token(tab_a), "based_on": _based_on(tab_a), "action": "cast",
        "project": [str(w.projects[0].id)]})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "older than your current ballot" in text
    assert f'href="/pools/{w.city.id}/ballot"' in text
    counted = db.session.scalar(sa.select(CountedBallot.ballot_id))
    assert [c.project_id for c in db.session.get(Ballot, counted).choices] == [w.projects[1].id]


def test_back_and_send_again_with_other_choices_is_refused_the_same_choices_give_the_same_code(
        client, login, db, voting_world):
    w = voting_world
    login(w.resident)
    page = client.get(f"/pools/{w.city.id}/ballot").get_data(as_text=True)
    sent = {"form_token": form_token(page), "based_on": _based_on(page), "action": "cast",
            "project": [str(w.projects[0].id)]}
    first = client.post(f"/pools/{w.city.id}/ballot", data=sent)
    code = _code(client.get(first.headers["Location"]).get_data(as_text=True))
    again = client.post(f"/pools/{w.city.id}/ballot", data=sent)  # a lost response: the same form again
    assert code in client.get(again.headers["Location"]).get_data(as_text=True)
    other = client.post(f"/pools/{w.city.id}/ballot", data={**sent, "project": [str(w.projects[2].id)]})
    assert other.status_code == 409 and "older than your current ballot" in other.get_data(as_text=True)
    counted = db.session.scalar(sa.select(CountedBallot.ballot_id))
    assert [c.project_id for c in db.session.get(Ballot, counted).choices] == [w.projects[0].id]


def test_changing_a_ballot_is_an_explicit_step_and_starts_empty(client, login, db, voting_world):
    w = voting_world
    login(w.resident)
    _cast(client, w.city.id, [w.projects[0].id, w.projects[1].id])
    step = client.get(f"/pools/{w.city.id}/ballot").get_data(as_text=True)
    assert "the earlier tracking code stops counting" in step and "Until you cast the new ballot, the earlier one counts" in step
    assert 'name="project"' not in step  # no form yet: changing is a step of its own
    fresh = client.get(f"/pools/{w.city.id}/ballot?change=1").get_data(as_text=True)
    assert 'name="project"' in fresh and "checked" not in fresh
    changed = client.post(f"/pools/{w.city.id}/ballot", data={
        "form_token": form_token(fresh), "based_on": _based_on(fresh), "action": "cast",
        "project": [str(w.projects[4].id)]})
    assert "Your ballot is changed" in client.get(changed.headers["Location"]).get_data(as_text=True)


def test_a_change_through_the_service_must_name_the_ballot_it_replaces(db, voting_world):
    from pb.voting import services
    from pb.voting.ballot_rules import Choice

    w = voting_world
    assert services.ballot_version(w.resident, w.city) == ""
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "form-1")
    version = services.ballot_version(w.resident, w.city)
    assert version and len(version) == 32
    import pytest

    with pytest.raises(services.StaleBallot):
        services.cast_ballot(w.resident, w.city, [Choice(w.projects[1].id)], "form-2")
    assert services.cast_ballot(w.resident, w.city, [Choice(w.projects[1].id)], "form-3", based_on=version).changed


def test_the_budget_bar_counts_spent_left_and_projects_and_the_review_lists_the_choices(client, login, db,
                                                                                       voting_world):
    w = voting_world
    login(w.resident)
    page = client.get(f"/pools/{w.city.id}/ballot").get_data(as_text=True)
    assert "Spent: <strong data-total" in page and "€100,000.00</strong>" in page  # nothing spent, all left
    chosen = {"form_token": form_token(page), "based_on": "", "project": [str(w.projects[0].id), str(w.projects[1].id)]}
    review = client.post(f"/pools/{w.city.id}/ballot", data={**chosen, "action": "review"})
    text = review.get_data(as_text=True)
    assert review.status_code == 200 and "Review your ballot" in text
    assert w.projects[0].title in text and w.projects[1].title in text and w.projects[2].title not in text
    assert re.search(r"data-review-total>€70,000.00<", text)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0  # reviewing casts nothing
    edit = client.post(f"/pools/{w.city.id}/ballot", data={**chosen, "action": "edit"}).get_data(as_text=True)
    assert re.search(r"data-total[^>]*>€70,000.00<", edit) and re.search(r"data-left[^>]*>€30,000.00<", edit)
    assert re.search(r"data-count>2<", edit) and edit.count("checked") == 2
    done = client.post(f"/pools/{w.city.id}/ballot", data={**chosen, "action": "cast"})
    receipt = client.get(done.headers["Location"]).get_data(as_text=True)
    # The receipt proves the ballot was counted, not what it chose.
    assert all(p.title not in receipt and p.code not in receipt.split("<main")[1] for p in w.projects)


def test_a_cumulative_ballot_counts_points_given_and_left(client, login, db, voting_world):
    from pb.processes.models import BallotKind, Pool

    w = voting_world
    # Straight to the table: the models refuse to change ballot rules once voting has started.
    db.session.execute(sa.update(Pool).where(Pool.id == w.city.id).values(
        ballot_kind=BallotKind.CUMULATIVE, total_points=10, max_choices=None))
    db.session.commit()
    login(w.resident)
    page = client.get(f"/pools/{w.city.id}/ballot").get_data(as_text=True)
    edit = client.post(f"/pools/{w.city.id}/ballot", data={
        "form_token": form_token(page), "action": "edit", f"points-{w.projects[0].id}": "3",
        f"points-{w.projects[1].id}": "4"}).get_data(as_text=True)
    assert re.search(r"data-total>7<", edit) and re.search(r"data-left>3<", edit) and re.search(r"data-count>2<", edit)


def test_the_ballot_shows_image_summary_filters_and_a_shuffle_of_the_voters_own(client, login, db, voting_world):
    from pb.processes.models import BallotOrder, Process
    from pb.proposals.models import ProjectImage

    w = voting_world
    db.session.add(ProjectImage(project_id=w.projects[2].id, content_type="image/png", data=b"\x89PNG", byte_size=4,
                                width=40, height=30, sha256="0" * 64, alt_text="The square today"))
    db.session.execute(sa.update(Process).where(Process.id == w.process.id).values(ballot_order=BallotOrder.RANDOM))
    db.session.commit()
    login(w.resident)
    page = client.get(f"/pools/{w.city.id}/ballot").get_data(as_text=True)
    assert f'/projects/{w.projects[2].id}/images/' in page and 'alt="The square today"' in page
    assert "A summary" in page and 'data-filter="category"' in page
    order = re.findall(r'data-code="([^"]+)"', page)
    assert sorted(order) == sorted(p.code for p in w.projects)
    assert re.findall(r'data-code="([^"]+)"', client.get(f"/pools/{w.city.id}/ballot").get_data(as_text=True)) == order
    assert "shuffled for you" in page
    # Another voter (another session) gets another order: over a few sessions, at least two orders differ.
    orders = {tuple(order)}
    for _n in range(6):
        other = client.application.test_client()
        from tests.conftest import sign_in_through_forms

        sign_in_through_forms(other, w.resident)
        orders.add(tuple(re.findall(r'data-code="([^"]+)"', other.get(f"/pools/{w.city.id}/ballot").get_data(as_text=True))))
    assert len(orders) > 1


def test_the_project_page_links_to_the_ballot_while_voting_is_open(client, login, db, voting_world):
    from pb.proposals.models import ProjectStatus

    w = voting_world
    assert w.projects[0].status is ProjectStatus.ON_BALLOT
    page = client.get(f"/projects/{w.projects[0].id}").get_data(as_text=True)
    assert f'href="/pools/{w.city.id}/ballot"' in page and "Go to the ballot" in page


def test_a_voting_code_typed_with_greek_look_alike_capitals_is_read_as_latin(db, voting_world, make_user):
    from pb.voting import secrecy, services

    w = voting_world
    letter = services.issue_codes(w.clerk, w.process, ["AB-1005"])[0]
    latin, greek = "ABEZHIKMNOPTYX", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"
    typed = letter.code.translate(str.maketrans(latin, greek)).lower()
    assert secrecy.code_hash(b"k", "ΤΧΚΒ-ΜΕΑΗ-ΙΝΟΡ") == secrecy.code_hash(b"k", "TXKB-MEAH-INOP")
    assert secrecy.receipt_hash("ΑΒCD-ΕFGΗ") == secrecy.receipt_hash("ABCD-EFGH")
    resident = make_user()
    assert services.redeem_code(resident, w.process, typed) is not None


def test_the_receipts_page_checks_a_hash_never_takes_the_code_and_shows_the_roots(client, login, db, voting_world):
    from pb.voting import services
    from pb.voting.secrecy import receipt_hash

    w = voting_world
    login(w.resident)
    code = _code(client.get(_cast(client, w.city.id, [w.projects[0].id]).headers["Location"]).get_data(as_text=True))
    services.record_receipt_root(w.process, "hourly")
    db.session.commit()
    page = client.get("/m/testville/vote/receipts").get_data(as_text=True)
    # The code's box has no name, so a browser never sends it; the hash box is what the form sends.
    assert re.search(r'<input id="tracking-code"(?![^>]*name=)[^>]*>', page) and 'name="receipt_hash"' in page
    assert "receipts.js" in page and "Receipt roots" in page and "During the vote" in page
    found = client.post("/m/testville/vote/receipts", data={"receipt_hash": receipt_hash(code).upper()})
    assert "This ballot is recorded" in found.get_data(as_text=True)
    # The code itself is not taken: only a hash is.
    sent_code = client.post("/m/testville/vote/receipts", data={"receipt_hash": code, "code": code})
    assert "This ballot is recorded" not in sent_code.get_data(as_text=True)
    assert "Give the 64 letters and digits" in sent_code.get_data(as_text=True)

