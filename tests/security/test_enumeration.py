"""Sign-in, password reset and registration answer the same, in the same time, for known and unknown accounts
(ASVS V2.2.1 anti-automation, V3.2/V2.5.x no account enumeration).

The timing test compares medians of 30 interleaved attempts each: argon2 dominates every path, so a path that
skipped it (an unknown address answered at once) would be several times faster and fail the test.
"""

from __future__ import annotations

import itertools
import re
import statistics
import time

import pytest

ATTEMPTS = 30
# Medians may differ by this share of the slower one: the database work of the paths differs a little (an insert
# for a new registration), a skipped argon2 hash differs by a factor of several.
TOLERANCE = 0.25
KNOWN = "known@example.org"
_numbers = itertools.count()


def _login(client, known: bool):
    email = KNOWN if known else f"nobody{next(_numbers)}@example.org"
    return client.post("/login", data={"email": email, "password": "not the password"}), email


def _reset(client, known: bool):
    email = KNOWN if known else f"nobody{next(_numbers)}@example.org"
    return client.post("/reset", data={"email": email}), email


def _register(client, known: bool):
    email = KNOWN if known else f"new{next(_numbers)}@example.org"
    password = "a long enough password"
    return client.post("/register", data={"display_name": "Eleni", "email": email, "password": password,
                                          "confirm": password}), email


FLOWS = {"login": _login, "reset": _reset, "register": _register}


@pytest.fixture
def unlimited(make_app, make_user):
    """An app with limits too high to reach (the usual ones answer 429 long before 30 attempts) and one known
    resident. (Not RATELIMIT_ENABLED=False: Flask-Limiter would keep that for every later app of the process.)"""
    high = "100000 per minute"
    app = make_app(PB_LOGIN_LIMIT_PER_ADDRESS=high, PB_LOGIN_LIMIT_PER_ACCOUNT=high, PB_MAIL_LIMIT_PER_TARGET=high)
    with app.app_context():
        make_user(email=KNOWN)
        yield app.test_client()


def _page(response, email: str) -> str:
    """The answer's text without what differs by design: the address typed and the form's echoed values."""
    return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True).replace(email, "ADDRESS"))


@pytest.mark.parametrize("flow", FLOWS)
def test_the_answer_is_the_same_for_known_and_unknown_accounts(unlimited, flow):
    known, known_email = FLOWS[flow](unlimited, True)
    unknown, unknown_email = FLOWS[flow](unlimited, False)
    assert known.status_code == unknown.status_code
    assert dict(known.headers).keys() == dict(unknown.headers).keys()
    assert known.headers.get("Location") == unknown.headers.get("Location")
    assert _page(known, known_email) == _page(unknown, unknown_email)


def test_a_staff_account_with_a_second_factor_answers_like_anyone(unlimited, db, make_user):
    from pb.accounts import second_factor
    from pb.core.db import utcnow

    clerk = make_user(role="clerk", email="clerk@example.org")
    second_factor.set_secret(clerk, "PBTESTSTAFFTOTPSECRET234")
    clerk.totp_enabled_at = utcnow()
    db.session.commit()
    wrong = unlimited.post("/login", data={"email": clerk.email, "password": "not the password"})
    unknown = unlimited.post("/login", data={"email": "ghost@example.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 200
    assert _page(wrong, clerk.email) == _page(unknown, "ghost@example.org")


def _timed(request) -> float:
    start = time.perf_counter()
    response, _email = request()
    response.close()
    return time.perf_counter() - start


@pytest.fixture
def production_argon2(monkeypatch):
    """The production cost of argon2 (the suite runs with the cheapest): a missing dummy check must show."""
    from argon2 import PasswordHasher

    from pb.accounts import passwords

    hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", hasher.hash("pb-dummy-password-for-timing"))


@pytest.mark.parametrize("flow", FLOWS)
def test_the_answer_takes_the_same_time_for_known_and_unknown_accounts(production_argon2, unlimited, flow):
    attempt = FLOWS[flow]
    for known in (True, False, True, False):  # warm up: templates, connections, caches
        attempt(unlimited, known)
    times: dict[bool, list[float]] = {True: [], False: []}
    for n in range(ATTEMPTS):
        # Interleaved, alternating which goes first, so that a busy machine slows both alike.
        for known in ((True, False) if n % 2 else (False, True)):
            times[known].append(_timed(lambda known=known: attempt(unlimited, known)))
    known_median, unknown_median = statistics.median(times[True]), statistics.median(times[False])
    slower = max(known_median, unknown_median)
    assert abs(known_median - unknown_median) <= TOLERANCE * slower, (
        f"{flow}: known {known_median * 1000:.1f} ms, unknown {unknown_median * 1000:.1f} ms")
