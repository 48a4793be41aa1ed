"""The staff second factor (TOTP): enrolment, the second sign-in step, replay, recovery codes, limits."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
import sqlalchemy as sa

from pb.accounts import second_factor
from pb.accounts.models import RecoveryCode, User
from tests.conftest import PASSWORD, TOTP_SECRET


def _password(client, user, **extra):
    return client.post("/login", data={"email": user.email, "password": PASSWORD, **extra})


def _enrolled(db, user, secret=TOTP_SECRET):
    second_factor.set_secret(user, secret)
    user.totp_enabled_at = dt.datetime.now(dt.UTC)
    db.session.commit()
    return user


def _code(secret=TOTP_SECRET, offset_steps=0):
    totp = pyotp.TOTP(secret)
    return totp.at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30 * offset_steps))


def test_staff_set_up_their_app_before_any_staff_page(client, db, make_user):
    clerk = make_user(role="clerk")
    response = _password(client, clerk)
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/two-factor")
    # Every page that needs an account sends them back to the set-up; public pages stay open.
    for path in ("/staff/", "/staff/review", "/account"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"].startswith("/account/two-factor"), path
    assert client.get("/").status_code == 200
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    assert f"otpauth://totp/pb:{clerk.email.replace('@', '%40')}?secret={secret}" in page
    assert "<svg" in page and "<script" not in page
    # The same key while the page is reloaded, until it is confirmed.
    assert secret in client.get("/account/two-factor").get_data(as_text=True)
    # Stored encrypted, never in clear.
    db.session.refresh(clerk)
    assert secret not in clerk.totp_secret and not clerk.has_second_factor
    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 200 and "not right" in wrong.get_data(as_text=True)
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10
    stored = db.session.execute(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == clerk.id)).scalars()
    assert all(h.startswith("$argon2id$") for h in stored)
    # From now on the key is never shown again, and the staff pages open.
    after = client.get("/account/two-factor").get_data(as_text=True)
    assert secret not in after and "Recovery codes left: 10" in after
    assert client.get("/staff/").status_code == 200


def test_sign_in_asks_for_the_code_before_the_session_is_signed_in(client, db, make_user):
    clerk = _enrolled(db, make_user(role="clerk"))
    first = client.post("/login?next=/staff/review", data={"email": clerk.email, "password": PASSWORD})
    assert first.status_code == 302 and first.headers["Location"] == "/login/code"
    # The password alone signs nobody in.
    assert client.get("/account").headers["Location"].startswith("/login")
    assert client.get("/staff/").headers["Location"].startswith("/login")
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 200 and "not right" in wrong.get_data(as_text=True)
    done = client.post("/login/code", data={"code": _code()})
    assert done.status_code == 302 and done.headers["Location"] == "/staff/review"
    assert client.get("/staff/").status_code == 200


def test_a_code_is_refused_the_second_time(client, db, make_user, caplog):
    clerk = _enrolled(db, make_user(role="clerk"))
    code = _code()
    _password(client, clerk)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")
    _password(client, clerk)
    replayed = client.post("/login/code", data={"code": code})
    assert replayed.status_code == 200 and "already used" in replayed.get_data(as_text=True)
    # Logged (ASVS 2.8.5), without the code.
    assert any("used code was offered again" in r.getMessage() and code not in r.getMessage() for r in caplog.records)
    # An earlier step's code (still inside the window) is refused too once a later one was used.
    assert client.post("/login/code", data={"code": _code(offset_steps=-1)}).status_code == 200
    # The next step's code is new, and accepted.
    assert client.post("/login/code", data={"code": _code(offset_steps=1)}).status_code == 302


def test_a_code_outside_the_window_is_refused(client, db, make_user):
    clerk = _enrolled(db, make_user(role="clerk"))
    _password(client, clerk)
    for offset in (-3, 3):
        assert client.post("/login/code", data={"code": _code(offset_steps=offset)}).status_code == 200


def test_recovery_codes_sign_in_once(client, db, make_user):
    clerk = _enrolled(db, make_user(role="clerk"))
    codes = second_factor.replace_recovery_codes(clerk)
    db.session.commit()
    _password(client, clerk)
    assert client.post("/login/code", data={"code": codes[0].upper().replace("-", " ")}).status_code == 302
    client.post("/logout")
    _password(client, clerk)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 200
    assert client.post("/login/code", data={"code": codes[1]}).status_code == 302
    assert second_factor.unused_recovery_codes(clerk) == 8


def test_a_recovery_code_spent_by_another_sign_in_meanwhile_is_refused(app, db, make_user, monkeypatch):
    """Issue 18: one recovery code let six sessions through at once; the code must be spent by a conditional
    update. Here another sign-in spends it while this one checks the hash."""
    clerk = _enrolled(db, make_user(role="clerk"))
    codes = second_factor.replace_recovery_codes(clerk)
    db.session.commit()
    hasher = second_factor.RECOVERY_HASHER

    class HasherWhileAnotherSpendsIt:
        def verify(self, stored_hash, typed):
            result = hasher.verify(stored_hash, typed)
            with db.engine.begin() as other:
                other.execute(sa.update(RecoveryCode).where(RecoveryCode.code_hash == stored_hash)
                              .values(used_at=dt.datetime.now(dt.timezone.utc)))
            return result

    monkeypatch.setattr(second_factor, "RECOVERY_HASHER", HasherWhileAnotherSpendsIt())
    try:
        used = second_factor.check_second_factor(clerk, codes[0])
    except sa.exc.OperationalError:
        # SQLite (WAL) refuses any write from a transaction whose snapshot is older than the other's commit.
        assert db.engine.dialect.name == "sqlite"
        used = False
    assert used is False
    db.session.rollback()
    assert second_factor.unused_recovery_codes(clerk) == 9


def test_codes_are_limited_per_account_across_sessions(app, client, db, make_user):
    clerk = _enrolled(db, make_user(role="clerk"))
    for attempt in range(5):
        other = app.test_client() if attempt % 2 else client  # a fresh session does not reset the count
        _password(other, clerk)
        assert other.post("/login/code", data={"code": "000000"}).status_code == 200
    _password(client, clerk)
    blocked = client.post("/login/code", data={"code": _code()})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    # Another account is not locked out by it.
    other_clerk = _enrolled(db, make_user(role="clerk"))
    _password(client, other_clerk)
    assert client.post("/login/code", data={"code": _code()}).status_code == 302


def test_a_waiting_sign_in_expires(client, db, make_user):
    clerk = _enrolled(db, make_user(role="clerk"))
    _password(client, clerk)
    with client.session_transaction() as session:
        pending = session["pb_pending_sign_in"]
        session["pb_pending_sign_in"] = {**pending, "at": pending["at"] - 301}
    response = client.post("/login/code", data={"code": _code()})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/account").headers["Location"].startswith("/login")


def test_the_code_page_without_a_password_sends_to_sign_in(client):
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_residents_have_no_second_step(client, make_user):
    resident = make_user()
    response = _password(client, resident)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/account/two-factor").status_code == 403


def test_a_stored_secret_is_useless_without_the_key(make_app, make_user, db):
    clerk = _enrolled(db, make_user(role="clerk"))
    other = make_app(SECRET_KEY="another key entirely")
    with other.test_request_context():
        assert second_factor._secret(db.session.get(User, clerk.id)) is None
        assert not second_factor.check_second_factor(db.session.get(User, clerk.id), _code())


@pytest.mark.parametrize("secret", ["not base32!", ""])
def test_a_malformed_secret_is_refused(app, make_user, secret):
    with pytest.raises((ValueError, TypeError)):  # binascii.Error is a ValueError
        second_factor.set_secret(make_user(role="clerk"), secret)


def test_cli_resets_the_second_factor(app, db, make_user, login, client):
    clerk = make_user(role="clerk")
    login(clerk)
    result = app.test_cli_runner().invoke(args=["users", "reset-second-factor", clerk.email])
    assert result.exit_code == 0, result.output
    db.session.refresh(clerk)
    assert not clerk.has_second_factor and clerk.totp_secret is None
    # The old session ended; the next sign-in leads to the set-up again.
    assert client.get("/staff/").headers["Location"].startswith("/login")
    assert _password(client, clerk).headers["Location"].startswith("/account/two-factor")
