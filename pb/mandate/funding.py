"""What is funded after the vote: the one answer the annex, the assessment, the results and the outcome page read.

A winning project of an official result is funded unless the council decided not to fund it (rejected, found
infeasible, deferred); until the council decides, the vote's outcome stands. A project the council adopts in
place of a winner it did not adopt (the mandate's "the next ranked project is funded instead") is funded too,
under its pool; ``replacement_proposals`` names the projects that rule puts before the council. An "adopted with
changes" decision funds the cost the council adopted.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from pb.extensions import db
from pb.mandate.models import CouncilDecision, DecisionOutcome, Mandate
from pb.processes.models import Pool, Process
from pb.proposals.models import Project
from pb.voting.models import TallyResult, TallyResultProject

#: The council's decisions that fund a project.
ADOPTING = (DecisionOutcome.ADOPTED, DecisionOutcome.ADOPTED_WITH_CHANGES)


def is_adopting(decision: CouncilDecision | None) -> bool:
    """Whether a winner with this decision is funded: no decision yet (the vote stands), or an adopting one."""
    return decision is None or decision.outcome in ADOPTING


@dataclass(frozen=True)
class Funding:
    """One project the vote chose, or the council funded instead of one, with what is funded of it."""

    project: Project
    pool_id: int
    counted_cost: int
    """The cost the count used, in minor units."""
    score: int
    """Its votes (or points) in the official count."""
    decision: CouncilDecision | None
    is_winner: bool
    """True for a winner of the vote; False for a project the council adopted in place of one."""

    @property
    def is_funded(self) -> bool:
        """Whether the project is funded: a winner unless the council did not adopt it; a replacement when adopted."""
        if self.is_winner:
            return is_adopting(self.decision)
        return self.decision is not None and self.decision.outcome in ADOPTING

    @property
    def cost(self) -> int:
        """The money funded: the cost the council adopted when it changed it, else the cost counted."""
        if self.decision is not None and self.decision.adopted_cost is not None and self.is_funded:
            return self.decision.adopted_cost
        return self.counted_cost


def funding(process: Process) -> list[Funding]:
    """Every winner of the official results and every project adopted in place of one, by pool, in the order the
    rule selected the winners (replacements after them, in the ranking)."""
    rows = db.session.execute(
        sa.select(TallyResult.pool_id, TallyResultProject, Project)
        .join(TallyResultProject, TallyResultProject.result_id == TallyResult.id)
        .join(Project, Project.id == TallyResultProject.project_id)
        .join(Pool, Pool.id == TallyResult.pool_id)
        .where(Pool.process_id == process.id, TallyResult.is_official.is_(True))
        .order_by(TallyResult.pool_id, TallyResultProject.selected.desc(), TallyResultProject.selection_order,
                  TallyResultProject.score.desc(), Project.id)).all()
    decided = {d.project_id: d for d in db.session.scalars(
        sa.select(CouncilDecision).where(CouncilDecision.process_id == process.id))}
    found = []
    for pool_id, counted, project in rows:
        decision = decided.get(project.id)
        if counted.selected or decision is not None:
            found.append(Funding(project, pool_id, counted.cost, counted.score, decision, counted.selected))
    return found


def _ranked_rest(process: Process) -> list[tuple[int, TallyResultProject, Project]]:
    """The projects of the official results that the vote did not fund, by pool, then by votes (the ranking)."""
    return list(db.session.execute(
        sa.select(TallyResult.pool_id, TallyResultProject, Project)
        .join(TallyResultProject, TallyResultProject.result_id == TallyResult.id)
        .join(Project, Project.id == TallyResultProject.project_id)
        .join(Pool, Pool.id == TallyResult.pool_id)
        .where(Pool.process_id == process.id, TallyResult.is_official.is_(True),
               TallyResultProject.selected.is_(False))
        .order_by(TallyResult.pool_id, TallyResultProject.score.desc(), Project.id)).all())


def funded(process: Process) -> list[Funding]:
    """The projects that are funded now, as ``funding`` orders them."""
    return [item for item in funding(process) if item.is_funded]


def not_adopted(process: Process) -> list[Funding]:
    """The winners the council did not adopt (rejected, found infeasible, deferred), with its decision."""
    return [item for item in funding(process) if item.is_winner and not item.is_funded]


def funded_ids(process: Process) -> set[int]:
    """The ids of the projects funded now."""
    return {item.project.id for item in funded(process)}


#: Why a project the vote did not fund may still be the "next ranked": it lost only for want of money.
FOR_WANT_OF_MONEY = ("did_not_fit", "stopped", "not_affordable", "over_budget", "not_chosen")


@dataclass(frozen=True)
class Proposal:
    """A project the mandate's "next ranked project is funded instead" puts before the council."""

    project: Project
    pool_id: int
    cost: int
    score: int
    replaces: Project
    """The winner the council did not adopt, whose money it would take."""


def applies_next_ranked(mandate: Mandate | None) -> bool:
    """Whether the mandate says the next ranked project is funded when a winner fails."""
    return mandate is not None and mandate.terms.get("winner_fails") == "next_ranked"


def replacement_proposals(process: Process, mandate: Mandate | None) -> list[Proposal]:
    """Under a "next ranked" mandate, for each pool with a winner the council did not adopt: the projects next in
    the ranking that fit the money left (the pool less what is funded, less the proposals before), that the vote
    left out only for want of money and that the council has not decided on yet. Empty under any other mandate."""
    if not applies_next_ranked(mandate):
        return []
    items = funding(process)
    amounts = {pool.id: pool.amount for pool in process.pools}
    proposals = []
    for pool_id, amount in amounts.items():
        failed = [item.project for item in items if item.pool_id == pool_id and item.is_winner and not item.is_funded]
        if not failed:
            continue
        covered = {item.decision.replaces_project_id for item in items
                   if item.pool_id == pool_id and not item.is_winner and item.is_funded}
        open_failed = [project for project in failed if project.id not in covered] or failed
        left = amount - sum(item.cost for item in items if item.pool_id == pool_id and item.is_funded)
        decided = {item.project.id for item in items}
        mine = 0
        for rest_pool, counted, project in _ranked_rest(process):
            if rest_pool != pool_id or project.id in decided or counted.reason not in FOR_WANT_OF_MONEY:
                continue
            if counted.cost <= left:
                left -= counted.cost
                proposals.append(Proposal(project, pool_id, counted.cost, counted.score,
                                          open_failed[min(mine, len(open_failed) - 1)]))
                mine += 1
    return proposals
