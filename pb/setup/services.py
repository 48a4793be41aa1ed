"""Setting up a municipality and its editions: every change checked whole before anything is written, and
written to the audit log with what it was before.

What may change when:
- A municipality and its districts: always, by an administrator; a district's code is fixed once a pool,
  a project or the register uses it, and such a district is never deleted (its pool keeps its ballots and
  results, its residents' register entries point at it).
- An edition's settings, pools, ballot rules, counting rule and vocabulary: by a clerk, until voting opens.
  From then on its pools, amounts, ballot rules, counting rule and eligibility are fixed (the models refuse
  them at every flush; these services say so on the field first). Its name and description may still change.
- Phases: a phase that has not started may be moved, added or removed; one that has started moves only as
  pb.processes.services allows (opened or closed early, or extended, with a reason).

Services flush; the caller (a view or a command) commits once, or rolls back on an error.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from pb.accounts.models import User
from pb.accounts.permissions import can_administer, can_manage_processes, check_works_in
from pb.audit.services import changes, record
from pb.core.db import utcnow
from pb.core.money import to_major
from pb.errors import NotAllowed, Problems, ValidationError
from pb.extensions import db
from pb.maps.geometry import GeometryProblem, position_count, read_boundary
from pb.maps.labels import geometry_problem_text
from pb.processes.models import FIXED_POOL_FIELDS, FIXED_PROCESS_FIELDS, District, Municipality, Phase, Pool, Process
from pb.proposals.models import Project, ProjectBeneficiary, ProjectCategory
from pb.proposals.vocabulary import BENEFICIARIES, CATEGORIES
from pb.setup import rules
from pb.setup.rules import DistrictValues, EditionValues, MunicipalityValues, PhaseValues, PoolValues
from pb.voting.models import VoterRegisterEntry

MUNICIPALITY_FIELDS = ["slug", "name", "country_code", "timezone", "population", "languages", "categories",
                       "beneficiary_groups", "map_tiles", "map_attribution"]
DISTRICT_FIELDS = ["code", "name", "population"]
PROCESS_FIELDS = ["slug", "name", "fiscal_year", "currency", "description", "tally_rule", "tie_break",
                  "min_project_score", "min_vote_share_basis_points", "min_voter_age", "collect_demographics", "max_proposals_per_resident",
                  "max_project_cost", "max_supports_per_resident", "appeal_days", "ballot_order", "categories",
                  "beneficiary_groups"]
POOL_FIELDS = ["name", "district_id", "amount", "budget_line", "ballot_kind", "min_choices", "max_choices",
               "min_spend_basis_points", "total_points", "max_points_per_project"]


def default_categories() -> list[str]:
    """The vocabulary a new municipality starts from: Pabulib's words, which pb translates."""
    return list(CATEGORIES)


def default_beneficiary_groups() -> list[str]:
    """The beneficiary groups a new municipality starts from (Pabulib's words)."""
    return list(BENEFICIARIES)


def _raise(problems: rules.Problems) -> None:
    if problems:
        raise Problems(problems.found)


def _require_administrator(actor: User | None, municipality_id: int | None) -> None:
    """An administrator of this municipality (None: a new one, which only an administrator of all creates)."""
    # None is the command line, run by whoever operates the installation.
    if actor is None:
        return
    if not can_administer(actor):
        raise NotAllowed(_("Only an administrator can set up municipalities and their districts."))
    if municipality_id is None and not actor.all_municipalities:
        raise NotAllowed(_("Only an administrator of every municipality can add a municipality."))
    if municipality_id is not None:
        check_works_in(actor, municipality_id)


def _require_clerk(actor: User | None, municipality_id: int) -> None:
    if actor is None:
        return
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk or an administrator can set up an edition."))
    check_works_in(actor, municipality_id)


def _audit(actor: User | None, action: str, obj_type: str, obj_id: object, *, before: dict | None = None,
           after: dict | None = None, via: str | None = None) -> None:
    record(db.session, actor, action, obj_type, obj_id, before=before, after=after,
           actor_label=None if actor is not None else (via or "command line"))


# --- Municipality -------------------------------------------------------------------------------------------

def _supported_languages() -> Sequence[str]:
    return tuple(current_app.config["PB_LOCALES"])


def find_municipality(slug: str) -> Municipality | None:
    """The municipality with this address name."""
    return db.session.scalar(sa.select(Municipality).where(Municipality.slug == slug))


def create_municipality(actor: User | None, values: MunicipalityValues, *, via: str | None = None) -> Municipality:
    """A new municipality; an empty vocabulary takes pb's default one."""
    _require_administrator(actor, None)
    problems = rules.Problems()
    columns = rules.check_municipality(values, _supported_languages(), problems)
    if columns["slug"] and find_municipality(columns["slug"]) is not None:
        problems.add("slug", _("A municipality with the address name “%(slug)s” exists already.", slug=columns["slug"]))
    _raise(problems)
    columns["categories"] = columns["categories"] or default_categories()
    columns["beneficiary_groups"] = columns["beneficiary_groups"] or default_beneficiary_groups()
    municipality = Municipality(**columns)
    db.session.add(municipality)
    db.session.flush()
    _audit(actor, "municipality.create", "municipality", municipality.id,
           after=changes(municipality, MUNICIPALITY_FIELDS), via=via)
    return municipality


def update_municipality(actor: User | None, municipality: Municipality, values: MunicipalityValues) -> Municipality:
    """Correct a municipality; its address name is fixed once it has an edition (residents' links use it)."""
    _require_administrator(actor, municipality.id)
    problems = rules.Problems()
    columns = rules.check_municipality(values, _supported_languages(), problems)
    if columns["slug"] != municipality.slug:
        if municipality.processes:
            problems.add("slug", _("The address name is fixed once the municipality has an edition: residents' "
                                   "links and the published files use it."))
        elif columns["slug"] and find_municipality(columns["slug"]) is not None:
            problems.add("slug", _("A municipality with the address name “%(slug)s” exists already.",
                                   slug=columns["slug"]))
    if not columns["categories"]:
        problems.add("categories", _("Give at least one category: new editions start from this list."))
    _raise(problems)
    before = changes(municipality, MUNICIPALITY_FIELDS)
    for name, value in columns.items():
        setattr(municipality, name, value)
    db.session.flush()
    _audit(actor, "municipality.update", "municipality", municipality.id, before=before,
           after=changes(municipality, MUNICIPALITY_FIELDS))
    return municipality


# --- Districts ----------------------------------------------------------------------------------------------

def district_uses(district: District) -> dict[str, int]:
    """What points at a district: pools, projects and register entries, by count."""
    def count(model, column) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(column == district.id)) or 0

    return {"pools": count(Pool, Pool.district_id), "projects": count(Project, Project.district_id),
            "register": count(VoterRegisterEntry, VoterRegisterEntry.district_id)}


def add_district(actor: User | None, municipality: Municipality, values: DistrictValues, *,
                 via: str | None = None) -> District:
    """A new district of the municipality."""
    _require_administrator(actor, municipality.id)
    problems = rules.Problems()
    columns = rules.check_district(values, problems)
    if columns["code"] in {d.code for d in municipality.districts}:
        problems.add("code", _("The municipality has a district with the code “%(code)s” already.",
                               code=columns["code"]))
    _raise(problems)
    district = District(municipality=municipality, **columns)
    db.session.add(district)
    db.session.flush()
    _audit(actor, "district.create", "district", district.id,
           after={"municipality": municipality.slug, **changes(district, DISTRICT_FIELDS)}, via=via)
    return district


def update_district(actor: User | None, district: District, values: DistrictValues) -> District:
    """Rename a district or correct its population; its code changes only while nothing uses it."""
    _require_administrator(actor, district.municipality_id)
    problems = rules.Problems()
    columns = rules.check_district(values, problems)
    if columns["code"] != district.code:
        if any(district_uses(district).values()):
            problems.add("code", _("The code is fixed: pools, projects or the voter register use this district. "
                                   "Its name can still change."))
        elif columns["code"] in {d.code for d in district.municipality.districts}:
            problems.add("code", _("The municipality has a district with the code “%(code)s” already.",
                                   code=columns["code"]))
    _raise(problems)
    before = changes(district, DISTRICT_FIELDS)
    for name, value in columns.items():
        setattr(district, name, value)
    db.session.flush()
    _audit(actor, "district.update", "district", district.id, before=before, after=changes(district, DISTRICT_FIELDS))
    return district


def set_district_boundary(actor: User | None, district: District, data: bytes | str | None) -> District:
    """Give a district its boundary from an uploaded GeoJSON file (pb.maps.geometry checks it), or remove it
    (None). The audit log records how many positions it had and has, not the whole geometry."""
    _require_administrator(actor, district.municipality_id)
    boundary = None
    if data is not None:
        try:
            boundary = read_boundary(data)
        except GeometryProblem as problem:
            raise ValidationError("file", geometry_problem_text(problem)) from None
    before = {"boundary_positions": position_count(district.boundary) if district.boundary else None}
    district.boundary = boundary
    db.session.flush()
    _audit(actor, "district.boundary", "district", district.id, before=before,
           after={"boundary_positions": position_count(boundary) if boundary else None})
    return district


def delete_district(actor: User | None, district: District) -> None:
    """Remove a district nothing uses; one used by a pool, a project or the register stays, and says why."""
    _require_administrator(actor, district.municipality_id)
    uses = district_uses(district)
    if uses["pools"]:
        raise ValidationError(None, _("“%(name)s” has a pool in an edition, which keeps its ballots and results: it "
                                      "can be renamed but not deleted.", name=district.name))
    if uses["projects"] or uses["register"]:
        raise ValidationError(None, _("“%(name)s” is named by projects or by the voter register: it can be renamed "
                                      "but not deleted.", name=district.name))
    before = changes(district, DISTRICT_FIELDS)
    district_id = district.id
    district.municipality.districts.remove(district)
    db.session.delete(district)
    db.session.flush()
    _audit(actor, "district.delete", "district", district_id, before=before)


@dataclass(frozen=True)
class DistrictImport:
    """What a districts file would do: each row's district, whether it is new, and every problem by row."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[str | None, str]] = field(default_factory=list)

    @property
    def added(self) -> int:
        """How many rows add a district."""
        return sum(1 for row in self.rows if row["new"])


def import_districts(actor: User | None, municipality: Municipality, rows: Sequence[DistrictValues], *,
                     apply: bool, line_numbers: Sequence[int] | None = None) -> DistrictImport:
    """Add the districts of a file (and rename or correct those whose code exists); with ``apply`` False only
    say what would happen. Any problem stores nothing."""
    _require_administrator(actor, municipality.id)
    problems = rules.Problems()
    existing = {d.code: d for d in municipality.districts}
    checked = []
    seen: set[str] = set()
    for index, values in enumerate(rows):
        line = line_numbers[index] if line_numbers else index + 1
        at = problems.at(_("line %(line)d", line=line) + ": ")
        row = rules.check_district(values, at)
        if row["code"] in seen:
            at.add("code", _("The code “%(code)s” is on an earlier line too.", code=row["code"]))
        seen.add(row["code"])
        current = existing.get(row["code"])
        checked.append({**row, "line": line, "new": current is None,
                        "changes": current is not None and (current.name, current.population) !=
                        (row["name"], row["population"])})
    if not rows:
        problems.add(None, _("The file has no districts."))
    report = DistrictImport(checked, problems.found)
    if problems or not apply:
        return report
    for row in checked:
        values = DistrictValues(row["code"], row["name"], row["population"])
        if row["new"]:
            add_district(actor, municipality, values)
        elif row["changes"]:
            update_district(actor, existing[row["code"]], values)
    return report


# --- An edition ---------------------------------------------------------------------------------------------

def find_process(municipality: Municipality, slug: str) -> Process | None:
    """The edition of this municipality with this address name."""
    return db.session.scalar(sa.select(Process).where(Process.municipality_id == municipality.id,
                                                      Process.slug == slug))


def _district_ids(municipality: Municipality) -> dict[str, int]:
    return {d.code: d.id for d in municipality.districts}


def create_edition(actor: User | None, municipality: Municipality, values: EditionValues,
                   pools: Sequence[PoolValues] = (), phases: Sequence[PhaseValues] = (), *,
                   via: str | None = None) -> Process:
    """A new edition with its pools and phases, all checked first; the vocabulary is the municipality's
    unless the values give one."""
    _require_clerk(actor, municipality.id)
    problems = rules.Problems()
    columns = rules.check_edition(values, problems)
    if columns["slug"] and find_process(municipality, columns["slug"]) is not None:
        problems.add("slug", _("%(municipality)s has an edition with the address name “%(slug)s” already.",
                               municipality=municipality.name, slug=columns["slug"]))
    pool_rows = rules.check_pools(pools, columns["currency"], _district_ids(municipality), columns["tally_rule"],
                                  problems)
    phase_rows = rules.check_phases(phases, municipality.timezone, problems)
    _raise(problems)
    if columns["categories"] is None:
        columns["categories"] = list(municipality.categories)
    if columns["beneficiary_groups"] is None:
        columns["beneficiary_groups"] = list(municipality.beneficiary_groups)
    process = Process(municipality=municipality, **columns)
    for row in pool_rows:
        process.pools.append(Pool(**row))
    for kind, starts, ends in phase_rows:
        process.phases.append(Phase(kind=kind, position=rules.PHASE_ORDER.index(kind), starts_at=starts, ends_at=ends))
    db.session.add(process)
    db.session.flush()
    _audit(actor, "process.create", "process", process.id, after=edition_snapshot(process), via=via)
    return process


def edition_snapshot(process: Process) -> dict[str, Any]:
    """An edition's whole set-up, for the audit log."""
    return {"municipality": process.municipality.slug, **changes(process, PROCESS_FIELDS),
            "pools": [{"id": pool.id, **changes(pool, POOL_FIELDS)} for pool in process.pools],
            "phases": [changes(phase, ["kind", "starts_at", "ends_at"]) for phase in process.phases]}


def _refuse_fixed(process: Process, columns: dict[str, Any], names: Sequence[str], problems: rules.Problems,
                  current: object) -> None:
    """Once voting has started, say on each field that what residents were promised cannot change."""
    if not process.voting_has_started():
        return
    for name in names:
        if name in columns and columns[name] != getattr(current, name):
            field_name = {"ballot_kind": "ballot", "district_id": "district",
                          "min_spend_basis_points": "min_spend_share",
                          "min_vote_share_basis_points": "min_vote_share"}.get(name, name)
            problems.add(field_name, _("Fixed since voting opened: residents are voting under this rule."))


def update_edition(actor: User | None, process: Process, values: EditionValues) -> Process:
    """Change an edition's settings; its counting rule and eligibility only until voting opens."""
    _require_clerk(actor, process.municipality_id)
    problems = rules.Problems()
    columns = rules.check_edition(values, problems)
    if columns["slug"] != process.slug:
        if any(p.starts_at <= utcnow() for p in process.phases):
            problems.add("slug", _("The address name is fixed once the edition has begun: residents' links use it."))
        elif columns["slug"] and find_process(process.municipality, columns["slug"]) is not None:
            problems.add("slug", _("%(municipality)s has an edition with the address name “%(slug)s” already.",
                                   municipality=process.municipality.name, slug=columns["slug"]))
    if columns["currency"] != process.currency and db.session.scalar(
            sa.select(sa.func.count()).select_from(Project).where(Project.process_id == process.id)):
        problems.add("currency", _("The currency is fixed once projects have costs in it."))
    for pool in process.pools:
        rules.check_rule_counts_pool(columns["tally_rule"], pool.ballot_kind, problems.at(f"pool “{pool.name}”: "))
    if columns["categories"] is None:
        columns.pop("categories")
    if columns["beneficiary_groups"] is None:
        columns.pop("beneficiary_groups")
    for name in ("categories", "beneficiary_groups"):
        if name in columns:
            _refuse_removing_used_words(process, name, columns[name], problems)
    _refuse_fixed(process, columns, FIXED_PROCESS_FIELDS, problems, process)
    _raise(problems)
    before = changes(process, PROCESS_FIELDS)
    for name, value in columns.items():
        setattr(process, name, value)
    db.session.flush()
    _audit(actor, "process.update", "process", process.id, before=before, after=changes(process, PROCESS_FIELDS))
    return process


def _refuse_removing_used_words(process: Process, name: str, words: list[str], problems: rules.Problems) -> None:
    """A category or group that projects carry stays in the vocabulary, or those projects would lose it."""
    model, column = ((ProjectCategory, ProjectCategory.category) if name == "categories"
                     else (ProjectBeneficiary, ProjectBeneficiary.group))
    used = set(db.session.scalars(sa.select(column).join(Project, Project.id == model.project_id)
                                  .where(Project.process_id == process.id).distinct()))
    removed = sorted(used - set(words))
    if removed:
        problems.add(name, _("Projects of this edition carry %(words)s: keep them in the list.",
                             words=", ".join(f"“{word}”" for word in removed)))


def set_vocabulary(actor: User | None, process: Process, categories: Any, beneficiary_groups: Any) -> Process:
    """The categories and beneficiary groups residents choose from in this edition."""
    _require_clerk(actor, process.municipality_id)
    problems = rules.Problems()
    words = {"categories": rules.vocabulary(categories, problems, "categories"),
             "beneficiary_groups": rules.vocabulary(beneficiary_groups, problems, "beneficiary_groups")}
    for name, listed in words.items():
        _refuse_removing_used_words(process, name, listed, problems)
    _raise(problems)
    before = changes(process, ["categories", "beneficiary_groups"])
    process.categories, process.beneficiary_groups = words["categories"], words["beneficiary_groups"]
    db.session.flush()
    _audit(actor, "process.vocabulary", "process", process.id, before=before,
           after=changes(process, ["categories", "beneficiary_groups"]))
    return process


# --- Pools --------------------------------------------------------------------------------------------------

def _pool_projects(pool: Pool) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(Project.pool_id == pool.id)) or 0


def save_pool(actor: User | None, process: Process, values: PoolValues, pool: Pool | None = None) -> Pool:
    """Add a pool to the edition, or change one, until voting opens."""
    _require_clerk(actor, process.municipality_id)
    problems = rules.Problems()
    if process.voting_has_started() and pool is None:
        raise ValidationError(None, _("No pool can be added to “%(process)s”: voting has started.",
                                      process=process.name))
    row = rules.check_pool(values, process.currency, _district_ids(process.municipality), problems)
    rules.check_rule_counts_pool(process.tally_rule, row["ballot_kind"], problems)
    other = next((p for p in process.pools if p is not pool and p.district_id == row["district_id"]), None)
    if other is not None and "district" not in {name for name, _m in problems.found}:
        problems.add("district", _("“%(pool)s” is already the city-wide pool: an edition has one.", pool=other.name)
                     if row["district_id"] is None else
                     _("“%(pool)s” is already this district's pool: a district has one.", pool=other.name))
    if pool is not None:
        if row["district_id"] != pool.district_id and _pool_projects(pool):
            problems.add("district", _("Projects are proposed in this pool: its district is fixed."))
        _refuse_fixed(process, row, FIXED_POOL_FIELDS, problems, pool)
    _raise(problems)
    before = changes(pool, POOL_FIELDS) if pool is not None else None
    if pool is None:
        pool = Pool(**row)
        process.pools.append(pool)
    else:
        for name, value in row.items():
            setattr(pool, name, value)
    db.session.flush()
    _audit(actor, "pool.update" if before else "pool.create", "pool", pool.id, before=before,
           after={"process": process.id, **changes(pool, POOL_FIELDS)})
    return pool


def delete_pool(actor: User | None, pool: Pool) -> None:
    """Remove a pool with no projects, until voting opens."""
    _require_clerk(actor, pool.process.municipality_id)
    process = pool.process
    if process.voting_has_started():
        raise ValidationError(None, _("No pool can be removed from “%(process)s”: voting has started.",
                                      process=process.name))
    if _pool_projects(pool):
        raise ValidationError(None, _("“%(pool)s” has projects: move or withdraw them before removing the pool.",
                                      pool=pool.name))
    before = changes(pool, POOL_FIELDS)
    pool_id = pool.id
    process.pools.remove(pool)
    db.session.delete(pool)
    db.session.flush()
    _audit(actor, "pool.delete", "pool", pool_id, before={"process": process.id, **before})


# --- Phases -------------------------------------------------------------------------------------------------

def set_schedule(actor: User | None, process: Process, wanted: Sequence[PhaseValues],
                 now: dt.datetime | None = None) -> Process:
    """Set the dates of the phases that have not started (add, move or remove them); the phases that have
    started stay as they are, and the whole schedule must still be in order without overlaps."""
    _require_clerk(actor, process.municipality_id)
    now = now or utcnow()
    problems = rules.Problems()
    started = {p.kind: p for p in process.phases if p.starts_at <= now}
    kinds = [values.kind for values in wanted]
    for number, values in enumerate(wanted, start=1):
        if values.kind in {kind.value for kind in started}:
            problems.at(f"phases[{number}].").add("starts", _(
                "This phase has started: close it early or extend it from the Phases page, with a reason."))
    checked = rules.check_phases(wanted, process.municipality.timezone, problems)
    for kind, starts, _ends in checked:
        if kind not in started and starts <= now:
            index = kinds.index(kind.value) + 1
            problems.at(f"phases[{index}].").add("starts", _(
                "The start is in the past: give a future date, or open the phase now from the Phases page, "
                "with a reason."))
    # The whole schedule, started phases included, must be in order.
    whole = [PhaseValues(kind.value, phase.starts_at, phase.ends_at) for kind, phase in started.items()]
    whole += [PhaseValues(kind.value, starts, ends) for kind, starts, ends in checked if kind not in started]
    if not problems:
        rules.check_phases(whole, process.municipality.timezone, problems.at("schedule: "))
    _raise(problems)
    before = [changes(p, ["kind", "starts_at", "ends_at"]) for p in process.phases]
    for phase in [p for p in process.phases if p.kind not in started]:
        process.phases.remove(phase)
        db.session.delete(phase)
    db.session.flush()
    for kind, starts, ends in checked:
        if kind not in started:
            process.phases.append(Phase(kind=kind, position=rules.PHASE_ORDER.index(kind), starts_at=starts,
                                        ends_at=ends))
    process.phases.sort(key=lambda p: p.position)
    db.session.flush()
    _audit(actor, "process.schedule", "process", process.id, before={"phases": before},
           after={"phases": [changes(p, ["kind", "starts_at", "ends_at"]) for p in process.phases]})
    return process


# --- A new edition from an earlier one ----------------------------------------------------------------------

def _years_later(moment: dt.datetime, years: int) -> dt.datetime:
    """The same moment ``years`` later; 29 February becomes 28 February in a common year."""
    year = moment.year + years
    day = min(moment.day, calendar.monthrange(year, moment.month)[1])
    return moment.replace(year=year, day=day)


def copy_edition(actor: User | None, source: Process, slug: str, name: str, fiscal_year: Any) -> Process:
    """A new edition like ``source``: its settings, pools, ballot and counting rules, vocabulary and phases
    moved by as many years as the fiscal years differ; never its projects, ballots or mandate."""
    _require_clerk(actor, source.municipality_id)
    problems = rules.Problems()
    year = rules.whole(fiscal_year, problems, "fiscal_year", low=2000, high=2100, what=_("the fiscal year"))
    if year is not None and year <= source.fiscal_year:
        problems.add("fiscal_year", _("The new edition's fiscal year comes after %(year)d.", year=source.fiscal_year))
    _raise(problems)
    shift = year - source.fiscal_year  # type: ignore[operator]
    settings = {name_: getattr(source, name_) for name_ in PROCESS_FIELDS}
    settings.update(slug=slug, name=name, fiscal_year=year,
                    max_project_cost=_major(source.max_project_cost, source.currency))
    pools = [pool_values(pool) for pool in source.pools]
    phases = [PhaseValues(p.kind.value, _years_later(p.starts_at, shift), _years_later(p.ends_at, shift))
              for p in source.phases]
    now = utcnow()
    if any(values.starts <= now for values in phases):
        problems.add("fiscal_year", _("Moved by %(years)d years, some phases would start in the past: choose a later "
                                      "fiscal year, or create the edition and set its dates.", years=shift))
        _raise(problems)
    values = EditionValues(**{k: v for k, v in settings.items()
                              if k in EditionValues.__dataclass_fields__})
    process = create_edition(actor, source.municipality, values, pools, phases)
    _audit(actor, "process.copy", "process", process.id, after={"from": source.id, "years": shift})
    return process


def _major(amount: int | None, currency: str) -> str | None:
    """An amount in minor units as the text a form or file gives (major units)."""
    return None if amount is None else format(to_major(amount, currency), "f")


def pool_values(pool: Pool) -> PoolValues:
    """A stored pool as the values that would make it again (for a copy, a file or a form)."""
    kind = pool.ballot_kind
    limits = rules.LIMITS[kind]
    share = None if pool.min_spend_basis_points is None else Decimal(pool.min_spend_basis_points) / 10_000
    return PoolValues(
        name=pool.name, district=pool.district.code if pool.district is not None else None,
        amount=_major(pool.amount, pool.process.currency), budget_line=pool.budget_line or "", ballot=kind.value,
        min_choices=pool.min_choices if "min_choices" in limits else None,
        max_choices=pool.max_choices if "max_choices" in limits else None,
        min_spend_share=share if "min_spend_share" in limits else None,
        total_points=pool.total_points if "total_points" in limits else None,
        max_points_per_project=pool.max_points_per_project if "max_points_per_project" in limits else None)
