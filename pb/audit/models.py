"""The audit event and the single row that serialises writers of the chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pb.extensions import db

GENESIS_HASH = "0" * 64


class AuditEvent(db.Model):
    """Who did what to which object, when, with the values before and after.

    Each event stores the hash of the one before it; ``prev_hash`` is unique, so two writers that
    raced for the same predecessor cannot both commit (the chain never forks).
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    actor_label: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)


class AuditChainHead(db.Model):
    """One row holding the newest hash; writers lock it so that events chain one after another.

    ``head_mac`` is the HMAC (key outside the database) of the number of events and the newest hash: whoever
    deletes the newest events cannot rewrite the head to match what is left.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
    last_event_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Both empty until the first event written after migration 0031.
    event_count: Mapped[int | None] = mapped_column(sa.BigInteger)
    head_mac: Mapped[str | None] = mapped_column(sa.String(64))
