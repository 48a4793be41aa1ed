"""Fixtures for every test that needs the app: a fresh database per test, on SQLite and on PostgreSQL.

Each database test runs once on SQLite and once on PostgreSQL when PB_TEST_POSTGRES_URL names a
database the tests may wipe. The schema comes from the migrations, as in production.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient

# Cheap argon2 for the thousands of accounts the tests make (read when pb.accounts.passwords is imported);
# the timing tests of sign-in put the production cost back (tests/security/test_enumeration.py).
os.environ.setdefault("PB_PASSWORD_HASH_COST", "test")

from pb import create_app  # noqa: E402
from pb.config import normalise_database_url  # noqa: E402
from pb.core import mail  # noqa: E402
from tests.hardening import harness  # noqa: E402

POSTGRES_URL = os.environ.get("PB_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"]

TEST_CONFIG = {
    "PB_ENV": "testing",
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Said explicitly: Flask-Limiter keeps an earlier app's RATELIMIT_ENABLED=False for every later app.
    "RATELIMIT_ENABLED": True,
    "PB_MAIL_BACKEND": "memory",
    "SERVER_NAME": "pb.test",
}


def _migrate(url: str) -> None:
    """Build the schema at ``url`` with the migrations."""
    from flask_migrate import upgrade

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, so migrating runs once per session."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


def _wipe_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def own_database(name: str) -> str:
    """The name of a PostgreSQL database for this test process: each pytest-xdist worker has its own copy.

    ``PB_TEST_DATABASE_PREFIX`` keeps two test runs on one server (two checkouts, say) out of each other's way.
    """
    name = os.environ.get("PB_TEST_DATABASE_PREFIX", "") + name
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{name}_{worker}" if worker else name


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The PostgreSQL test database, migrated once per session (with pytest-xdist, once per worker, beside it)."""
    if not POSTGRES_URL:
        pytest.skip("PB_TEST_POSTGRES_URL is not set: the PostgreSQL run of this test is skipped")
    url = normalise_database_url(POSTGRES_URL)
    parsed = sa.make_url(url)
    own = own_database(parsed.database)
    if own != parsed.database:
        url = parsed.set(database=own).render_as_string(hide_password=False)
        harness.recreate_postgres_database(url)
    _wipe_postgres(url)
    _migrate(url)
    yield url
    if own != parsed.database:
        harness.drop_postgres_database(url)


def _truncate_postgres(app: Flask) -> None:
    db = app.extensions["sqlalchemy"]
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # The migration's genesis row of the audit chain, as in a freshly migrated database.
        connection.execute(sa.text("INSERT INTO audit_chain_head (id, last_hash) VALUES (1, :genesis)"),
                           {"genesis": "0" * 64})


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "pb.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


class FreshContextClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    Without it, requests made while a test holds an app context share ``g`` and the database
    session with the test and with each other, so a cached signed-in user or language would leak
    from one request into the next and hide bugs.
    """

    def open(self, *args, **kwargs):
        # End the test's own transaction first, as another process's would be: on SQLite an open
        # transaction holds the write lock, and a request must see what the test committed.
        if has_app_context():
            self.application.extensions["sqlalchemy"].session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def make_app(database_url: str) -> Iterator:
    """Build an app on this test's database with extra settings; cleaned up after the test."""
    apps: list[Flask] = []

    def build(**settings: object) -> Flask:
        app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **settings})
        app.test_client_class = FreshContextClient
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            app.extensions["sqlalchemy"].session.remove()
    if apps and database_url.startswith("postgresql"):
        with apps[0].app_context():
            _truncate_postgres(apps[0])
    for app in apps:
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def app(make_app, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The application on a fresh database, inside an app context."""
    from pb.extensions import limiter

    application = make_app()
    mail.outbox.clear()
    with application.app_context():
        limiter.reset()
        yield application
        # Whatever the test did, the stored vote must still hold together (pb.voting.invariants).
        from pb.voting.invariants import check_vote

        if request.node.get_closest_marker("breaks_vote_invariants") is None:
            session = application.extensions["sqlalchemy"].session
            session.rollback()
            problems = check_vote(session)
            session.rollback()
            assert not problems, problems


@pytest.fixture
def db(app: Flask):
    """The Flask-SQLAlchemy handle of the test's app."""
    return app.extensions["sqlalchemy"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


# Factories -------------------------------------------------------------------------------------

PASSWORD = "correct horse battery"


@pytest.fixture
def make_user(db):
    """Create a confirmed account: make_user(role="clerk", email=...); staff work in every municipality unless
    given ``municipalities=[...]``."""
    from pb.accounts.models import Role, User
    from pb.accounts.passwords import hash_password
    from pb.core.db import utcnow

    counter = iter(range(1, 10_000))
    password_hash = hash_password(PASSWORD)

    def build(role: str = "resident", email: str | None = None, confirmed: bool = True, **fields: object) -> User:
        # Staff work in every municipality unless the test names theirs (municipalities=[...]).
        if Role(role).is_staff and "municipalities" not in fields:
            fields.setdefault("all_municipalities", True)
        user = User(email=email or f"{role}{next(counter)}@example.org", password_hash=password_hash,
                    role=Role(role), display_name=fields.pop("display_name", role.title()),
                    email_confirmed_at=utcnow() if confirmed else None, **fields)
        db.session.add(user)
        db.session.commit()
        return user

    return build


@pytest.fixture
def make_process(db):
    """Create a municipality (once) and a process with every phase and one city-wide pool."""
    from pb.core.db import utcnow
    from pb.processes.models import District, Municipality, Phase, Pool, Process
    from pb.processes.phases import schedule_around_vote
    from pb.proposals.vocabulary import BENEFICIARIES, CATEGORIES

    state: dict[str, Municipality] = {}

    def build(slug: str = "2026", vote_in_days: int = 10, amount: int = 10_000_000, **fields: object) -> Process:
        if "municipality" not in state:
            municipality = Municipality(slug="testville", name="Testville", country_code="GR", timezone="Europe/Athens",
                                        languages=["en", "el"], categories=list(CATEGORIES),
                                        beneficiary_groups=list(BENEFICIARIES))
            municipality.districts.append(District(code="north", name="North", population=12_000))
            db.session.add(municipality)
            state["municipality"] = municipality
        process = Process(municipality=state["municipality"], slug=slug, name=fields.pop("name", f"PB {slug}"),
                          fiscal_year=fields.pop("fiscal_year", 2026), currency=fields.pop("currency", "EUR"),
                          categories=fields.pop("categories", list(CATEGORIES)),
                          beneficiary_groups=fields.pop("beneficiary_groups", list(BENEFICIARIES)), **fields)
        start = utcnow() + dt.timedelta(days=vote_in_days)
        for position, (kind, begin, end) in enumerate(schedule_around_vote(start, start + dt.timedelta(days=14))):
            process.phases.append(Phase(kind=kind, position=position, starts_at=begin, ends_at=end))
        process.pools.append(Pool(name="City-wide", amount=amount))
        db.session.add(process)
        db.session.commit()
        return process

    return build


@pytest.fixture
def make_project(db, make_user):
    """Create a project in a process's first pool: make_project(process, status="published", author=...)."""
    from pb.proposals.models import Project, ProjectCategory, ProjectStatus

    counter = iter(range(1, 100_000))

    def build(process, status: str = "published", author=None, cost: int = 500_000, **fields: object) -> Project:
        number = next(counter)
        project = Project(process_id=process.id, pool_id=process.pools[0].id, code=fields.pop("code", f"P{number}"),
                          title=fields.pop("title", f"Project {number}"), summary=fields.pop("summary", "A summary"),
                          description=fields.pop("description", "A description"), cost=cost, estimated_cost=cost,
                          status=ProjectStatus(status), author_id=(author or make_user()).id, **fields)
        project.categories = [ProjectCategory(category="culture")]
        db.session.add(project)
        db.session.commit()
        return project

    return build


TOTP_SECRET = "PBTESTSTAFFTOTPSECRET234"


def sign_in_through_forms(client: FlaskClient, user, password: str = PASSWORD):
    """Sign in with the password and, for staff, the second step with a code from the authenticator app.

    Staff get the test secret if they have none. The last used step is forgotten first, so that one test
    may sign the same account in twice within a code's 30 seconds (replay is tested in tests/accounts)."""
    if user.is_staff:
        import pyotp

        from pb.accounts import second_factor
        from pb.core.db import utcnow

        session = client.application.extensions["sqlalchemy"].session  # the test's own (it holds the app context)
        stored = session.merge(user)
        if not stored.has_second_factor:
            second_factor.set_secret(stored, TOTP_SECRET)
            stored.totp_enabled_at = utcnow()
        stored.totp_last_step = None
        session.commit()
    response = client.post("/login", data={"email": user.email, "password": password})
    if user.is_staff and response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        response = client.post("/login/code", data={"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def login(client: FlaskClient):
    """Sign a user in through the real sign-in form (staff with their second factor)."""

    def sign_in(user, password: str = PASSWORD):
        return sign_in_through_forms(client, user, password)

    return sign_in


@pytest.fixture
def put_mandate_in_force(db, make_user):
    """A function (process) -> Mandate: a complete, signed advisory mandate in force since yesterday, so that
    voting may open."""
    from pb.core.db import utcnow
    from pb.mandate.models import Mandate, MandateCharacter, MandateStatus
    from pb.mandate.terms import empty_terms

    def build(process) -> Mandate:
        officer = make_user(role="legal_officer")
        terms = {**empty_terms(), "budget_amount": process.total_amount, "budget_fiscal_year": process.fiscal_year,
                 "winner_fails": "next_ranked", "feasibility_veto": True, "legal_compliance": True,
                 "justification_days": 60, "justification_published": "https://city.example/pb/decisions"}
        mandate = Mandate(
            process_id=process.id, version=1, status=MandateStatus.IN_FORCE, character=MandateCharacter.ADVISORY,
            basis_instrument="Law", basis_number="3852/2010", basis_article="76", basis_date=dt.date(2010, 6, 7),
            basis_url="https://city.example/law-3852-2010", decision_body="Municipal council",
            bound_party="Municipal council", obligation="Answer every winning project with reasons.",
            terms=terms, created_by_id=officer.id, signed_by_id=officer.id, signed_at=utcnow(),
            opinion="The mandate rests on a valid legal basis.",
            effective_from=(utcnow() - dt.timedelta(days=1)).date())
        db.session.add(mandate)
        db.session.commit()
        return mandate

    return build


@pytest.fixture
def make_ready_for_voting(db, make_project):
    """A function (process) -> process with what its vote needs besides a mandate: a project on every pool's
    ballot and a voter register (one entry), so that the voting phase may be opened early."""
    import secrets

    from pb.voting.models import VoterRegisterEntry

    def build(process):
        for pool in process.pools:
            project = make_project(process, status="on_ballot")
            project.pool_id = pool.id
        db.session.add(VoterRegisterEntry(process_id=process.id, reference_hash=secrets.token_hex(32),
                                          birth_year=1980))
        db.session.commit()
        return process

    return build


def pytest_collection_modifyitems(items):
    """Mark the fuzz and hardening tests by their folder, as tests/e2e marks the browser tests, so that the
    fast local loop can leave them out (README, Development)."""
    for item in items:
        path = str(item.fspath)
        if "/tests/fuzz/" in path:
            item.add_marker(pytest.mark.fuzz)
        elif "/tests/hardening/" in path:
            item.add_marker(pytest.mark.hardening)
