"""The measures of the social impact assessment: who could take part, who did, and who benefits.

Plain frozen dataclasses in and out, numpy for the per-ballot work, no Flask and no database. Voter
satisfaction comes from ``pb.tally.measures`` (pabutools' definitions); this module adds the population
baseline (eligibility, turnout, representation), spending per head, funds by category and beneficiary
group, the suppression of small groups and green/amber/red flags against thresholds a municipality sets.

Notation: Pop residents, E eligible residents, V voters; a subscript g is one group
of an attribute (district, age band, sex, channel), d one district.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from pb.tally.election import Ballot, Election
from pb.tally.measures import AGE_BANDS, Satisfaction, age_band, satisfaction

#: The attributes voters are grouped by, in the order reports show them.
ATTRIBUTES = ("district", "age_band", "sex", "channel")

#: Attributes that have no population baseline by nature: nobody is "eligible by channel".
NO_BASELINE = frozenset({"channel"})

#: The category or beneficiary group of a project that has none.
UNCLASSIFIED = ""


class Status(enum.StrEnum):
    """A flag against the municipality's thresholds."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


_SEVERITY = {Status.GREEN: 0, Status.AMBER: 1, Status.RED: 2}


def worst(statuses: Iterable[Status | None]) -> Status | None:
    """The most severe of the flags, None when there is none (nothing could be judged)."""
    flags = [s for s in statuses if s is not None]
    return max(flags, key=_SEVERITY.__getitem__) if flags else None


@dataclass(frozen=True)
class Thresholds:
    """Where the flags change colour; the defaults below are pb's, a municipality may set its own.

    Representation index RI: green when ``representation_green[0] <= RI <= representation_green[1]``,
    amber when inside ``representation_amber`` but not green, else red. Spending Gini G: green when
    G < ``spending_gini_green``, amber when G <= ``spending_gini_amber``, else red. Share of voters with a
    funded project S: green when S >= ``funded_share_green``, amber when S >= ``funded_share_amber``, else
    red. Groups with fewer than ``min_group`` voters are suppressed (shown as "fewer than min_group").
    """

    representation_green: tuple[float, float] = (0.8, 1.25)
    representation_amber: tuple[float, float] = (0.6, 1.6)
    spending_gini_green: float = 0.2
    spending_gini_amber: float = 0.35
    funded_share_green: float = 0.75
    funded_share_amber: float = 0.5
    min_group: int = 10

    def representation(self, index: float | None) -> Status | None:
        """The flag of a representation index."""
        if index is None:
            return None
        if self.representation_green[0] <= index <= self.representation_green[1]:
            return Status.GREEN
        if self.representation_amber[0] <= index <= self.representation_amber[1]:
            return Status.AMBER
        return Status.RED

    def spending_gini(self, gini: float | None) -> Status | None:
        """The flag of the population-weighted Gini of spending per head."""
        if gini is None:
            return None
        if gini < self.spending_gini_green:
            return Status.GREEN
        return Status.AMBER if gini <= self.spending_gini_amber else Status.RED

    def funded_share(self, share: float | None) -> Status | None:
        """The flag of the share of voters with at least one funded project."""
        if share is None:
            return None
        if share >= self.funded_share_green:
            return Status.GREEN
        return Status.AMBER if share >= self.funded_share_amber else Status.RED


DEFAULT_THRESHOLDS = Thresholds()


def _frozen(mapping: Mapping) -> Mapping:
    """A read-only copy, so that frozen dataclasses stay immutable."""
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Population:
    """The census baseline, as a clerk imports it; every figure may be missing (None or absent).

    ``eligible_by`` maps an attribute (``district``, ``age_band``, ``sex``) to the eligible residents E_g of
    each of its groups; ``population_by_district`` gives Pop_d for spending per head.
    """

    population: int | None = None
    eligible: int | None = None
    eligible_by: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    population_by_district: Mapping[str, int] = field(default_factory=dict)
    source: str = ""
    as_of: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "eligible_by", _frozen({k: _frozen(v) for k, v in self.eligible_by.items()}))
        object.__setattr__(self, "population_by_district", _frozen(self.population_by_district))


@dataclass(frozen=True)
class Missing:
    """A baseline figure that is needed but absent: ``figure`` is ``population`` or ``eligible``.

    ``attribute`` and ``group`` say where (both None for the total).
    """

    figure: str
    attribute: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class PoolResult:
    """One pool after the vote: its anonymised ballots and the projects it funds.

    A project's district is its ``extra["district"]`` when it has one, else the pool's ``district``
    (None for a city-wide pool).
    """

    name: str
    election: Election
    funded: tuple[str, ...]
    district: str | None = None


def group_of(attributes: Mapping[str, str], attribute: str) -> str | None:
    """The group of a voter for an attribute, or None when unknown.

    ``age_band`` is the stored band or derived from ``age``; ``channel`` is the app's ``channel`` or
    Pabulib's ``voting_method``.
    """
    if attribute == "age_band":
        return attributes.get("age_band") or age_band(attributes.get("age"))
    if attribute == "channel":
        return attributes.get("channel") or attributes.get("voting_method") or None
    return attributes.get(attribute) or None


_AGE_ORDER = {label: position for position, (label, _, _) in enumerate(AGE_BANDS)}


def _group_order(name: str) -> tuple[int, str]:
    """Age bands youngest first, then every other group by name."""
    return (_AGE_ORDER.get(name, len(_AGE_ORDER)), name)


@dataclass(frozen=True)
class _Grouping:
    """The groups of one attribute: their names, and each ballot's group index (-1 when unknown)."""

    names: tuple[str, ...]
    codes: np.ndarray


def _groupings(ballots: Sequence[Ballot], extra_names: Mapping[str, Iterable[str]]) -> dict[str, _Grouping]:
    """Every ballot's group per attribute; ``extra_names`` adds groups that have no voter (empty groups)."""
    # Ballots often share one attribute mapping (the Pabulib parser makes sure of it), so each distinct
    # mapping is read once and the per-ballot work stays in numpy.
    position: dict[int, int] = {}
    mappings: list[Mapping[str, str]] = []
    of_ballot = np.empty(len(ballots), dtype=np.int64)
    for i, ballot in enumerate(ballots):
        at = position.get(id(ballot.attributes))
        if at is None:
            at = position[id(ballot.attributes)] = len(mappings)
            mappings.append(ballot.attributes)
        of_ballot[i] = at
    result = {}
    for attribute in ATTRIBUTES:
        labels = [group_of(mapping, attribute) for mapping in mappings]
        names = tuple(sorted({label for label in labels if label} | set(extra_names.get(attribute, ())),
                             key=_group_order))
        index = {name: code for code, name in enumerate(names)}
        per_mapping = np.array([index.get(label, -1) for label in labels], dtype=np.int64)
        result[attribute] = _Grouping(names, per_mapping[of_ballot] if len(ballots) else of_ballot)
    return result


def _weights(ballots: Sequence[Ballot]) -> np.ndarray:
    """The number of voters each ballot stands for."""
    return np.fromiter((b.weight for b in ballots), dtype=np.int64, count=len(ballots))


def _ratio(numerator: float, denominator: float | None) -> float | None:
    """numerator / denominator, None when the denominator is missing or zero."""
    return float(numerator / denominator) if denominator else None


# ---------------------------------------------------------------------------------------------- participation


@dataclass(frozen=True)
class GroupParticipation:
    """Turnout and representation of one group; figures are None when suppressed or without baseline.

    ``voters`` V_g, ``eligible`` E_g, ``turnout`` T_g = V_g / E_g (for a channel: V_c / E),
    ``voter_share`` V_g / V_known, ``eligible_share`` E_g / E_attribute, ``representation`` RI_g.
    """

    attribute: str
    group: str
    voters: int | None
    eligible: int | None
    turnout: float | None
    voter_share: float | None
    eligible_share: float | None
    representation: float | None
    status: Status | None
    suppressed: bool


@dataclass(frozen=True)
class Participation:
    """Who voted, against who could: overall and per group.

    ``dissimilarity`` maps each attribute with a complete baseline to D; ``turnout_spread`` is the
    coefficient of variation of district turnout (None with fewer than two districts with a baseline).
    """

    voters: int
    eligible: int | None
    turnout: float | None
    groups: tuple[GroupParticipation, ...]
    dissimilarity: Mapping[str, float]
    turnout_spread: float | None
    missing: tuple[Missing, ...]

    def of(self, attribute: str) -> tuple[GroupParticipation, ...]:
        """The groups of one attribute."""
        return tuple(g for g in self.groups if g.attribute == attribute)

    @property
    def status(self) -> Status | None:
        """The worst representation flag."""
        return worst(g.status for g in self.groups)


def coverage(population: Population) -> float | None:
    """Eligibility coverage E / Pop: the share of residents who may vote; None without both figures."""
    if population.population is None or population.eligible is None:
        return None
    return _ratio(population.eligible, population.population)


def dissimilarity(voters: Mapping[str, int], eligible: Mapping[str, int]) -> float | None:
    """The dissimilarity index D = 1/2 * sum_g |V_g / V - E_g / E| over the groups of one attribute.

    V and E are the sums over the groups given; None when either is 0. D is 0 when voters mirror the
    electorate and 1 when they share no group with it.
    """
    total_v, total_e = sum(voters.values()), sum(eligible.values())
    if not total_v or not total_e:
        return None
    groups = set(voters) | set(eligible)
    return 0.5 * sum(abs(voters.get(g, 0) / total_v - eligible.get(g, 0) / total_e) for g in groups)


def coefficient_of_variation(values: Sequence[float]) -> float | None:
    """CV = sigma / mu with the population standard deviation; None for fewer than two values or mu = 0."""
    if len(values) < 2:
        return None
    array = np.asarray(values, dtype=np.float64)
    mean = array.mean()
    return float(array.std() / mean) if mean else None


def participation(
    voters: Sequence[Ballot], population: Population, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Participation:
    """Turnout T = V / E and, per group, T_g = V_g / E_g and the representation index RI_g.

    RI_g = (V_g / V_a) / (E_g / E_a), where V_a counts the voters whose group of the attribute is known
    and E_a sums E_g over the attribute's baseline. Each ballot is one voter (or ``weight`` voters): for a
    process with several pools, pass one record per participant, not every ballot. A group of
    0 < V_g < ``min_group`` voters is suppressed; a group with no voter at all is shown, since a 0 reveals
    nobody's vote and is often the finding.
    """
    weights = _weights(voters)
    total = int(weights.sum())
    groupings = _groupings(voters, population.eligible_by)
    missing: list[Missing] = [] if population.eligible is not None else [Missing("eligible")]
    groups: list[GroupParticipation] = []
    dissimilarities: dict[str, float] = {}
    district_turnout: list[float] = []
    for attribute in ATTRIBUTES:
        grouping = groupings[attribute]
        known = grouping.codes >= 0
        counts = np.bincount(grouping.codes[known], weights=weights[known], minlength=len(grouping.names))
        voters_by = {name: int(count) for name, count in zip(grouping.names, counts)}
        baseline = population.eligible_by.get(attribute, {})
        known_voters = sum(voters_by.values())
        eligible_total = sum(baseline.values())
        complete = all(name in baseline for name, count in voters_by.items() if count)
        for name in grouping.names:
            v = voters_by[name]
            e = baseline.get(name)
            if attribute not in NO_BASELINE and e is None:
                missing.append(Missing("eligible", attribute, name))
            if 0 < v < thresholds.min_group:
                groups.append(GroupParticipation(attribute, name, None, e, None, None, None, None, None, True))
                continue
            if attribute in NO_BASELINE:
                turnout = _ratio(v, population.eligible)
            else:
                turnout = _ratio(v, e)
            if attribute == "district" and turnout is not None:
                district_turnout.append(turnout)
            voter_share = _ratio(v, known_voters)
            eligible_share = _ratio(e, eligible_total) if e is not None else None
            index = _ratio(voter_share, eligible_share) if voter_share is not None else None
            groups.append(GroupParticipation(
                attribute, name, v, e, turnout, voter_share, eligible_share, index,
                thresholds.representation(index), False,
            ))
        if baseline and complete and attribute not in NO_BASELINE:
            value = dissimilarity(voters_by, baseline)
            if value is not None:
                dissimilarities[attribute] = value
    return Participation(
        voters=total,
        eligible=population.eligible,
        turnout=_ratio(total, population.eligible),
        groups=tuple(groups),
        dissimilarity=_frozen(dissimilarities),
        turnout_spread=coefficient_of_variation(district_turnout),
        missing=tuple(missing),
    )


# ---------------------------------------------------------------------------------------------- spending


@dataclass(frozen=True)
class DistrictSpending:
    """Money for one district: ``amount`` A_d in cost units, ``per_head`` s_d = A_d / Pop_d in currency."""

    district: str
    amount: int
    population: int | None
    per_head: float | None


@dataclass(frozen=True)
class FundShare:
    """Funded money that goes to one category or beneficiary group (a project counts in each of its own)."""

    name: str
    amount: int
    projects: int
    share: float


@dataclass(frozen=True)
class Spending:
    """Money per district and per head, its population-weighted Gini, and funds by category and group.

    Amounts are integers in cost units; divide by ``cost_scale`` for the currency. ``city_wide`` is money
    not tied to a district. ``gini`` is None when a district lacks its population (see ``missing``).
    """

    cost_scale: int
    total: int
    districts: tuple[DistrictSpending, ...]
    city_wide: int
    gini: float | None
    status: Status | None
    by_category: tuple[FundShare, ...]
    by_beneficiary: tuple[FundShare, ...]
    missing: tuple[Missing, ...]


def weighted_gini(values: Sequence[float], weights: Sequence[float]) -> float:
    """The population-weighted Gini G = sum_i sum_j p_i p_j |s_i - s_j| / (2 P^2 s_bar).

    P = sum_i p_i and s_bar = sum_i p_i s_i / P; 0 when s_bar or P is 0. With equal weights this is the
    textbook (mean absolute difference) Gini, which for n values is (n - 1)/n times pabutools' value.
    """
    s = np.asarray(values, dtype=np.float64)
    p = np.asarray(weights, dtype=np.float64)
    total = p.sum()
    if total == 0:
        return 0.0
    mean = (p * s).sum() / total
    if mean == 0:
        return 0.0
    spread = (p[:, None] * p[None, :] * np.abs(s[:, None] - s[None, :])).sum()
    return float(spread / (2 * total * total * mean))


def _shares(amounts: Mapping[str, int], counts: Mapping[str, int], total: int) -> tuple[FundShare, ...]:
    """Fund shares by decreasing amount, then by name (so ties sort the same every time)."""
    rows = [FundShare(name, amount, counts[name], amount / total if total else 0.0)
            for name, amount in amounts.items()]
    return tuple(sorted(rows, key=lambda row: (-row.amount, row.name)))


def spending(
    projects: Iterable[tuple[int, str | None, Sequence[str], Sequence[str]]],
    population: Population,
    *,
    cost_scale: int = 1,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Spending:
    """Spending per head s_d = A_d / Pop_d and its population-weighted Gini, and funds by category and group.

    ``projects`` are (amount, district or None, categories, beneficiaries); ex post they are the funded
    projects, ex ante the pools (allocations per head). The districts are those with money or with a
    population figure; a district with money but no population is reported missing and leaves the Gini
    None rather than computing it on part of the city. With fewer than two districts the Gini is None.
    """
    by_district: dict[str, int] = {name: 0 for name in population.population_by_district}
    categories: dict[str, int] = {}
    beneficiaries: dict[str, int] = {}
    category_count: dict[str, int] = {}
    beneficiary_count: dict[str, int] = {}
    total = city_wide = 0
    for amount, district, cats, groups in projects:
        total += amount
        if district:
            by_district[district] = by_district.get(district, 0) + amount
        else:
            city_wide += amount
        for name in cats or (UNCLASSIFIED,):
            categories[name] = categories.get(name, 0) + amount
            category_count[name] = category_count.get(name, 0) + 1
        for name in groups or (UNCLASSIFIED,):
            beneficiaries[name] = beneficiaries.get(name, 0) + amount
            beneficiary_count[name] = beneficiary_count.get(name, 0) + 1
    districts = []
    missing = []
    for name in sorted(by_district):
        pop = population.population_by_district.get(name)
        if pop is None:
            missing.append(Missing("population", "district", name))
        per_head = by_district[name] / cost_scale / pop if pop else None
        districts.append(DistrictSpending(name, by_district[name], pop, per_head))
    gini = None
    # One district has no spread to measure; a Gini of 0 there would read as a finding (green).
    if len(districts) >= 2 and not missing:
        gini = weighted_gini([d.per_head or 0.0 for d in districts], [d.population for d in districts])
    return Spending(
        cost_scale=cost_scale,
        total=total,
        districts=tuple(districts),
        city_wide=city_wide,
        gini=gini,
        status=thresholds.spending_gini(gini),
        by_category=_shares(categories, category_count, total),
        by_beneficiary=_shares(beneficiaries, beneficiary_count, total),
        missing=tuple(missing),
    )


# ---------------------------------------------------------------------------------------------- satisfaction


@dataclass(frozen=True)
class SatisfactionFigures:
    """How satisfied a set of voters is with the outcome (pabutools.analysis definitions).

    ``share_funded``: share of voters with at least one funded project they supported; ``avg_cost``:
    mean cost of the funded projects a voter supported, in currency; ``avg_cardinality``: mean number of
    them; ``gini_cost``/``gini_cardinality``: their Gini coefficients; ``fair_share``: mean capped
    fair-share ratio over voters who supported anything (None when nobody did).
    """

    voters: int
    share_funded: float
    avg_cost: float
    avg_cardinality: float
    gini_cost: float
    gini_cardinality: float
    fair_share: float | None
    status: Status | None


@dataclass(frozen=True)
class GroupSatisfaction:
    """The satisfaction of one group; ``figures`` is None when suppressed or when nobody is in the group."""

    attribute: str
    group: str
    figures: SatisfactionFigures | None
    suppressed: bool


@dataclass(frozen=True)
class PoolSatisfaction:
    """One pool's outcome as its voters see it, overall and per group.

    ``histogram[k]`` is the number of voters who supported exactly k funded projects.
    """

    pool: str
    overall: SatisfactionFigures
    groups: tuple[GroupSatisfaction, ...]
    histogram: tuple[int, ...]

    def of(self, attribute: str) -> tuple[GroupSatisfaction, ...]:
        """The groups of one attribute."""
        return tuple(g for g in self.groups if g.attribute == attribute)

    @property
    def status(self) -> Status | None:
        """The worst flag of the share of voters with a funded project, overall and per group."""
        return worst([self.overall.status, *(g.figures.status for g in self.groups if g.figures)])


def _figures(sat: Satisfaction, mask: np.ndarray | None, thresholds: Thresholds) -> SatisfactionFigures:
    """The aggregate figures of the ballots where mask is true (all ballots for None)."""
    summary = sat.summary(mask)
    share = float(summary["share_non_empty_handed"])
    return SatisfactionFigures(
        voters=int(summary["voters"]),
        share_funded=share,
        avg_cost=float(summary["avg_cost_sat"]),
        avg_cardinality=float(summary["avg_cardinality_sat"]),
        gini_cost=float(summary["gini_cost_sat"]),
        gini_cardinality=float(summary["gini_cardinality_sat"]),
        fair_share=summary["capped_fair_share_ratio"],
        status=thresholds.funded_share(share) if summary["voters"] else None,
    )


def pool_satisfaction(pool: PoolResult, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> PoolSatisfaction:
    """The satisfaction of a pool's voters with its funded projects, overall and per group.

    A voter supports a project when the ballot approves, ranks or gives it positive points; cost
    satisfaction sums the costs of the funded projects supported, cardinality satisfaction counts them.
    Gini as pabutools: (n + 1 - 2 * sum_i (n - i) v_(i) / sum v) / n over sorted values v_(0) <= ...;
    capped fair share: share_i = sum_{p in A_i} c_p / |N_p|, fair_i = min(share_i, B / n), ratio_i =
    min(1, sum_{p in A_i and W} c_p / |N_p| / fair_i), averaged over voters with a non-empty ballot.
    """
    ballots = pool.election.ballots
    sat = satisfaction(pool.election, pool.funded)
    groupings = _groupings(ballots, {})
    groups = []
    for attribute in ATTRIBUTES:
        grouping = groupings[attribute]
        for code, name in enumerate(grouping.names):
            mask = grouping.codes == code
            count = int(sat.weights[mask].sum())
            if count < thresholds.min_group:
                groups.append(GroupSatisfaction(attribute, name, None, count > 0))
            else:
                groups.append(GroupSatisfaction(attribute, name, _figures(sat, mask, thresholds), False))
    histogram = np.bincount(sat.cardinality.astype(np.int64), weights=sat.weights) if len(ballots) else []
    return PoolSatisfaction(
        pool=pool.name,
        overall=_figures(sat, None, thresholds),
        groups=tuple(groups),
        histogram=tuple(int(count) for count in histogram),
    )


# ---------------------------------------------------------------------------------------------- the assessment


@dataclass(frozen=True)
class Metrics:
    """Every figure of one assessment. Ex ante, ``participation`` is None and ``satisfaction`` empty, and
    ``spending`` is the allocation of the pools; ex post it is the money of the funded projects.
    """

    mode: str
    thresholds: Thresholds
    coverage: float | None
    participation: Participation | None
    spending: Spending
    satisfaction: tuple[PoolSatisfaction, ...]

    @property
    def status(self) -> Status | None:
        """The worst flag of the assessment: the summary's traffic light."""
        parts = [self.spending.status, *(pool.status for pool in self.satisfaction)]
        if self.participation is not None:
            parts.append(self.participation.status)
        return worst(parts)

    @property
    def missing(self) -> tuple[Missing, ...]:
        """Every baseline figure the assessment needed and did not have, each once."""
        found = [] if self.coverage is not None else [Missing("population")]
        if self.participation is not None:
            found += self.participation.missing
        found += self.spending.missing
        return tuple(dict.fromkeys(found))


def ex_ante(
    population: Population,
    pools: Iterable[tuple[int, str | None]],
    *,
    cost_scale: int = 1,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Metrics:
    """The figures before the vote: eligibility coverage and the pools' money per head.

    ``pools`` are (amount in cost units, district or None for a city-wide pool).
    """
    allocations = ((amount, district, (), ()) for amount, district in pools)
    return Metrics(
        mode="ex-ante",
        thresholds=thresholds,
        coverage=coverage(population),
        participation=None,
        spending=spending(allocations, population, cost_scale=cost_scale, thresholds=thresholds),
        satisfaction=(),
    )


def _common_scale(pools: Sequence[PoolResult]) -> int:
    """The finest cost unit among the pools (cost scales are powers of ten, so the largest divides none)."""
    return max((pool.election.cost_scale for pool in pools), default=1)


def funded_projects(pools: Sequence[PoolResult]) -> list[tuple[int, str | None, Sequence[str], Sequence[str]]]:
    """(amount in the common cost unit, district, categories, beneficiaries) of every funded project."""
    scale = _common_scale(pools)
    rows = []
    for pool in pools:
        factor = scale // pool.election.cost_scale
        for project_id in pool.funded:
            project = pool.election.project(project_id)
            district = project.extra.get("district") or pool.district
            rows.append((project.cost * factor, district, project.categories, project.beneficiaries))
    return rows


def ex_post(
    population: Population,
    pools: Sequence[PoolResult],
    *,
    voters: Sequence[Ballot] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Metrics:
    """The figures after the vote: participation, spending of the funded projects, and satisfaction.

    ``voters`` are one record per participant for turnout (see ``participation``); by default every
    ballot of every pool, which is right when each resident votes in one pool only.
    """
    if voters is None:
        voters = [ballot for pool in pools for ballot in pool.election.ballots]
    return Metrics(
        mode="ex-post",
        thresholds=thresholds,
        coverage=coverage(population),
        participation=participation(voters, population, thresholds),
        spending=spending(funded_projects(pools), population, cost_scale=_common_scale(pools),
                          thresholds=thresholds),
        satisfaction=tuple(pool_satisfaction(pool, thresholds) for pool in pools),
    )
