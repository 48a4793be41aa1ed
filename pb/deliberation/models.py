"""Comments, supports, follows, notifications and moderation flags."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pb.core.db import enum_type, utcnow
from pb.extensions import db


class Stance(enum.StrEnum):
    """A commenter's optional position on the project."""

    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


class Comment(db.Model):
    """A comment or a reply on a project; hiding keeps it, with a public reason."""

    __tablename__ = "comment"
    # A page of threads: the project's top-level comments in order, then the replies below them.
    __table_args__ = (sa.Index("ix_comment_project_thread", "project_id", "parent_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True)
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


class Follow(db.Model):
    """A resident follows a project: replies and review outcomes reach them as notifications."""

    __tablename__ = "follow"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NotificationKind(enum.StrEnum):
    """What a notification is about."""

    REPLY = "reply"
    COMMENT = "comment"
    REVIEW_OUTCOME = "review_outcome"
    APPEAL_ANSWER = "appeal_answer"
    HIDDEN = "hidden"
    DELIVERY_STATUS = "delivery_status"
    DELIVERY_UPDATE = "delivery_update"
    REPRESENTATION_FLAG = "representation_flag"


class Notification(db.Model):
    """An in-app message to one person."""

    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind))
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"))
    # For staff: the red flag of live representativeness the notification is about (pb.reports.monitoring).
    representation_flag_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("representation_flag.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]


class FlagReason(enum.StrEnum):
    """Why a resident flags a comment or a project."""

    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"


class FlagResolution(enum.StrEnum):
    """What a moderator did with a flag."""

    HIDDEN = "hidden"
    DISMISSED = "dismissed"


class Flag(db.Model):
    """A resident's report of a comment or a project, waiting in the moderation queue."""

    __tablename__ = "flag"
    __table_args__ = (
        sa.CheckConstraint("(comment_id IS NULL) <> (project_id IS NULL)", name="one_target"),
        sa.UniqueConstraint("reporter_id", "comment_id", "project_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[FlagReason] = mapped_column(enum_type(FlagReason))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    resolution: Mapped[FlagResolution | None] = mapped_column(enum_type(FlagResolution))
