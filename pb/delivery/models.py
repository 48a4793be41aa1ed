"""From vote to delivery: one delivery record per adopted project, its milestones, updates, photos,
co-producers and residents' ratings, and the municipality's spending tolerance."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.core.db import Money, enum_type, utcnow
from pb.extensions import db


class DeliveryStatus(enum.StrEnum):
    """Where an adopted project stands on its way to delivery (the lifecycle is in pb.delivery.rules)."""

    PLANNED = "planned"
    DESIGN = "design"
    PROCUREMENT = "procurement"
    WORKS = "works"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    MERGED = "merged"


class DeliveryRecord(db.Model):
    """How the council delivers one adopted project: who answers for it, when, for how much, and how far it is."""

    __tablename__ = "delivery_record"
    __table_args__ = (
        sa.CheckConstraint("committed >= 0 AND spent >= 0", name="money_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), unique=True)
    department: Mapped[str] = mapped_column(sa.String(200), default="")
    # The member of staff who answers for the delivery; department staff may edit only their own records.
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(enum_type(DeliveryStatus), default=DeliveryStatus.PLANNED)
    # Public: why the project was cancelled or merged, and the council's decision that did it.
    status_reason: Mapped[str] = mapped_column(sa.Text, default="")
    decision_reference: Mapped[str] = mapped_column(sa.String(200), default="")
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    planned_start_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    planned_end_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    actual_start_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    actual_end_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    # Minor units of the process's currency, against the project's voted cost.
    committed: Mapped[int] = mapped_column(Money, default=0)
    spent: Mapped[int] = mapped_column(Money, default=0)
    spending_explanation: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    project: Mapped["Project"] = relationship()  # noqa: F821 - resolved by the registry
    milestones: Mapped[list[DeliveryMilestone]] = relationship(
        cascade="all, delete-orphan", order_by="(DeliveryMilestone.position, DeliveryMilestone.id)")
    updates: Mapped[list[DeliveryUpdate]] = relationship(
        cascade="all, delete-orphan", order_by="DeliveryUpdate.created_at.desc()")


class DeliveryMilestone(db.Model):
    """A step of the delivery with its planned date and, once done, the date it was done."""

    __tablename__ = "delivery_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_record.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    planned_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    done_on: Mapped[dt.date | None] = mapped_column(sa.Date)


class DeliveryUpdate(db.Model):
    """A dated public update in plain words; a status change writes one too, naming the new status."""

    __tablename__ = "delivery_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_record.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[DeliveryStatus | None] = mapped_column(enum_type(DeliveryStatus))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PhotoKind(enum.StrEnum):
    """What a delivery picture shows."""

    BEFORE = "before"
    AFTER = "after"
    DOCUMENT = "document"


class DeliveryPhoto(db.Model):
    """A before/after photo or a scanned document, checked and re-encoded like project images."""

    __tablename__ = "delivery_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_record.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PhotoKind] = mapped_column(enum_type(PhotoKind, 12))
    caption: Mapped[str] = mapped_column(sa.String(300), default="")
    content_type: Mapped[str] = mapped_column(sa.String(40))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    byte_size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CoProductionRole(enum.StrEnum):
    """What a co-producer offers to do."""

    CO_DESIGN = "co_design"
    CO_IMPLEMENT = "co_implement"
    MAINTAIN = "maintain"


class CoProducerKind(enum.StrEnum):
    """Who the co-producer is."""

    RESIDENT = "resident"
    ORGANISATION = "organisation"


class CoProductionStatus(enum.StrEnum):
    """An offer waits for the clerk, who records an agreement or declines it."""

    OFFERED = "offered"
    AGREED = "agreed"
    DECLINED = "declined"


class CoProduction(db.Model):
    """A resident's or an organisation's offer to co-produce a project, and the agreement a clerk records:
    what the co-producer does, what the council stays responsible for, and how risk and liability are covered."""

    __tablename__ = "co_production"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    offered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    party_kind: Mapped[CoProducerKind] = mapped_column(enum_type(CoProducerKind, 16))
    party_name: Mapped[str] = mapped_column(sa.String(200))
    # The co-producer agreed that their name is shown publicly; otherwise the page says "a resident".
    name_public: Mapped[bool] = mapped_column(default=False)
    role: Mapped[CoProductionRole] = mapped_column(enum_type(CoProductionRole, 16))
    offer: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[CoProductionStatus] = mapped_column(enum_type(CoProductionStatus, 12),
                                                       default=CoProductionStatus.OFFERED)
    co_producer_does: Mapped[str] = mapped_column(sa.Text, default="")
    council_responsible_for: Mapped[str] = mapped_column(sa.Text, default="")
    risk_cover: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DeliveryRating(db.Model):
    """A resident's one rating of a delivered project (1 to 5, a short comment), moderated like comments."""

    __tablename__ = "delivery_rating"
    __table_args__ = (
        sa.UniqueConstraint("record_id", "user_id"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_record.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[dt.datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))


class DeliveryMailOptIn(db.Model):
    """A person asked for e-mail when a project's delivery moves (in-app notifications need no opt-in)."""

    __tablename__ = "delivery_mail_opt_in"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# A municipality's tolerance when none is set: spending more than 10% away from the voted amount needs a reason.
DEFAULT_TOLERANCE_BASIS_POINTS = 1000


class DeliveryPolicy(db.Model):
    """What a municipality sets for delivery: how far spending may differ from the voted amount unexplained."""

    __tablename__ = "delivery_policy"
    __table_args__ = (sa.CheckConstraint("tolerance_basis_points BETWEEN 0 AND 10000", name="tolerance_range"),)

    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipality.id", ondelete="CASCADE"),
                                                 primary_key=True)
    tolerance_basis_points: Mapped[int] = mapped_column(default=DEFAULT_TOLERANCE_BASIS_POINTS)
