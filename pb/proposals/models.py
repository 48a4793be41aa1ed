"""Projects, their categories and beneficiary groups, comments and supports."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.core.db import Money, enum_type, utcnow
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
    cost: Mapped[int] = mapped_column(Money)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    status: Mapped[ProjectStatus] = mapped_column(enum_type(ProjectStatus), default=ProjectStatus.DRAFT)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

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


class Stance(enum.StrEnum):
    """A commenter's optional position on the project."""

    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


class Comment(db.Model):
    """A comment or a reply on a project; hiding keeps it, with a public reason."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    stance: Mapped[Stance | None] = mapped_column(enum_type(Stance))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[dt.datetime | None]
    hidden_at: Mapped[dt.datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))


class Support(db.Model):
    """A resident's endorsement of a project before the vote; one per resident and project."""

    __tablename__ = "support"
    __table_args__ = (sa.UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
