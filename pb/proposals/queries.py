"""Read-only queries of projects: the filtered list, a project with what its page shows, versions, images."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pb.accounts.models import User
from pb.core.money import minor_units
from pb.core.search import fold
from pb.deliberation.models import Support
from pb.extensions import db
from pb.processes.models import Municipality, Pool, Process
from pb.proposals.models import (
    Project,
    ProjectBeneficiary,
    ProjectCategory,
    ProjectCoauthor,
    ProjectImage,
    ProjectStatus,
    ProjectVersion,
    Review,
)

PAGE_SIZE = 20
MAX_WORDS = 10
# Large odd multiplier and prime modulus: a cheap, portable shuffle of ids that a seed turns differently.
_SHUFFLE_MULTIPLIER = 2_654_435_761
_SHUFFLE_MODULUS = 2_147_483_647


@dataclass(frozen=True)
class ProjectFilters:
    """What a visitor asked the list for; every field optional."""

    words: tuple[str, ...] = ()
    pool_id: int | None = None
    category: str | None = None
    beneficiary: str | None = None
    status: ProjectStatus | None = None
    cost_min: int | None = None
    cost_max: int | None = None
    sort: str = "supported"
    seed: int = 0
    page: int = 1


@dataclass
class ProjectPage:
    """One page of a project list, with support counts."""

    projects: list[Project]
    supports: dict[int, int]
    total: int
    page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, math.ceil(self.total / PAGE_SIZE))


def parse_amount(text: str | None, currency: str) -> int | None:
    """A filter amount typed in major units, as minor units; None when empty or not a number."""
    if not text:
        return None
    try:
        amount = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > Decimal(10) ** 15:
        return None
    return int(amount * minor_units(currency))


def search_words(text: str | None) -> tuple[str, ...]:
    """The words of a search, at most ten, without duplicates."""
    words: list[str] = []
    for word in (text or "").split():
        if word.lower() not in (w.lower() for w in words):
            words.append(word)
    return tuple(words[:MAX_WORDS])


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def visible_to_public():
    """The condition for a project anyone may see in lists: published (not a draft) and not hidden."""
    return sa.and_(Project.status != ProjectStatus.DRAFT, Project.hidden_at.is_(None))


def _support_counts():
    return (sa.select(Support.project_id, sa.func.count().label("supports"))
            .group_by(Support.project_id).subquery())


def _conditions(process: Process, filters: ProjectFilters) -> list:
    """What a project of the list must meet: the process's, visible to anyone, and every filter."""
    conditions = [Project.process_id == process.id, visible_to_public()]
    if filters.pool_id is not None:
        conditions.append(Project.pool_id == filters.pool_id)
    if filters.category:
        conditions.append(sa.exists().where(ProjectCategory.project_id == Project.id,
                                            ProjectCategory.category == filters.category))
    if filters.beneficiary:
        conditions.append(sa.exists().where(ProjectBeneficiary.project_id == Project.id,
                                            ProjectBeneficiary.group == filters.beneficiary))
    if filters.status is not None:
        conditions.append(Project.status == filters.status)
    if filters.cost_min is not None:
        conditions.append(Project.cost >= filters.cost_min)
    if filters.cost_max is not None:
        conditions.append(Project.cost <= filters.cost_max)
    for word in filters.words:
        # Every word must appear somewhere, in any case and with or without accents.
        conditions.append(Project.search_text.like(_like(fold(word)), escape="\\"))
    return conditions


# The most markers a list's map shows; a process has far fewer projects with a location.
MAP_LIMIT = 2000


@dataclass
class ProjectMap:
    """The projects of a filtered list that have a location, and how many others match without one."""

    projects: list[Project]
    without_location: int


def located_projects(process: Process, filters: ProjectFilters) -> ProjectMap:
    """The filtered list's projects with a location (for its map, by title), and a count of the rest."""
    conditions = _conditions(process, filters)
    located = sa.and_(Project.latitude.is_not(None), Project.longitude.is_not(None))
    projects = list(db.session.scalars(
        sa.select(Project).where(*conditions, located).options(selectinload(Project.pool))
        .order_by(Project.title, Project.id).limit(MAP_LIMIT)))
    others = db.session.execute(sa.select(sa.func.count()).select_from(Project)
                                .where(*conditions, sa.not_(located))).scalar_one()
    return ProjectMap(projects=projects, without_location=others)


def list_projects(process: Process, filters: ProjectFilters) -> ProjectPage:
    """The projects of a process anyone may see, filtered, searched, sorted and paginated."""
    conditions = _conditions(process, filters)
    total = db.session.execute(sa.select(sa.func.count()).select_from(Project).where(*conditions)).scalar_one()
    counts = _support_counts()
    support = sa.func.coalesce(counts.c.supports, 0)
    order = {
        "newest": [Project.published_at.desc(), Project.id.desc()],
        "cost": [Project.cost.asc(), Project.id.asc()],
        "cost_desc": [Project.cost.desc(), Project.id.asc()],
        "random": [((sa.cast(Project.id, sa.BigInteger) * _SHUFFLE_MULTIPLIER + filters.seed)
                    % _SHUFFLE_MODULUS).asc(), Project.id.asc()],
    }.get(filters.sort, [support.desc(), Project.id.asc()])
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    rows = db.session.execute(
        sa.select(Project, support).outerjoin(counts, counts.c.project_id == Project.id).where(*conditions)
        .options(selectinload(Project.categories), selectinload(Project.beneficiaries), selectinload(Project.pool))
        .order_by(*order).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return ProjectPage(projects=[r[0] for r in rows], supports={r[0].id: r[1] for r in rows}, total=total,
                       page=page)


def project_with_details(project_id: int) -> Project | None:
    """A project with its categories, beneficiaries, pool and district loaded."""
    return db.session.execute(
        sa.select(Project).where(Project.id == project_id)
        .options(selectinload(Project.categories), selectinload(Project.beneficiaries),
                 selectinload(Project.pool), selectinload(Project.district))
    ).scalar_one_or_none()


def support_count(project: Project) -> int:
    """How many residents support the project."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(Support).where(Support.project_id == project.id)).scalar_one()


def image_list(project: Project) -> list[tuple[int, int, int]]:
    """The project's images as (id, width, height), in order, without their bytes."""
    return [tuple(r) for r in db.session.execute(
        sa.select(ProjectImage.id, ProjectImage.width, ProjectImage.height)
        .where(ProjectImage.project_id == project.id).order_by(ProjectImage.position, ProjectImage.id))]


def image_of(project_id: int, image_id: int) -> ProjectImage | None:
    """One image of a project."""
    return db.session.execute(
        sa.select(ProjectImage).where(ProjectImage.id == image_id, ProjectImage.project_id == project_id)
    ).scalar_one_or_none()


def versions(project: Project) -> list[ProjectVersion]:
    """The kept versions of a project, newest first."""
    return list(db.session.execute(
        sa.select(ProjectVersion).where(ProjectVersion.project_id == project.id)
        .order_by(ProjectVersion.version.desc())).scalars())


def coauthor_emails(project: Project) -> list[str]:
    """The co-authors' addresses, for the author's edit form only."""
    return list(db.session.execute(
        sa.select(User.email).join(ProjectCoauthor, ProjectCoauthor.user_id == User.id)
        .where(ProjectCoauthor.project_id == project.id).order_by(User.email)).scalars())


def projects_of(user_id: int) -> list[Project]:
    """The projects a resident wrote or co-signs, drafts included, newest first."""
    coauthored = sa.select(ProjectCoauthor.project_id).where(ProjectCoauthor.user_id == user_id)
    return list(db.session.execute(
        sa.select(Project).where(sa.or_(Project.author_id == user_id, Project.id.in_(coauthored)))
        .options(selectinload(Project.pool))
        .order_by(Project.created_at.desc(), Project.id.desc())).scalars())


def processes_by_id(ids: set[int]) -> dict[int, Process]:
    """Processes by id, with their municipality, for links."""
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Process).join(Municipality).where(Process.id.in_(ids))
                              .options(selectinload(Process.municipality))).scalars()
    return {p.id: p for p in rows}


def latest_reviews(project_ids: list[int]) -> dict[int, Review]:
    """The newest review of each project, for the public outcome."""
    if not project_ids:
        return {}
    newest = (sa.select(Review.project_id, sa.func.max(Review.id).label("id"))
              .where(Review.project_id.in_(project_ids)).group_by(Review.project_id).subquery())
    rows = db.session.execute(sa.select(Review).join(newest, newest.c.id == Review.id)).scalars()
    return {r.project_id: r for r in rows}


def public_process_list() -> list[Process]:
    """Every process with its municipality, phases and pools, for the open data API."""
    return list(db.session.execute(
        sa.select(Process).join(Municipality).order_by(Municipality.slug, Process.fiscal_year.desc(), Process.id)
        .options(selectinload(Process.municipality), selectinload(Process.phases),
                 selectinload(Process.pools).selectinload(Pool.district))).scalars())


def public_projects_with_supports(process: Process) -> list[tuple[Project, int]]:
    """Every project of a process anyone may see, with its support count, by code order of creation."""
    counts = _support_counts()
    return [(r[0], r[1]) for r in db.session.execute(
        sa.select(Project, sa.func.coalesce(counts.c.supports, 0))
        .outerjoin(counts, counts.c.project_id == Project.id)
        .where(Project.process_id == process.id, visible_to_public())
        .options(selectinload(Project.categories), selectinload(Project.beneficiaries),
                 selectinload(Project.district))
        .order_by(Project.id))]
