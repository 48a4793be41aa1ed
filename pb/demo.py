"""``flask --app pb demo``: a demo built from two real Pabulib elections, with one account per role."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from pb.accounts import second_factor
from pb.accounts.models import Role
from pb.accounts.passwords import hash_password, verify_password
from pb.accounts.services import create_account, find_user
from pb.audit.services import changes, record
from pb.core.db import utcnow, writing
from pb.demo_delivery import build_delivery
from pb.demo_editions import build_proposals_edition, build_supports_edition, grant_demo_municipalities
from pb.demo_vote import TRY_BIRTH_YEAR, TRY_REFERENCE, build_live_vote
from pb.extensions import db
from pb.processes.importing import import_election
from pb.processes.models import Municipality
from pb.reports import accessibility
from pb.setup import services as setup
from pb.setup.rules import DistrictValues, MunicipalityValues
from pb.tally.pabulib import read

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"

# Fixed demo credentials, printed on every run: the demo is for trying pb out, never for production.
DEMO_ACCOUNTS = (
    ("resident@example.org", Role.RESIDENT, "demo-resident-2026", "Demo Resident"),
    ("clerk@example.org", Role.CLERK, "demo-clerk-2026", "Demo Clerk"),
    ("legal@example.org", Role.LEGAL_OFFICER, "demo-legal-2026", "Demo Legal Officer"),
    ("admin@example.org", Role.ADMIN, "demo-admin-2026", "Demo Administrator"),
    # A clerk of one municipality (Assen) only, to show that staff see and change only their municipalities'.
    ("clerk.assen@example.org", Role.CLERK, "demo-clerk-assen-2026", "Demo Clerk of Assen"),
    ("parks@example.org", Role.DEPARTMENT, "demo-parks-2026", "Demo Parks Officer"),
)
# The demo staff accounts' second factor (TOTP): a fixed, published secret, so that a tester can make codes
# with any authenticator app or with  python -c "import pyotp; print(pyotp.TOTP('<secret>').now())".
DEMO_TOTP_SECRET = "PBDEMOSTAFFTOTPSECRET234"


def _municipality(slug: str, name: str, country: str, timezone: str) -> tuple[Municipality, bool]:
    """The demo municipality with this address name, created through the set-up services if it is missing."""
    existing = setup.find_municipality(slug)
    if existing is not None:
        return existing, False
    return setup.create_municipality(None, MunicipalityValues(slug, name, country, timezone), via="demo"), True


def build_demo() -> list[str]:
    """Create what is missing of the demo; running it again changes nothing but the demo passwords."""
    done = []
    warsaw, created = _municipality("warszawa", "Warszawa", "PL", "Europe/Warsaw")
    if created:
        grochow = setup.add_district(None, warsaw, DistrictValues("grochow", "Praga-Południe: Grochów"), via="demo")
        import_election(db.session, None, warsaw, read(DEMO_DATA / "Poland_Warszawa_2026_Grochow.pb"),
                        slug="2026-grochow", name="Budżet obywatelski 2026: Grochów", fiscal_year=2026,
                        district=grochow)
        done.append("Warszawa: Grochów 2026 (2,106 ballots)")
    assen, created = _municipality("assen", "Assen", "NL", "Europe/Amsterdam")
    if created:
        import_election(db.session, None, assen, read(DEMO_DATA / "Netherlands_Assen_2024.pb"),
                        slug="2024-top-idee", name="Assen Top Idee 2024", fiscal_year=2024,
                        pool_name="Assen (city-wide)", min_voter_age=12)
        done.append("Assen: Top Idee 2024 (84 ballots)")
    for email, role, password, name in DEMO_ACCOUNTS:
        user = find_user(email)
        if user is None:
            create_account(None, email, role, password, display_name=name, all_municipalities=role is Role.ADMIN)
            done.append(f"account {email}")
        elif user.role is not role or user.blocked_at is not None or not verify_password(user.password_hash, password):
            before = changes(user, ["role", "blocked_at"])
            user.password_hash = hash_password(password)
            user.role = role
            user.blocked_at = None
            user.all_municipalities = role is Role.ADMIN
            user.email_confirmed_at = user.email_confirmed_at or utcnow()
            record(db.session, None, "account.demo_reset", "user", user.id, before=before,
                   after=changes(user, ["role", "blocked_at"]), actor_label="demo")
            done.append(f"account {email} restored to its demo password and role")
        if role.is_staff:
            done.extend(_demo_second_factor(find_user(email)))
    db.session.flush()
    done.extend(grant_demo_municipalities())
    clerk = find_user("clerk@example.org")
    live, code = build_live_vote(find_user("legal@example.org"), clerk)
    if live:
        done.append(live)
        done.append(f"try it: sign in as resident@example.org, open Perivoli 2027, verify with register reference "
                    f"{TRY_REFERENCE} and birth year {TRY_BIRTH_YEAR} (or with the voting code {code})")
    done.extend(line for line in (build_proposals_edition(clerk), build_supports_edition(clerk)) if line)
    delivered = build_delivery(find_user("legal@example.org"), clerk, find_user("parks@example.org"))
    if delivered:
        done.append(delivered)
    done.extend(_accessibility_contacts(find_user("legal@example.org")))
    return done


def _accessibility_contacts(legal) -> list[str]:
    """Each demo municipality's accessibility contact, so that its statement reads as a real one would."""
    done = []
    for municipality in db.session.scalars(sa.select(Municipality).order_by(Municipality.id)):
        if accessibility.contact_of(municipality) is None:
            accessibility.set_contact(legal, municipality, accessibility.ContactInput(
                email=f"accessibility@{municipality.slug}.example.org",
                phone="+30 210 000 0000" if municipality.country_code == "GR" else "",
                prepared_on=dt.date(2026, 12, 1)))
            done.append(f"{municipality.name}: accessibility contact")
    return done


def _demo_second_factor(user) -> list[str]:
    """Give a demo staff account the published TOTP secret, unless it already has it."""
    if user.has_second_factor and second_factor.has_secret(user, DEMO_TOTP_SECRET):
        return []
    second_factor.set_secret(user, DEMO_TOTP_SECRET)
    user.totp_enabled_at = utcnow()
    return [f"account {user.email}: second factor set to the demo secret"]


@click.command("demo")
@click.option("--force", is_flag=True, help="Run even with PB_ENV=production (it creates accounts with known passwords).")
@with_appcontext
def demo_command(force: bool) -> None:
    """Build the demo (Warszawa-Grochów 2026 and Assen 2024 from Pabulib, a live vote in Perivoli) and print the
    demo accounts."""
    if current_app.config["PB_ENV"] == "production" and not force:
        raise click.ClickException("the demo creates accounts with published passwords; "
                                   "use PB_ENV=development, or --force if you really mean it")
    upgrade(directory=current_app.extensions["migrate"].directory)
    with writing():
        built = build_demo()
        db.session.commit()
    for line in built or ["nothing new: the demo was already there"]:
        click.echo(f"demo: {line}")
    click.echo("\nDemo accounts (e-mail / password):")
    for email, role, password, _name in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<14} {email:<24} {password}")
    click.echo(f"\nStaff sign in with a second step: a code from an authenticator app given the key {DEMO_TOTP_SECRET},\n"
               f"or from  python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\"")
    click.echo(f"\nStart the app with:  {run_command()}\nthen open http://127.0.0.1:5000")


def run_command(argv0: str | None = None, environ: dict[str, str] | None = None) -> str:
    """The command that starts the app the way this demo command was run: the same flask program, and the
    settings that chose this database (PB_ENV, PB_DATABASE_URL) when they came from the environment."""
    environ = os.environ if environ is None else environ
    program = argv0 if argv0 is not None else sys.argv[0]
    if os.path.basename(program) != "flask" or not os.path.exists(program):
        program = "flask"
    elif os.path.isabs(program):
        relative = os.path.relpath(program)
        program = relative if not relative.startswith("..") else program
    settings = [f"{name}={shlex.quote(environ[name])}" for name in ("PB_ENV", "PB_DATABASE_URL") if environ.get(name)]
    return " ".join([*settings, shlex.quote(program), "--app", "pb", "run"])
