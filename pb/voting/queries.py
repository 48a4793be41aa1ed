"""Read-only queries of the vote: a resident's pools, stored results, published receipts."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pb.extensions import db
from pb.processes.models import Pool, Process
from pb.proposals.models import Project
from pb.voting import secrecy
from pb.voting.models import Ballot, CountedBallot, ReceiptRoot, TallyResult, TallyResultProject


@dataclass(frozen=True)
class PoolResults:
    """A pool's official result and the other rules' outcomes, for the results page."""

    pool: Pool
    official: TallyResult
    others: list[TallyResult]
    projects: dict[int, Project]


def pool_results(process: Process) -> list[PoolResults]:
    """Every pool's stored results, the official one first; empty before the vote is counted."""
    results = db.session.scalars(
        sa.select(TallyResult).join(Pool).where(Pool.process_id == process.id)
        .options(selectinload(TallyResult.projects)).order_by(TallyResult.pool_id, TallyResult.rule)).all()
    projects = {p.id: p for p in db.session.scalars(sa.select(Project).where(Project.process_id == process.id))}
    found = []
    for pool in process.pools:
        mine = [r for r in results if r.pool_id == pool.id]
        official = next((r for r in mine if r.is_official), None)
        if official is not None:
            found.append(PoolResults(pool, official, [r for r in mine if not r.is_official], projects))
    return found


def ranked(result: TallyResult) -> list[TallyResultProject]:
    """A result's projects: funded in the order the rule chose them, then the rest by votes."""
    return sorted(result.projects, key=lambda rp: (not rp.selected, rp.selection_order or 0, -rp.score, rp.project_id))


def receipt_hashes(process: Process) -> list[str]:
    """The published receipt hashes of counted ballots, sorted (never in the order of voting)."""
    return list(db.session.scalars(
        sa.select(Ballot.receipt_hash).join(CountedBallot, CountedBallot.ballot_id == Ballot.id).join(Pool)
        .where(Pool.process_id == process.id, CountedBallot.voided.is_(False)).order_by(Ballot.receipt_hash)))


def receipt_found(process: Process, code: str) -> Pool | None:
    """The pool whose counted ballots hold this tracking code, if any."""
    return db.session.scalar(
        sa.select(Pool).join(Ballot, Ballot.pool_id == Pool.id)
        .join(CountedBallot, CountedBallot.ballot_id == Ballot.id)
        .where(Pool.process_id == process.id, Ballot.receipt_hash == secrecy.receipt_hash(code),
               CountedBallot.voided.is_(False)))


def receipt_counts(pool: Pool, code: str) -> bool:
    """Whether this tracking code is that of a ballot counted in the pool now (not changed since, not voided)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Ballot).join(CountedBallot, CountedBallot.ballot_id == Ballot.id)
        .where(Ballot.pool_id == pool.id, Ballot.receipt_hash == secrecy.receipt_hash(code),
               CountedBallot.voided.is_(False))) > 0


def receipt_roots(process: Process) -> list[ReceiptRoot]:
    """The published Merkle roots of the process, newest first."""
    return list(db.session.scalars(sa.select(ReceiptRoot).where(ReceiptRoot.process_id == process.id)
                                   .order_by(ReceiptRoot.computed_at.desc(), ReceiptRoot.id.desc())))
