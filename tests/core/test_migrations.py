"""Upgrading a database that holds data keeps the data: every migration from the first to the last."""

from __future__ import annotations

import json
import os

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from pb import create_app
from pb.config import normalise_database_url
from tests.conftest import TEST_CONFIG, own_database

# Rows written at the first revision, in the shape that revision had.
SEED = [
    "INSERT INTO municipality (id, slug, name, country_code, timezone) VALUES (1, 'm', 'M', 'GR', 'UTC')",
    "INSERT INTO process (id, municipality_id, slug, name, description, fiscal_year, currency, tally_rule, tie_break,"
    " min_voter_age, collect_demographics, created_at) VALUES (1, 1, 'p', 'P', '', 2026, 'EUR', 'greedy', 'lexico',"
    " 16, false, '2026-01-01 00:00:00')",
    "INSERT INTO pool (id, process_id, name, amount, ballot_kind, min_choices) VALUES (1, 1, 'City', 100000, 'approval', 1)",
    "INSERT INTO project (id, process_id, pool_id, code, title, summary, description, cost, status, created_at,"
    " updated_at) VALUES (1, 1, 1, 'A', 'Πάρκο', '', '', 5000, 'on_ballot', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    "INSERT INTO ballot (id, pool_id, receipt_hash, channel, voided) VALUES ('b1', 1, 'r1', 'online', false)",
    "INSERT INTO ballot_choice (ballot_id, project_id, position) VALUES ('b1', 1, 0)",
    *(f"INSERT INTO user_account (id, email, password_hash, display_name, role, created_at, password_changed_at,"
      f" session_token) VALUES ({i}, '{role}@example.org', 'x', '', '{role}', '2026-01-01 00:00:00',"
      f" '2026-01-01 00:00:00', 'token-{i}')"
      for i, role in enumerate(("resident", "clerk", "legal_officer", "admin"), start=1)),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    if not os.environ.get("PB_TEST_POSTGRES_URL"):
        pytest.skip("PB_TEST_POSTGRES_URL is not set: the PostgreSQL run of this test is skipped")
    admin_url = normalise_database_url(os.environ["PB_TEST_POSTGRES_URL"])
    name = own_database("pb_migration_test")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_upgrade_keeps_existing_data(empty_database):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0001")
        engine = app.extensions["sqlalchemy"].engine
        with engine.begin() as connection:
            for statement in SEED:
                connection.execute(sa.text(statement))
        upgrade(directory=directory)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT version, cost FROM project")).one() == (1, 5000)
            assert connection.execute(sa.text("SELECT appeal_days FROM process")).scalar_one() == 14
            # 0013 folded the existing project's text for search.
            assert connection.execute(sa.text("SELECT search_text FROM project")).scalar_one() == "παρκο"
            assert connection.execute(sa.text("SELECT count(*) FROM ballot_choice")).scalar_one() == 1
            # 0015 gave the existing edition the vocabulary it offered until then, and its project an origin.
            categories = connection.execute(sa.text("SELECT categories FROM process")).scalar_one()
            assert "culture" in (json.loads(categories) if isinstance(categories, str) else categories)
            assert connection.execute(sa.text("SELECT origin FROM project")).scalar_one() == "online"
            # The ballot still counts: 0008 moved it to counted_ballot, with a tag made from its id.
            assert connection.execute(sa.text("SELECT owner_tag, ballot_id, voided FROM counted_ballot")).one() == (
                "imported-b1", "b1", False)
            # 0050: the clerk and the legal officer keep the municipality that existed; the administrator works in
            # every municipality; the resident in none.
            assert connection.execute(sa.text(
                "SELECT user_id, municipality_id FROM staff_municipality ORDER BY user_id")).all() == [(2, 1), (3, 1)]
            assert connection.execute(sa.text(
                "SELECT id FROM user_account WHERE all_municipalities ORDER BY id")).scalars().all() == [4]
        engine.dispose()
