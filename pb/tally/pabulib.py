"""Read and write Pabulib files (pabulib.org), the open format of participatory budgeting elections.

A file has three ``;``-separated tables, META, PROJECTS and VOTES, each under its own header line.
The reader copes with what real files do (a byte-order mark, ``\\r\\n`` line ends, quoted fields, a quote
inside an unquoted field, costs with a decimal point, withdrawn projects, a project named twice in one
vote) and turns anything malformed into a PabulibError that names the line: a file that does not start
with ``META`` and ``key;value``, a count of voters or projects that disagrees with META ``num_votes`` /
``num_projects`` (a file cut short), a voter id used twice, points that are not plain digits, a number
too long or too precise for exact integer arithmetic. The writer produces text that this reader and
pabutools read back to the same election, and that pabulib-checker finds nothing new in.
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
import operator
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType

from pb.tally.constraints import INCOMPATIBLE_KEY, MIN_SHARE_KEY, ConstraintError, Constraints
from pb.tally.election import VOTE_TYPES, Ballot, Election, Project

SECTIONS = ("META", "PROJECTS", "VOTES")

#: PROJECTS columns that have their own Project field; every other column goes to Project.extra.
_PROJECT_FIELDS = ("project_id", "cost", "name", "category", "beneficiaries")
#: VOTES columns that have their own Ballot field; every other column goes to Ballot.attributes.
_BALLOT_FIELDS = ("voter_id", "vote", "points")
#: Extra PROJECTS columns that Pabulib files put right after cost (the city's own counts).
_LEADING_EXTRA = ("votes", "score")
#: Vote types whose ballots carry points; other types ignore a ``points`` column (Krakow's ordinal files
#: carry one, but it is only the rank score L, L-1, ..., 1, which the rules derive from the order).
_POINT_TYPES = ("cumulative", "scoring")

_EMPTY: Mapping[str, str] = MappingProxyType({})

#: The most digits an amount (budget, cost) may have in cost units, decimals included: every amount is an
#: exact integer below 10**18, which a BigInteger column and a float64 hold without trouble.
MAX_AMOUNT_DIGITS = 18
#: The most digits of one ballot's points, and of a count in META (num_votes, min_length, ...).
MAX_COUNT_DIGITS = 15


class PabulibError(ValueError):
    """A Pabulib file that cannot be read, with the line (1-based) and the reason."""

    def __init__(self, reason: str, line: int | None = None, source: str = "<string>") -> None:
        self.reason = reason
        self.line = line
        self.source = source
        where = source if line is None else f"{source} line {line}"
        super().__init__(f"{where}: {reason}")


class _Rows:
    """The non-blank rows of a Pabulib text, each with the line number it starts on.

    Fields are split as pabutools splits them: a field that opens with a quote and goes on after the closing
    quote (``"Odkupmy" i my - ...`` in Czestochowa 2020 Grabowka) is read as Python's lenient csv reads it,
    the text with the quotes dropped. Any other broken quoting (a quote that is never closed) is an error.
    """

    def __init__(self, text: str, source: str) -> None:
        self._source = source
        self._lines = io.StringIO(text, newline="").readlines()
        self._reader = csv.reader(iter(self._lines), delimiter=";", strict=True)
        self._pending: tuple[int, list[str]] | None = None
        self.last_line = 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            return pending
        reader = self._reader
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except csv.Error as exc:
                row = self.lenient(start, exc)
            self.last_line = reader.line_num
            if row and (len(row) > 1 or row[0].strip()):
                return start, row

    def lenient(self, start: int, exc: csv.Error) -> list[str]:
        """The row from line ``start`` to where the strict reader failed, split as pabutools splits it.

        Only a closing quote followed by more text on the same line is forgiven; PabulibError names the line
        otherwise.
        """
        end = self._reader.line_num
        # Forgiven only within one line: a quote that runs on over several lines is a quote left open.
        if "expected after" not in str(exc) or end != start:
            raise PabulibError(f"the line cannot be split into fields ({exc})", start, self._source)
        text = "".join(self._lines[start - 1 : end])
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=False))
        if len(rows) != 1:
            raise PabulibError(f"the line cannot be split into fields ({exc})", start, self._source)
        return rows[0]

    @property
    def reader(self) -> "csv._reader":
        """The underlying csv reader, for the VOTES loop that reads most of the file."""
        assert self._pending is None, "a row was pushed back before the votes"
        return self._reader

    def lines(self, start: int) -> list[str]:
        """The physical lines of the text from line ``start`` on."""
        return self._lines[start - 1 :]

    def push_back(self, item: tuple[int, list[str]]) -> None:
        """Return one row, so that the next section's reader sees it first."""
        self._pending = item


def _section_name(row: list[str]) -> str | None:
    """The section this row opens, when it is a lone META, PROJECTS or VOTES (extra empty cells allowed)."""
    name = row[0].strip().upper()
    if name in SECTIONS and not any(cell.strip() for cell in row[1:]):
        return name
    return None


def _decimals(raw: str) -> int:
    """The number of significant decimals of a number written in the file ("1500.50" has 1, "1500.0" 0)."""
    _, _, frac = raw.replace(",", ".").partition(".")
    return len(frac.rstrip("0"))


def _to_units(raw: str, scale: int) -> int:
    """An exact number of cost units from a decimal string already checked by _check_amount."""
    whole, _, frac = raw.replace(",", ".").partition(".")
    digits = len(str(scale)) - 1
    frac = frac.rstrip("0")
    return int(whole or "0") * scale + int((frac + "0" * digits)[:digits] or "0")


def _check_amount(raw: str) -> bool:
    """Whether raw is a non-negative decimal number such as 1500, 1500.0, 1500,50 or .5."""
    whole, _, frac = raw.replace(",", ".").partition(".")
    if not (whole or frac):
        return False
    return all(not part or part.isascii() and part.isdigit() for part in (whole, frac))


def _digits(raw: str) -> int:
    """The significant digits of a decimal already checked by _check_amount ("0012.50" has 3)."""
    whole, _, frac = raw.replace(",", ".").partition(".")
    return len(whole.lstrip("0")) + len(frac.rstrip("0"))


def _check_count(raw: str) -> bool:
    """Whether raw is a whole number of at most MAX_COUNT_DIGITS plain digits (num_votes, min_length)."""
    return raw.isascii() and raw.isdigit() and len(raw.lstrip("0")) <= MAX_COUNT_DIGITS


def _header(row: list[str], line: int, section: str, required: tuple[str, ...], source: str) -> list[str]:
    """The stripped column names of a section, checked for duplicates and required columns."""
    names = [cell.strip() for cell in row]
    seen: set[str] = set()
    for name in names:
        if not name:
            raise PabulibError(f"the {section} header has an empty column name", line, source)
        if name in seen:
            raise PabulibError(f"the {section} header names the column '{name}' twice", line, source)
        seen.add(name)
    for name in required:
        if name not in seen:
            raise PabulibError(f"the {section} header has no '{name}' column", line, source)
    return names


def _expect_header(rows: _Rows, section: str, opened_at: int, source: str) -> tuple[int, list[str]]:
    """The header row that must follow a section line."""
    try:
        line, row = next(rows)
    except StopIteration:
        raise PabulibError(f"the {section} section has no header line", opened_at, source) from None
    if _section_name(row):
        raise PabulibError(f"the {section} section has no header line", line, source)
    return line, row


def _check_width(row: list[str], width: int, line: int, section: str, source: str) -> None:
    """Raise unless the row has as many fields as its header."""
    if len(row) != width:
        raise PabulibError(
            f"a {section} line needs {width} fields like its header, this one has {len(row)}", line, source
        )


def _shorten(raw: str) -> str:
    """A value short enough to quote in an error message."""
    return raw if len(raw) <= 40 else raw[:20] + "..." + raw[-10:]


def _read_meta(rows: _Rows, source: str, meta_lines: dict[str, int]) -> tuple[dict[str, str], int]:
    """The META table as an ordered dict, and the line of its section marker; ``meta_lines`` receives the
    line of each key."""
    try:
        line, row = next(rows)
    except StopIteration:
        raise PabulibError("the file is empty", None, source) from None
    if line != 1:
        raise PabulibError("the first line must be META, not a blank line", 1, source)
    if _section_name(row) != "META":
        raise PabulibError("the file must start with a META line", line, source)
    meta_line = line
    line, row = _expect_header(rows, "META", meta_line, source)
    if line != 2 or [cell.strip().lower() for cell in row] != ["key", "value"]:
        raise PabulibError("the line after META must be the header 'key;value'", line, source)
    meta: dict[str, str] = {}
    lines: dict[str, int] = {}  # the line of each key's row, so that a bad value is reported where it is
    for line, row in rows:
        if _section_name(row):
            rows.push_back((line, row))
            break
        _check_width(row, 2, line, "META", source)
        key, value = row[0].strip(), row[1].strip()
        if not key:
            raise PabulibError("a META line has an empty key", line, source)
        if key in meta:
            raise PabulibError(f"the META key '{key}' appears twice", line, source)
        meta[key] = value
        lines[key] = line
    if "budget" not in meta:
        raise PabulibError("META has no budget", meta_line, source)
    if not _check_amount(meta["budget"]):
        raise PabulibError(f"the budget '{_shorten(meta['budget'])}' is not a number", lines["budget"], source)
    # The numbers the rules read from META are checked here, where their line is known.
    for key in ("budget", "min_length", "max_length", "max_sum_points", "min_project_score_threshold"):
        if meta.get(key) and not _check_amount(meta[key]):
            raise PabulibError(f"the {key} '{_shorten(meta[key])}' is not a number", lines[key], source)
        if meta.get(key) and _digits(meta[key]) > MAX_AMOUNT_DIGITS:
            raise PabulibError(
                f"the {key} has more than {MAX_AMOUNT_DIGITS} digits, too many for exact arithmetic", lines[key], source
            )
    for key in ("num_votes", "num_projects"):
        if key in meta and not _check_count(meta[key]):
            raise PabulibError(
                f"the {key} '{_shorten(meta[key])}' is not a whole number of at most {MAX_COUNT_DIGITS} digits",
                lines[key],
                source,
            )
    try:
        Constraints.from_meta(meta)
    except ConstraintError as exc:
        key = INCOMPATIBLE_KEY if INCOMPATIBLE_KEY in str(exc) else MIN_SHARE_KEY
        raise PabulibError(str(exc), lines.get(key, meta_line), source) from None
    meta_lines.update(lines)
    vote_type = meta.get("vote_type", "approval")
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            f"the vote_type '{vote_type}' is not one of {', '.join(VOTE_TYPES)}", lines["vote_type"], source
        )
    return meta, meta_line


def _split_list(raw: str) -> tuple[str, ...]:
    """A comma-separated list (category, beneficiaries) as a tuple of its non-empty stripped items."""
    return tuple(item for item in (part.strip() for part in raw.split(",")) if item)


def _too_many_digits(what: str) -> str:
    return f"{what} has more than {MAX_AMOUNT_DIGITS} digits, too many for exact arithmetic"


def _too_precise(what: str, scale: int) -> str:
    return (
        f"{what} needs more than {MAX_AMOUNT_DIGITS} digits in steps of {format_cost(1, scale)} (the most "
        "precise amount of the file), too many for exact arithmetic"
    )


def _read_projects(
    rows: _Rows, meta: dict[str, str], meta_lines: dict[str, int], source: str
) -> tuple[tuple[Project, ...], int]:
    """The PROJECTS table as Projects, and the cost scale that makes every cost and the budget whole."""
    try:
        line, row = next(rows)
    except StopIteration:
        raise PabulibError("there is no PROJECTS section", rows.last_line or None, source) from None
    if _section_name(row) != "PROJECTS":
        raise PabulibError("a PROJECTS line must follow the META table", line, source)
    line, row = _expect_header(rows, "PROJECTS", line, source)
    names = _header(row, line, "PROJECTS", ("project_id", "cost"), source)
    width = len(names)
    id_at, cost_at = names.index("project_id"), names.index("cost")
    name_at = names.index("name") if "name" in names else None
    cat_at = names.index("category") if "category" in names else None
    ben_at = names.index("beneficiaries") if "beneficiaries" in names else None
    extra_at = [(i, n) for i, n in enumerate(names) if n not in _PROJECT_FIELDS]

    parsed: list[tuple[str, str, int, list[str]]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if _section_name(row):
            rows.push_back((line, row))
            break
        _check_width(row, width, line, "PROJECTS", source)
        cells = [cell.strip() for cell in row]
        project_id, cost = cells[id_at], cells[cost_at]
        if not project_id:
            raise PabulibError("a project has an empty project_id", line, source)
        if "," in project_id:
            raise PabulibError(f"the project id '{project_id}' contains a comma", line, source)
        if project_id in seen:
            raise PabulibError(
                f"the project id '{project_id}' was already used on line {seen[project_id]}", line, source
            )
        seen[project_id] = line
        if not _check_amount(cost):
            raise PabulibError(
                f"the cost '{_shorten(cost)}' of project '{project_id}' is not a number", line, source
            )
        if _digits(cost) > MAX_AMOUNT_DIGITS:
            raise PabulibError(_too_many_digits(f"the cost of project '{project_id}'"), line, source)
        parsed.append((sys.intern(project_id), cost, line, cells))

    # One scale for the whole election, so that every cost and the budget are exact integers.
    decimals = max([_decimals(cost) for _, cost, _, _ in parsed] + [_decimals(meta["budget"])])
    scale = 10**decimals
    limit = 10**MAX_AMOUNT_DIGITS
    if _to_units(meta["budget"], scale) >= limit:
        raise PabulibError(_too_precise("the budget", scale), meta_lines["budget"], source)
    if "num_projects" in meta and int(meta["num_projects"]) != len(parsed):
        raise PabulibError(
            f"META num_projects says {int(meta['num_projects'])} projects, but PROJECTS lists {len(parsed)}",
            meta_lines["num_projects"],
            source,
        )
    projects = []
    for project_id, cost, line, cells in parsed:
        units = _to_units(cost, scale)
        if units >= limit:
            raise PabulibError(_too_precise(f"the cost of project '{project_id}'", scale), line, source)
        # Empty cells are kept, so that a column every project leaves empty is written back too.
        extra = {name: cells[i] for i, name in extra_at}
        projects.append(
            Project(
                id=project_id,
                cost=units,
                name=cells[name_at] if name_at is not None else "",
                categories=_split_list(cells[cat_at]) if cat_at is not None else (),
                beneficiaries=_split_list(cells[ben_at]) if ben_at is not None else (),
                extra=extra,
            )
        )
    return tuple(projects), scale


#: One distinct raw vote as read: its choices, its points, and the fields the writer must give back (or None).
_Vote = tuple[tuple[str, ...], tuple[int, ...] | None, tuple[str, str | None] | None]


def _read_votes(
    rows: _Rows, projects: tuple[Project, ...], vote_type: str, source: str
) -> tuple[Ballot, ...]:
    """The VOTES table as one Ballot per voter, in file order."""
    try:
        line, row = next(rows)
    except StopIteration:
        raise PabulibError("there is no VOTES section", rows.last_line or None, source) from None
    if _section_name(row) != "VOTES":
        raise PabulibError("a VOTES line must follow the PROJECTS table", line, source)
    line, row = _expect_header(rows, "VOTES", line, source)
    names = _header(row, line, "VOTES", ("vote",), source)
    with_points = vote_type in _POINT_TYPES
    if with_points and "points" not in names:
        raise PabulibError(f"{vote_type} ballots need a 'points' column", line, source)
    width = len(names)
    vote_at = names.index("vote")
    points_at = names.index("points") if "points" in names else None
    voter_at = names.index("voter_id") if "voter_id" in names else None
    attr_at = [(i, sys.intern(n)) for i, n in enumerate(names) if n not in _BALLOT_FIELDS]

    # Real files repeat the same vote, points and attributes over and over: parse each distinct
    # raw value once and share the resulting tuples and mappings between ballots. A plain loop over
    # the csv reader with these caches parses Wroclaw 2015 (131,778 voters) in about a quarter second.
    ids = {p.id: p.id for p in projects}
    vote_of = operator.itemgetter(vote_at) if points_at is None else operator.itemgetter(vote_at, points_at)
    votes_cache: dict[object, _Vote] = {}
    attr_of = operator.itemgetter(*(i for i, _ in attr_at)) if attr_at else None
    attr_cache: dict[object, Mapping[str, str]] = {}
    new, setattr_ = object.__new__, object.__setattr__
    ballots = []
    reader = rows.reader
    header_line = end = reader.line_num
    stream: Iterator[list[str]] = reader
    while True:
        try:
            for row in stream:
                end = reader.line_num  # the line this row ends on
                if len(row) != width or width == 1:
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue
                    if _section_name(row):
                        raise PabulibError(f"the {_section_name(row)} section appears a second time", end, source)
                    _check_width(row, width, end, "VOTES", source)
                raw_vote = vote_of(row)
                vote = votes_cache.get(raw_vote)
                if vote is None:
                    vote = votes_cache[raw_vote] = _parse_vote(raw_vote, points_at is not None, with_points, ids,
                                                               end, source)
                attributes = _EMPTY
                if attr_of is not None:
                    raw_attributes = attr_of(row)
                    attributes = attr_cache.get(raw_attributes)
                    if attributes is None:
                        attributes = attr_cache[raw_attributes] = _attributes(attr_at, raw_attributes)
                voter_id = row[voter_at].strip() if voter_at is not None else ""
                # The fields are checked above; filling the instance directly skips Ballot.__init__ and its
                # copy of the attribute mapping, which otherwise takes longer than reading the file.
                ballot = new(Ballot)
                setattr_(
                    ballot,
                    "__dict__",
                    {
                        "choices": vote[0],
                        "points": vote[1],
                        "weight": 1,
                        "voter_id": voter_id or None,
                        "attributes": attributes,
                        "written": vote[2],
                    },
                )
                ballots.append(ballot)
            break
        except csv.Error as exc:
            # The row after the last one read failed the strict split: read it as pabutools does, go on.
            stream = itertools.chain((rows.lenient(end + 1, exc),), reader)
    if voter_at is not None:
        named = [b.voter_id for b in ballots if b.voter_id is not None]
        if len(set(named)) != len(named):
            _refuse_repeated_voter(rows.lines(header_line + 1), header_line, voter_at, source)
    return tuple(ballots)


def _refuse_repeated_voter(lines: list[str], header_line: int, voter_at: int, source: str) -> None:
    """Raise PabulibError on the first VOTES line whose voter id an earlier line already used.

    Only run when a repeat is known to exist: the fast loop checks ids all at once, this finds the lines.
    """
    reader = csv.reader(iter(lines), delimiter=";", strict=False)
    first: dict[str, int] = {}
    for row in reader:
        if len(row) > voter_at and (voter_id := row[voter_at].strip()):
            line = header_line + reader.line_num
            if voter_id in first:
                raise PabulibError(f"the voter id '{_shorten(voter_id)}' was already used on line {first[voter_id]}",
                                   line, source)
            first[voter_id] = line
    raise AssertionError("a repeated voter id was not found again")  # pragma: no cover


def _parse_vote(
    raw: object, has_points_column: bool, with_points: bool, ids: dict[str, str], line: int, source: str
) -> _Vote:
    """One distinct raw vote (and points field) of a VOTES line.

    The written form is kept when the rules read the ballot differently from its text: a project named
    twice, or a points column on a ballot kind whose rules do not read points.
    """
    if has_points_column:
        vote, points_raw = (str(part).strip() for part in raw)  # type: ignore[attr-defined]
    else:
        vote, points_raw = str(raw).strip(), None
    if with_points:
        choices, points, repeated = _parse_scored(vote, points_raw or "", ids, line, source)
    else:
        choices, repeated = _parse_choices(vote, ids, line, source)
        points = None
    written = (vote, points_raw) if repeated or (points_raw is not None and not with_points) else None
    return choices, points, written


def _attributes(attr_at: list[tuple[int, str]], raw: object) -> Mapping[str, str]:
    """The read-only attribute mapping of a ballot, one entry per column, empty values included (pabutools keeps
    them, and a column every voter leaves empty is written back)."""
    values = raw if len(attr_at) > 1 else (raw,)
    attributes = {name: sys.intern(v.strip()) for (_, name), v in zip(attr_at, values)}
    return MappingProxyType(attributes) if attributes else _EMPTY


def _parse_ids(vote: str, ids: dict[str, str], line: int, source: str) -> list[str]:
    """The project ids of one vote, in order, checked against the PROJECTS table; none for an empty vote."""
    choices: list[str] = []
    if not vote:
        return choices
    for part in vote.split(","):
        part = part.strip()
        known = ids.get(part)
        if known is None:
            if not part:
                raise PabulibError(f"the vote '{vote}' has an empty project id", line, source)
            raise PabulibError(f"the vote names project '{part}', which is not in PROJECTS", line, source)
        choices.append(known)
    return choices


def _parse_choices(vote: str, ids: dict[str, str], line: int, source: str) -> tuple[tuple[str, ...], bool]:
    """The distinct project ids of an approval or ordinal vote, and whether one was named twice.

    A few real files name a project twice in one vote (Warsaw 2026, Seattle 2019); the voter approved
    it once, and for a ranking the first place counts.
    """
    named = _parse_ids(vote, ids, line, source)
    choices = tuple(dict.fromkeys(named))
    return choices, len(choices) != len(named)


def _parse_scored(
    vote: str, raw: str, ids: dict[str, str], line: int, source: str
) -> tuple[tuple[str, ...], tuple[int, ...], bool]:
    """The distinct project ids and their points of a cumulative or scoring vote, and whether one was named
    twice.

    A project named twice gets the sum of its points: Czestochowa 2020 has a voter who gave
    "579,579,579,579" one point each, that is four points to project 579 (as the city's score column does).
    """
    choices = _parse_ids(vote, ids, line, source)
    points = []
    for part in raw.split(",") if raw else ():
        part = part.strip()
        # int() would take "-3", "+3", "1_0" and other scripts' digits ("٣"): Pabulib points are plain digits.
        if not (part.isascii() and part.isdigit()):
            raise PabulibError(
                f"the points '{_shorten(part)}' are not a whole number of 0 or more in the digits 0-9", line, source
            )
        if len(part.lstrip("0")) > MAX_COUNT_DIGITS:
            raise PabulibError(f"the points have more than {MAX_COUNT_DIGITS} digits", line, source)
        points.append(int(part))
    if len(points) != len(choices):
        raise PabulibError(
            f"the vote names {len(choices)} projects but the points field has {len(points)} entries",
            line,
            source,
        )
    merged: dict[str, int] = {}
    for project_id, given in zip(choices, points):
        merged[project_id] = merged.get(project_id, 0) + given
    return tuple(merged), tuple(merged.values()), len(merged) != len(choices)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while some 100,000 lasting objects are built.

    It would scan them again and again as they pile up (half the parse time of a city), and none of
    them is garbage. Reference counting still frees everything temporary.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def parse(text: str, *, source: str = "<string>") -> Election:
    """Parse the text of a Pabulib file; raise PabulibError naming the line when it is malformed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    rows = _Rows(text, source)
    meta_lines: dict[str, int] = {}
    meta, _ = _read_meta(rows, source, meta_lines)
    projects, scale = _read_projects(rows, meta, meta_lines, source)
    try:
        Constraints.from_meta(meta).partners([p.id for p in projects])
    except ConstraintError as exc:
        raise PabulibError(str(exc), meta_lines[INCOMPATIBLE_KEY], source) from None
    with _no_cyclic_gc():
        ballots = _read_votes(rows, projects, meta.get("vote_type", "approval"), source)
    if "num_votes" in meta and int(meta["num_votes"]) != len(ballots):
        expected = int(meta["num_votes"])
        found = "has no ballots" if not ballots else f"has {len(ballots)}"
        raise PabulibError(
            f"META num_votes says {expected} voters, but the VOTES section {found} (is the file cut short?)",
            meta_lines["num_votes"],
            source,
        )
    return Election(meta=meta, projects=projects, ballots=ballots, cost_scale=scale)



def read(path: str | os.PathLike[str]) -> Election:
    """Read a Pabulib file, UTF-8 with or without a byte-order mark."""
    source = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise PabulibError(f"cannot read the file ({exc.strerror})", None, source) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PabulibError("the file is not UTF-8 text", line, source) from None
    return parse(text, source=source)


def format_cost(units: int, scale: int) -> str:
    """A cost in units as the decimal the file shows, without trailing zeros ("1500", "1500.5")."""
    whole, frac = divmod(units, scale)
    if not frac:
        return str(whole)
    return f"{whole}.{str(frac).rjust(len(str(scale)) - 1, '0').rstrip('0')}"


def _ordered_keys(mappings: list[Mapping[str, str]]) -> list[str]:
    """The keys of several mappings in first-seen order."""
    keys: dict[str, None] = {}
    for mapping in mappings:
        for key in mapping:
            keys.setdefault(key, None)
    return list(keys)


def write(election: Election) -> str:
    """The election as Pabulib text; a ballot of weight w becomes w lines.

    A ballot read from a file with its ``written`` fields is written as the file had it. ValueError when
    META ``num_votes`` or ``num_projects`` disagrees with the election, or a ballot gives negative points
    (the reader would refuse the text).
    """
    if any(b.points and min(b.points) < 0 for b in election.ballots):
        raise ValueError("a ballot gives negative points, which Pabulib files do not have")
    counts = {"num_votes": election.voter_count, "num_projects": len(election.projects)}
    for key, found in counts.items():
        stated = election.meta.get(key)
        if stated is not None and (not _check_count(stated) or int(stated) != found):
            raise ValueError(f"META {key} says {stated!r}, but the election has {found}")
    out = io.StringIO()
    # With "\r\n" as line end the csv module quotes any field holding a "\r" or a "\n" (with "\n" alone it
    # would leave a lone "\r" unquoted); Pabulib readers accept both line ends.
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(election.meta.items())

    projects = election.projects
    extra_keys = _ordered_keys([p.extra for p in projects])
    leading = [k for k in extra_keys if k in _LEADING_EXTRA]
    trailing = [k for k in extra_keys if k not in _LEADING_EXTRA]
    clash = [k for k in extra_keys if k in _PROJECT_FIELDS]
    if clash:
        raise ValueError(f"Project.extra may not hold the column '{clash[0]}', which has its own field")
    # Pabulib's usual order: project_id, cost, votes, score, name, category, beneficiaries, then the rest.
    listed = [
        column
        for column, present in (
            ("name", any(p.name for p in projects)),
            ("category", any(p.categories for p in projects)),
            ("beneficiaries", any(p.beneficiaries for p in projects)),
        )
        if present
    ]
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", *leading, *listed, *trailing])
    scale = election.cost_scale
    for p in projects:
        own = {"name": p.name, "category": ",".join(p.categories), "beneficiaries": ",".join(p.beneficiaries)}
        writer.writerow(
            [
                p.id,
                format_cost(p.cost, scale),
                *(p.extra.get(k, "") for k in leading),
                *(own[c] for c in listed),
                *(p.extra.get(k, "") for k in trailing),
            ]
        )

    with_points = election.vote_type in _POINT_TYPES
    # A points column on ballots whose rules read no points (Krakow's ordinal files) is given back too.
    points_column = with_points or any(b.written is not None and b.written[1] is not None for b in election.ballots)
    attr_keys = _ordered_keys([b.attributes for b in election.ballots])
    clash = [k for k in attr_keys if k in _BALLOT_FIELDS]
    if clash:
        raise ValueError(f"Ballot.attributes may not hold the column '{clash[0]}', which has its own field")
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", *(["points"] if points_column else []), *attr_keys])
    used = {b.voter_id for b in election.ballots if b.voter_id is not None}
    fresh = (str(n) for n in range(1, sys.maxsize) if str(n) not in used)
    for b in election.ballots:
        vote = ",".join(b.choices)
        points = ",".join(map(str, b.points or ())) if with_points else ""
        if b.written is not None:
            vote = b.written[0]
            if b.written[1] is not None:
                points = b.written[1]
        point_cells = [points] if points_column else []
        attributes = [b.attributes.get(k, "") for k in attr_keys]
        # A grouped ballot stands for several voters; Pabulib wants one line, with its own id, per voter.
        for copy in range(b.weight):
            voter_id = b.voter_id if b.voter_id is not None and copy == 0 else next(fresh)
            writer.writerow([voter_id, vote, *point_cells, *attributes])
    return out.getvalue()


def dump(election: Election, path: str | os.PathLike[str]) -> None:
    """Write the election to a Pabulib file in UTF-8."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(write(election))


def group_ballots(election: Election) -> Election:
    """The same election with identical ballots (choices, points, attributes, written form) merged into
    weighted ones."""
    weights: dict[tuple[object, ...], int] = {}
    first: dict[tuple[object, ...], Ballot] = {}
    # Mappings are not hashable; ballots from the parser share them, so each is turned into a key once.
    attribute_keys: dict[int, tuple[tuple[str, str], ...]] = {}
    with _no_cyclic_gc():
        for b in election.ballots:
            attributes = attribute_keys.get(id(b.attributes))
            if attributes is None:
                attributes = attribute_keys[id(b.attributes)] = tuple(sorted(b.attributes.items()))
            key = (b.choices, b.points, attributes, b.written)
            if key in weights:
                weights[key] += b.weight
            else:
                weights[key] = b.weight
                first[key] = b
        ballots = tuple(
            Ballot(choices=b.choices, points=b.points, weight=weights[key], attributes=b.attributes, written=b.written)
            for key, b in first.items()
        )
    return Election(
        meta=election.meta, projects=election.projects, ballots=ballots, cost_scale=election.cost_scale
    )
