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
from pb.processes.models import Municipality

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.RESIDENT.value, show_default=True)
@click.option("--name", default="", help="The name shown for the account.")
@click.option("--password", envvar="PB_NEW_PASSWORD", default=None,
              help="The initial password (or PB_NEW_PASSWORD); a random one is printed when absent.")
@click.option("--municipality", "municipalities", multiple=True, metavar="SLUG",
              help="A municipality the staff account works in (repeat for several). An administrator given none "
                   "works in every municipality.")
def create_user(email: str, role: str, name: str, password: str | None, municipalities: tuple[str, ...]) -> None:
    """Create a confirmed account with ROLE (resident, clerk, legal_officer, admin)."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    chosen_role = Role(role)
    with writing():
        found = _municipalities(municipalities)
        try:
            user = services.create_account(None, email, chosen_role, password, display_name=name,
                                            municipalities=found,
                                            all_municipalities=chosen_role is Role.ADMIN and not found)
        except ValidationError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
    click.echo(f"Created {user.email} as {user.role.value} ({_where(user)}).")
    if generated:
        click.echo(f"Initial password: {password}")


def _municipalities(slugs: tuple[str, ...]) -> list[Municipality]:
    found = []
    for slug in slugs:
        municipality = db.session.scalar(sa.select(Municipality).where(Municipality.slug == slug))
        if municipality is None:
            raise click.ClickException(f"there is no municipality {slug}")
        found.append(municipality)
    return found


def _where(user: User) -> str:
    if not user.is_staff:
        return "a resident"
    if user.all_municipalities:
        return "every municipality"
    return ", ".join(m.slug for m in user.municipalities) or "no municipality yet: grant one with 'users grant'"


@users_cli.command("grant")
@click.argument("email")
@click.argument("slugs", nargs=-1)
@click.option("--all-municipalities", is_flag=True, help="Every municipality, present and future (administrators).")
def grant_command(email: str, slugs: tuple[str, ...], all_municipalities: bool) -> None:
    """Set the municipalities (SLUGS) in which the staff account EMAIL holds its role."""
    with writing():
        user = services.find_user(email)
        if user is None:
            raise click.ClickException(f"no account uses {email}")
        try:
            services.grant_municipalities(None, user, _municipalities(slugs), all_municipalities)
        except ValidationError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"{user.email} works in {_where(user)}.")


@users_cli.command("list")
def list_users() -> None:
    """List the staff accounts."""
    for user in db.session.execute(
        sa.select(User).where(User.role != Role.RESIDENT).order_by(User.email)
    ).scalars():
        click.echo(f"{user.email}\t{user.role.value}\t{'blocked' if user.blocked_at else 'active'}\t{_where(user)}")


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
