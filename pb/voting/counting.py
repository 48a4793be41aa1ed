"""The adapter between stored ballots and the tally library: rows in, anonymised Election out, results back.

The tally library is the only place outcomes are computed; this module only translates. Ballots are
read in the order of their random ids, so the election (and its exports) never mirror the order in
which residents voted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import Session

import pb.tally
from pb.core.money import minor_units
from pb.processes.models import BallotKind, Pool, Process
from pb.proposals.models import Project, ProjectStatus
from pb.tally import pabulib
from pb.tally.constraints import Constraints
from pb.tally.election import Ballot as TallyBallot
from pb.tally.election import Election
from pb.tally.election import Project as TallyProject
from pb.tally.explain import Outcome
from pb.tally.rules import RULES, NeedsApprovalBallots, UnknownRule, count
from pb.voting.models import Ballot, BallotChoice, CountedBallot, TallyResult, TallyResultProject

# Projects residents could choose: those on the ballot, and, once counted, those funded or not.
BALLOT_STATUSES = (ProjectStatus.ON_BALLOT, ProjectStatus.SELECTED, ProjectStatus.NOT_SELECTED)

_VOTE_TYPES = {
    BallotKind.APPROVAL: "approval",
    BallotKind.KNAPSACK: "approval",
    BallotKind.CHOOSE_ONE: "choose-1",
    BallotKind.CUMULATIVE: "cumulative",
    BallotKind.RANKING: "ordinal",
}


def counted_ballots(pool_id: int) -> sa.Select:
    """The ids of a pool's counted ballots: each participation's current ballot, unless voided."""
    return sa.select(CountedBallot.ballot_id).where(CountedBallot.pool_id == pool_id, CountedBallot.voided.is_(False))


def ballot_projects(session: Session, pool: Pool) -> list[Project]:
    """The projects on a pool's ballot, in their code order."""
    return list(session.scalars(
        sa.select(Project).where(Project.pool_id == pool.id, Project.status.in_(BALLOT_STATUSES))
        .order_by(Project.code)))


def election_for_pool(session: Session, pool: Pool, *, with_demographics: bool | None = None) -> Election:
    """The pool's counted ballots as an anonymised Pabulib election (voided ballots left out)."""
    process = pool.process
    scale = minor_units(process.currency)
    projects = ballot_projects(session, pool)
    counted = counted_ballots(pool.id)
    extra_ids = set(session.scalars(
        sa.select(BallotChoice.project_id).where(BallotChoice.ballot_id.in_(counted)).distinct()))
    known = {p.id for p in projects}
    if extra_ids - known:
        projects += list(session.scalars(sa.select(Project).where(Project.id.in_(extra_ids - known))))
    code_of = {p.id: p.code for p in projects}
    demographics = process.collect_demographics if with_demographics is None else with_demographics

    choices: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    rows = session.execute(
        sa.select(BallotChoice.ballot_id, BallotChoice.project_id, BallotChoice.points)
        .where(BallotChoice.ballot_id.in_(counted))
        .order_by(BallotChoice.ballot_id, BallotChoice.position))
    for ballot_id, project_id, points in rows:
        choices[ballot_id].append((code_of[project_id], points))
    ballots = []
    attribute_rows = session.execute(
        sa.select(Ballot.id, Ballot.channel, Ballot.age_band, Ballot.sex, Ballot.district_code)
        .where(Ballot.id.in_(counted)).order_by(Ballot.id))
    with_points = pool.ballot_kind is BallotKind.CUMULATIVE
    for number, (ballot_id, channel, band, sex, district_code) in enumerate(attribute_rows, start=1):
        picked = choices.get(ballot_id, [])
        attributes = {}
        if demographics:
            attributes = {"age_band": band or "", "sex": sex or "", "district": district_code or ""}
        attributes["voting_method"] = "internet" if channel.value == "online" else channel.value
        ballots.append(TallyBallot(
            voter_id=str(number), choices=tuple(code for code, _ in picked),
            points=tuple(points or 0 for _, points in picked) if with_points else None, attributes=attributes))
    meta = {
        "description": f"{process.name}: {pool.name}",
        "country": process.municipality.country_code,
        "unit": process.municipality.name,
        "instance": str(process.fiscal_year),
        "subunit": pool.district.name if pool.district else "",
        "num_projects": str(len(projects)),
        "num_votes": str(len(ballots)),
        "budget": pabulib.format_cost(pool.amount, scale),
        "vote_type": _VOTE_TYPES[pool.ballot_kind],
        "rule": process.tally_rule,
        "currency": process.currency,
    }
    if pool.max_choices:
        meta["max_length"] = str(pool.max_choices)
    if pool.min_choices:
        meta["min_length"] = str(pool.min_choices)
    if process.min_project_score is not None:
        meta["min_project_score_threshold"] = str(process.min_project_score)
    if pool.total_points and with_points:
        meta["max_sum_points"] = str(pool.total_points)
    meta.update(constraints_of(pool, code_of).to_meta())
    tally_projects = tuple(
        TallyProject(id=p.code, cost=p.cost, name=p.title,
                     categories=tuple(c.category for c in p.categories),
                     beneficiaries=tuple(b.group for b in p.beneficiaries))
        for p in projects)
    return Election(meta=meta, projects=tally_projects, ballots=tuple(ballots), cost_scale=scale)


def constraints_of(pool: Pool, code_of: dict[int, str]) -> Constraints:
    """The pool's counting constraints for pb.tally: its sets of incompatible projects as project codes, narrowed
    to the projects of the election (``code_of``: id -> code; a set left with one project constrains nothing),
    and the process's minimum vote share.

    They go into the election's META (pb.tally.constraints), so that the input fingerprint, the Pabulib export
    and a recount all carry them.
    """
    sets: list[frozenset[str]] = []
    for found in pool.incompatible_sets:
        members = frozenset(code_of[i] for i in found.project_ids if i in code_of)
        if len(members) >= 2 and members not in sets:
            sets.append(members)
    basis_points = pool.process.min_vote_share_basis_points
    return Constraints(incompatible=tuple(sets), min_share=Fraction(basis_points, 10_000) if basis_points else None)


def input_hash(election: Election) -> str:
    """SHA-256 of the election as Pabulib text: the fingerprint a recount must reproduce."""
    return hashlib.sha256(pabulib.write(election).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Count:
    """One rule's outcome for a pool, before it is stored."""

    rule: str
    outcome: Outcome


def count_pool(election: Election, official_rule: str, tie_break: str) -> list[Count]:
    """The official rule's outcome first, then every other rule that can count these ballots."""
    counts = [Count(official_rule, count(election, official_rule, tie_break=tie_break))]
    for rule in RULES:
        if rule == official_rule:
            continue
        try:
            counts.append(Count(rule, count(election, rule, tie_break=tie_break)))
        except (NeedsApprovalBallots, UnknownRule, ValueError):
            # A comparison rule that cannot count this kind of ballot is simply not compared.
            continue
    return counts


def store_results(session: Session, process: Process, pool: Pool, election: Election,
                  counts: list[Count]) -> list[TallyResult]:
    """Write each count as a TallyResult with its projects; the first is the official one."""
    project_ids = dict(session.execute(
        sa.select(Project.code, Project.id).where(Project.process_id == process.id)).all())
    fingerprint = input_hash(election)
    results = []
    for index, item in enumerate(counts):
        outcome = item.outcome
        order = {code: position for position, code in enumerate(outcome.selected, start=1)}
        result = TallyResult(
            pool_id=pool.id, rule=item.rule, tie_break=outcome.tie_break, is_official=index == 0,
            parameters={"tie_break": outcome.tie_break, "vote_type": election.vote_type,
                        "budget": election.budget, "cost_scale": election.cost_scale,
                        **Constraints.from_meta(election.meta).to_meta()},
            input_hash=fingerprint, library_version=pb.tally.__version__, ballots_counted=election.voter_count,
            budget=pool.amount, total_cost=outcome.total_cost, details=dict(outcome.details),
        )
        result.projects = [
            TallyResultProject(
                project_id=project_ids[explanation.project_id], score=explanation.score, cost=explanation.cost,
                selected=explanation.selected, selection_order=order.get(explanation.project_id),
                reason=explanation.reason, numbers=_plain(explanation.numbers))
            for explanation in outcome.explanations
        ]
        session.add(result)
        results.append(result)
    session.flush()
    return results


def result_digest(result: TallyResult) -> str:
    """SHA-256 of what a stored result says (rule, fingerprint, counts and every project's line), recorded by the
    close so that ``vote check`` notices a stored result changed afterwards."""
    lines = {
        "rule": result.rule, "tie_break": result.tie_break, "input_hash": result.input_hash,
        "ballots": result.ballots_counted, "budget": result.budget, "total_cost": result.total_cost,
        "projects": sorted([p.project_id, p.score, p.cost, p.selected, p.selection_order, p.reason]
                           for p in result.projects),
    }
    return hashlib.sha256(json.dumps(lines, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def _plain(numbers: object) -> dict[str, object]:
    """Explanation numbers as JSON values (Fractions become exact strings)."""
    plain: dict[str, object] = {}
    for key, value in dict(numbers).items():  # type: ignore[call-overload]
        plain[key] = value if isinstance(value, int | float | str) else str(value)
    return plain


DEMOGRAPHICS = ("age_band", "sex", "district", "voting_method")


def suppress_small_groups(election: Election, minimum: int = 10) -> Election:
    """The election with the demographics of ballots in groups under ``minimum`` blanked, for publication.

    A group is a combination of age band, sex, district and channel. Where a ballot is one of only a few
    with its combination, those attributes could point at the resident who cast it (the register knows
    birth years and districts), so the published file leaves them empty.
    """
    cells = Counter(tuple(b.attributes.get(key, "") for key in DEMOGRAPHICS) for b in election.ballots)
    ballots = tuple(
        b if cells[tuple(b.attributes.get(key, "") for key in DEMOGRAPHICS)] >= minimum
        else dataclasses.replace(b, attributes={key: "" for key in b.attributes})
        for b in election.ballots)
    return dataclasses.replace(election, ballots=ballots)
