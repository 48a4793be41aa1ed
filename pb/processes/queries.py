"""Read-only queries of processes for pages and exports."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pb.extensions import db
from pb.processes.models import Municipality, Pool, Process
from pb.proposals.models import Project, ProjectStatus

# What residents may see of a project: never drafts.
PUBLIC_STATUSES = tuple(s for s in ProjectStatus if s is not ProjectStatus.DRAFT)


def municipalities_with_processes(within: frozenset[int] | None = None) -> list[Municipality]:
    """Every municipality (or those of ``within``, a member of staff's) with its processes, phases and pools."""
    query = sa.select(Municipality).order_by(Municipality.name).options(
        selectinload(Municipality.processes).selectinload(Process.phases),
        selectinload(Municipality.processes).selectinload(Process.pools),
    )
    if within is not None:
        query = query.where(Municipality.id.in_(within))
    return list(db.session.execute(query).scalars())


def municipality_languages(slug: str) -> list[str] | None:
    """The languages a municipality's pages are offered in, its main one first (None: no such municipality)."""
    return db.session.scalar(sa.select(Municipality.languages).where(Municipality.slug == slug))


def process_by_slug(municipality_slug: str, slug: str) -> Process | None:
    """The process with this address, with its phases and pools."""
    return db.session.execute(
        sa.select(Process).join(Municipality).where(Municipality.slug == municipality_slug, Process.slug == slug)
        .options(selectinload(Process.phases), selectinload(Process.pools).selectinload(Pool.district))
    ).scalar_one_or_none()


def public_projects(process: Process) -> list[Project]:
    """The projects of a process that residents may see, by pool then title."""
    return list(db.session.execute(
        sa.select(Project).where(Project.process_id == process.id, Project.status.in_(PUBLIC_STATUSES))
        .options(selectinload(Project.categories), selectinload(Project.beneficiaries))
        .order_by(Project.pool_id, Project.title)
    ).scalars())
