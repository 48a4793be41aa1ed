"""``flask --app pb audit verify``: check the hash chain of the audit log."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from pb.audit.services import chain_key, verify_chain
from pb.extensions import db

audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
def verify() -> None:
    """Recompute every link of the audit log and report the first broken one."""
    report = verify_chain(db.session, chain_key(current_app.config))
    if report.ok:
        click.echo(f"The audit log is intact: {report.events} events, every link holds.")
        return
    click.echo(f"The audit log is broken at event {report.broken_at}: {report.reason}.", err=True)
    raise SystemExit(1)
