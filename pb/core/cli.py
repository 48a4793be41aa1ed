"""What every command group shares: finding the process a command names."""

from __future__ import annotations

import click

from pb.extensions import db
from pb.processes.models import Process
from pb.processes.queries import process_by_slug


def find_process(reference: str) -> Process:
    """A process by ``municipality/slug`` or by its id; a usage error names what was not found."""
    if "/" in reference:
        municipality, slug = reference.split("/", 1)
        found = process_by_slug(municipality, slug)
    else:
        found = db.session.get(Process, int(reference)) if reference.isdecimal() and len(reference) < 12 else None
    if found is None:
        raise click.BadParameter(f"no process {reference!r} (give municipality/slug, e.g. warszawa/2026-grochow, "
                                 "or its id)", param_hint="PROCESS")
    return found
