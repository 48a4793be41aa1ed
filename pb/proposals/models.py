"""Projects with their versions, images, co-authors, categories and beneficiary groups, and their staff review."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.core.db import Money, enum_type, utcnow
from pb.core.search import search_text
from pb.extensions import db


class ProjectStatus(enum.StrEnum):
    """Where a project stands between the idea and its delivery."""

    DRAFT = "draft"
    PUBLISHED = "published"
    UNDER_REVIEW = "under_review"
    NEEDS_CHANGES = "needs_changes"
    FEASIBLE = "feasible"
    UNFEASIBLE = "unfeasible"
    ON_BALLOT = "on_ballot"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    WITHDRAWN = "withdrawn"


class ProjectOrigin(enum.StrEnum):
    """Who put the project forward, and how it reached pb."""

    ONLINE = "online"  # a resident, through their account
    PAPER_FORM = "paper_form"  # a resident who handed in a paper form, entered by a clerk
    DEPARTMENT = "department"  # a department of the council, entered by a clerk
    IMPORTED = "imported"  # a past edition's project, from a Pabulib file


def _search_text_of_insert(context) -> str:
    values = context.get_current_parameters()
    return search_text(values.get("title"), values.get("summary"), values.get("description"))


class Project(db.Model):
    """A proposal for spending part of a pool; costs are integer minor units."""

    __tablename__ = "project"
    __table_args__ = (
        sa.CheckConstraint("cost >= 0", name="cost_not_negative"),
        sa.UniqueConstraint("process_id", "code"),
        sa.Index("ix_project_process_status", "process_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"))
    pool_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pool.id", ondelete="SET NULL"), index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("district.id", ondelete="RESTRICT"))
    # The id the project has on the ballot and in Pabulib exports (a string, e.g. "BO.OM.1/24").
    code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Title, summary and description folded for search (pb.core.search): written with them, on insert (ORM or
    # Core) by its default and on update by _refresh_search_text, so that no search folds rows as it runs.
    search_text: Mapped[str] = mapped_column(sa.Text, default=_search_text_of_insert, server_default="")
    # The cost that goes to the ballot: the author's estimate, replaced by the reviewer's revised cost.
    cost: Mapped[int] = mapped_column(Money)
    estimated_cost: Mapped[int | None] = mapped_column(Money)
    version: Mapped[int] = mapped_column(default=1)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    origin: Mapped[ProjectOrigin] = mapped_column(enum_type(ProjectOrigin, 16), default=ProjectOrigin.ONLINE)
    # The name of the author (a resident on paper, or a department) when a clerk entered the project for them.
    author_name: Mapped[str | None] = mapped_column(sa.String(200))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    status: Mapped[ProjectStatus] = mapped_column(enum_type(ProjectStatus), default=ProjectStatus.DRAFT)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Moderation hides, never deletes; the reason is public.
    hidden_at: Mapped[dt.datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    categories: Mapped[list[ProjectCategory]] = relationship(
        cascade="all, delete-orphan", order_by="ProjectCategory.category"
    )
    beneficiaries: Mapped[list[ProjectBeneficiary]] = relationship(
        cascade="all, delete-orphan", order_by="ProjectBeneficiary.group"
    )
    pool: Mapped["Pool | None"] = relationship()  # noqa: F821 - resolved by the registry
    district: Mapped["District | None"] = relationship()  # noqa: F821

    @property
    def category_names(self) -> list[str]:
        """The project's categories in Pabulib's words."""
        return [c.category for c in self.categories]

    @property
    def beneficiary_names(self) -> list[str]:
        """The project's beneficiary groups in Pabulib's words."""
        return [b.group for b in self.beneficiaries]


@sa.event.listens_for(Project, "before_update")
def _refresh_search_text(_mapper, _connection, project: Project) -> None:
    project.search_text = search_text(project.title, project.summary, project.description)


class ProjectCategory(db.Model):
    """One category of a project (a row each, so lists filter by category in SQL)."""

    __tablename__ = "project_category"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(80), primary_key=True, index=True)


class ProjectBeneficiary(db.Model):
    """One beneficiary group of a project."""

    __tablename__ = "project_beneficiary"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    group: Mapped[str] = mapped_column(sa.String(80), primary_key=True, index=True)


class ProjectVersion(db.Model):
    """What a project said at one version; every edit after publication keeps the one before."""

    __tablename__ = "project_version"
    __table_args__ = (sa.UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text)
    cost: Mapped[int] = mapped_column(Money)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("district.id", ondelete="RESTRICT"))
    categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    beneficiaries: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    edited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProjectImage(db.Model):
    """An image of a project, re-encoded on upload and kept in the database so every app server serves it."""

    __tablename__ = "project_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    content_type: Mapped[str] = mapped_column(sa.String(40))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    byte_size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    alt_text: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProjectCoauthor(db.Model):
    """A resident who co-signs a project and may edit it like its author."""

    __tablename__ = "project_coauthor"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)


class Feasibility(enum.StrEnum):
    """A reviewer's verdict on a project."""

    FEASIBLE = "feasible"
    UNFEASIBLE = "unfeasible"
    NEEDS_CHANGES = "needs_changes"


class ReviewAssignment(db.Model):
    """A clerk's assignment of a reviewer to a project."""

    __tablename__ = "review_assignment"
    __table_args__ = (sa.UniqueConstraint("project_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Review(db.Model):
    """A reviewer's feasibility and legal check of a project (CONSUL's valuation); the public reason is
    required when the project is unfeasible."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    feasibility: Mapped[Feasibility] = mapped_column(enum_type(Feasibility))
    legally_compliant: Mapped[bool]
    legal_note: Mapped[str] = mapped_column(sa.Text, default="")
    revised_cost: Mapped[int | None] = mapped_column(Money)
    cost_explanation: Mapped[str] = mapped_column(sa.Text, default="")
    public_reason: Mapped[str] = mapped_column(sa.Text, default="")
    internal_note: Mapped[str] = mapped_column(sa.Text, default="")
    # "Needs changes": until when the author may revise the project (set by the reviewer, before the vote).
    revise_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AppealOutcome(enum.StrEnum):
    """The answer to an author's appeal against a review."""

    UPHELD = "upheld"
    REJECTED = "rejected"


class Appeal(db.Model):
    """An author's appeal against a review outcome, within the process's appeal period, and its answer."""

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("review.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    outcome: Mapped[AppealOutcome | None] = mapped_column(enum_type(AppealOutcome))
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[dt.datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
