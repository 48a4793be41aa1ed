"""Projects from a CSV file (a department's list, or paper forms typed into a sheet): every row checked by the
same rules as a resident's proposal, every bad row named by its line, nothing stored unless all rows pass.

Columns (any order, any case): ``title``, ``summary``, ``cost`` (in the edition's currency), and optionally
``district`` (its code; empty for the city-wide pool), ``categories`` (separated by ``;`` or ``|``, or by commas
inside a quoted cell), ``beneficiaries`` (likewise), ``location`` (``latitude, longitude``) or ``latitude`` and
``longitude``, ``description``, ``author`` (the name to show) and ``origin`` (``department`` or ``paper_form``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from pb.accounts.models import User
from pb.core.tables import Row
from pb.errors import PBError
from pb.processes.models import Process
from pb.proposals.models import Project, ProjectOrigin
from pb.proposals.services import ProposalInput, check_proposal, enter_project

REQUIRED = ("title", "summary", "cost")
KNOWN = (*REQUIRED, "district", "categories", "beneficiaries", "location", "latitude", "longitude", "description",
         "author", "origin")


@dataclass
class ProjectImport:
    """What a projects file would do: each row as it would be stored, and every problem by line."""

    rows: list[dict] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)


def _words(cell: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in re.split(r"[;|,]", cell or "") if word.strip())


def _number(cell: str) -> float | None:
    try:
        return float(cell.replace(",", ".")) if cell.strip() else None
    except ValueError:
        raise ValueError(cell) from None


def _row_input(process: Process, row: Row) -> tuple[ProposalInput, ProjectOrigin | None, str]:
    """One row as a proposal; raises ValueError with a message for what the row itself gets wrong."""
    values = row.values
    if row.fields is not None:
        raise ValueError(_("the line has %(fields)d fields where the header has %(columns)d.", fields=row.fields,
                           columns=len(values)))
    code = values.get("district", "")
    pool = next((p for p in process.pools if (p.district.code if p.district else "") == code), None)
    if pool is None:
        raise ValueError(_("“%(code)s” has no pool in this edition.", code=code) if code else
                         _("the edition has no city-wide pool: give the district."))
    latitude = longitude = None
    try:
        if values.get("location"):
            parts = [part for part in re.split(r"[,;\s]+", values["location"]) if part]
            if len(parts) != 2:
                raise ValueError(values["location"])
            latitude, longitude = float(parts[0]), float(parts[1])
        else:
            latitude, longitude = _number(values.get("latitude", "")), _number(values.get("longitude", ""))
    except ValueError:
        raise ValueError(_("the location is not “latitude, longitude” in degrees, e.g. “37.04, 22.11”.")) from None
    origin = None
    if values.get("origin"):
        try:
            origin = ProjectOrigin(values["origin"].strip().lower())
        except ValueError:
            origin = None
        if origin not in (ProjectOrigin.DEPARTMENT, ProjectOrigin.PAPER_FORM):
            raise ValueError(_("the origin is “department” or “paper_form”."))
    data = ProposalInput(title=values.get("title", ""), summary=values.get("summary", ""),
                         description=values.get("description", ""), cost=values.get("cost", ""), pool_id=pool.id,
                         categories=_words(values.get("categories", "")),
                         beneficiaries=_words(values.get("beneficiaries", "")), latitude=latitude,
                         longitude=longitude, coauthor_emails=(), publish=True)
    return data, origin, values.get("author", "")


def import_projects(actor: User, process: Process, rows: list[Row], *, origin: ProjectOrigin,
                    apply: bool) -> ProjectImport:
    """Check every row (and with ``apply`` store them all, as published projects); a problem in any row stores
    nothing. The caller commits, or rolls back when problems are reported."""
    report = ProjectImport()
    inputs = []
    for row in rows:
        try:
            data, row_origin, author = _row_input(process, row)
            check_proposal(actor, process, data)
        except ValueError as error:
            report.problems.append((row.line, str(error)))
            continue
        except PBError as error:
            report.problems.append((row.line, error.message))
            continue
        inputs.append((data, row_origin or origin, author))
        report.rows.append({"line": row.line, "title": data.title.strip(), "cost": data.cost,
                            "district": row.values.get("district", ""), "origin": (row_origin or origin).value,
                            "author": author})
    if not rows:
        report.problems.append((0, _("The file has no projects.")))
    if report.problems or not apply:
        return report
    for data, row_origin, author in inputs:
        report.projects.append(enter_project(actor, process, data, origin=row_origin, author_name=author))
    return report
