"""Reading paper ballots as a clerk types them, and sheets of them from a CSV file. Pure: no Flask, no database.

A clerk copies a paper ballot into one line of project codes: ``C1 C3 C5`` for approval-like ballots,
``C1:4 C3:6`` for cumulative ones (code, colon, points), the codes in order of preference for rankings.
Whether the ballot keeps the pool's rules is not decided here: the ballot rules checker does that, the
same way for every channel. This module only says what the line means, or which part of it it cannot read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pb.core.tables import CsvProblem, csv_lines, header_dialect
from pb.voting.ballot_rules import Choice

# Codes are separated by spaces, commas or semicolons; "C1:4" and "C1=4" both give points.
_SEPARATORS = re.compile(r"[\s,;]+")
_POINTS = re.compile(r"[:=]")

# The channels a sheet may name, with the spellings clerks use.
SHEET_CHANNELS = {"": "paper", "paper": "paper", "in_person": "in_person", "in person": "in_person",
                  "in-person": "in_person", "person": "in_person"}


@dataclass(frozen=True)
class LineProblem:
    """A part of a typed line that cannot be read: ``unknown_code``, ``bad_points`` or ``points_not_used``."""

    code: str
    token: str


class UnreadableLine(ValueError):
    """The typed line names codes that are not on the ballot or points that are not numbers."""

    def __init__(self, problems: list[LineProblem]) -> None:
        super().__init__(", ".join(f"{p.code}: {p.token}" for p in problems))
        self.problems = problems


def normalise_code(code: str) -> str:
    """A project code as the clerk may type it: case does not matter."""
    return code.strip().upper()


def parse_choices(line: str, codes: Mapping[str, int], *, uses_points: bool) -> list[Choice]:
    """The choices of one typed paper ballot, in the order typed (rank order for rankings).

    ``codes`` maps each project code on the pool's ballot (as given by ``normalise_code``) to the project's
    id. Repeated codes are kept, so that the rules checker names the duplicate instead of hiding it; a
    cumulative choice typed without points is kept without them, for the same reason.
    """
    choices: list[Choice] = []
    problems: list[LineProblem] = []
    for token in _SEPARATORS.split(line.strip()):
        if not token:
            continue
        code, *rest = _POINTS.split(token, maxsplit=1)
        project_id = codes.get(normalise_code(code))
        if project_id is None:
            problems.append(LineProblem("unknown_code", code))
            continue
        points = None
        if rest:
            if not uses_points:
                problems.append(LineProblem("points_not_used", token))
                continue
            if not rest[0].isascii() or not rest[0].isdecimal() or len(rest[0]) > 9:
                problems.append(LineProblem("bad_points", token))
                continue
            points = int(rest[0])
        choices.append(Choice(project_id, points))
    if problems:
        raise UnreadableLine(problems)
    return choices


@dataclass(frozen=True)
class Sheet:
    """One paper ballot of a CSV file of sheets: where it stands in the file and what it says."""

    line: int
    reference: str
    projects: str
    channel: str


@dataclass(frozen=True)
class SheetProblem:
    """A line of a sheets file that cannot be entered: ``missing_column``, ``empty_reference``, ``short_row``,
    ``bad_channel`` or ``unreadable``."""

    line: int
    code: str
    value: str = ""


def parse_sheets(text: str) -> tuple[list[Sheet], list[SheetProblem]]:
    """Read a CSV of ballot sheets (columns reference, projects, optional channel; comma or semicolon).

    A line the file itself makes unreadable is a problem; whether a sheet's ballot is valid is left to
    entering it, line by line.
    """
    dialect = header_dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return _read_sheets(reader)
    except CsvProblem as problem:
        # A line the csv module cannot read (a cell past its size limit): no sheet of the file is entered.
        return [], [SheetProblem(int(problem.detail), "unreadable")]


def _read_sheets(reader) -> tuple[list[Sheet], list[SheetProblem]]:
    lines = csv_lines(reader)
    header = [cell.strip().lower().lstrip("\ufeff") for cell in next(lines, [])]
    missing = [column for column in ("reference", "projects") if column not in header]
    if missing:
        return [], [SheetProblem(1, "missing_column", missing[0])]
    where = {name: header.index(name) for name in ("reference", "projects", "channel") if name in header}
    sheets: list[Sheet] = []
    problems: list[SheetProblem] = []
    for line, cells in enumerate(lines, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            problems.append(SheetProblem(line, "short_row", f"{len(cells)}/{len(header)}"))
            continue
        cell = {name: cells[index].strip() if index < len(cells) else "" for name, index in where.items()}
        channel = SHEET_CHANNELS.get(cell.get("channel", "").lower())
        if not cell["reference"]:
            problems.append(SheetProblem(line, "empty_reference"))
        elif channel is None:
            problems.append(SheetProblem(line, "bad_channel", cell["channel"]))
        else:
            sheets.append(Sheet(line, cell["reference"], cell["projects"], channel))
    return sheets, problems
