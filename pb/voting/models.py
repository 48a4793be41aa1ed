"""Who may vote, who voted (participation) and what was chosen (ballot), kept apart for secrecy.

A ballot holds no user id, no timestamp and a random id; the link that lets a resident change
their ballot is a keyed hash whose key lives in the configuration, not in the database.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.core.db import enum_type, utcnow
from pb.extensions import db


class VoterRegisterEntry(db.Model):
    """An eligible resident from the council's register; the reference is kept only as a keyed hash."""

    __tablename__ = "voter_register_entry"
    __table_args__ = (sa.UniqueConstraint("process_id", "reference_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"))
    reference_hash: Mapped[str] = mapped_column(sa.String(64))
    birth_year: Mapped[int | None]
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("district.id", ondelete="RESTRICT"))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Channel(enum.StrEnum):
    """How a ballot reached the count."""

    ONLINE = "online"
    PAPER = "paper"
    IN_PERSON = "in_person"
    ASSISTED = "assisted"
    IMPORTED = "imported"


class Participation(db.Model):
    """The fact that a resident voted in a pool; the database allows one per resident and pool."""

    __tablename__ = "participation"
    __table_args__ = (
        sa.UniqueConstraint("pool_id", "register_entry_id"),
        sa.UniqueConstraint("pool_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id", ondelete="CASCADE"), index=True)
    register_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("voter_register_entry.id", ondelete="RESTRICT")
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    invalidated_at: Mapped[dt.datetime | None]
    invalidation_reason: Mapped[str | None] = mapped_column(sa.Text)


class Ballot(db.Model):
    """What was chosen, with no link to a person: a random id, a keyed owner tag and a receipt hash."""

    __tablename__ = "ballot"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id", ondelete="CASCADE"), index=True)
    # HMAC(key outside the database, participation identity): finds the ballot to change it.
    owner_tag: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    # Coarse demographics, only where the process collects them; never a birth date.
    age_band: Mapped[str | None] = mapped_column(sa.String(8))
    sex: Mapped[str | None] = mapped_column(sa.String(1))
    district_code: Mapped[str | None] = mapped_column(sa.String(32))
    voided: Mapped[bool] = mapped_column(default=False)

    choices: Mapped[list[BallotChoice]] = relationship(
        cascade="all, delete-orphan", order_by="BallotChoice.position"
    )


class BallotChoice(db.Model):
    """One project on a ballot, with its points (cumulative) or its place (ranking)."""

    __tablename__ = "ballot_choice"

    ballot_id: Mapped[str] = mapped_column(sa.ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    points: Mapped[int | None]
