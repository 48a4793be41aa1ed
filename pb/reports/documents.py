"""The plain data the reports are built from; the web layer fills these from the database.

Money is an integer of the currency's minor units (cents), as everywhere in pb. Free text (names,
narrative, decisions) is shown as given; the builders translate only their own labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from pb.reports.metrics import Metrics, Population

#: The legal standing of the residents' vote, as ``pb.mandate.models.MandateCharacter`` names it.
MANDATE_CHARACTERS = ("binding_statute", "binding_self_commitment", "advisory")


@dataclass(frozen=True)
class Signatory:
    """One line of a sign-off or signature block."""

    role: str
    """What the person signs as, as shown (e.g. "Legal officer"), already translated."""
    name: str = ""
    """Who signs; empty leaves a line to write the name by hand."""
    signed_on: str = ""
    """The date of signature as shown (e.g. "2026-07-01"); empty leaves a line for it."""


@dataclass(frozen=True)
class MandateSummary:
    """The legal context of a process, from the version of its mandate that is in force."""

    character: str
    """One of MANDATE_CHARACTERS (``Mandate.character``)."""
    basis: str = ""
    """The legal basis in one line: instrument, title, number, article, date and journal."""
    decision_body: str = ""
    """Who takes the final decision (``Mandate.decision_body``), e.g. "City council"."""
    bound_party: str = ""
    """Who is bound by the vote, or who must explain a departure (``Mandate.bound_party``)."""
    obligation: str = ""
    """What the bound party must do with the result (``Mandate.obligation``)."""
    version: int | None = None
    """The mandate's version number."""
    effective: str = ""
    """When it is in force, as shown, e.g. "2026-01-01 to 2026-12-31"."""


@dataclass(frozen=True)
class Narrative:
    """The sections people write in the assessment editor, kept with each version; blank ones say so."""

    engagement: str = ""
    """Who was reached and how: outreach, meetings, languages, help given to vote."""
    impact: str = ""
    """The impact on each group, read from the figures."""
    mitigation: str = ""
    """Mitigation and action plan: what will change, who does it, by when."""
    decision: str = ""
    """Decision and reasons: what the municipality decided in the light of the assessment."""
    monitoring: str = ""
    """How and when the effects will be checked again."""
    expected_reach: str = ""
    """Ex ante: whom the process expects to reach, and how many."""


@dataclass(frozen=True)
class ComplyOrExplain:
    """One row of the comply-or-explain table of an advisory mandate: the vote, the decision, why."""

    project: str
    """The project's code and title."""
    vote_result: str
    """What the vote said, as shown, e.g. "Funded by the vote (957 votes)"."""
    council_decision: str
    """What the council decided, as shown, e.g. "Adopted" or "Not adopted"."""
    explanation: str = ""
    """Why the decision departs from the vote (required by most mandates when it does)."""


@dataclass(frozen=True)
class NotAdopted:
    """A winning project of the vote that the council did not adopt, so that the figures leave it out."""

    project: str
    """The project's code and title."""
    cost: int
    """Its cost in the count, in minor units."""
    council_decision: str
    """The council's decision as shown, e.g. "Rejected (13/2026)"."""
    reason: str = ""
    """Why, as the council gave it."""


@dataclass(frozen=True)
class PoolDesign:
    """A pool as designed before the vote, for the ex-ante assessment."""

    name: str
    """The pool's name (``Pool.name``)."""
    amount: int
    """The pool's money in minor units (``Pool.amount``)."""
    district: str | None = None
    """The district it is for (``Pool.district.name``); None for a city-wide pool."""
    ballot_kind: str = ""
    """How residents vote in it, as shown (the translated ballot kind label)."""


@dataclass(frozen=True)
class RiskLine:
    """One line of the ex-ante risk register, as shown."""

    group: str
    """The group that may be left out, e.g. "District South" or "Everyone"."""
    cause: str
    """Why it may be left out."""
    likelihood: str
    """How likely, as shown (translated)."""
    mitigation: str
    """What is planned against it: the action of the plan, or the text written for it."""


@dataclass(frozen=True)
class ActionLine:
    """One action of the mitigation plan, with its target group's turnout before and after its start."""

    kind: str
    """What kind of action, as shown (translated)."""
    group: str
    """The target group, as shown."""
    description: str
    """What is done (and where, when a station)."""
    dates: str
    """Its dates as shown, e.g. "2026-05-04 – 2026-05-08"."""
    owner: str
    """Who answers for it."""
    cost: int | None = None
    """Its cost in minor units; None when none was given."""
    is_ex_ante: bool = False
    """Whether it was planned before the vote opened."""
    answers: str = ""
    """The group of the red flag it answers, as shown; empty when it answers none."""
    before: float | None = None
    """The group's cumulative turnout at the end of the day before the action started (None before the vote)."""
    after: float | None = None
    """The group's cumulative turnout at the end of the action's last day of the vote (or of the vote so far)."""
    electorate_before: float | None = None
    """The electorate's turnout at the same moment as ``before``."""
    electorate_after: float | None = None
    """The electorate's turnout at the same moment as ``after``."""
    flag_cleared: bool | None = None
    """Whether the flag it answers was cleared; None when it answers none."""


@dataclass(frozen=True)
class AssessmentDocument:
    """Everything one version of a social impact assessment shows; ``metrics`` holds every figure."""

    municipality: str
    """The municipality's name."""
    process: str
    """The process's name."""
    fiscal_year: int
    """The budget year."""
    currency: str
    """ISO 4217 code of the process's currency, e.g. "EUR" or "PLN"."""
    metrics: Metrics
    """The figures, from ``metrics.ex_ante`` or ``metrics.ex_post``; ``metrics.mode`` decides the kind."""
    population: Population
    """The census baseline the figures used (its ``source`` and ``as_of`` are cited)."""
    version: int = 1
    """The assessment's version number."""
    prepared_on: str = ""
    """The date of this version as shown; also written into nothing else, so equal data give equal bytes."""
    is_draft: bool = True
    """True until the legal officer publishes the version; drafts carry a "Draft" mark."""
    mandate: MandateSummary | None = None
    """The mandate in force; None when none is recorded yet (the report says so)."""
    scope: str = ""
    """What the assessment covers: process, pools, population, period."""
    evidence: tuple[str, ...] = ()
    """Further sources, one per line (the census source and the ballots are listed automatically)."""
    channels: tuple[str, ...] = ()
    """The voting channels offered: ``pb.voting.models.Channel`` values (online, paper, in_person, assisted)."""
    accessibility: str = ""
    """The accessibility statement (conformance with WCAG 2.1 AA / EN 301 549, known gaps)."""
    languages: tuple[str, ...] = ()
    """The languages the process is offered in, as shown (e.g. "Ελληνικά", "English")."""
    pools: tuple[PoolDesign, ...] = ()
    """The pools as designed (shown in the ex-ante assessment)."""
    narrative: Narrative = Narrative()
    """The written sections."""
    comply_or_explain: tuple[ComplyOrExplain, ...] = ()
    """For an advisory mandate, one row per project where the vote and the decision are compared."""
    group_labels: dict[str, str] | None = None
    """Category and beneficiary group names in the reader's language, by the name the data carry."""
    not_adopted: tuple[NotAdopted, ...] = ()
    """Ex post: the winners the council did not adopt; the figures count only what it funded."""
    sign_off: tuple[Signatory, ...] = ()
    """Who prepared, reviewed and approved the assessment."""
    voters_note: str = ""
    """How the voters were counted, when that leaves some out (``pb.reports.data.voters_note``); else empty."""
    risks: tuple[RiskLine, ...] = ()
    """The ex-ante risk register."""
    actions: tuple[ActionLine, ...] = ()
    """The mitigation plan; ex post with the turnout before and after each action."""
    accessibility_statement: str = ""
    """The sentence that cites the public accessibility statement (its address, date and conformance)."""
    boundaries: tuple[tuple[str, dict], ...] = ()
    """The districts that have a boundary, as (name, GeoJSON MultiPolygon): the choropleth of money per head."""


@dataclass(frozen=True)
class AnnexProject:
    """A funded project as the budget annex lists it."""

    code: str
    """The project's code on the ballot."""
    title: str
    """The project's title."""
    cost: int
    """The funded cost in minor units (after any revision by staff)."""
    district: str = ""
    """The district's name; empty for a city-wide project."""
    budget_line: str = ""
    """The budget line it is charged to; empty uses the pool's."""
    votes: int | None = None
    """Its score in the count (approvals, points or rank score); None when not counted."""
    council_decision: str = ""
    """The council's decision on it as shown (e.g. "Adopted"); empty when none is recorded."""
    adopted: bool = True
    """False when the council decided not to fund it (rejected, not feasible, deferred): the annex still lists it,
    with that decision, and leaves its cost out of what the pool funds."""


@dataclass(frozen=True)
class AnnexPool:
    """One pool of the budget annex: its money, the rule that counted it, and its funded projects."""

    name: str
    """The pool's name."""
    amount: int
    """The pool's money in minor units."""
    rule: str
    """The counting rule as shown (the translated rule label, e.g. "Method of Equal Shares")."""
    projects: tuple[AnnexProject, ...]
    """The funded projects, in the order of the count."""
    district: str = ""
    """The district the pool is for; empty for a city-wide pool."""
    budget_line: str = ""
    """The pool's budget line (``Pool.budget_line``)."""
    ballots: int | None = None
    """The number of ballots counted (``TallyResult.ballots_counted``)."""
    in_points: bool = False
    """True for a cumulative pool, whose projects' scores are points residents gave, not votes."""


@dataclass(frozen=True)
class BudgetAnnex:
    """The council's budget annex of one process."""

    municipality: str
    """The municipality's name."""
    process: str
    """The process's name."""
    fiscal_year: int
    """The budget year."""
    currency: str
    """ISO 4217 code of the currency."""
    mandate_character: str
    """One of MANDATE_CHARACTERS: binding or advisory, as the mandate in force says."""
    pools: tuple[AnnexPool, ...]
    """The pools, each with its funded projects."""
    prepared_on: str = ""
    """The date of the annex as shown."""
    reference: str = ""
    """The council's reference for it (decision or file number), if any."""
    signatories: tuple[Signatory, ...] = ()
    """Who signs the annex."""
    closing_root: str = ""
    """The receipt root taken at the close of the vote (hex), so that printed copies can be compared with it."""
