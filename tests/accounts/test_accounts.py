"""Registration, confirmation, sign-in, throttling, reset and sign-out, through the real views."""

from __future__ import annotations

import re

import sqlalchemy as sa

from pb.accounts.models import User
from pb.core import mail
from tests.conftest import PASSWORD


def _link(message: mail.Message) -> str:
    return re.search(r"http://pb\.test(/\S+)", message.body).group(1)


def _register(client, email="new@example.org", password="a long enough password"):
    return client.post("/register", data={"display_name": "Eleni", "email": email,
                                          "password": password, "confirm": password})


def test_registration_confirms_by_mail_and_signs_in(client, db):
    response = _register(client)
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    user = db.session.execute(sa.select(User).where(User.email == "new@example.org")).scalar_one()
    assert user.email_confirmed_at is None and user.role.value == "resident"
    assert user.password_hash.startswith("$argon2id$")
    [message] = mail.outbox
    # Following the link only shows the address and asks for the password; confirming and signing in is its POST.
    page = client.get(_link(message))
    assert page.status_code == 200 and "Confirm my address" in page.get_data(as_text=True)
    assert "new@example.org" in page.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    response = client.post(_link(message), data={"password": "a long enough password"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed_at is not None
    assert client.get("/account").status_code == 200
    # The link works once.
    client.post("/logout")
    assert client.get(_link(message)).status_code == 302
    assert client.post(_link(message), data={"password": "a long enough password"}).status_code == 302
    assert client.get("/account").status_code == 302


def test_a_planted_confirmation_link_signs_no_one_in_without_the_password(client, db, make_user):
    """Issue 18: an attacker registers, sends the victim their own confirmation link; the victim's press of the
    button signed them into the attacker's account, where they then verified and voted."""
    _register(client, email="attacker@example.org", password="the attacker's password")
    link = _link(mail.outbox[-1])
    attacker = db.session.execute(sa.select(User).where(User.email == "attacker@example.org")).scalar_one()
    page = client.get(link).get_data(as_text=True)
    assert "attacker@example.org" in page  # the victim sees whose address this is
    for data in ({}, {"password": "the victim's own password"}):
        response = client.post(link, data=data)
        assert response.status_code == 200, data
        assert client.get("/account").status_code == 302  # not signed in
        db.session.refresh(attacker)
        assert attacker.email_confirmed_at is None
    assert "This is not the password of the account attacker@example.org" in response.get_data(as_text=True)


def test_registration_does_not_reveal_existing_accounts(client, make_user):
    existing = make_user(email="taken@example.org")
    first = _register(client, email="taken@example.org")
    second = _register(client, email="free@example.org")
    strip = lambda r: re.sub(r"\S+@example\.org|value=\"[^\"]*\"", "", r.get_data(as_text=True))  # noqa: E731
    assert first.status_code == second.status_code == 200
    assert strip(first) == strip(second)
    assert [m.to for m in mail.outbox] == [existing.email, "free@example.org"]
    assert "already have one" in mail.outbox[0].body


def test_short_password_is_refused_with_a_message(client, db):
    response = _register(client, password="short")
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar() == 0


def test_login_gives_the_same_message_for_unknown_account_and_wrong_password(client, make_user):
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 200
    message = "The e-mail address or the password is not right."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_unconfirmed_account_gets_the_link_again(client, make_user):
    user = make_user(confirmed=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "confirm your e-mail address first" in response.get_data(as_text=True)
    assert [m.to for m in mail.outbox] == [user.email]
    assert client.get("/account").status_code == 302


def test_blocked_account_cannot_sign_in(client, make_user):
    from pb.core.db import utcnow

    user = make_user(blocked_at=utcnow(), blocked_reason="spam")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200 and client.get("/account").status_code == 302


def test_login_is_throttled_per_account_with_retry_after(client, make_user):
    user = make_user()
    for _ in range(5):
        assert client.post("/login", data={"email": user.email, "password": "wrong password"}).status_code == 200
    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    # Until the oldest failure leaves the five-minute window: just under five minutes, not a made-up figure.
    assert 240 < int(blocked.headers["Retry-After"]) <= 301
    assert "X-RateLimit-Remaining" not in blocked.headers
    assert "tried too often" in blocked.get_data(as_text=True)
    # Another account from the same address is not locked out by it.
    other = make_user()
    assert client.post("/login", data={"email": other.email, "password": PASSWORD}).status_code == 302


def test_login_is_throttled_per_address(make_app, make_user):
    app = make_app(PB_LOGIN_LIMIT_PER_ADDRESS="3 per minute")
    with app.app_context():
        from pb.extensions import limiter

        limiter.reset()
        client = app.test_client()
        codes = [client.post("/login", data={"email": f"u{i}@example.org", "password": "x"}).status_code
                 for i in range(4)]
    assert codes == [200, 200, 200, 429]


def test_password_reset_by_mail(client, make_user, db):
    user = make_user()
    response = client.post("/reset", data={"email": user.email})
    assert "If an account uses" in response.get_data(as_text=True)
    link = _link(mail.outbox[-1])
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 302
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert client.post("/login", data={"email": user.email, "password": "a brand new password"}).status_code == 302
    # Used once, the link is dead.
    client.post("/logout")
    assert client.get(link).status_code == 302


def test_reset_answers_the_same_for_unknown_addresses(client, make_user):
    user = make_user()
    known = client.post("/reset", data={"email": user.email}).get_data(as_text=True)
    unknown = client.post("/reset", data={"email": "ghost@example.org"}).get_data(as_text=True)
    assert known.replace(user.email, "X") == unknown.replace("ghost@example.org", "X")
    assert [m.to for m in mail.outbox] == [user.email]


def test_expired_reset_link_is_refused(make_app, make_user):
    app = make_app(PB_RESET_TOKEN_MAX_AGE=-1)
    with app.app_context():
        client = app.test_client()
        user = make_user()
        client.post("/reset", data={"email": user.email})
        response = client.get(_link(mail.outbox[-1]))
    assert response.status_code == 302 and "/reset" in response.headers["Location"]


def test_logout_revokes_the_session_everywhere(app, make_user, login, client):
    user = make_user()
    login(user)
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other_device.get("/account").status_code == 200
    client.post("/logout")
    assert other_device.get("/account").status_code == 302


def test_login_redirects_only_to_local_pages(client, make_user):
    user = make_user()
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/account", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account"


def test_account_page_changes_name_language_and_password(client, make_user, login, db):
    user = make_user()
    login(user)
    response = client.post("/account", data={"profile-display_name": "Νίκος", "profile-locale": "el"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.locale) == ("Νίκος", "el")
    response = client.post("/account", data={"password-current": "wrong", "password-password": "another long one",
                                              "password-confirm": "another long one"})
    assert response.status_code == 200
    response = client.post("/account", data={"password-current": PASSWORD, "password-password": "another long one",
                                              "password-confirm": "another long one"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_cli_creates_staff_accounts(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Clerk@Example.org", "--role", "clerk", "--password",
                                 "a clerk password"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(sa.select(User).where(User.email == "clerk@example.org")).scalar_one()
    assert user.role.value == "clerk"
    again = runner.invoke(args=["users", "create", "clerk@example.org", "--role", "admin", "--password", "x" * 12])
    assert again.exit_code != 0 and "already exists" in again.output
    generated = runner.invoke(args=["users", "create", "legal@example.org", "--role", "legal_officer"])
    assert "Initial password:" in generated.output


def test_admin_creates_staff_account_in_the_app(client, make_user, make_process, login, db):
    municipality_id = make_process().municipality_id
    login(make_user(role="admin"))
    form = {"display_name": "Maria", "email": "maria@example.org", "role": "legal_officer",
            "password": "a legal password"}
    nowhere = client.post("/staff/users", data=form)
    assert nowhere.status_code == 422 and "Choose at least one municipality" in nowhere.text
    response = client.post("/staff/users", data={**form, "municipalities": [municipality_id]})
    assert response.status_code == 302
    user = db.session.execute(sa.select(User).where(User.email == "maria@example.org")).scalar_one()
    assert user.role.value == "legal_officer"
    assert user.municipality_ids == {municipality_id} and not user.all_municipalities


def test_mail_links_use_the_configured_base_url_not_the_host_header(make_app, make_user):
    app = make_app(SERVER_NAME=None, PB_BASE_URL="https://pb.city.example")
    with app.app_context():
        user = make_user()
        app.test_client().post("/reset", data={"email": user.email}, headers={"Host": "evil.example"})
    [message] = mail.outbox
    assert "https://pb.city.example/reset/" in message.body and "evil.example" not in message.body


def test_mails_to_one_address_are_limited(client, make_user):
    user = make_user()
    codes = [client.post("/reset", data={"email": user.email}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert len(mail.outbox) == 3


def test_a_failing_mail_server_breaks_no_page_and_keeps_the_mail(make_app, make_user, db):
    from pb.core.mail import OutboxMessage

    app = make_app(PB_MAIL_BACKEND="smtp", PB_MAIL_SERVER="127.0.0.1", PB_MAIL_PORT=9)  # nothing listens there
    with app.app_context():
        user = make_user()
        response = app.test_client().post("/reset", data={"email": user.email})
        assert response.status_code == 200
        [queued] = db.session.execute(sa.select(OutboxMessage)).scalars().all()
        assert queued.sent_at is None and queued.attempts == 1 and "Error" in queued.last_error


def test_mail_worker_delivers_the_outbox(make_app, make_user, db):
    from pb.core.mail import OutboxMessage

    app = make_app(PB_MAIL_DELIVERY="worker")
    with app.app_context():
        user = make_user()
        app.test_client().post("/reset", data={"email": user.email})
        assert mail.outbox == []
        result = app.test_cli_runner().invoke(args=["mail", "send"])
        assert result.exit_code == 0 and "sent 1, failed 0" in result.output
        assert [m.to for m in mail.outbox] == [user.email]
        assert db.session.execute(sa.select(OutboxMessage.sent_at)).scalar_one() is not None


def test_reset_link_reveals_nothing_of_the_password(client, make_user):
    from itsdangerous import URLSafeTimedSerializer

    user = make_user()
    client.post("/reset", data={"email": user.email})
    token = _link(mail.outbox[-1]).rsplit("/", 1)[1]
    # Signed, not encrypted: anyone holding the link can read this payload.
    _valid, payload = URLSafeTimedSerializer("any key").loads_unsafe(token)
    assert set(payload) == {"u", "s"}
    assert not any(part in user.password_hash for part in payload["s"].split("|") if part)
