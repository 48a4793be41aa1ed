"""``flask --app pb vote ...``: hourly receipt roots, root verification, the vote's invariants, database grants."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from pb.audit.services import chain_key, event_holds
from pb.core.cli import find_process
from pb.core.db import writing
from pb.extensions import db
from pb.voting import queries, services
from pb.voting.invariants import check_vote
from pb.voting.merkle import merkle_root, read_receipts

vote_cli = AppGroup("vote", help="The vote: receipt roots, checks, database grants.")

GRANTS = Path(__file__).with_name("grants.sql")


@vote_cli.command("roots")
def roots() -> None:
    """Append a receipt root for every process whose vote is running (schedule it hourly)."""
    with writing():
        made = services.record_hourly_roots()
        db.session.commit()
    for root in made:
        click.echo(f"process {root.process_id}: root {root.root}")
    if not made:
        click.echo("no vote is running")


@vote_cli.command("verify-root")
@click.argument("process")
@click.argument("receipts", type=click.Path(exists=True, dir_okay=False))
def verify_root(process: str, receipts: str) -> None:
    """Recompute the root of a published receipts file and compare it with the root taken at the close.

    The closing root is the first one the close wrote, and it must be the one the close's audit event records.
    """
    found = find_process(process)
    try:
        hashes = read_receipts(Path(receipts).read_text(encoding="utf-8"))
        root = merkle_root(hashes)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    published = queries.closing_root(found)
    if published is None:
        raise click.ClickException("the vote of this process has no closing root yet")
    event = queries.close_event(found)
    if event is None or not event_holds(chain_key(current_app.config), event):
        raise click.ClickException("the audit event of the close is missing or was changed: run `audit verify`")
    if (event.after or {}).get("receipt_root") != published.root:
        raise click.ClickException(f"the closing root {published.root} is not the one the close recorded in the "
                                   f"audit log ({(event.after or {}).get('receipt_root')})")
    if root != published.root:
        click.echo(f"MISMATCH: the file gives {root} over {len(hashes)} receipts; "
                   f"the closing root is {published.root} over {published.ballots}.", err=True)
        raise SystemExit(1)
    click.echo(f"The file matches the closing root {root} ({len(hashes)} receipts).")


@vote_cli.command("check")
def check() -> None:
    """Check the vote's invariants over the whole database; exit 1 and list every breach."""
    problems = check_vote(db.session)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("The vote's invariants hold.")


@vote_cli.command("grants")
@click.argument("role")
def grants(role: str) -> None:
    """Print the SQL that gives the app's production role what it needs, without UPDATE or DELETE on ballots."""
    if not role.replace("_", "").isalnum():
        raise click.ClickException("a role name is letters, digits and underscores")
    click.echo(GRANTS.read_text(encoding="utf-8").replace(':"app_role"', f'"{role}"'))


@vote_cli.command("reorder")
def reorder() -> None:
    """Rewrite the ballot tables physically in key order, dropping dead row versions (PostgreSQL; schema owner).

    The close itself already rewrites a closed vote's ballot rows (pb_rebuild_ballots): the live rows carry the
    close's transaction id and lie in key order. The old row versions stay in the table files as dead rows until
    PostgreSQL vacuums them; CLUSTER (as VACUUM FULL would) removes them at once. Run it after the close and
    before a file-level backup; SQLite stores these tables in key order and has no such rows.
    """
    if db.engine.dialect.name != "postgresql":
        click.echo("Nothing to do: SQLite keeps the ballot tables in the order of their random keys.")
        return
    with db.engine.begin() as connection:
        for table, index in (("ballot", "pk_ballot"), ("ballot_choice", "pk_ballot_choice"),
                             ("counted_ballot", "pk_counted_ballot")):
            connection.execute(sa.text(f"CLUSTER {table} USING {index}"))
    click.echo("The ballot tables are now stored in the order of their random keys.")
