"""A submission whose response was lost, sent again, gets the same receipt and stores nothing twice.

Through real gunicorn: the first request is sent and its connection dropped before the answer is read
(the server still commits it), then the browser sends the same form (same form_token) again.
"""

from __future__ import annotations

import http.client
import secrets
import time

import pytest

from pb.voting.secrecy import receipt_hash
from tests.hardening import harness

# One worker runs every test that shares the session's gunicorn servers (pytest-xdist), so they start once.
pytestmark = pytest.mark.xdist_group("gunicorn")


def _send_and_drop(port: int, path: str, cookie: str, body: str) -> None:
    """Send a POST and close the connection without reading the answer: the response is lost."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", path, body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    connection.close()


def _wait_for(predicate, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the lost submission was never stored"
        time.sleep(0.05)


def test_lost_response_resent_gives_the_same_receipt_and_one_ballot(served):
    """Online: the resent form is answered with the receipt of the first, and one ballot is stored."""
    world, app = served.world, served.app
    resident = world.new_residents(1)[0]
    path, token = f"/pools/{world.pool_id}/ballot", secrets.token_urlsafe(24)
    body = harness.ballot_form(resident, world.project_ids[:2], token)
    before = harness.stored_vote(app, world.pool_id, resident.entry_id).ballots_in_pool
    _send_and_drop(served.port, path, resident.cookie, body)
    _wait_for(lambda: harness.stored_vote(app, world.pool_id, resident.entry_id).participations == 1)
    expected = harness.expected_receipt(app, world.pool_id, resident.entry_id, token)
    for _attempt in range(3):  # the browser's retry, and a reload of it
        again = harness.request(served.port, "POST", path, cookie=resident.cookie, body=body, app=app)
        assert again.is_receipt and again.receipt == expected, (again.status, again.location)
    stored = harness.stored_vote(app, world.pool_id, resident.entry_id)
    assert stored.participations == 1
    assert stored.counted == ((receipt_hash(expected), tuple(sorted(world.project_ids[:2]))),)
    assert stored.ballots_in_pool - before == 1
    # An old form sent after a change does not bring the old ballot back.
    changed = harness.ballot_form(resident, world.project_ids[2:3], secrets.token_urlsafe(24),
                                  harness.ballot_version(app, world.pool_id, resident.entry_id))
    assert harness.request(served.port, "POST", path, cookie=resident.cookie, body=changed, app=app).is_receipt
    stale = harness.request(served.port, "POST", path, cookie=resident.cookie, body=body, app=app)
    assert stale.status == 409 and "older than your current ballot" in stale.body, stale.status
    assert harness.stored_vote(app, world.pool_id, resident.entry_id).counted[0][1] == (world.project_ids[2],)
    assert harness.vote_problems(app) == []


def test_paper_ballot_form_sent_twice_is_entered_once(served):
    """The clerk's desk: the same paper ballot form sent again (a lost answer) adds nothing."""
    world, app = served.world, served.app
    resident = world.new_residents(1)[0]
    cookie, csrf = world.clerk()
    path = f"/staff/voting/pools/{world.pool_id}/paper"
    body = harness.paper_form(csrf, resident.reference, [world.project_codes[world.project_ids[0]]],
                              secrets.token_urlsafe(24))
    _send_and_drop(served.port, path, cookie, body)
    _wait_for(lambda: harness.stored_vote(app, world.pool_id, resident.entry_id).participations == 1)
    again = harness.request(served.port, "POST", path, cookie=cookie, body=body)
    assert again.status == 302 and "/paper" in again.location, again.status
    stored = harness.stored_vote(app, world.pool_id, resident.entry_id)
    assert stored.participations == 1 and stored.channels == ("paper",) and len(stored.counted) == 1
    assert harness.vote_problems(app) == []
