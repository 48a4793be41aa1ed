"""What is funded after the vote: the one answer the annex, the assessment, the results and the outcome page read.

A winning project of an official result is funded unless the council decided not to fund it (rejected, found
infeasible, deferred); until the council decides, the vote's outcome stands.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from pb.extensions import db
from pb.mandate.models import CouncilDecision, DecisionOutcome
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
        """The money funded: the cost counted."""
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


def funded(process: Process) -> list[Funding]:
    """The projects that are funded now, as ``funding`` orders them."""
    return [item for item in funding(process) if item.is_funded]


def not_adopted(process: Process) -> list[Funding]:
    """The winners the council did not adopt (rejected, found infeasible, deferred), with its decision."""
    return [item for item in funding(process) if item.is_winner and not item.is_funded]


def funded_ids(process: Process) -> set[int]:
    """The ids of the projects funded now."""
    return {item.project.id for item in funded(process)}
