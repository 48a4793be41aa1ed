"""Fixtures of the hardening tests: a seeded vote served by real gunicorn workers, on SQLite and PostgreSQL.

The Flask test client runs one request at a time, so it cannot race; these fixtures start gunicorn
(2 workers, 25 threads each) once per database for the whole session. PostgreSQL gets its own
database (``pb_races``), never the shared ``test`` one.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from pb.config import normalise_database_url
from tests.conftest import own_database
from tests.hardening import harness

# Seconds the services wait between their checks and their insert (PB_TEST_RACE_DELAY), so that a
# check-then-insert would let racing requests through. SQLite serialises writers (BEGIN IMMEDIATE), so
# there the delay only adds time: it is kept short.
RACE_DELAY = {"sqlite": 0.005, "postgresql": 0.05}
# Each race scenario runs this many times with a fresh resident. Twenty on PostgreSQL, where requests
# truly interleave; five on SQLite, whose single writer lock makes every repetition the same serial
# run (and whose lock polling makes each one slow), to keep the file within CI's time.
REPETITIONS = {"sqlite": 5, "postgresql": 20}


@dataclass
class Served:
    """A running server and what the tests need to drive and inspect it."""

    backend: str
    world: harness.World
    server: harness.Gunicorn

    @property
    def app(self):
        """The in-process app on the server's database (seeding, cookies, invariants)."""
        return self.world.app

    @property
    def repetitions(self) -> int:
        """How many times each race scenario runs on this database."""
        return REPETITIONS[self.backend]

    @property
    def port(self) -> int:
        """The server's port."""
        return self.server.port

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server's log, shown beside a failure."""
        log = self.server.log
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log and log.exists() else ""


def postgres_database_url(name: str) -> str:
    """A URL for our own database ``name`` on the server PB_TEST_POSTGRES_URL names; skip when unset."""
    base = os.environ.get("PB_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("PB_TEST_POSTGRES_URL is not set: the PostgreSQL run of this test is skipped")
    from sqlalchemy.engine import make_url

    return make_url(normalise_database_url(base)).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """gunicorn on a freshly migrated and seeded database, for the whole session."""
    folder = tmp_path_factory.mktemp(f"served-{request.param}")
    if request.param == "sqlite":
        path = folder / "pb.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = postgres_database_url(own_database("pb_races"))
        harness.recreate_postgres_database(url)
    app = harness.make_app(url)
    if request.param == "postgresql":
        harness.migrate(app)
    world = harness.seed_world(app)
    server = harness.Gunicorn(url, delay=RACE_DELAY[request.param], log=folder / "gunicorn.log")
    try:
        yield Served(request.param, world, server)
    finally:
        server.stop()
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()
        if request.param == "postgresql":
            harness.drop_postgres_database(url)
