"""Read-only queries of the set-up: an edition's readiness facts and the counts its dashboard shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pb.core.db import utcnow
from pb.deliberation.models import Comment, Flag
from pb.extensions import db
from pb.mandate import queries as mandates
from pb.mandate.models import Mandate
from pb.mandate.presets import preset
from pb.processes.models import Municipality, PhaseKind, Pool, Process
from pb.processes.queries import PUBLIC_STATUSES
from pb.proposals.models import Appeal, Project, ProjectStatus
from pb.reports.models import Assessment, AssessmentMode, AssessmentVersion
from pb.setup.readiness import Facts, PoolFacts, checklist, missing
from pb.voting.counting import BALLOT_STATUSES
from pb.voting.models import CountedBallot, VoterRegisterEntry

AWAITING_REVIEW = (ProjectStatus.PUBLISHED, ProjectStatus.UNDER_REVIEW)


def municipalities(within: frozenset[int] | None = None) -> list[Municipality]:
    """Every municipality (or those of ``within``, a member of staff's) with its districts, by name."""
    query = sa.select(Municipality).order_by(Municipality.name).options(selectinload(Municipality.districts))
    if within is not None:
        query = query.where(Municipality.id.in_(within))
    return list(db.session.scalars(query))


def _count(query: sa.Select) -> int:
    return db.session.scalar(query) or 0


def _project_counts(process: Process) -> dict[ProjectStatus, int]:
    rows = db.session.execute(sa.select(Project.status, sa.func.count()).where(Project.process_id == process.id)
                              .group_by(Project.status))
    return {status: number for status, number in rows}


def _governing_draft(process: Process, vote_start: dt.datetime | None) -> Mandate | None:
    """The mandate the vote will run under: the one in force when it starts, else the newest version."""
    if vote_start is not None:
        found = mandates.mandate_in_force(process, vote_start)
        if found is not None:
            return found
    versions = mandates.versions(process)
    return versions[0] if versions else None


def _has_published_ex_ante(process: Process) -> bool:
    return _count(sa.select(sa.func.count()).select_from(AssessmentVersion).join(Assessment).where(
        Assessment.process_id == process.id, Assessment.mode == AssessmentMode.EX_ANTE,
        AssessmentVersion.published_at.is_not(None))) > 0


def facts_for(process: Process, now: dt.datetime | None = None) -> Facts:
    """What the readiness checklist needs of this edition, as it stands."""
    now = now or utcnow()
    counts = _project_counts(process)
    on_ballot = dict(db.session.execute(
        sa.select(Project.pool_id, sa.func.count()).where(Project.process_id == process.id,
                                                          Project.status.in_(BALLOT_STATUSES))
        .group_by(Project.pool_id)).all())
    voting = process.voting_phase
    # A vote already under way is judged at this moment; one to come, at its start.
    vote_start = max(voting.starts_at, now) if voting is not None else None
    mandate = _governing_draft(process, vote_start)
    demands = preset(mandate.preset).before_voting if mandate is not None and preset(mandate.preset) else ()
    winners = mandates.winners(process) if process.vote_closed_at is not None else []
    decided = mandates.decisions(process) if winners else {}
    return Facts(
        phases=frozenset(phase.kind for phase in process.phases),
        pools=tuple(PoolFacts(name=pool.name, ballot_kind=pool.ballot_kind, amount=pool.amount,
                              max_choices=pool.max_choices, total_points=pool.total_points,
                              projects_on_ballot=on_ballot.get(pool.id, 0), annulled=pool.annulled_at is not None)
                    for pool in process.pools),
        categories=len(process.categories or []),
        has_description=bool((process.description or "").strip()),
        proposals=sum(n for status, n in counts.items() if status not in (ProjectStatus.DRAFT,
                                                                          ProjectStatus.WITHDRAWN)),
        public_projects=sum(n for status, n in counts.items() if status in PUBLIC_STATUSES
                            and status is not ProjectStatus.WITHDRAWN),
        awaiting_review=sum(counts.get(status, 0) for status in AWAITING_REVIEW),
        register_entries=_count(sa.select(sa.func.count()).select_from(VoterRegisterEntry)
                                .where(VoterRegisterEntry.process_id == process.id)),
        has_mandate=mandate is not None,
        mandate_covers_vote=vote_start is not None and mandates.mandate_in_force(process, vote_start) is not None,
        preset_demands={demand: _has_published_ex_ante(process) for demand in demands
                        if demand == "ex_ante_assessment"},
        vote_closed=process.vote_closed_at is not None,
        winners=len(winners), winners_decided=sum(1 for w in winners if w.id in decided),
    )


@dataclass(frozen=True)
class Dashboard:
    """An edition at a glance for staff: where it stands, what each phase lacks, and what waits for them."""

    process: Process
    checklist: dict
    projects_by_status: dict[ProjectStatus, int]
    awaiting_review: int
    appeals_open: int
    flags_open: int
    ballots: int
    register_entries: int
    verified: int

    @property
    def proposals(self) -> int:
        """Every project that is not a draft."""
        return sum(n for status, n in self.projects_by_status.items() if status is not ProjectStatus.DRAFT)


def dashboard(process: Process, now: dt.datetime | None = None) -> Dashboard:
    """The counts and the readiness list of the edition's dashboard."""
    facts = facts_for(process, now)
    projects = sa.select(Project.id).where(Project.process_id == process.id).scalar_subquery()
    flags = _count(sa.select(sa.func.count()).select_from(Flag).where(Flag.resolved_at.is_(None), sa.or_(
        Flag.project_id.in_(sa.select(Project.id).where(Project.process_id == process.id)),
        Flag.comment_id.in_(sa.select(Comment.id).join(Project, Project.id == Comment.project_id)
                            .where(Project.process_id == process.id)))))
    return Dashboard(
        process=process, checklist=checklist(facts), projects_by_status=_project_counts(process),
        awaiting_review=facts.awaiting_review,
        appeals_open=_count(sa.select(sa.func.count()).select_from(Appeal).where(
            Appeal.project_id.in_(projects), Appeal.outcome.is_(None))),
        flags_open=flags,
        ballots=_count(sa.select(sa.func.count()).select_from(CountedBallot).join(Pool, Pool.id == CountedBallot.pool_id)
                       .where(Pool.process_id == process.id, CountedBallot.voided.is_(False))),
        register_entries=facts.register_entries,
        verified=_count(sa.select(sa.func.count()).select_from(VoterRegisterEntry).where(
            VoterRegisterEntry.process_id == process.id, VoterRegisterEntry.user_id.is_not(None))),
    )


def missing_for(process: Process, kind: PhaseKind, now: dt.datetime | None = None) -> list:
    """What phase ``kind`` of the edition still lacks."""
    return missing(facts_for(process, now), kind)
