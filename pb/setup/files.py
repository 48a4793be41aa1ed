"""An edition's set-up as a TOML file: read it (every problem named by its key path), create what it
describes, and write an edition back out as a file that creates it again.

The format (README, "Setting up an edition"): a ``[municipality]`` table with its ``[[municipality.districts]]``
and a ``[process]`` table with its ``[[process.pools]]`` and ``[[process.phases]]``. Amounts are in the
currency's major units (400000 or "400000.50"); a phase's dates are dates or date-times in the municipality's
time zone, a date meaning its midnight (a phase that ``ends = "2027-02-15"`` ends as 15 February begins, so the
next one may start that day).
"""

from __future__ import annotations

import datetime as dt
import difflib
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import tomli_w
from flask_babel import gettext as _

from pb.accounts.models import User
from pb.core.money import to_major
from pb.errors import Problems as ProblemsError
from pb.maps.geometry import MAX_BYTES as MAX_BOUNDARY_BYTES
from pb.processes.models import Municipality, Process
from pb.setup import rules, services
from pb.setup.rules import DistrictValues, EditionValues, MunicipalityValues, PhaseValues, PoolValues

MUNICIPALITY_KEYS = ("slug", "name", "country", "timezone", "population", "languages", "categories",
                     "beneficiary_groups", "map_tiles", "map_attribution", "districts")
DISTRICT_KEYS = ("code", "name", "population", "boundary")
PROCESS_KEYS = (*EditionValues.__dataclass_fields__, "pools", "phases")
POOL_KEYS = tuple(PoolValues.__dataclass_fields__)
PHASE_KEYS = tuple(PhaseValues.__dataclass_fields__)


@dataclass(frozen=True)
class EditionFile:
    """What a set-up file says, as plain values for the set-up services."""

    municipality: dict[str, Any]
    districts: list[DistrictValues]
    edition: EditionValues
    pools: list[PoolValues] = field(default_factory=list)
    phases: list[PhaseValues] = field(default_factory=list)
    # Problems of the file's shape (unknown keys): reported with those of its content, all at once.
    problems: tuple[tuple[str | None, str], ...] = ()

    def with_slug(self, slug: str) -> EditionFile:
        """The same set-up under another address name."""
        return EditionFile(self.municipality, self.districts, EditionValues(**{**self.edition.__dict__, "slug": slug}),
                           self.pools, self.phases, self.problems)

    def moved(self, kind: str, starts: dt.datetime) -> EditionFile:
        """The same set-up with every phase moved by whole days, in the municipality's wall-clock time, so that
        phase ``kind`` starts on the day of ``starts`` (the demo's editions run around today)."""
        zone = zoneinfo.ZoneInfo(str(self.municipality.get("timezone") or "UTC"))
        problems = rules.Problems()
        local = {}
        for phase in self.phases:
            for name in ("starts", "ends"):
                moment = rules.moment(getattr(phase, name), zone.key, problems, name)
                local[(phase.kind, name)] = None if moment is None else moment.astimezone(zone).replace(tzinfo=None)
        if problems:
            raise ProblemsError(problems.found)
        days = dt.timedelta(days=(starts.astimezone(zone).date() - local[(kind, "starts")].date()).days)
        phases = [PhaseValues(p.kind, local[(p.kind, "starts")] + days, local[(p.kind, "ends")] + days)
                  for p in self.phases]
        return EditionFile(self.municipality, self.districts, self.edition, self.pools, phases, self.problems)


def _table(value: Any, path: str, problems: rules.Problems) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.add(path, _("This must be a table of keys ([%(path)s] in the file).", path=path))
        return {}
    return value


def _tables(value: Any, path: str, problems: rules.Problems) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        problems.add(path, _("This must be a list of tables ([[%(path)s]] in the file).", path=path))
        return []
    return value


def _known(table: dict[str, Any], keys: tuple[str, ...], path: str, problems: rules.Problems) -> None:
    """A key pb does not know is a typo until proved otherwise: name it, with the key it may have meant."""
    for key in table:
        if key not in keys:
            close = difflib.get_close_matches(key, keys, n=1)
            if close:
                problems.add(f"{path}.{key}", _("Unknown key; did you mean “%(key)s”?", key=close[0]))
            else:
                problems.add(f"{path}.{key}", _("Unknown key; the keys here are %(keys)s.", keys=", ".join(keys)))


def _boundary_file(value: Any, base: Path | None, path: str, problems: rules.Problems) -> bytes | None:
    """The bytes of a district's boundary file, named relative to the set-up file's folder."""
    if value is None:
        return None
    if base is None:
        problems.add(path, _("A boundary file is read only with a set-up file on disk (flask --app pb process "
                             "create); upload it on the district's page instead."))
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(path, _("Name the district's GeoJSON file, relative to the set-up file."))
        return None
    folder = base.resolve()
    target = (folder / value).resolve()
    if Path(value).is_absolute() or not target.is_relative_to(folder):
        problems.add(path, _("Name the GeoJSON file relative to the set-up file, in its folder or below."))
        return None
    try:
        with target.open("rb") as handle:
            return handle.read(MAX_BOUNDARY_BYTES + 1)
    except OSError:
        problems.add(path, _("The boundary file “%(file)s” cannot be read.", file=value))
        return None


def read_edition_file(text: str, base: Path | None = None) -> EditionFile:
    """Read a set-up file; raises pb.errors.Problems when it is not TOML or not in the shape of one, and keeps
    lesser problems (unknown keys) for ``check_edition_file`` to report with the rest. ``base`` is the folder
    of the file on disk, where the districts' boundary files are found."""
    problems = rules.Problems()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProblemsError([(None, _("The file is not valid TOML: %(error)s", error=str(error)))]) from None
    for key in data:
        if key not in ("municipality", "process"):
            problems.add(key, _("Unknown table; a set-up file has [municipality] and [process]."))
    municipality = _table(data.get("municipality"), "municipality", problems)
    process = _table(data.get("process"), "process", problems)
    _known(municipality, MUNICIPALITY_KEYS, "municipality", problems)
    _known(process, PROCESS_KEYS, "process", problems)
    if "slug" not in municipality:
        problems.add("municipality.slug", _("Name the municipality by its address name (slug)."))
    districts = []
    for number, row in enumerate(_tables(municipality.get("districts"), "municipality.districts", problems), 1):
        _known(row, DISTRICT_KEYS, f"municipality.districts[{number}]", problems)
        values = {key: row.get(key) for key in DISTRICT_KEYS}
        values["boundary"] = _boundary_file(values["boundary"], base, f"municipality.districts[{number}].boundary",
                                            problems)
        districts.append(DistrictValues(**values))
    pools = []
    for number, row in enumerate(_tables(process.get("pools"), "process.pools", problems), 1):
        _known(row, POOL_KEYS, f"process.pools[{number}]", problems)
        pools.append(PoolValues(**{"name": None, "amount": None, **{k: row[k] for k in POOL_KEYS if k in row}}))
    phases = []
    for number, row in enumerate(_tables(process.get("phases"), "process.phases", problems), 1):
        _known(row, PHASE_KEYS, f"process.phases[{number}]", problems)
        phases.append(PhaseValues(**{key: row.get(key) for key in PHASE_KEYS}))
    settings = {key: process[key] for key in EditionValues.__dataclass_fields__ if key in process}
    edition = EditionValues(**{"slug": None, "name": None, "fiscal_year": None, **settings})
    return EditionFile({k: v for k, v in municipality.items() if k != "districts"}, districts, edition, pools, phases,
                       tuple(problems.found))


def _municipality_values(table: dict[str, Any]) -> MunicipalityValues:
    return MunicipalityValues(**{"name": None, "country": None, "timezone": None, **{
        key: value for key, value in table.items() if key in MunicipalityValues.__dataclass_fields__}})


def check_edition_file(file: EditionFile, existing: Municipality | None, supported_languages: list[str]) -> None:
    """Every problem of what the file describes, by key path, before anything is written: the municipality
    (when it is new), its districts, the edition, its pools and its phases."""
    problems = rules.Problems(list(file.problems))
    if existing is None:
        values = _municipality_values(file.municipality)
        rules.check_municipality(values, supported_languages, problems.at("municipality."))
        zone = values.timezone if isinstance(values.timezone, str) else "UTC"
        codes = {}
    else:
        zone = existing.timezone
        codes = {d.code: d.id for d in existing.districts}
    rules.check_districts(file.districts, problems.at("municipality."))
    # Districts the file adds have no id yet: a distinct stand-in each, so that two pools are told apart.
    new_codes = [d.code for d in file.districts if isinstance(d.code, str) and d.code not in codes]
    codes.update({code: -number for number, code in enumerate(new_codes, start=1)})
    columns = rules.check_edition(file.edition, problems.at("process."))
    if existing is not None and columns["slug"] and services.find_process(existing, columns["slug"]) is not None:
        problems.add("process.slug", _("%(municipality)s has an edition with the address name “%(slug)s” already: "
                                       "choose another (e.g. --slug).", municipality=existing.name,
                                       slug=columns["slug"]))
    rules.check_pools(file.pools, columns["currency"], codes, columns["tally_rule"], problems.at("process."))
    rules.check_phases(file.phases, zone if zone in zoneinfo.available_timezones() else "UTC",
                       problems.at("process."))
    if problems:
        raise ProblemsError(problems.found)


def create_from_file(actor: User | None, file: EditionFile, supported_languages: list[str], *,
                     via: str | None = None) -> tuple[Process, list[str]]:
    """Create what the file describes (the municipality and missing districts too); what was done, in lines.

    Everything is checked first, so a bad file creates nothing; the caller commits."""
    existing = services.find_municipality(str(file.municipality.get("slug")))
    check_edition_file(file, existing, supported_languages)
    done = []
    municipality = existing
    if municipality is None:
        municipality = services.create_municipality(actor, _municipality_values(file.municipality), via=via)
        done.append(f"municipality {municipality.slug} ({municipality.name})")
    known = {d.code for d in municipality.districts}
    for district in file.districts:
        if district.code not in known:
            services.add_district(actor, municipality, district, via=via)
            done.append(f"district {district.code}")
        elif district.boundary is not None:
            existing_district = next(d for d in municipality.districts if d.code == district.code)
            services.set_district_boundary(actor, existing_district, district.boundary)
            done.append(f"boundary of district {district.code}")
    process = services.create_edition(actor, municipality, file.edition, file.pools, file.phases, via=via)
    done.append(f"edition {municipality.slug}/{process.slug}: {len(process.pools)} pools, {len(process.phases)} phases")
    return process, done


# --- Writing an edition out --------------------------------------------------------------------------------

def _amount(amount: int, currency: str) -> int | str:
    major = to_major(amount, currency)
    return int(major) if major == major.to_integral_value() else format(major, "f")


def _local(moment: dt.datetime, zone: str) -> dt.date | dt.datetime:
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    return local.date() if local.time() == dt.time() else local.replace(microsecond=0)


def _without_empty(table: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in table.items() if value is not None and value != ""}


def edition_settings(process: Process) -> dict[str, Any]:
    """An edition's own settings as the keys of a set-up file (amounts in major units; None where unset)."""
    return {
        "slug": process.slug, "name": process.name, "fiscal_year": process.fiscal_year,
        "currency": process.currency, "description": process.description, "tally_rule": process.tally_rule,
        "tie_break": process.tie_break, "min_project_score": process.min_project_score,
        "min_vote_share": (None if process.min_vote_share_basis_points is None
                           else Decimal(process.min_vote_share_basis_points) / 10_000),
        "min_voter_age": process.min_voter_age, "collect_demographics": process.collect_demographics,
        "max_proposals_per_resident": process.max_proposals_per_resident,
        "max_project_cost": None if process.max_project_cost is None else _amount(process.max_project_cost,
                                                                                process.currency),
        "max_supports_per_resident": process.max_supports_per_resident, "appeal_days": process.appeal_days,
        "ballot_order": process.ballot_order.value, "categories": list(process.categories),
        "beneficiary_groups": list(process.beneficiary_groups),
    }


def export_edition(process: Process) -> str:
    """The edition's set-up as a file that ``create_from_file`` accepts (its projects, ballots and mandate are
    not part of the set-up)."""
    municipality = process.municipality
    zone = municipality.timezone
    pools = []
    for pool in process.pools:
        values = services.pool_values(pool)
        row = _without_empty(values.__dict__)
        row["amount"] = _amount(pool.amount, process.currency)
        if isinstance(values.min_spend_share, Decimal):
            row["min_spend_share"] = float(values.min_spend_share)
        pools.append(row)
    edition = _without_empty(edition_settings(process))
    if "min_vote_share" in edition:
        edition["min_vote_share"] = float(edition["min_vote_share"])
    edition["pools"] = pools
    edition["phases"] = [{"kind": phase.kind.value, "starts": _local(phase.starts_at, zone),
                          "ends": _local(phase.ends_at, zone)} for phase in process.phases]
    document = {
        "municipality": {**_without_empty({
            "slug": municipality.slug, "name": municipality.name, "country": municipality.country_code,
            "timezone": zone, "population": municipality.population, "languages": list(municipality.languages),
            "categories": list(municipality.categories),
            "beneficiary_groups": list(municipality.beneficiary_groups), "map_tiles": municipality.map_tiles,
            "map_attribution": municipality.map_attribution}),
            "districts": [_without_empty({"code": d.code, "name": d.name, "population": d.population})
                          for d in sorted(municipality.districts, key=lambda d: d.code)]},
        "process": edition,
    }
    header = (f"# pb set-up of {municipality.slug}/{process.slug}, written by `flask --app pb process export`.\n"
              "# `flask --app pb process create` reads it back; see README, \"Setting up an edition\".\n")
    return header + tomli_w.dumps(document, multiline_strings=True)
