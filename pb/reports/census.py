"""The census table as it arrives in a CSV file: one line per group, or for the whole municipality. Pure.

Columns (names in the first line, comma or semicolon): ``district``, ``age_band``, ``sex``, ``population``,
``eligible``. A line names at most one group: a district code, an age band (``<18``, ``18-34``, ``35-64``,
``65+``) or a sex (``F``, ``M``, ``X``); a line that names none (or ``total``) holds the municipality's
totals. ``population`` counts residents, ``eligible`` those who may vote; either may be left empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from pb.core.tables import header_dialect
from pb.tally.measures import AGE_BANDS

#: The groups of a line, in the order of their columns.
GROUP_COLUMNS = ("district", "age_band", "sex")
FIGURE_COLUMNS = ("population", "eligible")
TOTAL = "total"
SEXES = ("F", "M", "X")
AGE_BAND_LABELS = tuple(label for label, _low, _high in AGE_BANDS)

# The column names census exports use besides ours.
_ALIASES = {
    "district": ("district", "district_code", "area"),
    "age_band": ("age_band", "age_group"),
    "sex": ("sex", "gender"),
    "population": ("population", "residents", "inhabitants"),
    "eligible": ("eligible", "eligible_residents", "electorate"),
}
# A district cell that means "the whole municipality".
_WHOLE = ("", "total", "all", "*")


@dataclass(frozen=True)
class CensusRow:
    """One line of the census: ``attribute`` is ``total``, ``district``, ``age_band`` or ``sex``."""

    line: int
    attribute: str
    group: str
    population: int | None
    eligible: int | None


@dataclass(frozen=True)
class CensusProblem:
    """A line the import refuses, with a code: missing_column, two_groups, bad_age_band, bad_sex, bad_number,
    no_figure, more_eligible, duplicate, empty."""

    line: int
    code: str
    value: str = ""


def _header(cells: Sequence[str]) -> dict[str, int]:
    """Where each known column is, by the names in the first line."""
    names = [cell.strip().lower().lstrip("\ufeff") for cell in cells]
    where = {}
    for column, aliases in _ALIASES.items():
        found = next((names.index(alias) for alias in aliases if alias in names), None)
        if found is not None:
            where[column] = found
    return where


def _cell(cells: Sequence[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _number(text: str) -> int | None:
    """A whole number of people; spaces, thin spaces and thousands separators are allowed. ValueError if not."""
    digits = "".join(ch for ch in text if ch not in " \u00a0\u202f,._'")
    if not digits:
        return None
    if not digits.isdecimal():
        raise ValueError(text)
    return int(digits)


def _group(line: int, district: str, band: str, sex: str) -> tuple[str, str] | CensusProblem:
    """The (attribute, group) a line speaks of, or why it cannot be read."""
    named = [(attribute, value) for attribute, value in (("district", district), ("age_band", band), ("sex", sex))
             if value and not (attribute == "district" and value.lower() in _WHOLE)]
    if len(named) > 1:
        return CensusProblem(line, "two_groups", ", ".join(value for _attribute, value in named))
    if not named:
        return TOTAL, ""
    attribute, value = named[0]
    if attribute == "age_band" and value not in AGE_BAND_LABELS:
        return CensusProblem(line, "bad_age_band", value)
    if attribute == "sex":
        value = value.upper()
        if value not in SEXES:
            return CensusProblem(line, "bad_sex", value)
    return attribute, value


def parse_census(text: str) -> tuple[list[CensusRow], list[CensusProblem]]:
    """Read a census CSV; its rows and every problem (a file with any problem should change nothing)."""
    dialect = header_dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(reader, [])
    where = _header(header)
    if not any(column in where for column in FIGURE_COLUMNS):
        return [], [CensusProblem(1, "missing_column", "population, eligible")]
    if not any(column in where for column in GROUP_COLUMNS):
        return [], [CensusProblem(1, "missing_column", "district, age_band, sex")]
    rows: list[CensusRow] = []
    problems: list[CensusProblem] = []
    seen: set[tuple[str, str]] = set()
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            problems.append(CensusProblem(line, "short_row", f"{len(cells)}/{len(header)}"))
            continue
        group = _group(line, *(_cell(cells, where.get(column)) for column in GROUP_COLUMNS))
        if isinstance(group, CensusProblem):
            problems.append(group)
            continue
        key = (group[0], group[1].lower())
        if key in seen:
            problems.append(CensusProblem(line, "duplicate", group[1] or TOTAL))
            continue
        seen.add(key)
        try:
            population, eligible = (_number(_cell(cells, where.get(column))) for column in FIGURE_COLUMNS)
        except ValueError as error:
            problems.append(CensusProblem(line, "bad_number", str(error)))
            continue
        if population is None and eligible is None:
            problems.append(CensusProblem(line, "no_figure"))
            continue
        if population is not None and eligible is not None and eligible > population:
            problems.append(CensusProblem(line, "more_eligible"))
            continue
        rows.append(CensusRow(line, group[0], group[1], population, eligible))
    if not rows and not problems:
        problems.append(CensusProblem(1, "empty"))
    return rows, problems
