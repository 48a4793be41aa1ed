"""argon2id at or above the OWASP minimum, sessions renewed at sign-in and dead after sign-out, and the
second factor's events in the audit log (ASVS V2.4, V3.2, V3.3, V7.1)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pyotp
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from pb.accounts import passwords, second_factor
from pb.accounts.passwords import hash_password
from tests.conftest import PASSWORD

# OWASP Password Storage Cheat Sheet: argon2id with at least 19 MiB of memory, 2 passes and 1 lane.
OWASP_MIN_MEMORY_KIB, OWASP_MIN_PASSES, OWASP_MIN_LANES = 19 * 1024, 2, 1


def _parameters(encoded: str) -> tuple[str, int, int, int]:
    """The variant, memory (KiB), passes and lanes of an encoded argon2 hash."""
    variant, m, t, p = re.match(r"\$(argon2\w+)\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$", encoded).groups()
    return variant, int(m), int(t), int(p)


def _production_hashes() -> list[str]:
    """A password hash, the dummy hash and a recovery code's hash, as pb makes them without the test suite's
    PB_PASSWORD_HASH_COST=test: in a fresh interpreter, since the hashers are made when pb is imported."""
    env = {name: value for name, value in os.environ.items() if name != "PB_PASSWORD_HASH_COST"}
    out = subprocess.run([sys.executable, "-c", (
        "from pb.accounts import passwords, second_factor\n"
        "print(passwords.hash_password('a password'), passwords._DUMMY_HASH,"
        " second_factor.RECOVERY_HASHER.hash('abcdefghjk'))")],
        env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_argon2id_at_or_above_the_owasp_minimum():
    password, dummy, recovery = _production_hashes()
    for encoded in (password, dummy, recovery):
        variant, memory, passes, lanes = _parameters(encoded)
        assert variant == "argon2id"
        assert memory >= OWASP_MIN_MEMORY_KIB and passes >= OWASP_MIN_PASSES and lanes >= OWASP_MIN_LANES
    # Unknown accounts cost what known ones do.
    assert _parameters(dummy) == _parameters(password)


def test_the_cheap_test_cost_is_the_suites_alone():
    # The test suite runs with argon2's cheapest parameters; only PB_PASSWORD_HASH_COST=test gives them.
    assert os.environ.get("PB_PASSWORD_HASH_COST") == "test"
    assert _parameters(hash_password("a password"))[1] < OWASP_MIN_MEMORY_KIB
    assert _parameters(passwords._DUMMY_HASH) == _parameters(hash_password("a password"))


def test_a_weaker_hash_is_upgraded_at_sign_in(client, db, make_user):
    user = make_user()
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    db.session.commit()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    db.session.refresh(user)
    assert _parameters(user.password_hash) == _parameters(hash_password("x"))


def test_sign_in_starts_a_new_session(client, make_user, login):
    """Nothing planted in a session before sign-in survives it (session fixation)."""
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(make_user(role="clerk"))  # staff: through both steps
    with client.session_transaction() as session:
        assert "planted" not in session and "_user_id" in session


def test_a_copied_session_cookie_is_dead_after_sign_out(app, client, make_user, login):
    login(make_user())
    stolen = client.get_cookie("session", domain="pb.test").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="pb.test")
    response = thief.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_second_factor_events_are_audited(client, db, make_user):
    from pb.audit.models import AuditEvent

    clerk = make_user(role="clerk")
    client.post("/login", data={"email": clerk.email, "password": PASSWORD})
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", client.get("/account/two-factor").get_data(as_text=True))[1]
    client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    actions = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.actor_id == clerk.id)).scalars().all()
    assert "account.second_factor_on" in actions
