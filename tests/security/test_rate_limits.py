"""Rate limits per address and per account on sign-in, second-factor codes, voting codes (the verify page) and
ballots: 429 with Retry-After, counted in Redis so that every app server sees the others' hits (ASVS V2.2.1,
V11.1.4).

The Redis tests need PB_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/13); without it they are skipped, unless
PB_REQUIRE_REDIS=1 (as in CI) makes its absence a failure.
"""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
import uuid

import pytest

from tests.conftest import TEST_CONFIG, sign_in_through_forms
from tests.voting.conftest import voting_world  # noqa: F401  (the fixture is used below)

REDIS_URL = os.environ.get("PB_TEST_REDIS_URL")


def _client(app, address: str):
    """A client of its own (own cookies) coming from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def assert_limited(response) -> None:
    assert response.status_code == 429, response.status_code
    assert int(response.headers["Retry-After"]) > 0


def test_sign_in_is_limited_per_address_and_per_account(make_app, make_user):
    app = make_app(PB_LOGIN_LIMIT_PER_ADDRESS="3 per minute", PB_LOGIN_LIMIT_PER_ACCOUNT="2 per minute")
    with app.app_context():
        from pb.extensions import limiter

        limiter.reset()
        user = make_user()
        # Per account: the same account from three addresses.
        for n in range(2):
            assert _client(app, f"10.0.0.{n}").post("/login", data={"email": user.email, "password": "x"}).status_code == 200
        assert_limited(_client(app, "10.0.0.9").post("/login", data={"email": user.email, "password": "x"}))
        # Per address: three other accounts from one address.
        client = _client(app, "10.0.1.1")
        for n in range(3):
            assert client.post("/login", data={"email": f"u{n}@example.org", "password": "x"}).status_code == 200
        assert_limited(client.post("/login", data={"email": "u9@example.org", "password": "x"}))


def test_voting_codes_are_limited_per_address_and_per_account(app, voting_world, make_user):  # noqa: F811
    app.config["PB_VERIFY_LIMIT"] = "2 per hour"
    verify = "/m/testville/vote/verify"
    guess = {"code-code": "NOPE-NOPE-NOPE"}
    # Per account: one resident guessing codes from three addresses.
    resident = voting_world.other
    clients = [_client(app, f"10.1.0.{n}") for n in range(3)]
    for client in clients:
        sign_in_through_forms(client, resident)
    for client in clients[:2]:
        assert client.post(verify, data=guess).status_code == 422
    assert_limited(clients[2].post(verify, data=guess))
    # Per address: other residents behind one address.
    for n in range(3):
        client = _client(app, "10.1.1.1")
        sign_in_through_forms(client, make_user())
        response = client.post(verify, data=guess)
        if n < 2:
            assert response.status_code == 422
        else:
            assert_limited(response)


def test_ballots_are_limited_per_account(app, voting_world):  # noqa: F811
    app.config["PB_BALLOT_LIMIT"] = "2 per minute"
    w = voting_world
    path = f"/pools/{w.city.id}/ballot"
    clients = [_client(app, f"10.2.0.{n}") for n in range(3)]
    for client in clients:
        sign_in_through_forms(client, w.resident)
    for client in clients[:2]:
        assert client.post(path, data={"project": [str(w.projects[0].id)], "action": "check"}).status_code != 429
    assert_limited(clients[2].post(path, data={"project": [str(w.projects[0].id)], "action": "check"}))


# Shared counters ---------------------------------------------------------------------------------

@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        if os.environ.get("PB_REQUIRE_REDIS") == "1":
            pytest.fail("PB_TEST_REDIS_URL is not set but PB_REQUIRE_REDIS=1: start Redis and point it there")
        pytest.skip("PB_TEST_REDIS_URL is not set: the shared rate-limit tests are skipped")
    return REDIS_URL


# A second app server: another process, with its own app and its own limiter, on the same database and Redis.
# (Two apps in one process would share the one Flask-Limiter object, and so prove nothing.)
_OTHER_SERVER = """
import json, sys
from pb import create_app
config, address = json.loads(sys.argv[1]), sys.argv[2]
app = create_app(config)
with app.app_context():
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    response = client.post("/login", data={"email": "someone@example.org", "password": "x"})
    print(json.dumps({"status": response.status_code, "retry_after": response.headers.get("Retry-After")}))
"""


def _other_server(config: dict, address: str) -> dict:
    result = subprocess.run([sys.executable, "-c", _OTHER_SERVER, json.dumps(config), address], capture_output=True,
                            text=True, timeout=120, check=False, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_app_servers_share_their_counters_through_redis(make_app, database_url, redis_url):
    # An address of this run only, so that other runs on the same Redis count apart. (Not a key prefix:
    # Flask-Limiter keeps the first one it was given for every later app of the process.)
    address = "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])
    settings = {"RATELIMIT_STORAGE_URI": redis_url, "PB_LOGIN_LIMIT_PER_ADDRESS": "3 per minute"}
    first = make_app(**settings)
    with first.app_context():
        client = _client(first, address)
        for n in range(3):
            assert client.post("/login", data={"email": f"u{n}@example.org", "password": "x"}).status_code == 200
    other = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **settings}
    # The second server refuses the fourth attempt from that address: it sees the first server's three.
    answer = _other_server(other, address)
    assert answer["status"] == 429 and int(answer["retry_after"]) > 0
    # With counters of its own (a key prefix), the same attempt passes: the refusal came from the shared ones.
    assert _other_server({**other, "RATELIMIT_KEY_PREFIX": f"apart-{uuid.uuid4().hex}"}, address)["status"] == 200


def test_losing_redis_keeps_the_site_up_with_limits_per_process(make_app, make_user):
    """A dead rate-limit store must not turn sign-ins and ballots into 500s; limits fall back to memory."""
    email = make_user().email
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", RATELIMIT_ENABLED=True)
    client = app.test_client()
    answers = [client.post("/login", data={"email": email, "password": "wrong password!"}).status_code
               for _ in range(25)]
    assert 500 not in answers and 429 in answers, answers


def test_only_failed_verifications_count_and_the_429_says_how_long_to_wait(app, db, voting_world, make_user):  # noqa: F811
    from pb.voting import services

    app.config["PB_VERIFY_LIMIT"] = "2 per hour"
    verify = "/m/testville/vote/verify"
    letters = services.issue_codes(voting_world.clerk, voting_world.process, ["AB-1003", "AB-1004", "AB-1005"])
    db.session.commit()
    # Three residents verify one after another at one library computer: none is locked out.
    for letter in letters:
        client = _client(app, "10.3.0.1")
        sign_in_through_forms(client, make_user())
        assert client.post(verify, data={"code-code": letter.code}).status_code == 302
    # Someone guessing codes there is stopped after two failures, and told how long to wait.
    client = _client(app, "10.3.0.1")
    sign_in_through_forms(client, make_user())
    for _n in range(2):
        assert client.post(verify, data={"code-code": "NOPE-NOPE-NOPE"}).status_code == 422
    limited = client.post(verify, data={"code-code": "NOPE-NOPE-NOPE"})
    assert_limited(limited)
    assert re.search(r"Please wait \d+ minutes? and try again", limited.get_data(as_text=True))
