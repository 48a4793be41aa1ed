"""``flask --app pb report``: the impact assessment and the budget annex as files, for automation.

    flask --app pb report sia warszawa/2026-grochow --mode ex-post --out sia.pdf
    flask --app pb report annex warszawa/2026-grochow --format xlsx --out annex.xlsx

Both are built from the data as it is now: the assessment as a draft (versions are generated and published
in the app), the annex undated and unsigned, byte for byte what the clerk's download gives.
"""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from pb.core.cli import find_process
from pb.core.i18n import paper_locale
from pb.errors import PBError
from pb.extensions import db
from pb.reports import services
from pb.reports.models import Assessment, AssessmentMode


def _locale_option(command):
    return click.option("--locale", default=None,
                        help="Language of the document (en, el); default: the municipality's main one.")(command)


def _write(path: str, content: bytes) -> None:
    Path(path).write_bytes(content)
    click.echo(f"{path}: {len(content):,} bytes, SHA-256 {services.sha256(content)}")


@click.command("sia")
@click.argument("process_ref", metavar="PROCESS")
@click.option("--mode", type=click.Choice([m.value for m in AssessmentMode]), required=True)
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The PDF file to write.")
@_locale_option
@with_appcontext
def sia_command(process_ref: str, mode: str, out: str, locale: str | None) -> None:
    """Write the social impact assessment of PROCESS as a draft PDF."""
    process = find_process(process_ref)
    found = db.session.scalar(sa.select(Assessment).where(Assessment.process_id == process.id,
                                                          Assessment.mode == AssessmentMode(mode)))
    assessment = found or Assessment(process_id=process.id, mode=AssessmentMode(mode))
    locale = paper_locale(process.municipality.languages, locale)
    with current_app.test_request_context(), force_locale(locale):
        try:
            content = services.draft_pdf(assessment, translate=_, locale=locale)
        except PBError as error:
            raise click.ClickException(error.message) from None
    _write(out, content)


@click.command("annex")
@click.argument("process_ref", metavar="PROCESS")
@click.option("--format", "fmt", type=click.Choice(list(services.ANNEX_FORMATS)), required=True)
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The file to write.")
@_locale_option
@with_appcontext
def annex_command(process_ref: str, fmt: str, out: str, locale: str | None) -> None:
    """Write the budget annex of PROCESS as PDF, CSV or XLSX."""
    process = find_process(process_ref)
    locale = paper_locale(process.municipality.languages, locale)
    with current_app.test_request_context(), force_locale(locale):
        content = services.annex_files(process, translate=_, locale=locale, formats=(fmt,))[fmt]
    _write(out, content)


#: The commands of the ``report`` group (the reports blueprint's CLI group).


@click.command("flags")
@with_appcontext
def flags_command() -> None:
    """Check the live representativeness of every running vote; notify staff of each group newly red (hourly)."""
    from pb.core.db import writing
    from pb.reports import monitoring

    with current_app.test_request_context(), writing():
        raised = monitoring.check_running()
        db.session.commit()
        labels = [f"{flag.process_id}: {flag.attribute} {flag.group}" for flag in raised]
    click.echo(f"{len(labels)} new red flag(s)" + "".join(f"\n  {label}" for label in labels))


report_commands = (sia_command, annex_command, flags_command)
