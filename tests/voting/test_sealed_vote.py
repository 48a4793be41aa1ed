"""The closed vote against someone with the database: no system column links a ballot to a voter after the close,
the database refuses writes to a closed vote, and the checks hold the vote to what its close recorded."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from pb.voting import services
from pb.voting.ballot_rules import Choice
from pb.voting.models import ReceiptRoot

# Joins an administrator of a PostgreSQL database can run: rows written by one transaction share their xmin.
XMIN_LINKS = {
    "participation-counted_ballot": "SELECT count(*) FROM participation p JOIN counted_ballot c ON c.xmin = p.xmin",
    "participation-ballot": "SELECT count(*) FROM participation p JOIN ballot b ON b.xmin = p.xmin",
    "participation-ballot_choice": "SELECT count(*) FROM participation p JOIN ballot_choice c ON c.xmin = p.xmin",
    "audit-ballot": ("SELECT count(*) FROM audit_event a JOIN ballot b ON b.xmin = a.xmin "
                     "WHERE a.action = 'ballot.paper_entered'"),
}


def _vote(w, make_user) -> None:
    """Three online voters (one changes their ballot) and two paper ballots, each in its own transaction."""
    second, third = make_user(), make_user()
    services.verify_by_register(second, w.process, "AB-1002", 1975)
    services.verify_by_register(third, w.process, "AB-1004", 1990)
    for n, user in enumerate((w.resident, second, third)):
        services.cast_ballot(user, w.city, [Choice(w.projects[n].id)], f"online-{n}")
        db_commit()
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[4].id)], "online-changed",
                         based_on=services.ballot_version(w.resident, w.city))
    db_commit()
    services.enter_paper_ballot(w.clerk, w.north, "AB-1005", [Choice(w.north_projects[0].id)], "paper-0")
    db_commit()


def db_commit() -> None:
    from pb.extensions import db

    db.session.commit()


def test_after_the_close_no_xmin_and_no_physical_order_links_a_ballot_to_a_participation(
        app, db, voting_world, make_user, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("xmin is PostgreSQL's; SQLite's ballot tables have no rowid (test_tamper_evidence)")
    w = voting_world
    _vote(w, make_user)
    before = {name: db.session.execute(sa.text(sql)).scalar() for name, sql in XMIN_LINKS.items()}
    # The attack of issue 18: during the vote, each first ballot shares its transaction id with its participation.
    assert before["participation-counted_ballot"] >= 3 and before["audit-ballot"] == 1
    services.close_vote(w.clerk, w.process, reason="Closing for the xmin test of the sealed vote.")
    db.session.commit()
    after = {name: db.session.execute(sa.text(sql)).scalar() for name, sql in XMIN_LINKS.items()}
    assert after == dict.fromkeys(XMIN_LINKS, 0)
    for table, key in (("ballot", "id"), ("ballot_choice", "ballot_id, project_id"), ("counted_ballot", "owner_tag")):
        by_place = db.session.execute(sa.text(f"SELECT {key} FROM {table} ORDER BY ctid")).all()
        assert by_place == sorted(by_place), table
    # The rewrite kept every ballot: the checks (and the test's own teardown) recount the same result.
    assert app.test_cli_runner().invoke(args=["vote", "check"]).exit_code == 0
    assert db.session.execute(sa.text("SELECT count(*) FROM ballot")).scalar() == 5


def test_the_rebuild_function_refuses_a_vote_that_is_not_closed(app, db, voting_world, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the rewrite is PostgreSQL's")
    with pytest.raises(sa.exc.DBAPIError, match="not closed"):
        db.session.execute(sa.text("SELECT pb_rebuild_ballots(:p)"), {"p": voting_world.process.id})
    db.session.rollback()


# What someone with write access tried on a closed vote (issue 18): every statement must be refused.
ATTACKS = (
    "INSERT INTO ballot_choice (ballot_id, project_id, position, points) "
    "SELECT c.ballot_id, {project}, 9, NULL FROM counted_ballot c",
    "UPDATE counted_ballot SET voided = true",
    "DELETE FROM counted_ballot",
    "UPDATE ballot SET channel = 'paper'",
    "DELETE FROM ballot_choice",
    "UPDATE participation SET invalidated_at = CURRENT_TIMESTAMP",
    "DELETE FROM participation",
    "UPDATE tally_result_project SET selected = NOT selected",
    "DELETE FROM tally_result",
    "INSERT INTO receipt_root (process_id, computed_at, ballots, root, occasion) "
    "VALUES ({process}, CURRENT_TIMESTAMP, 0, 'forged', 'close')",
    "UPDATE receipt_root SET root = 'forged'",
    "UPDATE pool SET amount = amount + 1",
    "UPDATE pool SET process_id = {other}",
    "UPDATE process SET vote_closed_at = NULL WHERE id = {process}",
    "DELETE FROM process WHERE id = {process}",
)


def _closed(w, make_user, make_process):
    _vote(w, make_user)
    services.close_vote(w.clerk, w.process, reason="Closing for the sealed vote test.")
    db_commit()
    return make_process(slug="other")


def test_the_database_refuses_every_write_to_a_closed_vote(app, db, voting_world, make_user, make_process):
    w = voting_world
    other = _closed(w, make_user, make_process)
    values = {"project": w.projects[3].id, "process": w.process.id, "other": other.id}
    for attack in ATTACKS:
        with pytest.raises(sa.exc.DBAPIError, match="closed and sealed"):
            with db.session.begin_nested():
                db.session.execute(sa.text(attack.format(**values)))
    # The other process, whose vote is not closed, stays writable, and so do a closed pool's other columns.
    db.session.execute(sa.text("UPDATE pool SET name = name || '!' WHERE process_id = :p"), {"p": other.id})
    db.session.execute(sa.text("UPDATE pool SET budget_line = 'x' WHERE process_id = :p"), {"p": w.process.id})
    db.session.rollback()


def test_the_apps_role_closes_the_vote_and_then_cannot_change_it(app, db, voting_world, make_user, make_process,
                                                                 database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("database roles are PostgreSQL's")
    w = voting_world
    _vote(w, make_user)
    other = make_process(slug="other")
    role = f"pb_app_seal_{os.getpid()}"
    grants = app.test_cli_runner().invoke(args=["vote", "grants", role]).output
    with db.engine.begin() as connection:
        connection.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        connection.execute(sa.text(f'CREATE ROLE "{role}"'))
        sql = "\n".join(line for line in grants.splitlines() if not line.startswith("--"))
        for statement in sql.split(";"):
            if statement.strip():
                connection.execute(sa.text(statement))
    try:
        # The close runs with exactly the app role's grants (the rewrite too).
        db.session.execute(sa.text(f'SET LOCAL ROLE "{role}"'))
        services.close_vote(w.clerk, w.process, reason="Closing as the app role for the sealed vote test.")
        db.session.commit()
        values = {"project": w.projects[3].id, "process": w.process.id, "other": other.id}
        with db.engine.connect() as connection:
            connection.execute(sa.text(f'SET ROLE "{role}"'))
            for attack in ATTACKS:
                with pytest.raises(sa.exc.DBAPIError, match="closed and sealed|permission denied"):
                    with connection.begin_nested():
                        connection.execute(sa.text(attack.format(**values)))
            for statement in ("ALTER TABLE ballot_choice DISABLE TRIGGER pb_seal_ballot_choice",
                              "DROP TRIGGER pb_seal_counted_ballot ON counted_ballot",
                              "SET session_replication_role = replica"):
                with pytest.raises(sa.exc.DBAPIError, match="must be owner|permission denied"):
                    with connection.begin_nested():
                        connection.execute(sa.text(statement))
            connection.rollback()
    finally:
        db.session.rollback()
        with db.engine.begin() as connection:
            connection.execute(sa.text(f'DROP OWNED BY "{role}"'))
            connection.execute(sa.text(f'DROP ROLE "{role}"'))


@contextmanager
def beneath_the_seal(db, database_url):
    """What the owner of the tables (a database administrator) can do: write with the triggers off."""
    if database_url.startswith("postgresql"):
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        yield
    else:
        names = db.session.scalars(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                           "AND name LIKE 'pb_seal_%'")).all()
        for name in names:
            db.session.execute(sa.text(f"DROP TRIGGER {name}"))
        yield
    db.session.commit()


@pytest.mark.breaks_vote_invariants
def test_vote_check_catches_an_added_choice_and_a_recount_beneath_the_seal(app, db, voting_world, make_user,
                                                                           make_process, database_url):
    w = voting_world
    _closed(w, make_user, make_process)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["vote", "check"]).exit_code == 0
    with beneath_the_seal(db, database_url):
        db.session.execute(sa.text(
            "INSERT INTO ballot_choice (ballot_id, project_id, position, points) "
            "SELECT c.ballot_id, :project, 9, NULL FROM counted_ballot c JOIN ballot b ON b.id = c.ballot_id "
            "WHERE b.pool_id = :pool AND NOT EXISTS (SELECT 1 FROM ballot_choice x WHERE x.ballot_id = c.ballot_id "
            "AND x.project_id = :project)"), {"project": w.projects[3].id, "pool": w.city.id})
        services.count_process(w.process)  # pb's own count, stored over the old result
    checked = runner.invoke(args=["vote", "check"])
    assert checked.exit_code == 1
    assert f"pool {w.city.id}: the ballots differ from those the close counted" in checked.output
    assert f"pool {w.city.id}: the stored result differs from the one the close recorded" in checked.output


@pytest.mark.breaks_vote_invariants
def test_verify_root_holds_to_the_first_closing_root_and_the_close_event(app, db, voting_world, make_user,
                                                                         make_process, database_url, client,
                                                                         tmp_path):
    w = voting_world
    _closed(w, make_user, make_process)
    runner = app.test_cli_runner()
    path = tmp_path / "receipts.txt"
    path.write_text(client.get("/m/testville/vote/receipts.txt").get_data(as_text=True))
    assert runner.invoke(args=["vote", "verify-root", "testville/vote", str(path)]).exit_code == 0
    # Beneath the seal: void a ballot and append a new closing root over what is left, as in issue 18.
    with beneath_the_seal(db, database_url):
        db.session.execute(sa.text("UPDATE counted_ballot SET voided = true WHERE owner_tag = "
                                   "(SELECT min(owner_tag) FROM counted_ballot)"))
        services.record_receipt_root(w.process, "close")
    path.write_text(client.get("/m/testville/vote/receipts.txt").get_data(as_text=True))
    forged = runner.invoke(args=["vote", "verify-root", "testville/vote", str(path)])
    assert forged.exit_code == 1 and "MISMATCH" in forged.output
    checked = runner.invoke(args=["vote", "check"])
    assert "1 closing roots were added after the close" in checked.output
    assert "the counted receipts no longer give the closing root" in checked.output
    # And a first closing root changed to match the forged list no longer matches the close's audit event.
    with beneath_the_seal(db, database_url):
        first, forged_root = db.session.scalars(sa.select(ReceiptRoot).where(ReceiptRoot.occasion == "close")
                                                .order_by(ReceiptRoot.id)).all()
        db.session.execute(sa.update(ReceiptRoot).where(ReceiptRoot.id == first.id).values(root=forged_root.root))
    changed = runner.invoke(args=["vote", "verify-root", "testville/vote", str(path)])
    assert changed.exit_code == 1 and "is not the one the close recorded" in changed.output


def test_the_closing_root_is_printed_on_the_results_page_and_in_the_annex(app, db, voting_world, make_user,
                                                                          make_process, client):
    import io
    import re
    import zipfile

    from pypdf import PdfReader

    from pb.reports.services import annex_files

    w = voting_world
    _closed(w, make_user, make_process)
    root = db.session.scalars(sa.select(ReceiptRoot.root).where(ReceiptRoot.occasion == "close")).one()
    assert root in client.get("/m/testville/vote/results").get_data(as_text=True)
    files = annex_files(w.process, translate=lambda s: s, locale="en")
    pdf = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"])).pages))
    assert root in pdf
    assert root in files["csv"].decode("utf-8-sig")
    assert root in zipfile.ZipFile(io.BytesIO(files["xlsx"])).read("xl/sharedStrings.xml").decode()
