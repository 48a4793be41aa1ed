"""Receipt roots: published at the close and hourly, recomputable from the published list; database grants."""

from __future__ import annotations

import hashlib
import html
import os
import re

import pytest
import sqlalchemy as sa

from pb.voting import secrecy, services
from pb.voting.ballot_rules import Choice
from pb.voting.merkle import merkle_root, read_receipts
from pb.voting.models import ReceiptRoot


def test_merkle_root_by_hand():
    a, b, c = (hashlib.sha256(x).hexdigest() for x in (b"a", b"b", b"c"))
    leaf = {h: hashlib.sha256(b"\x00" + bytes.fromhex(h)).digest() for h in (a, b, c)}
    first, second, third = (leaf[h] for h in sorted((a, b, c)))
    expected = hashlib.sha256(b"\x01" + hashlib.sha256(b"\x01" + first + second).digest() + third).hexdigest()
    assert merkle_root([c, a, b]) == expected
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()
    assert merkle_root([a]) == leaf[a].hex()
    with pytest.raises(ValueError):
        merkle_root([a, a])
    with pytest.raises(ValueError):
        read_receipts("not a hash\n")


def test_roots_hourly_and_at_the_close_and_the_verifier(app, db, voting_world, client, tmp_path):
    w = voting_world
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "f")
    db.session.commit()
    hourly = services.record_hourly_roots()
    db.session.commit()
    assert [r.process_id for r in hourly] == [w.process.id] and hourly[0].ballots == 1
    page = client.get("/m/testville/vote/receipts").get_data(as_text=True)
    assert hourly[0].root in page and "During the vote" in page
    assert "<h2>" not in page.split("</title>")[0]
    services.enter_paper_ballot(w.clerk, w.city, "AB-1002", [Choice(w.projects[1].id)], "p")
    services.close_vote(w.clerk, w.process, reason="Closing for the receipt-root test.")
    db.session.commit()
    closing = db.session.scalars(sa.select(ReceiptRoot).where(ReceiptRoot.occasion == "close")).one()
    published = client.get("/m/testville/vote/receipts.txt").get_data(as_text=True)
    assert merkle_root(read_receipts(published)) == closing.root and closing.ballots == 2
    path = tmp_path / "receipts.txt"
    path.write_text(published)
    runner = app.test_cli_runner()
    good = runner.invoke(args=["vote", "verify-root", "testville/vote", str(path)])
    assert good.exit_code == 0 and closing.root in good.output
    path.write_text(published.splitlines()[0] + "\n")
    bad = runner.invoke(args=["vote", "verify-root", "testville/vote", str(path)])
    assert bad.exit_code == 1 and "MISMATCH" in bad.output
    assert runner.invoke(args=["vote", "check"]).exit_code == 0


def test_a_resident_finds_their_code_in_the_published_list_as_the_page_says(app, db, voting_world, client):
    w = voting_world
    receipt = services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "f")
    services.close_vote(w.clerk, w.process, reason="Closing for the published-list test.")
    db.session.commit()
    page = html.unescape(client.get("/m/testville/vote/receipts").get_data(as_text=True))
    example = re.search(r"for the code ([A-Z0-9-]+):", page).group(1)
    typed = re.search(r"printf %s (\w+) \| sha256sum", page).group(1)
    # The page's example is what pb itself publishes for that code ...
    assert hashlib.sha256(typed.encode()).hexdigest() == secrecy.receipt_hash(example)
    # ... and following it with one's own code, as shown after voting, finds it in the list.
    assert "-" in receipt.code
    own = hashlib.sha256(receipt.code.upper().replace("-", "").encode()).hexdigest()
    assert own in client.get("/m/testville/vote/receipts.txt").get_data(as_text=True).split()


def test_the_production_role_cannot_change_or_delete_ballots(app, db, voting_world, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("database roles are PostgreSQL's")
    w = voting_world
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "f")
    db.session.commit()
    role = f"pb_app_test_{os.getpid()}"
    grants = app.test_cli_runner().invoke(args=["vote", "grants", role]).output
    with db.engine.begin() as connection:
        connection.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        connection.execute(sa.text(f'CREATE ROLE "{role}"'))
        sql = "\n".join(line for line in grants.splitlines() if not line.startswith("--"))
        for statement in sql.split(";"):
            if statement.strip():
                connection.execute(sa.text(statement))
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text(f'SET ROLE "{role}"'))
            assert connection.execute(sa.text("SELECT count(*) FROM ballot")).scalar() == 1
            for statement in ("UPDATE ballot SET channel = 'paper'", "DELETE FROM ballot_choice",
                              "DELETE FROM ballot", "UPDATE receipt_root SET root = 'x'"):
                with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                    with connection.begin_nested():
                        connection.execute(sa.text(statement))
            connection.execute(sa.text("UPDATE counted_ballot SET voided = voided"))  # what the app does need
            connection.rollback()
    finally:
        with db.engine.begin() as connection:
            connection.execute(sa.text(f'DROP OWNED BY "{role}"'))
            connection.execute(sa.text(f'DROP ROLE "{role}"'))


def test_stored_ballots_do_not_follow_the_order_of_voting(app, db, voting_world, make_user, database_url):
    w = voting_world
    references = ["AB-1001", "AB-1002", "AB-1005"]
    for n, reference in enumerate(references):
        services.enter_paper_ballot(w.clerk, w.city, reference, [Choice(w.projects[n].id)], f"p{n}")
    db.session.commit()
    if database_url.startswith("postgresql"):
        assert app.test_cli_runner().invoke(args=["vote", "reorder"]).exit_code == 0
        stored = [row[0] for row in db.session.execute(sa.text("SELECT id FROM ballot ORDER BY ctid"))]
        assert stored == sorted(stored)  # physical order is key order: random ids, not the order of voting
        return
    # SQLite: the ballot tables have no rowid, the hidden insertion counter that would give the order away.
    for table in ("ballot", "ballot_choice", "counted_ballot"):
        with pytest.raises(sa.exc.OperationalError, match="rowid"):
            db.session.execute(sa.text(f"SELECT rowid FROM {table}"))
        db.session.rollback()
