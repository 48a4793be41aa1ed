"""Who may vote where, and the council's register as it arrives in a CSV file. Pure: no Flask, no database."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pb.core.tables import CsvProblem, csv_lines, header_dialect

# Register columns, with the other names councils' exports use for them.
_COLUMNS = {
    "reference": ("reference", "resident_reference", "id", "ref"),
    "birth_year": ("birth_year", "year_of_birth", "born"),
    "district": ("district", "district_code", "area"),
}


class HasDistrict(Protocol):
    """A pool as far as eligibility cares: city-wide when it has no district."""

    district_id: int | None


def is_old_enough(birth_year: int | None, min_age: int, vote_year: int) -> bool:
    """Whether a resident reaches the minimum age in the year of the vote.

    The register gives only the birth year (a birth date would identify people far more), so the age
    is the one reached during that year. A register entry without a birth year is not refused: the
    council put it there.
    """
    return birth_year is None or vote_year - birth_year >= min_age


def pools_for(pools: Iterable[HasDistrict], district_id: int | None) -> list[HasDistrict]:
    """The pools a resident may vote in: every city-wide pool, and the pool of their own district."""
    return [pool for pool in pools if pool.district_id is None or pool.district_id == district_id]


@dataclass(frozen=True)
class RegisterRow:
    """One resident of the register file. ``line`` is where it stands in the file, for messages."""

    line: int
    reference: str
    birth_year: int | None
    district: str | None


@dataclass(frozen=True)
class RegisterProblem:
    """A row the import refuses: its line and a code (missing_column, empty_reference, bad_year, duplicate,
    short_row with "found/expected" values)."""

    line: int
    code: str
    value: str = ""


def parse_register(text: str, this_year: int) -> tuple[list[RegisterRow], list[RegisterProblem]]:
    """Read a register CSV (reference, birth_year, district; comma or semicolon); rows and every problem."""
    dialect = header_dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return _read_register(reader, this_year)
    except CsvProblem as problem:
        # A line the csv module cannot read (a cell past its size limit): nothing of the file is imported.
        return [], [RegisterProblem(int(problem.detail), "unreadable")]


def _read_register(reader, this_year: int) -> tuple[list[RegisterRow], list[RegisterProblem]]:
    lines = csv_lines(reader)
    header = next(lines, None)
    if header is None:
        return [], [RegisterProblem(1, "missing_column", "reference")]
    names = [cell.strip().lower().lstrip("\ufeff") for cell in header]
    where: dict[str, int] = {}
    for column, aliases in _COLUMNS.items():
        for alias in aliases:
            if alias in names:
                where[column] = names.index(alias)
                break
    if "reference" not in where:
        return [], [RegisterProblem(1, "missing_column", "reference")]
    rows: list[RegisterRow] = []
    problems: list[RegisterProblem] = []
    seen: set[str] = set()
    for line, cells in enumerate(lines, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(names):
            # A line cut short would lose its last values (a birth year, a district) without a word.
            problems.append(RegisterProblem(line, "short_row", f"{len(cells)}/{len(names)}"))
            continue
        reference = _cell(cells, where.get("reference"))
        year_text = _cell(cells, where.get("birth_year"))
        district = _cell(cells, where.get("district")) or None
        if not reference:
            problems.append(RegisterProblem(line, "empty_reference"))
            continue
        key = "".join(ch for ch in reference.upper() if ch.isalnum())
        if key in seen:
            problems.append(RegisterProblem(line, "duplicate", reference))
            continue
        seen.add(key)
        birth_year = None
        if year_text:
            # Four ASCII digits before int(): "²" passes isdigit(), and 5,000 digits pass it too.
            if not re.fullmatch(r"[0-9]{4}", year_text) or not 1900 <= int(year_text) <= this_year:
                problems.append(RegisterProblem(line, "bad_year", year_text[:20]))
                continue
            birth_year = int(year_text)
        rows.append(RegisterRow(line, reference, birth_year, district))
    return rows, problems


def _cell(cells: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()
