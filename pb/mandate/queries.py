"""Read-only queries of mandates, the winning projects of a vote and the council's decisions on them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.core.db import utcnow
from pb.extensions import db
from pb.mandate import funding
from pb.mandate.models import CouncilDecision, DecisionOutcome, Mandate, MandateStatus
from pb.processes.models import Pool, Process
from pb.proposals.models import Project
from pb.voting.models import TallyResult, TallyResultProject

# The versions that were, at some point, the mandate in force.
ONCE_IN_FORCE = (MandateStatus.IN_FORCE, MandateStatus.EXPIRED, MandateStatus.SUPERSEDED)


def latest_mandates() -> dict[int, Mandate]:
    """The newest mandate version of each process, by process id."""
    newest = sa.select(Mandate.process_id, sa.func.max(Mandate.version).label("version")).group_by(
        Mandate.process_id).subquery()
    rows = db.session.execute(sa.select(Mandate).join(
        newest, sa.and_(Mandate.process_id == newest.c.process_id, Mandate.version == newest.c.version)))
    return {mandate.process_id: mandate for mandate in rows.scalars()}


def local_today(process: Process, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the municipality is: mandates are in force from and until calendar days."""
    return (now or utcnow()).astimezone(ZoneInfo(process.municipality.timezone)).date()


# The audit events that write a version's text: whoever made one of them drafted the version.
DRAFTING_ACTIONS = ("mandate.start", "mandate.update", "mandate.amend")


def drafters(mandate: Mandate) -> set[int]:
    """The accounts that drafted this version: who started it (or amended the version before it into it) and
    everyone who edited it, from the audit log, which records each of those steps."""
    edited = db.session.scalars(sa.select(AuditEvent.actor_id).where(
        AuditEvent.object_type == "mandate", AuditEvent.object_id == str(mandate.id),
        AuditEvent.action.in_(DRAFTING_ACTIONS), AuditEvent.actor_id.is_not(None)))
    return {*edited, *([mandate.created_by_id] if mandate.created_by_id is not None else [])}


def versions(process: Process) -> list[Mandate]:
    """Every version of the process's mandate, newest first."""
    return list(db.session.execute(
        sa.select(Mandate).where(Mandate.process_id == process.id).order_by(Mandate.version.desc())).scalars())


def previous_version(mandate: Mandate) -> Mandate | None:
    """The version this one amends, if any."""
    return db.session.execute(sa.select(Mandate).where(
        Mandate.process_id == mandate.process_id, Mandate.version == mandate.version - 1)).scalar_one_or_none()


def period_covers(effective_from: dt.date | None, effective_until: dt.date | None, today: dt.date) -> bool:
    """Whether an effective period (open at either end when unset) covers ``today``."""
    return (effective_from is None or effective_from <= today) and (effective_until is None or today <= effective_until)


def is_in_force(mandate: Mandate, today: dt.date) -> bool:
    """Whether the version is in force and its effective period covers ``today``."""
    return mandate.status is MandateStatus.IN_FORCE and period_covers(mandate.effective_from, mandate.effective_until,
                                                                      today)


def mandate_in_force(process: Process, now: dt.datetime | None = None) -> Mandate | None:
    """The version of the process's mandate in force today, if there is one."""
    found = db.session.execute(sa.select(Mandate).where(
        Mandate.process_id == process.id, Mandate.status == MandateStatus.IN_FORCE)).scalar_one_or_none()
    return found if found is not None and is_in_force(found, local_today(process, now)) else None


def governing_mandate(process: Process) -> Mandate | None:
    """The newest version that was ever in force: after the vote it governs the council's decisions."""
    return db.session.execute(
        sa.select(Mandate).where(Mandate.process_id == process.id, Mandate.status.in_(ONCE_IN_FORCE))
        .order_by(Mandate.version.desc()).limit(1)).scalar_one_or_none()


def public_mandate(process: Process, now: dt.datetime | None = None) -> Mandate | None:
    """What residents are shown: the version in force, or after it ended, the last one that was."""
    return mandate_in_force(process, now) or governing_mandate(process)


def winners_by_process(process_ids: list[int] | None = None) -> dict[int, list[Project]]:
    """The winning projects of each process: selected in an official result of one of its pools, by pool then
    the order the rule selected them."""
    query = (sa.select(Pool.process_id, Project)
             .join(TallyResult, TallyResult.pool_id == Pool.id)
             .join(TallyResultProject, TallyResultProject.result_id == TallyResult.id)
             .join(Project, Project.id == TallyResultProject.project_id)
             .where(TallyResult.is_official.is_(True), TallyResultProject.selected.is_(True))
             .order_by(Pool.id, TallyResultProject.selection_order, Project.id))
    if process_ids is not None:
        query = query.where(Pool.process_id.in_(process_ids))
    found: dict[int, list[Project]] = defaultdict(list)
    for process_id, project in db.session.execute(query):
        found[process_id].append(project)
    return found


def winners(process: Process) -> list[Project]:
    """The winning projects of the process's vote (none before the results are counted)."""
    return winners_by_process([process.id]).get(process.id, [])


def is_winner(project: Project) -> bool:
    """Whether the project won the vote of its process."""
    return any(w.id == project.id for w in winners_by_process([project.process_id]).get(project.process_id, []))


def decisions(process: Process) -> dict[int, CouncilDecision]:
    """The council's decisions of the process, by project id."""
    rows = db.session.execute(sa.select(CouncilDecision).where(CouncilDecision.process_id == process.id))
    return {decision.project_id: decision for decision in rows.scalars()}


def response_deadline(process: Process, mandate: Mandate | None) -> dt.datetime | None:
    """When the council's reasoned response is due: the mandate's days after the vote was closed."""
    days = mandate.terms.get("justification_days") if mandate else None
    if process.vote_closed_at is None or not days:
        return None
    return process.vote_closed_at + dt.timedelta(days=days)


@dataclass
class Outcome:
    """What happened after the vote of one process: each winner with the council's decision, if any."""

    process: Process
    mandate: Mandate | None
    deadline: dt.datetime | None
    rows: list[tuple[Project, CouncilDecision | None]] = field(default_factory=list)
    is_overdue: bool = False

    @property
    def overdue(self) -> list[Project]:
        """Winners still without a decision after the deadline."""
        return [project for project, decision in self.rows if decision is None] if self.is_overdue else []

    @property
    def deviations(self) -> list[tuple[Project, CouncilDecision]]:
        """Winners the council did not simply adopt."""
        return [(p, d) for p, d in self.rows if d is not None and d.outcome is not DecisionOutcome.ADOPTED]


def outcome(process: Process, now: dt.datetime | None = None,
            winning: list[Project] | None = None) -> Outcome:
    """The winners of the process with the council's decisions, and whether the response is overdue."""
    mandate = governing_mandate(process)
    deadline = response_deadline(process, mandate)
    decided = decisions(process)
    rows = [(project, decided.get(project.id)) for project in (winners(process) if winning is None else winning)]
    overdue = deadline is not None and (now or utcnow()) > deadline and any(d is None for _p, d in rows)
    return Outcome(process, mandate, deadline, rows, overdue)


@dataclass
class DeskRow:
    """One process on the legal officer's desk."""

    process: Process
    versions: list[Mandate]
    in_force: Mandate | None
    outcome: Outcome

    @property
    def latest(self) -> Mandate | None:
        return self.versions[0] if self.versions else None

    @property
    def signature_due(self) -> bool:
        """A version waits for the legal officer: in legal review, or signed and not yet in force."""
        return self.latest is not None and self.latest.status in (MandateStatus.LEGAL_REVIEW, MandateStatus.SIGNED)


def legal_desk(processes: list[Process], now: dt.datetime | None = None) -> list[DeskRow]:
    """Each process with its mandate versions, the version in force, and what happened after its vote."""
    ids = [p.id for p in processes]
    all_versions: dict[int, list[Mandate]] = defaultdict(list)
    for mandate in db.session.execute(sa.select(Mandate).where(Mandate.process_id.in_(ids))
                                      .order_by(Mandate.version.desc())).scalars():
        all_versions[mandate.process_id].append(mandate)
    winning = winners_by_process(ids)
    rows = []
    for process in processes:
        today = local_today(process, now)
        in_force = next((m for m in all_versions[process.id] if is_in_force(m, today)), None)
        rows.append(DeskRow(process, all_versions[process.id], in_force,
                            outcome(process, now, winning.get(process.id, []))))
    return rows


@dataclass
class Replacement:
    """A project funded, or proposed to be funded, in place of a winner the council did not adopt."""

    project: Project
    replaces: Project
    decision: CouncilDecision | None
    cost: int
    """What it costs in the count, in minor units."""


def replacements(process: Process, mandate: Mandate | None) -> list[Replacement]:
    """The projects the council decided on in place of a failed winner, then those the mandate's "next ranked"
    rule proposes and it has not decided on yet."""
    found = [Replacement(item.project, db.session.get(Project, item.decision.replaces_project_id), item.decision,
                         item.counted_cost)
             for item in funding.funding(process)
             if not item.is_winner and item.decision is not None and item.decision.replaces_project_id is not None]
    found += [Replacement(p.project, p.replaces, None, p.cost) for p in funding.replacement_proposals(process, mandate)]
    return found
