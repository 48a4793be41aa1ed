"""The app factory, configuration, CSRF, error pages, languages and security headers."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from pb import create_app
from pb.core.db import writing


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    repo = Path(__file__).resolve().parents[2]
    env = {"PATH": "/usr/bin:/bin", "PB_ENV": "production", "HOME": str(tmp_path), "PYTHONPATH": str(repo)}
    result = subprocess.run([sys.executable, "-c", "from pb import create_app; create_app()"],
                            env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("pb: PB_SECRET_KEY is not set")


def test_production_cookies_are_secure():
    app = create_app({"PB_ENV": "production", "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "PB_BASE_URL": "https://pb.city.example", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
                      "PB_BALLOT_KEY": "b" * 32, "PB_REGISTER_KEY": "r" * 32})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/static/pb.css")
    response.close()
    assert "max-age" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("missing, message", [
    ("PB_BASE_URL", "PB_BASE_URL is not set"),
    ("RATELIMIT_STORAGE_URI", "PB_RATELIMIT_STORAGE_URL is not set"),
    ("PB_BALLOT_KEY", "PB_BALLOT_KEY is not set"),
    ("PB_REGISTER_KEY", "PB_REGISTER_KEY is not set"),
])
def test_production_refuses_settings_that_would_be_unsafe(missing, message, capsys):
    settings = {"PB_ENV": "production", "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "PB_BASE_URL": "https://pb.city.example", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
                "PB_BALLOT_KEY": "b" * 32, "PB_REGISTER_KEY": "r" * 32}
    settings[missing] = "memory://" if missing == "RATELIMIT_STORAGE_URI" else None
    with pytest.raises(SystemExit):
        create_app(settings)
    assert message in capsys.readouterr().err


def test_environment_selects_postgres_and_rate_limit_storage(monkeypatch):
    monkeypatch.setenv("PB_DATABASE_URL", "postgresql://pb@db.internal/pb")
    monkeypatch.setenv("PB_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/0")
    app = create_app({"PB_ENV": "testing"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://pb@db.internal/pb"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_form_without_csrf_token_is_refused(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user()
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
        assert response.status_code == 400
        assert "form had expired" in response.get_data(as_text=True)
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                               "csrf_token": token})
        assert response.status_code == 302


def test_unexpected_error_shows_a_page_not_a_traceback(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body and "secret internals" not in body and "Traceback" not in body


def test_error_pages_speak_the_users_language(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "el-GR,el;q=0.9"})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert 'lang="el"' in body and "Η σελίδα δεν βρέθηκε" in body


def test_language_switch_is_remembered(client):
    response = client.post("/language", data={"language": "el", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Σύνδεση" in page and 'lang="el"' in page
    response = client.post("/language", data={"language": "el", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_request_that_wrote_leaves_no_writer_behind(client, db):
    # After a POST, the test's own reads (or a command's) must not take SQLite's write lock.
    client.post("/language", data={"language": "el", "next": "/"})
    db.session.execute(sa.text("SELECT 1"))  # this thread's next transaction: a reader
    with db.engine.connect() as other:
        if db.engine.dialect.name == "sqlite":
            other.connection.driver_connection.execute("PRAGMA busy_timeout = 200")  # fail fast, not in 30 s
        with writing():
            other.execute(sa.text("SELECT 1"))  # a writer elsewhere begins: it would find the lock taken
    db.session.rollback()


def test_a_request_context_inside_a_writer_leaves_it_a_writer(app):
    from pb.core.db import _writing

    with writing():
        with app.test_request_context("/"):  # runs the teardown hooks, not the before-request ones
            pass
        assert _writing.get() is True


def test_security_headers_on_every_response(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_health_check_reaches_the_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_times_are_utc_aware_in_and_out(db, make_user):
    user = make_user()
    db.session.expire_all()
    assert user.created_at.tzinfo is not None and user.created_at.utcoffset() == dt.timedelta(0)
    user.last_login_at = dt.datetime(2026, 5, 1, 12, 0)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_migrations_build_exactly_the_models(app, db):
    """The migrations and the models agree on every table, column, index and constraint."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_money_is_stored_as_big_integers(db, make_process):
    process = make_process(amount=9_000_000_000_000)  # 90 billion in cents: beyond 32 bits
    db.session.expire_all()
    assert process.pools[0].amount == 9_000_000_000_000
