"""The adapter between the database and the report builders: rows in, the plain inputs of
``pb.reports.metrics`` and ``pb.reports.documents`` out.

Outcomes are never computed here: the funded projects come from the stored official results, and the
ballots from ``counting.election_for_pool`` (anonymised). Labels come from the areas' label modules, so
call these inside a request (or ``flask_babel.force_locale``) for the reader's language.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from pb.core.i18n import LANGUAGE_NAMES
from pb.core.money import minor_units
from pb.extensions import db
from pb.mandate import funding
from pb.mandate import queries as mandate_queries
from pb.mandate.labels import outcome_label
from pb.mandate.models import Mandate, MandateCharacter
from pb.processes.labels import ballot_kind_label, rule_label
from pb.processes.models import BallotKind, Municipality, Pool, Process
from pb.proposals.models import Project
from pb.proposals.vocabulary import beneficiary_label, category_label
from pb.reports import metrics
from pb.reports.census import AGE_BAND_LABELS, SEXES, TOTAL
from pb.reports.documents import (
    AnnexPool,
    AnnexProject,
    AssessmentDocument,
    BudgetAnnex,
    ComplyOrExplain,
    MandateSummary,
    Narrative,
    NotAdopted,
    PoolDesign,
    Signatory,
)
from pb.reports.metrics import Missing, PoolResult, Population
from pb.reports.models import Assessment, AssessmentMode, AssessmentThresholds, PopulationBaseline
from pb.tally.election import Ballot as TallyBallot
from pb.tally.measures import age_band
from pb.voting import counting
from pb.voting import queries as voting_queries
from pb.voting.eligibility import is_old_enough
from pb.voting.models import Ballot, Channel, Participation, VoterRegisterEntry
from pb.voting.services import vote_year
from pb.voting.statistics import official_results

#: The channels pb offers before any ballot is cast: online, on paper and in person at the council's desk.
OFFERED_CHANNELS = (Channel.ONLINE, Channel.PAPER, Channel.IN_PERSON)

#: The written sections of an assessment, as ``Assessment`` columns (and ``Narrative`` fields where named so).
SECTIONS = ("scope", "accessibility", "expected_reach", "engagement", "impact", "mitigation", "decision",
            "monitoring")


# ---------------------------------------------------------------------------------------------- population


def baseline_of(process: Process) -> PopulationBaseline | None:
    """The census the clerk imported for the process, if any."""
    return db.session.scalar(sa.select(PopulationBaseline).where(PopulationBaseline.process_id == process.id))


def district_names(process: Process) -> dict[str, str]:
    """District names by code: reports show names, ballots and the census carry codes."""
    return {district.code: district.name for district in process.municipality.districts}


def _register_eligible(process: Process) -> Counter:
    """Eligible register entries by (district id, age band in the year of the vote)."""
    year = vote_year(process)
    rows = db.session.execute(
        sa.select(VoterRegisterEntry.district_id, VoterRegisterEntry.birth_year, sa.func.count())
        .where(VoterRegisterEntry.process_id == process.id)
        .group_by(VoterRegisterEntry.district_id, VoterRegisterEntry.birth_year))
    found: Counter = Counter()
    for district_id, born, n in rows:
        if is_old_enough(born, process.min_voter_age, year):
            found[(district_id, age_band(str(year - born)) if born else None)] += n
    return found


def population(process: Process) -> Population:
    """The baseline of the process: the census first, then what pb already knows.

    Where the census is silent, the eligible residents come from the voter register (who may vote, by
    district and age band in the year of the vote), and residents from the populations recorded for the
    municipality and its districts. ``source`` names each source used.
    """
    names = district_names(process)
    baseline = baseline_of(process)
    total: dict[str, int | None] = {"population": None, "eligible": None}
    eligible_by: dict[str, dict[str, int]] = {}
    by_district: dict[str, int] = {}
    sources = []
    if baseline is not None:
        sources.append(baseline.source)
        for figure in baseline.figures:
            if figure.attribute == TOTAL:
                total = {"population": figure.population, "eligible": figure.eligible}
                continue
            group = names.get(figure.group, figure.group) if figure.attribute == "district" else figure.group
            if figure.eligible is not None:
                eligible_by.setdefault(figure.attribute, {})[group] = figure.eligible
            if figure.attribute == "district" and figure.population is not None:
                by_district[group] = figure.population
    register = _register_eligible(process)
    if register and (total["eligible"] is None or not eligible_by.get("district") or not eligible_by.get("age_band")):
        sources.append(_("voter register of the process"))
        district_of = {district.id: district.name for district in process.municipality.districts}
        if total["eligible"] is None:
            total["eligible"] = sum(register.values())
        for attribute, position, label in (("district", 0, district_of), ("age_band", 1, None)):
            if eligible_by.get(attribute):
                continue
            counts: Counter = Counter()
            for key, n in register.items():
                if key[position] is not None:
                    counts[label[key[position]] if label else key[position]] += n
            if counts:
                eligible_by[attribute] = dict(counts)
    recorded = {d.name: d.population for d in process.municipality.districts
                if d.population is not None and d.name not in by_district}
    if recorded or (total["population"] is None and process.municipality.population is not None):
        sources.append(_("populations recorded in pb for the municipality and its districts"))
        by_district.update(recorded)
        if total["population"] is None:
            total["population"] = process.municipality.population
    return Population(population=total["population"], eligible=total["eligible"], eligible_by=eligible_by,
                      population_by_district=by_district, source="; ".join(sources),
                      as_of=baseline.as_of.isoformat() if baseline else "")


def baseline_gaps(process: Process, figures: Population) -> list[Missing]:
    """The baseline figures an assessment of the process may need and does not have (cheap: no ballots read)."""
    gaps = [Missing(name) for name in ("population", "eligible") if getattr(figures, name) is None]
    for district in process.municipality.districts:
        if district.name not in figures.population_by_district:
            gaps.append(Missing("population", "district", district.name))
        if district.name not in figures.eligible_by.get("district", {}):
            gaps.append(Missing("eligible", "district", district.name))
    for attribute, groups in (("age_band", AGE_BAND_LABELS), ("sex", SEXES[:2])):
        gaps += [Missing("eligible", attribute, group) for group in groups
                 if group not in figures.eligible_by.get(attribute, {})]
    return gaps


# ---------------------------------------------------------------------------------------------- the vote


def _share_attributes(ballots: Sequence[TallyBallot], names: dict[str, str]) -> None:
    """Give ballots with equal attributes one shared mapping, with district names instead of codes.

    The metrics read each distinct mapping once (as for ballots parsed by ``pb.tally.pabulib``, which fills
    its ballots the same way); the ballots are fresh from ``election_for_pool`` and nobody else holds them.
    """
    shared: dict[tuple, dict[str, str]] = {}
    for ballot in ballots:
        key = tuple(ballot.attributes.items())
        mapping = shared.get(key)
        if mapping is None:
            mapping = dict(ballot.attributes)
            if mapping.get("district"):
                mapping["district"] = names.get(mapping["district"], mapping["district"])
            shared[key] = mapping
        object.__setattr__(ballot, "attributes", mapping)


def pool_results(process: Process) -> list[PoolResult]:
    """Each counted pool: its anonymised ballots and the projects funded in it (``pb.mandate.funding``)."""
    names = district_names(process)
    projects = {p.id: p for p in db.session.scalars(sa.select(Project).where(Project.process_id == process.id))}
    funded_now = funding.funded(process)
    found = []
    for result in official_results(process):
        pool = db.session.get(Pool, result.pool_id)
        election = counting.election_for_pool(db.session, pool)
        _share_attributes(election.ballots, names)
        by_code = {p.code: p for p in projects.values()}
        # A project's own district counts for spending per head; the pool's district is the fallback.
        tally_projects = tuple(
            dataclasses.replace(p, extra={**p.extra, "district": by_code[p.id].district.name})
            if p.id in by_code and by_code[p.id].district is not None else p
            for p in election.projects)
        # What the council adopted, not only what the vote chose: the one answer of ``funding``.
        funded = tuple(item.project.code for item in funded_now if item.pool_id == pool.id)
        found.append(PoolResult(pool.name, dataclasses.replace(election, projects=tally_projects), funded,
                                district=pool.district.name if pool.district else None))
    return found


def participant_pool(pools: Sequence[PoolResult]) -> PoolResult | None:
    """The pool whose ballots stand for the participants when residents vote in more than one pool; else None.

    Every resident may vote in a city-wide pool, so with district pools beside it the largest city-wide pool's
    ballots stand for the participants; residents who voted only in their district's pool are not counted,
    which makes turnout a lower bound rather than counting others twice (ballots carry no name).
    """
    if len(pools) < 2:
        return None
    candidates = [pool for pool in pools if pool.district is None]
    if not candidates:
        return None
    return max(candidates, key=lambda pool: len(pool.election.ballots))


def participants(process: Process, pools: Sequence[PoolResult]) -> list[TallyBallot] | None:
    """One record per resident for turnout, when residents vote in more than one pool; else None (every ballot)."""
    chosen = participant_pool(pools)
    return None if chosen is None else list(chosen.election.ballots)


def residents_who_voted(process: Process) -> int:
    """How many residents took part in the process, in any pool, counted from the register (as the voting
    desk's statistics count them); invalidated participations are not counted."""
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Participation.register_entry_id))).join(Pool)
        .where(Pool.process_id == process.id, Participation.invalidated_at.is_(None))) or 0


def voters_note(process: Process, pools: Sequence[PoolResult]) -> str:
    """When the figures count one pool's voters and some residents voted only elsewhere, a sentence saying so."""
    chosen = participant_pool(pools)
    if chosen is None:
        return ""
    counted = sum(ballot.weight for ballot in chosen.election.ballots)
    everyone = residents_who_voted(process)
    missing = everyone - counted
    if missing <= 0:
        return ""
    return ngettext(
        "Voters are counted from the ballots of “%(pool)s”, the pool open to every resident. %(num)d of the "
        "%(all)s residents who voted did so only in their district's pool and is not in these figures: ballots "
        "carry no name, so a resident who voted in two pools cannot be told from two residents, and the "
        "turnout shown is a lower bound.",
        "Voters are counted from the ballots of “%(pool)s”, the pool open to every resident. %(num)d of the "
        "%(all)s residents who voted did so only in their district's pool and are not in these figures: ballots "
        "carry no name, so a resident who voted in two pools cannot be told from two residents, and the "
        "turnout shown is a lower bound.", missing, pool=chosen.name, all=everyone)


# ---------------------------------------------------------------------------------------------- the mandate


def governing(process: Process) -> Mandate | None:
    """The mandate the reports cite: the version in force, or after it ended, the last one that was."""
    return mandate_queries.public_mandate(process)


def mandate_summary(mandate: Mandate | None) -> MandateSummary | None:
    """The legal context of the assessment, from the mandate's own fields."""
    if mandate is None:
        return None
    basis = ", ".join(part for part in (
        mandate.basis_instrument, mandate.basis_title, mandate.basis_number,
        _("art. %(article)s", article=mandate.basis_article) if mandate.basis_article else "",
        mandate.basis_date.isoformat() if mandate.basis_date else "", mandate.basis_journal) if part)
    period = " – ".join(d.isoformat() if d else "…" for d in (mandate.effective_from, mandate.effective_until))
    return MandateSummary(character=mandate.character.value, basis=basis, decision_body=mandate.decision_body,
                          bound_party=mandate.bound_party, obligation=mandate.obligation, version=mandate.version,
                          effective=period if mandate.effective_from or mandate.effective_until else "")


def _scores(process: Process) -> dict[int, int]:
    """Each project's votes in the official results, by project id."""
    return {row.project_id: row.score for result in official_results(process) for row in result.projects}


def comply_or_explain(process: Process, mandate: Mandate | None) -> tuple[ComplyOrExplain, ...]:
    """For an advisory mandate, each winning project with the council's decision and its reason."""
    if mandate is None or mandate.character is not MandateCharacter.ADVISORY:
        return ()
    scores = _scores(process)
    cumulative = {pool.id for pool in process.pools if pool.ballot_kind is BallotKind.CUMULATIVE}
    # Scored in points: the projects counted in a cumulative pool's official result.
    in_points = {row.project_id for result in official_results(process) if result.pool_id in cumulative
                 for row in result.projects}
    rows = []
    for project, decision in mandate_queries.outcome(process).rows:
        score = scores.get(project.id, 0)
        rows.append(ComplyOrExplain(
            project=f"{project.code} {project.title}",
            vote_result=_("Funded by the vote (%(points)s points)", points=score) if project.id in in_points
            else _("Funded by the vote (%(votes)s votes)", votes=score),
            council_decision=outcome_label(decision.outcome) if decision else _("No decision recorded yet"),
            explanation=decision.reason if decision else ""))
    return tuple(rows)


def group_labels(process: Process) -> dict[str, str]:
    """The names of the categories and beneficiary groups of the process's projects in the reader's language
    (pb's own vocabulary translated; a municipality's own names as it wrote them)."""
    names: dict[str, str] = {}
    for project in db.session.scalars(sa.select(Project).where(Project.process_id == process.id)):
        for category in project.category_names:
            names[category] = category_label(category)
        for group in project.beneficiary_names:
            names[group] = beneficiary_label(group)
    return names


def not_adopted(process: Process) -> tuple[NotAdopted, ...]:
    """The winners the council did not adopt, each with its decision and reason, as the assessment lists them."""
    rows = []
    for item in funding.not_adopted(process):
        decision = item.decision
        reason = decision.reason + (" (" + _("legal ground: %(ground)s", ground=decision.legal_ground) + ")"
                                    if decision.legal_ground else "")
        rows.append(NotAdopted(project=f"{item.project.code} {item.project.title}", cost=item.counted_cost,
                               council_decision=outcome_label(decision.outcome)
                               + (f" ({decision.decision_number})" if decision.decision_number else ""),
                               reason=reason))
    return tuple(rows)


# ---------------------------------------------------------------------------------------------- the documents


def sections_of(assessment: Assessment) -> dict[str, str]:
    """The written sections of an assessment, as kept with each version."""
    return {name: getattr(assessment, name) or "" for name in SECTIONS}


def _channels(process: Process, mode: AssessmentMode) -> tuple[str, ...]:
    """The channels offered (ex ante) or used (ex post)."""
    if mode is AssessmentMode.EX_ANTE:
        return tuple(channel.value for channel in OFFERED_CHANNELS)
    used = set(db.session.scalars(sa.select(Ballot.channel).join(Pool).where(Pool.process_id == process.id)
                                  .distinct()))
    return tuple(channel.value for channel in Channel if channel in used)


# ---------------------------------------------------------------------------------------------- thresholds


def thresholds_row(municipality: Municipality) -> AssessmentThresholds | None:
    """The thresholds the municipality stored, if it stored any."""
    return db.session.get(AssessmentThresholds, municipality.id)


def as_thresholds(row: AssessmentThresholds | None) -> metrics.Thresholds:
    """The metrics' thresholds of a stored row; pb's defaults (metrics.Thresholds) for None."""
    if row is None:
        return metrics.DEFAULT_THRESHOLDS
    return metrics.Thresholds(
        representation_green=(row.representation_green_low, row.representation_green_high),
        representation_amber=(row.representation_amber_low, row.representation_amber_high),
        spending_gini_green=row.spending_gini_green, spending_gini_amber=row.spending_gini_amber,
        funded_share_green=row.funded_share_green, funded_share_amber=row.funded_share_amber,
        min_group=row.min_group)


def thresholds_for(municipality: Municipality) -> metrics.Thresholds:
    """The thresholds every assessment of the municipality is flagged against: its own, else the defaults."""
    return as_thresholds(thresholds_row(municipality))


# ---------------------------------------------------------------------------------------------- figures


def figures(process: Process, mode: AssessmentMode, census: Population,
            results: Sequence[PoolResult] | None = None) -> metrics.Metrics:
    """The figures of the assessment: from the design (ex ante) or from the stored results (ex post, from
    ``results`` when the caller has read them already), flagged against the municipality's thresholds."""
    thresholds = thresholds_for(process.municipality)
    if mode is AssessmentMode.EX_ANTE:
        pools = [(pool.amount, pool.district.name if pool.district else None) for pool in process.pools]
        return metrics.ex_ante(census, pools, cost_scale=minor_units(process.currency), thresholds=thresholds)
    pools = pool_results(process) if results is None else results
    return metrics.ex_post(census, pools, voters=participants(process, pools), thresholds=thresholds)


def _evidence(process: Process, mode: AssessmentMode) -> tuple[str, ...]:
    """The stored results the ex-post figures come from, each with the fingerprint of its ballots."""
    if mode is AssessmentMode.EX_ANTE:
        return ()
    return tuple(
        _("%(pool)s: %(ballots)s ballots counted by %(rule)s; SHA-256 of the ballots %(hash)s",
          pool=db.session.get(Pool, result.pool_id).name, ballots=result.ballots_counted,
          rule=rule_label(result.rule), hash=result.input_hash)
        for result in official_results(process))


def assessment_document(assessment: Assessment, *, number: int, is_draft: bool, prepared_on: str,
                        prepared_by: str = "", sections: dict[str, str] | None = None) -> AssessmentDocument:
    """Everything one version of the assessment shows, read from the database now."""
    process = db.session.get(Process, assessment.process_id)
    written = sections if sections is not None else sections_of(assessment)
    census = population(process)
    mandate = governing(process)
    narrative = Narrative(**{name: written.get(name, "") for name in (
        "engagement", "impact", "mitigation", "decision", "monitoring", "expected_reach")})
    results = pool_results(process) if assessment.mode is AssessmentMode.EX_POST else None
    return AssessmentDocument(
        municipality=process.municipality.name, process=process.name, fiscal_year=process.fiscal_year,
        currency=process.currency, metrics=figures(process, assessment.mode, census, results), population=census,
        voters_note=voters_note(process, results) if results is not None else "",
        version=number, prepared_on=prepared_on, is_draft=is_draft, mandate=mandate_summary(mandate),
        scope=written.get("scope", ""), evidence=_evidence(process, assessment.mode),
        channels=_channels(process, assessment.mode), accessibility=written.get("accessibility", ""),
        languages=tuple(LANGUAGE_NAMES.get(code, code) for code in current_app.config["PB_LOCALES"]),
        pools=tuple(PoolDesign(pool.name, pool.amount, pool.district.name if pool.district else None,
                               ballot_kind_label(pool.ballot_kind)) for pool in process.pools),
        narrative=narrative, comply_or_explain=comply_or_explain(process, mandate),
        not_adopted=not_adopted(process) if assessment.mode is AssessmentMode.EX_POST else (),
        group_labels=group_labels(process),
        sign_off=(Signatory(_("Prepared by"), prepared_by, prepared_on if prepared_by else ""),
                  Signatory(_("Approved by"))),
        boundaries=tuple((d.name, d.boundary) for d in process.municipality.districts if d.boundary),
    )


def budget_annex(process: Process, *, prepared_on: str = "", signatories: tuple[Signatory, ...] = ()) -> BudgetAnnex:
    """The budget annex of the process from its stored official results and the council's decisions.

    Pools not yet counted are listed with no funded project. What is funded is ``pb.mandate.funding``'s answer.
    The same rows give the same annex, so that a download and a finalised copy made from equal data are equal
    byte for byte.
    """
    mandate = governing(process)
    results = {result.pool_id: result for result in official_results(process)}
    items = funding.funding(process)
    pools = []
    for pool in process.pools:
        result = results.get(pool.id)
        rows = []
        for item in (item for item in items if item.pool_id == pool.id):
            project, decision = item.project, item.decision
            shown = ""
            if decision is not None:
                shown = outcome_label(decision.outcome) + (f" ({decision.decision_number})"
                                                           if decision.decision_number else "")
                if decision.replaces_project_id is not None:
                    shown += " " + _("in place of %(code)s",
                                     code=db.session.get(Project, decision.replaces_project_id).code)
            rows.append(AnnexProject(code=project.code, title=project.title, cost=item.cost,
                                     district=project.district.name if project.district else "",
                                     votes=item.score, council_decision=shown, adopted=item.is_funded))
        rule = rule_label(result.rule if result else process.tally_rule)
        if pool.annulled_at is not None:
            rule = _("Vote annulled: %(reason)s", reason=pool.annulment_reason)
        pools.append(AnnexPool(name=pool.name, amount=pool.amount, rule=rule, projects=tuple(rows),
                               district=pool.district.name if pool.district else "",
                               budget_line=pool.budget_line or "",
                               ballots=result.ballots_counted if result else None,
                               in_points=pool.ballot_kind is BallotKind.CUMULATIVE))
    return BudgetAnnex(
        municipality=process.municipality.name, process=process.name, fiscal_year=process.fiscal_year,
        currency=process.currency,
        # Without a mandate the builder shows what it is given: say so rather than leave the cell empty.
        mandate_character=mandate.character.value if mandate else _("No mandate recorded"),
        pools=tuple(pools), prepared_on=prepared_on, signatories=signatories,
        closing_root=root.root if (root := voting_queries.closing_root(process)) is not None else "")
