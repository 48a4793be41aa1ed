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
