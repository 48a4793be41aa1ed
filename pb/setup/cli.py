"""``flask --app pb process ...``: an edition's set-up from a file and back, Pabulib imports, readiness.

    flask --app pb process create kalamata-2027.toml          # the municipality too, if it does not exist
    flask --app pb process export kalamata/2027 > kalamata-2027.toml
    flask --app pb process import-pabulib election.pb warszawa/2026-grochow --name "Grochów 2026"
    flask --app pb process readiness kalamata/2027
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from pb.core.cli import find_process
from pb.core.db import writing
from pb.errors import PBError, Problems
from pb.extensions import db
from pb.processes.importing import import_election
from pb.processes.labels import phase_label
from pb.setup import files, services
from pb.setup.labels import item_text
from pb.setup.queries import dashboard
from pb.tally.pabulib import PabulibError, read

process_cli = AppGroup("process", help="Editions: set up from a file, export, import from Pabulib, readiness.")


def _fail(error: PBError) -> None:
    """Every problem on its own line, by its key path, then exit 1: nothing was stored."""
    problems = error.problems if isinstance(error, Problems) else [(getattr(error, "field", None), error.message)]
    for name, message in problems:
        click.echo(f"{name}: {message}" if name else message, err=True)
    click.echo("Nothing was created.", err=True)
    sys.exit(1)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.BadParameter(f"cannot read {path}: {error}", param_hint="FILE") from None


@process_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--slug", default=None, help="Create the edition under this address name instead of the file's.")
def create(file: str, slug: str | None) -> None:
    """Create the edition FILE describes (TOML; the municipality and its districts too, if missing)."""
    text = _read(file)
    with writing():
        try:
            edition = files.read_edition_file(text, Path(file).parent)
            if slug:
                edition = edition.with_slug(slug)
            process, done = files.create_from_file(None, edition, list(current_app.config["PB_LOCALES"]))
        except PBError as error:
            db.session.rollback()
            _fail(error)
        db.session.commit()
    for line in done:
        click.echo(f"created {line}")
    click.echo(f"Staff set it up further at /staff/processes/{process.id}; residents find it at "
               f"/m/{process.municipality.slug}/{process.slug}")


@process_cli.command("export")
@click.argument("process")
def export(process: str) -> None:
    """Print the set-up of PROCESS (municipality/slug) as a file that `process create` accepts."""
    click.echo(files.export_edition(find_process(process)), nl=False)


@process_cli.command("import-pabulib")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.argument("target")
@click.option("--name", default=None, help="The edition's name (default: the file's description).")
@click.option("--fiscal-year", type=int, default=None, help="Default: the year the vote began, from the file.")
@click.option("--district", default=None, help="The code of the district whose pool the file's vote was.")
def import_pabulib(file: str, target: str, name: str | None, fiscal_year: int | None, district: str | None) -> None:
    """Import a finished vote from a Pabulib FILE as the edition TARGET (municipality/slug), counted with its rule.

    The municipality must exist (create it in the staff area or with `process create`)."""
    municipality_slug, _, slug = target.partition("/")
    municipality = services.find_municipality(municipality_slug)
    if municipality is None or not slug:
        raise click.BadParameter(f"no municipality {municipality_slug!r}: give MUNICIPALITY/SLUG of an existing "
                                 "municipality", param_hint="TARGET")
    if services.find_process(municipality, slug) is not None:
        raise click.BadParameter(f"{target} exists already: choose another slug", param_hint="TARGET")
    found = None
    if district is not None:
        found = next((d for d in municipality.districts if d.code == district), None)
        if found is None:
            raise click.BadParameter(f"{municipality.slug} has no district {district!r}", param_hint="--district")
    try:
        election = read(Path(file))
    except PabulibError as error:
        raise click.ClickException(f"{file}: {error}") from None
    year = fiscal_year or _year_of(election.meta.get("date_begin", "")) or _year_of(election.meta.get("instance", ""))
    if year is None:
        raise click.BadParameter("the file gives no year: say --fiscal-year", param_hint="--fiscal-year")
    with writing():
        try:
            process = import_election(db.session, None, municipality, election, slug=slug,
                                      name=name or election.meta.get("description") or target, fiscal_year=year,
                                      district=found)
        except PBError as error:
            db.session.rollback()
            _fail(error)
        db.session.commit()
        click.echo(f"imported {target}: {len(election.projects)} projects, {len(election.ballots)} ballots, "
                   f"counted with {process.tally_rule}")


def _year_of(text: str) -> int | None:
    digits = [part for part in text.replace(".", " ").replace("-", " ").split() if part.isdecimal() and len(part) == 4]
    return int(digits[-1]) if digits else None


@process_cli.command("readiness")
@click.argument("process")
def readiness(process: str) -> None:
    """What each phase of PROCESS (municipality/slug) still needs before it can open."""
    board = dashboard(find_process(process))
    for kind, items in board.checklist.items():
        click.echo(phase_label(kind))
        for item in items:
            click.echo(f"  [{'x' if item.ok else ' '}] {item_text(item)}")
