"""What staff read for the set-up: each readiness item in words, and where to fix it."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from pb.core.tables import CsvProblem
from pb.setup.readiness import Item

# When the item holds / when it does not.
_WORDS = {
    "description": (_l("The edition says what it is for."), _l("Write a description of the edition for residents.")),
    "schedule": (_l("Proposals or voting are dated."), _l("Date the phases: at least proposals or voting.")),
    "pools": (_l("The edition has pools of money."), _l("Add a pool: city-wide or for a district.")),
    "pool_amounts": (_l("Every pool has an amount."), _l("Give these pools an amount: %(pools)s.")),
    "categories": (_l("Residents have categories to choose from."),
                   _l("List the categories residents choose from.")),
    "proposals": (_l("Projects were proposed."), _l("No project has been proposed yet.")),
    "public_projects": (_l("Projects are public for discussion."), _l("No project is public yet.")),
    "ballot_rules": (_l("Every pool's ballot rules are complete."),
                     _l("Complete the ballot rules of these pools: %(pools)s.")),
    "ballot_projects": (_l("Every pool has projects on its ballot."),
                        _l("These pools have no project on the ballot yet (review them as feasible): %(pools)s.")),
    "reviews_done": (_l("Every proposal has been reviewed."), None),
    "register": (_l("Residents can be verified: the voter register is imported."),
                 _l("Import the voter register, so that residents can prove they may vote.")),
    "mandate": (_l("A mandate is in force for the vote."), None),
    "preset:ex_ante_assessment": (_l("The ex-ante impact assessment is published, as the mandate's preset asks."),
                                  _l("Publish the ex-ante impact assessment: the mandate's preset asks for it "
                                     "before the vote.")),
    "vote_closed": (_l("The vote was closed and counted."), _l("Close and count the vote from the voting desk.")),
    "decisions": (_l("The council decided on every winning project."), None),
}

# The staff page where each item is fixed: its endpoint and arguments beside the process id.
LINKS: dict[str, tuple[str, dict[str, str]]] = {
    "description": ("setup.edit_edition", {}), "schedule": ("setup.schedule", {}), "pools": ("setup.pools", {}),
    "pool_amounts": ("setup.pools", {}), "categories": ("setup.vocabulary", {}), "ballot_rules": ("setup.pools", {}),
    "ballot_projects": ("review.queue", {}), "reviews_done": ("review.queue", {}),
    "proposals": ("setup.new_project", {}), "public_projects": ("review.queue", {}), "register": ("desk.desk", {}),
    "mandate": ("mandate.process_mandates", {}),
    "preset:ex_ante_assessment": ("reports.assessment", {"mode": "ex-ante"}), "vote_closed": ("desk.desk", {}),
    "decisions": ("mandate.decisions", {}),
}


def item_text(item: Item) -> str:
    """The item in the reader's language: what holds, or what is missing."""
    numbers = dict(item.numbers)
    if not item.ok and item.code == "reviews_done":
        return ngettext("%(num)d proposal still waits for its review.",
                        "%(num)d proposals still wait for their review.", numbers["count"])
    if not item.ok and item.code == "decisions":
        return ngettext("The council has yet to decide on %(num)d winning project.",
                        "The council has yet to decide on %(num)d winning projects.", numbers["count"])
    if not item.ok and item.code == "mandate":
        if numbers.get("has_mandate"):
            return _("No mandate will be in force when voting opens: a legal officer signs it and puts it in force "
                     "for the voting dates.")
        return _("The edition has no mandate: a legal officer records whether the vote is binding or advisory.")
    done, lacking = _WORDS.get(item.code, (item.code, item.code))
    text = done if item.ok else (lacking or done)
    return str(text) % numbers if "%(" in str(text) else str(text)


def missing_text(items: list[Item]) -> str:
    """The missing items of a phase in one paragraph, for a refusal."""
    return " ".join(item_text(item) for item in items)


def csv_problem_text(problem: CsvProblem) -> str:
    """Why an uploaded CSV file cannot be read, in the reader's language."""
    if problem.code == "encoding":
        return _("The file is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8”.")
    if problem.code == "columns":
        return _("The first line must name the columns; these are missing: %(columns)s.", columns=problem.detail)
    if problem.code == "unknown_columns":
        return _("The file has columns pb does not know: %(columns)s.", columns=problem.detail)
    if problem.code == "unreadable":
        return _("Line %(line)s of the file cannot be read as CSV (a cell too long, or quotes that do not close).",
                 line=problem.detail)
    if problem.code == "too_many":
        return _("The file has more than %(most)s rows.", most=problem.detail)
    return _("The file is empty.")
