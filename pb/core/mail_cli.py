"""``flask --app pb mail ...``: deliver the outbox (a worker in production)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from pb.core.db import writing
from pb.core.mail import deliver_pending
from pb.extensions import db

mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("send")
def send() -> None:
    """Deliver every mail that is due, once (for cron)."""
    with writing():
        sent, failed = deliver_pending(db.session, current_app.config, limit=10_000)
    click.echo(f"sent {sent}, failed {failed}")


@mail_cli.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks at the outbox.")
def worker(interval: float) -> None:
    """Deliver mail as it is queued, until stopped."""
    click.echo("pb mail worker: delivering the outbox (Ctrl+C to stop)")
    while True:
        with writing():
            deliver_pending(db.session, current_app.config)
        db.session.remove()
        time.sleep(interval)
