"""Read-only queries of the vote: a resident's pools, stored results, published receipts."""

from __future__ import annotations

import random
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pb.audit.models import AuditEvent
from pb.extensions import db
from pb.processes.models import BallotOrder, Pool, Process
from pb.proposals.models import Project, ProjectCategory, ProjectImage
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


@dataclass(frozen=True)
class BallotEntry:
    """A project as the ballot shows it: the project, its first image (id, width, height, alt text) if any,
    and its categories and district for the filters."""

    project: Project
    image: tuple[int, int, int, str] | None
    categories: tuple[str, ...]
    district: str


def ballot_entries(pool: Pool, projects: list[Project], seed: int) -> list[BallotEntry]:
    """The ballot's projects in the edition's order: by code, or shuffled for each voter (``seed`` is theirs,
    so that their order stays the same on every reload) so that no project gains from its place."""
    ids = [p.id for p in projects]
    images: dict[int, tuple[int, int, int, str]] = {}
    for image_id, project_id, width, height, alt in db.session.execute(
            sa.select(ProjectImage.id, ProjectImage.project_id, ProjectImage.width, ProjectImage.height,
                      ProjectImage.alt_text)
            .where(ProjectImage.project_id.in_(ids)).order_by(ProjectImage.position.desc(), ProjectImage.id.desc())):
        images[project_id] = (image_id, width, height, alt)  # the last written is the first image
    categories: dict[int, list[str]] = {}
    for project_id, category in db.session.execute(
            sa.select(ProjectCategory.project_id, ProjectCategory.category)
            .where(ProjectCategory.project_id.in_(ids)).order_by(ProjectCategory.category)):
        categories.setdefault(project_id, []).append(category)
    districts = {d.id: d.name for d in pool.process.municipality.districts}
    ordered = sorted(projects, key=lambda p: p.code)
    if pool.process.ballot_order is BallotOrder.RANDOM:
        random.Random(f"{seed}:{pool.id}").shuffle(ordered)
    return [BallotEntry(p, images.get(p.id), tuple(categories.get(p.id, ())), districts.get(p.district_id, ""))
            for p in ordered]


def ranked(result: TallyResult) -> list[TallyResultProject]:
    """A result's projects: funded in the order the rule chose them, then the rest by votes."""
    return sorted(result.projects, key=lambda rp: (not rp.selected, rp.selection_order or 0, -rp.score, rp.project_id))


def receipt_hashes(process: Process) -> list[str]:
    """The published receipt hashes of counted ballots, sorted (never in the order of voting)."""
    return list(db.session.scalars(
        sa.select(Ballot.receipt_hash).join(CountedBallot, CountedBallot.ballot_id == Ballot.id).join(Pool)
        .where(Pool.process_id == process.id, CountedBallot.voided.is_(False)).order_by(Ballot.receipt_hash)))


def receipt_found(process: Process, digest: str) -> Pool | None:
    """The pool whose counted ballots hold the tracking code with this SHA-256, if any."""
    return db.session.scalar(
        sa.select(Pool).join(Ballot, Ballot.pool_id == Pool.id)
        .join(CountedBallot, CountedBallot.ballot_id == Ballot.id)
        .where(Pool.process_id == process.id, Ballot.receipt_hash == digest, CountedBallot.voided.is_(False)))


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


def closing_root(process: Process) -> ReceiptRoot | None:
    """The root taken at the close: the first one, whatever was appended later (the database refuses more)."""
    return db.session.scalar(sa.select(ReceiptRoot).where(
        ReceiptRoot.process_id == process.id, ReceiptRoot.occasion == "close").order_by(ReceiptRoot.id).limit(1))


def close_event(process: Process) -> AuditEvent | None:
    """The audit event of the vote's close (the first one), which records the closing root and every result."""
    return db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "vote.close", AuditEvent.object_type == "process",
        AuditEvent.object_id == str(process.id)).order_by(AuditEvent.id).limit(1))
