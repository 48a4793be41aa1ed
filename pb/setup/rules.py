"""What a set-up may say: every rule a clerk or a file can break, checked before anything is stored.

The values come as a form or a file gave them (a number may arrive as text, a date as a string); each check
turns them into what the models store, or adds a problem with its field. The field is a form field's name,
or a key path in a file (``process.pools[2].amount``): the same rules serve both, so a file and a form are
refused for the same reasons, in the user's language. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.languages import get_official_languages
from babel.numbers import list_currencies
from flask_babel import gettext as _

from pb.core.money import minor_units
from pb.maps.geometry import GeometryProblem, read_boundary
from pb.maps.labels import geometry_problem_text, tile_problem_text
from pb.maps.tiles import MAX_ATTRIBUTION, MAX_TEMPLATE, NO_TILES, TileProblem, check_tile_setting
from pb.processes.models import BallotKind, BallotOrder, PhaseKind
from pb.tally.rules import RULES, TIE_BREAKS

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DISTRICT_CODE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
# Far above any municipality's population, and well inside the column's 32-bit integer.
MAX_POPULATION = 100_000_000
# Far above any municipal budget (a trillion in major units) and inside a 64-bit column in minor units.
MAX_AMOUNT_MAJOR = 10**12
MAX_VOCABULARY = 60
VOCABULARY_WORD_MAX = 80
PHASE_ORDER = list(PhaseKind)


@dataclass(frozen=True)
class MunicipalityValues:
    """A municipality as entered: its address (slug), name, country, time zone, population and languages."""

    slug: Any
    name: Any
    country: Any
    timezone: Any
    population: Any = None
    # None: the languages pb offers, the country's official one first.
    languages: Any = None
    categories: Any = ()
    beneficiary_groups: Any = ()
    # Maps (pb.maps.tiles): empty for OpenStreetMap's tiles, "none", or a tile server's URL template.
    map_tiles: Any = None
    map_attribution: Any = None


@dataclass(frozen=True)
class DistrictValues:
    """A district as entered: its code (used in files and on the register), name and population, and its
    boundary when a set-up file gives one (already read by pb.maps.geometry, or the problem it found)."""

    code: Any
    name: Any
    population: Any = None
    boundary: Any = None


@dataclass(frozen=True)
class EditionValues:
    """An edition's own settings as entered; ``categories`` None takes the municipality's vocabulary."""

    slug: Any
    name: Any
    fiscal_year: Any
    currency: Any = "EUR"
    description: Any = ""
    tally_rule: Any = "greedy"
    tie_break: Any = "lexico"
    min_project_score: Any = None
    #: The least share of voters a project needs to be counted at all (0.05 is 5%), for every rule.
    min_vote_share: Any = None
    min_voter_age: Any = 16
    collect_demographics: Any = False
    max_proposals_per_resident: Any = None
    max_project_cost: Any = None
    max_supports_per_resident: Any = None
    appeal_days: Any = 14
    ballot_order: Any = BallotOrder.CODE.value
    categories: Any = None
    beneficiary_groups: Any = None


@dataclass(frozen=True)
class PoolValues:
    """A pool as entered: city-wide (no district) or one district's, its money and its ballot's rules.

    ``min_spend_share`` is the least share of the pool a knapsack ballot must spend (0.5 is half);
    ``max_choices`` is the ranking's length on a ranking ballot."""

    name: Any
    amount: Any
    district: Any = None
    budget_line: Any = ""
    ballot: Any = BallotKind.APPROVAL.value
    min_choices: Any = None
    max_choices: Any = None
    min_spend_share: Any = None
    total_points: Any = None
    max_points_per_project: Any = None


@dataclass(frozen=True)
class PhaseValues:
    """A phase as entered: its kind and dates (a date means its midnight in the municipality's time zone)."""

    kind: Any
    starts: Any
    ends: Any


@dataclass
class Problems:
    """The problems found so far; ``at(prefix)`` names fields inside a part (a pool, a phase) of a file."""

    found: list[tuple[str | None, str]] = field(default_factory=list)
    prefix: str = ""

    def add(self, name: str | None, message: str) -> None:
        """Note a problem with the field ``name`` (None: the whole input)."""
        self.found.append((f"{self.prefix}{name}" if name else (self.prefix.rstrip(".") or None), message))

    def at(self, prefix: str) -> Problems:
        """The same list, naming fields under ``prefix`` (e.g. ``pools[2].``)."""
        return Problems(self.found, self.prefix + prefix)

    def __bool__(self) -> bool:
        return bool(self.found)


# --- Small values --------------------------------------------------------------------------------------------

def text(value: Any, problems: Problems, name: str, *, required: bool = True, most: int = 200,
         what: str | None = None) -> str:
    """A line of text, stripped; ``what`` names it in the message."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(name, _("Enter %(what)s as text.", what=what or name))
        return ""
    value = value.strip()
    if required and not value:
        problems.add(name, _("Enter %(what)s.", what=what or name))
    elif len(value) > most:
        problems.add(name, _("%(what)s is too long: at most %(most)d characters.", what=(what or name).capitalize(),
                             most=most))
    return value


def whole(value: Any, problems: Problems, name: str, *, low: int, high: int, required: bool = True,
          what: str | None = None) -> int | None:
    """A whole number from ``low`` to ``high``; a blank is None when not required."""
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            value = None
        elif re.fullmatch(r"[0-9]{1,15}", value):
            value = int(value)
    if value is None:
        if required:
            problems.add(name, _("Enter %(what)s: a whole number from %(low)d to %(high)d.", what=what or name,
                                 low=low, high=high))
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(name, _("%(what)s must be a whole number from %(low)d to %(high)d.",
                             what=(what or name).capitalize(), low=low, high=high))
        return None
    return value


def yes_no(value: Any, problems: Problems, name: str) -> bool:
    """A yes/no setting (true or false in a file)."""
    if isinstance(value, bool):
        return value
    problems.add(name, _("Answer yes or no (true or false in a file)."))
    return False


def decimal_of(value: Any) -> Decimal | None:
    """A number as an exact decimal: an int, a float by its shortest text (0.1, not 0.1000000000000000055),
    or text with a point or a comma; None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        cleaned = value.strip().replace(" ", "").replace("\u00a0", "")
        if "," in cleaned and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        if re.fullmatch(r"-?[0-9]{1,16}(\.[0-9]{1,12})?", cleaned):
            return Decimal(cleaned)
    return None


def money(value: Any, currency: str, problems: Problems, name: str, *, required: bool = True,
          positive: bool = True, what: str | None = None) -> int | None:
    """An amount in major units (400000, "400000.50") as integer minor units of ``currency``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(name, _("Enter %(what)s: an amount of money, like 400000 or 400000.50.", what=what or name))
        return None
    amount = decimal_of(value)
    if amount is None:
        problems.add(name, _("%(what)s is not an amount of money: write it like 400000 or 400000.50.",
                             what=(what or name).capitalize()))
        return None
    if amount < 0 or (positive and amount == 0):
        problems.add(name, _("%(what)s must be more than zero.", what=(what or name).capitalize()))
        return None
    if amount > MAX_AMOUNT_MAJOR:
        problems.add(name, _("%(what)s is larger than any municipal budget.", what=(what or name).capitalize()))
        return None
    if not currency:  # an unknown currency was refused on its own field; its decimals cannot be judged
        return int(amount * 100)
    units = minor_units(currency)
    minor = amount * units
    if minor != minor.to_integral_value():
        digits = len(str(units)) - 1
        problems.add(name, _("%(what)s has more decimals than %(currency)s has (%(digits)d).",
                             what=(what or name).capitalize(), currency=currency, digits=digits))
        return None
    return int(minor)


def share_in_basis_points(value: Any, problems: Problems, name: str) -> int | None:
    """A share from 0 to 1 (0.7 is 70%) in basis points (7000); finer than a hundredth of a percent is refused."""
    return _basis_points(value, problems, name, (
        _("Give the minimum spend as a share of the pool: 0.7 (or 70%) means 70%."),
        _("The minimum spend is a share of the pool from 0%% to 100%%; %(given)s%% is not."),
        _("Give the minimum spend to at most two decimals of a percent.")))


def vote_share_in_basis_points(value: Any, problems: Problems, name: str) -> int | None:
    """The least share of voters a project needs (0.05 is 5%), in basis points, as the tally counts it."""
    return _basis_points(value, problems, name, (
        _("Give the minimum vote share as a share of the voters: 0.05 (or 5%) means 5%."),
        _("The minimum vote share is a share of the voters from 0%% to 100%%; %(given)s%% is not."),
        _("Give the minimum vote share to at most two decimals of a percent.")))


def _basis_points(value: Any, problems: Problems, name: str, messages: tuple[str, str, str]) -> int | None:
    not_a_share, out_of_range, too_fine = messages
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    share = decimal_of(value)
    if share is None:
        problems.add(name, not_a_share)
        return None
    if not 0 <= share <= 1:
        problems.add(name, out_of_range % {"given": _plain(share * 100)})
        return None
    points = share * 10_000
    if points != points.to_integral_value():
        problems.add(name, too_fine)
        return None
    return int(points) or None


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def vocabulary(value: Any, problems: Problems, name: str) -> list[str]:
    """A list of names residents choose from (categories, beneficiary groups): each once, none too long."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [line for line in re.split(r"[\r\n]+", value)]
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        problems.add(name, _("Give a list of names, one per line (a list of strings in a file)."))
        return []
    words: list[str] = []
    seen: set[str] = set()
    for item in value:
        word = " ".join(item.split())
        if not word:
            continue
        if len(word) > VOCABULARY_WORD_MAX:
            problems.add(name, _("“%(word)s” is too long: at most %(most)d characters.", word=word[:40] + "…",
                                 most=VOCABULARY_WORD_MAX))
        elif word.casefold() in seen:
            problems.add(name, _("“%(word)s” is listed twice.", word=word))
        else:
            seen.add(word.casefold())
            words.append(word)
    if len(words) > MAX_VOCABULARY:
        problems.add(name, _("At most %(most)d names.", most=MAX_VOCABULARY))
    return words


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def _countries() -> frozenset[str]:
    return frozenset(code for code in Locale("en").territories if code.isalpha() and len(code) == 2)


# --- Municipality and districts ------------------------------------------------------------------------------

def check_municipality(values: MunicipalityValues, supported_languages: Sequence[str],
                       problems: Problems) -> dict[str, Any]:
    """The municipality's columns, from what was entered."""
    slug = text(values.slug, problems, "slug", most=64, what=_("the address name"))
    if slug and not SLUG.fullmatch(slug):
        problems.add("slug", _("The address name takes small Latin letters, digits and single hyphens, "
                               "like “kalamata” or “agia-paraskevi”."))
    country = text(values.country, problems, "country", most=2, what=_("the country"))
    country = country.upper()
    if country and country not in _countries():
        problems.add("country", _("Give the country as its two-letter ISO code, like GR or PL."))
    zone = text(values.timezone, problems, "timezone", most=64, what=_("the time zone"))
    if zone and zone not in _time_zones():
        problems.add("timezone", _("“%(zone)s” is not a time zone: use a name like Europe/Athens.", zone=zone))
    languages = values.languages
    if languages is None:
        official = [lang for lang in get_official_languages(country) if lang in supported_languages] \
            if country in _countries() else []
        languages = [*official, *(lang for lang in supported_languages if lang not in official)]
    if isinstance(languages, str):
        languages = [part for part in re.split(r"[\s,]+", languages) if part]
    if not isinstance(languages, (list, tuple)) or not languages or not all(isinstance(x, str) for x in languages):
        problems.add("languages", _("Choose at least one language."))
        languages = []
    unknown = [lang for lang in languages if lang not in supported_languages]
    if unknown:
        problems.add("languages", _("pb offers its pages in %(offered)s; %(unknown)s is not one of them.",
                                    offered=", ".join(supported_languages), unknown=", ".join(unknown)))
    return {
        "slug": slug, "name": text(values.name, problems, "name", what=_("the name")), "country_code": country,
        "timezone": zone,
        "population": whole(values.population, problems, "population", low=1, high=MAX_POPULATION, required=False,
                            what=_("the population")),
        "languages": list(dict.fromkeys(languages)),
        "categories": vocabulary(values.categories, problems, "categories"),
        "beneficiary_groups": vocabulary(values.beneficiary_groups, problems, "beneficiary_groups"),
        **check_map_tiles(values, problems),
    }


def check_map_tiles(values: MunicipalityValues, problems: Problems) -> dict[str, Any]:
    """The municipality's tile setting and attribution; another server than OpenStreetMap's needs its
    attribution (its licence almost always asks for one)."""
    setting = text(values.map_tiles, problems, "map_tiles", most=MAX_TEMPLATE, required=False,
                   what=_("the tile address"))
    try:
        tiles = check_tile_setting(setting)
    except TileProblem as problem:
        problems.add("map_tiles", tile_problem_text(problem))
        tiles = None
    attribution = text(values.map_attribution, problems, "map_attribution", most=MAX_ATTRIBUTION, required=False,
                       what=_("the attribution")) or None
    if tiles not in (None, NO_TILES) and not attribution:
        problems.add("map_attribution", _("Say whose tiles these are, as their licence asks "
                                          "(e.g. “© OpenStreetMap contributors”)."))
    return {"map_tiles": tiles, "map_attribution": attribution if tiles not in (None, NO_TILES) else None}


def check_district(values: DistrictValues, problems: Problems) -> dict[str, Any]:
    """A district's columns, from what was entered."""
    code = text(values.code, problems, "code", most=32, what=_("the district's code"))
    if code and not DISTRICT_CODE.fullmatch(code):
        problems.add("code", _("A district's code takes small Latin letters, digits, hyphens and underscores, "
                               "like “kentro” or “district_3”."))
    columns = {"code": code, "name": text(values.name, problems, "name", what=_("the district's name")),
               "population": whole(values.population, problems, "population", low=1, high=MAX_POPULATION,
                                   required=False, what=_("the population"))}
    if values.boundary is not None:
        # Only a file gives a boundary with the district; the pages upload it on its own (an unchanged district
        # keeps the one it has).
        try:
            columns["boundary"] = read_boundary(values.boundary)
        except GeometryProblem as problem:
            problems.add("boundary", geometry_problem_text(problem))
    return columns


def check_districts(districts: Sequence[DistrictValues], problems: Problems,
                    prefix: str = "districts") -> list[dict[str, Any]]:
    """Several districts at once (a file, a CSV): each checked, and no code twice."""
    checked, seen = [], set()
    for number, values in enumerate(districts, start=1):
        at = problems.at(f"{prefix}[{number}].")
        row = check_district(values, at)
        if row["code"] and row["code"] in seen:
            at.add("code", _("The code “%(code)s” is given to two districts.", code=row["code"]))
        seen.add(row["code"])
        checked.append(row)
    return checked


# --- An edition ----------------------------------------------------------------------------------------------

def check_edition(values: EditionValues, problems: Problems) -> dict[str, Any]:
    """An edition's own columns (not its pools or phases), from what was entered."""
    slug = text(values.slug, problems, "slug", most=80, what=_("the address name"))
    if slug and not SLUG.fullmatch(slug):
        problems.add("slug", _("The address name takes small Latin letters, digits and single hyphens, "
                               "like “2027” or “2027-youth”."))
    currency = text(values.currency, problems, "currency", most=10, what=_("the currency")).upper()
    if currency and currency not in list_currencies():
        problems.add("currency", _("Give the currency as its three-letter ISO code, like EUR or PLN."))
        currency = ""
    rule = values.tally_rule
    if rule not in RULES:
        problems.add("tally_rule", _("Choose a counting rule from the list (%(rules)s).", rules=", ".join(RULES)))
    if values.tie_break not in TIE_BREAKS:
        problems.add("tie_break", _("Choose how ties are broken from the list (%(ways)s).",
                                    ways=", ".join(TIE_BREAKS)))
    threshold = whole(values.min_project_score, problems, "min_project_score", low=0, high=10**9, required=False,
                      what=_("the vote threshold"))
    if rule == "greedy-threshold" and threshold is None and "min_project_score" not in _names(problems):
        problems.add("min_project_score", _("“Most votes first, among projects above a vote threshold” needs the "
                                            "threshold: the least votes a project needs."))
    elif rule != "greedy-threshold" and threshold is not None:
        problems.add("min_project_score", _("A vote threshold applies only to the rule “most votes first, among "
                                            "projects above a vote threshold”."))
    if values.ballot_order not in {order.value for order in BallotOrder}:
        problems.add("ballot_order", _("The order of projects on the ballot is “code” or “random”."))
    description = text(values.description, problems, "description", required=False, most=20_000)
    return {
        "slug": slug, "name": text(values.name, problems, "name", what=_("the name")),
        "fiscal_year": whole(values.fiscal_year, problems, "fiscal_year", low=2000, high=2100,
                             what=_("the fiscal year")),
        "currency": currency, "description": description, "tally_rule": rule, "tie_break": values.tie_break,
        "min_project_score": threshold,
        "min_vote_share_basis_points": vote_share_in_basis_points(values.min_vote_share, problems, "min_vote_share"),
        "min_voter_age": whole(values.min_voter_age, problems, "min_voter_age", low=0, high=30,
                               what=_("the minimum voting age")),
        "collect_demographics": yes_no(values.collect_demographics, problems, "collect_demographics"),
        "max_proposals_per_resident": whole(values.max_proposals_per_resident, problems,
                                            "max_proposals_per_resident", low=1, high=1000, required=False,
                                            what=_("the most proposals per resident")),
        "max_project_cost": money(values.max_project_cost, currency, problems, "max_project_cost", required=False,
                                  what=_("the most a project may cost")),
        "max_supports_per_resident": whole(values.max_supports_per_resident, problems, "max_supports_per_resident",
                                           low=1, high=1000, required=False,
                                           what=_("the most supports per resident")),
        "appeal_days": whole(values.appeal_days, problems, "appeal_days", low=0, high=365,
                             what=_("the days to appeal")),
        "ballot_order": values.ballot_order if values.ballot_order in {o.value for o in BallotOrder} else "code",
        "categories": None if values.categories is None else vocabulary(values.categories, problems, "categories"),
        "beneficiary_groups": None if values.beneficiary_groups is None else vocabulary(
            values.beneficiary_groups, problems, "beneficiary_groups"),
    }


def _names(problems: Problems) -> set[str | None]:
    return {name for name, _message in problems.found}


# Which ballot limits each kind takes: the others given for it are a mistake worth saying.
LIMITS = {
    BallotKind.APPROVAL: {"min_choices", "max_choices"},
    BallotKind.KNAPSACK: {"min_choices", "max_choices", "min_spend_share"},
    BallotKind.CUMULATIVE: {"min_choices", "total_points", "max_points_per_project"},
    BallotKind.RANKING: {"min_choices", "max_choices"},
    BallotKind.CHOOSE_ONE: set(),
}


def check_pool(values: PoolValues, currency: str, district_ids: Mapping[str, int], problems: Problems
               ) -> dict[str, Any]:
    """A pool's columns, from what was entered; ``district_ids`` maps the municipality's district codes."""
    district_id = None
    if values.district not in (None, ""):
        if not isinstance(values.district, str) or values.district.strip() not in district_ids:
            problems.add("district", _("“%(code)s” is not a district of this municipality (its districts: "
                                       "%(codes)s).", code=values.district,
                                       codes=", ".join(sorted(district_ids)) or "—"))
        else:
            district_id = district_ids[values.district.strip()]
    try:
        kind = BallotKind(values.ballot)
    except ValueError:
        problems.add("ballot", _("The ballot is one of approval, knapsack, cumulative, ranking or choose-1."))
        kind = None
    given = {name for name in ("min_choices", "max_choices", "min_spend_share", "total_points",
                               "max_points_per_project") if getattr(values, name) not in (None, "")}
    if kind is not None:
        for name in sorted(given - LIMITS[kind]):
            problems.add(name, _("This limit does not apply to a %(kind)s ballot.", kind=kind.value))
    least = whole(values.min_choices, problems, "min_choices", low=1, high=1000, required=False,
                  what=_("the fewest projects a ballot must choose"))
    most = whole(values.max_choices, problems, "max_choices", low=1, high=1000, required=False,
                 what=_("the most projects a ballot may choose"))
    if kind is BallotKind.RANKING and most is None and "max_choices" not in _names(problems):
        problems.add("max_choices", _("Give the length of the ranking: how many projects a resident puts in order."))
    if least is not None and most is not None and least > most:
        problems.add("min_choices", _("The fewest projects (%(least)d) is more than the most (%(most)d).",
                                      least=least, most=most))
    points = whole(values.total_points, problems, "total_points", low=1, high=10_000, required=False,
                   what=_("the points each resident shares out"))
    cap = whole(values.max_points_per_project, problems, "max_points_per_project", low=1, high=10_000,
                required=False, what=_("the most points for one project"))
    if kind is BallotKind.CUMULATIVE and points is None and "total_points" not in _names(problems):
        problems.add("total_points", _("A points ballot needs the number of points each resident shares out."))
    if points is not None and cap is not None and cap > points:
        problems.add("max_points_per_project", _("The most points for one project (%(cap)d) is more than the "
                                                 "points to share out (%(points)d).", cap=cap, points=points))
    if kind is BallotKind.CUMULATIVE and points is not None and least is not None and least > points:
        problems.add("min_choices", _("With %(points)d points a resident cannot choose %(least)d projects.",
                                      points=points, least=least))
    if kind is BallotKind.CHOOSE_ONE:
        least, most = 1, 1
    return {
        "name": text(values.name, problems, "name", what=_("the pool's name")),
        "district_id": district_id,
        "amount": money(values.amount, currency, problems, "amount", what=_("the pool's amount")),
        "budget_line": text(values.budget_line, problems, "budget_line", required=False, most=80) or None,
        "ballot_kind": kind or BallotKind.APPROVAL,
        "min_choices": least or 1, "max_choices": most,
        "min_spend_basis_points": share_in_basis_points(values.min_spend_share, problems, "min_spend_share"),
        "total_points": points, "max_points_per_project": cap,
    }


def check_pools(pools: Sequence[PoolValues], currency: str, district_ids: Mapping[str, int], tally_rule: str,
                problems: Problems, prefix: str = "pools") -> list[dict[str, Any]]:
    """Every pool of an edition: each checked, one city-wide pool at most and one per district."""
    checked = []
    seen: dict[int | None, int] = {}
    for number, values in enumerate(pools, start=1):
        at = problems.at(f"{prefix}[{number}].")
        row = check_pool(values, currency, district_ids, at)
        check_rule_counts_pool(tally_rule, row["ballot_kind"], at)
        key = row["district_id"]
        if key in seen and not (values.district not in (None, "") and key is None):
            at.add("district", _("Pool %(other)d is already city-wide: an edition has one city-wide pool.",
                                 other=seen[key]) if key is None else
                   _("Pool %(other)d is already for this district: a district has one pool.", other=seen[key]))
        seen.setdefault(key, number)
        checked.append(row)
    return checked


def check_rule_counts_pool(tally_rule: str, kind: BallotKind, problems: Problems) -> None:
    """The counting rule must be able to count the pool's ballots (Phragmén counts approvals only)."""
    if tally_rule == "phragmen" and kind in (BallotKind.CUMULATIVE, BallotKind.RANKING):
        problems.add("ballot", _("Sequential Phragmén counts approval ballots only: choose another rule or ballot."))


# --- Phases --------------------------------------------------------------------------------------------------

def moment(value: Any, zone: str, problems: Problems, name: str) -> dt.datetime | None:
    """A date or date and time in the municipality's time zone (or with its own offset), as UTC.

    A date alone means its midnight: a phase that ends on 15 February ends as that day begins."""
    if isinstance(value, str):
        raw = value.strip()
        try:
            value = dt.date.fromisoformat(raw) if len(raw) == 10 else dt.datetime.fromisoformat(raw)
        except ValueError:
            problems.add(name, _("“%(value)s” is not a date: write it like 2027-04-05 or 2027-04-05T09:00.",
                                 value=raw[:40]))
            return None
    if isinstance(value, dt.datetime):
        local = value
    elif isinstance(value, dt.date):
        local = dt.datetime.combine(value, dt.time())
    else:
        problems.add(name, _("Give a date, like 2027-04-05, or a date and time, like 2027-04-05T09:00."))
        return None
    if not 2000 <= local.year <= 2100:
        problems.add(name, _("Give a date between the years 2000 and 2100."))
        return None
    if local.tzinfo is None:
        try:
            local = local.replace(tzinfo=zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            local = local.replace(tzinfo=dt.UTC)
    return local.astimezone(dt.UTC)


def check_phases(phases: Sequence[PhaseValues], zone: str, problems: Problems,
                 prefix: str = "phases") -> list[tuple[PhaseKind, dt.datetime, dt.datetime]]:
    """Every phase of an edition: known kinds, each once, each ending after it starts, in the usual order
    and without overlapping (a phase may start the moment the one before ends)."""
    checked: list[tuple[PhaseKind, dt.datetime, dt.datetime, int]] = []
    seen: set[PhaseKind] = set()
    for number, values in enumerate(phases, start=1):
        at = problems.at(f"{prefix}[{number}].")
        try:
            kind = PhaseKind(values.kind)
        except ValueError:
            at.add("kind", _("“%(kind)s” is not a phase; the phases are %(kinds)s.", kind=values.kind,
                             kinds=", ".join(k.value for k in PhaseKind)))
            continue
        if kind in seen:
            at.add("kind", _("The phase “%(kind)s” is given twice.", kind=kind.value))
            continue
        seen.add(kind)
        starts = moment(values.starts, zone, at, "starts")
        ends = moment(values.ends, zone, at, "ends")
        if starts is None or ends is None:
            continue
        if ends <= starts:
            at.add("ends", _("The phase “%(kind)s” must end after it starts.", kind=kind.value))
            continue
        checked.append((kind, starts, ends, number))
    ordered = sorted(checked, key=lambda row: PHASE_ORDER.index(row[0]))
    for before, after in itertools.pairwise(ordered):
        if after[1] < before[2]:
            at = problems.at(f"{prefix}[{after[3]}].")
            if after[1] < before[1]:
                at.add("starts", _("The phase “%(after)s” starts before “%(before)s”: phases follow the order %(order)s.",
                                   after=after[0].value, before=before[0].value,
                                   order=" → ".join(k.value for k in PhaseKind)))
            else:
                at.add("starts", _("The phase “%(after)s” starts before “%(before)s” has ended: phases must not "
                                   "overlap.", after=after[0].value, before=before[0].value))
    return [(kind, starts, ends) for kind, starts, ends, _number in ordered]
