"""Who opted in to outreach from a municipality, and every outreach message made (the ledger that keeps a
message from going out twice and counts the weekly cap)."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pb.core.db import utcnow
from pb.extensions import db


def new_unsubscribe_token() -> str:
    """A random token for the one-click unsubscribe link; it names the subscription and nothing else."""
    return secrets.token_urlsafe(32)


class OutreachSubscription(db.Model):
    """A resident's opt-in to outreach from one municipality: e-mail, and SMS when a number is given.

    Unsubscribing (``unsubscribed_at``) keeps the row, so the token of an old mail keeps working and a later
    opt-in is a new choice the resident makes.
    """

    __tablename__ = "outreach_subscription"
    __table_args__ = (sa.UniqueConstraint("user_id", "municipality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipality.id", ondelete="CASCADE"))
    sms_number: Mapped[str | None] = mapped_column(sa.String(32))
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_unsubscribe_token)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    unsubscribed_at: Mapped[dt.datetime | None]

    @property
    def is_active(self) -> bool:
        """Whether messages go out to this subscriber."""
        return self.unsubscribed_at is None


class OutreachMessage(db.Model):
    """One outreach message to one resident on one channel; ``key`` names what it is about, and the database
    holds each (subscription, key, channel) once, so no worker can make it twice. E-mails go through the
    outbox; SMS are delivered from here (``sent_at``)."""

    __tablename__ = "outreach_message"
    __table_args__ = (sa.UniqueConstraint("subscription_id", "key", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey("outreach_subscription.id", ondelete="CASCADE"),
                                                 index=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(24))
    key: Mapped[str] = mapped_column(sa.String(80))
    channel: Mapped[str] = mapped_column(sa.String(8))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[dt.datetime | None]
