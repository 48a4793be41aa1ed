"""Public pages of processes: the home page and a process page."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template

from pb.accounts.permissions import public
from pb.core.db import utcnow
from pb.core.page_cache import cached_for_visitors
from pb.mandate.queries import public_mandate
from pb.processes import queries
from pb.processes.phases import current_phase, next_phase

bp = Blueprint("processes", __name__)


@bp.app_url_value_preprocessor
def municipality_languages(_endpoint, values) -> None:
    """On a municipality's pages (any area's), the languages it offers, for the language selector."""
    if values and isinstance(values.get("municipality"), str):
        g.municipality_languages = queries.municipality_languages(values["municipality"])


@bp.get("/")
@public
@cached_for_visitors()
def home():
    """The municipality's processes, current ones first."""
    return render_template("processes/home.html", municipalities=queries.municipalities_with_processes(),
                           now=utcnow())


@bp.get("/m/<municipality>/<slug>")
@public
@cached_for_visitors()
def process(municipality: str, slug: str):
    """One process: what it is, where it stands, its pools and its projects."""
    found = queries.process_by_slug(municipality, slug)
    if found is None:
        abort(404)
    now = utcnow()
    projects = queries.public_projects(found)
    return render_template("processes/process.html", process=found, projects=projects,
                           phase=current_phase(found.phases, now), upcoming=next_phase(found.phases, now),
                           now=now, mandate=public_mandate(found, now))
