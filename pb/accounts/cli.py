"""``flask --app pb users ...``: create staff accounts from the command line."""

from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from pb.accounts import second_factor, services
from pb.accounts.models import Role, User
from pb.core.db import writing
from pb.errors import ValidationError
from pb.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.RESIDENT.value, show_default=True)
@click.option("--name", default="", help="The name shown for the account.")
@click.option("--password", envvar="PB_NEW_PASSWORD", default=None,
              help="The initial password (or PB_NEW_PASSWORD); a random one is printed when absent.")
def create_user(email: str, role: str, name: str, password: str | None) -> None:
    """Create a confirmed account with ROLE (resident, clerk, legal_officer, admin)."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    with writing():
        try:
            user = services.create_account(None, email, Role(role), password, display_name=name)
        except ValidationError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
    click.echo(f"Created {user.email} as {user.role.value}.")
    if generated:
        click.echo(f"Initial password: {password}")


@users_cli.command("list")
def list_users() -> None:
    """List the staff accounts."""
    for user in db.session.execute(
        sa.select(User).where(User.role != Role.RESIDENT).order_by(User.email)
    ).scalars():
        click.echo(f"{user.email}\t{user.role.value}\t{'blocked' if user.blocked_at else 'active'}")


@users_cli.command("reset-second-factor")
@click.argument("email")
def reset_second_factor_command(email: str) -> None:
    """Remove the authenticator app and recovery codes of EMAIL (a lost phone); it sets them up again at sign-in."""
    with writing():
        user = services.find_user(email)
        if user is None:
            raise click.ClickException(f"no account uses {email}")
        second_factor.reset_second_factor(None, user)
        db.session.commit()
    click.echo(f"The second factor of {user.email} is removed; it will be set up again at the next sign-in.")
