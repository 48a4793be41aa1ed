"""Who may vote, who voted (participation) and what was chosen (ballot), kept apart for secrecy.

A ballot holds no user id, no timestamp and a random id; the link that lets a resident change
their ballot is a keyed hash whose key lives in the configuration, not in the database.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.core.db import Money, enum_type, utcnow
from pb.extensions import db


class Verification(enum.StrEnum):
    """How a resident showed that they are the person in the register."""

    REGISTER_MATCH = "register_match"
    CODE = "code"
    ASSISTED = "assisted"


class VoterRegisterEntry(db.Model):
    """An eligible resident from the council's register; the reference is kept only as a keyed hash."""

    __tablename__ = "voter_register_entry"
    __table_args__ = (
        sa.UniqueConstraint("process_id", "reference_hash"),
        sa.UniqueConstraint("process_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"))
    reference_hash: Mapped[str] = mapped_column(sa.String(64))
    birth_year: Mapped[int | None]
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("district.id", ondelete="RESTRICT"))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    verification: Mapped[Verification | None] = mapped_column(enum_type(Verification))
    verified_at: Mapped[dt.datetime | None]


class VotingCode(db.Model):
    """A one-time code on a letter that lets a resident without e-mail prove they are in the register."""

    __tablename__ = "voting_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    register_entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("voter_register_entry.id", ondelete="CASCADE"), index=True
    )
    # Keyed hash of the code: a copy of the database does not give usable codes.
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


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
    """What was chosen, with no link to a person: a random id and a receipt hash.

    A ballot row never changes once written (the production database role may not UPDATE or DELETE
    it): changing one's vote writes a new ballot and moves the CountedBallot to it.
    """

    __tablename__ = "ballot"
    # SQLite stores these rows in key order (random ids), not in the order residents voted.
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id", ondelete="CASCADE"), index=True)
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    # Coarse demographics, only where the process collects them; never a birth date.
    age_band: Mapped[str | None] = mapped_column(sa.String(8))
    sex: Mapped[str | None] = mapped_column(sa.String(1))
    district_code: Mapped[str | None] = mapped_column(sa.String(32))

    choices: Mapped[list[BallotChoice]] = relationship(
        cascade="all, delete-orphan", order_by="BallotChoice.position"
    )


class CountedBallot(db.Model):
    """Which ballot counts for one participation, found by a keyed owner tag; the only mutable ballot row.

    The owner tag is HMAC(key outside the database, pool, register entry): with the key pb can find a
    resident's ballot to change it; without it the row points at no one. A ballot that is no longer
    counted (changed, or voided for fraud) stays in ``ballot`` untouched.
    """

    __tablename__ = "counted_ballot"
    __table_args__ = {"sqlite_with_rowid": False}

    owner_tag: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id", ondelete="CASCADE"), index=True)
    ballot_id: Mapped[str] = mapped_column(sa.ForeignKey("ballot.id", ondelete="CASCADE"), unique=True)
    voided: Mapped[bool] = mapped_column(default=False)


class BallotChoice(db.Model):
    """One project on a ballot, with its points (cumulative) or its place (ranking)."""

    __tablename__ = "ballot_choice"
    __table_args__ = {"sqlite_with_rowid": False}

    ballot_id: Mapped[str] = mapped_column(sa.ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    points: Mapped[int | None]


class TallyResult(db.Model):
    """A pool's outcome under one rule, with what is needed to recompute and compare it."""

    __tablename__ = "tally_result"
    __table_args__ = (sa.UniqueConstraint("pool_id", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(sa.String(40))
    tie_break: Mapped[str] = mapped_column(sa.String(40))
    # The process's own rule; the others are computed for comparison only.
    is_official: Mapped[bool] = mapped_column(default=False)
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # SHA-256 of the counted election written as Pabulib text: the same ballots give the same hash.
    input_hash: Mapped[str] = mapped_column(sa.String(64))
    library_version: Mapped[str] = mapped_column(sa.String(40))
    ballots_counted: Mapped[int]
    budget: Mapped[int] = mapped_column(Money)
    total_cost: Mapped[int] = mapped_column(Money)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    projects: Mapped[list[TallyResultProject]] = relationship(
        cascade="all, delete-orphan", order_by="TallyResultProject.score.desc()"
    )


class TallyResultProject(db.Model):
    """One project in one result: its votes, whether it was funded and why."""

    __tablename__ = "tally_result_project"

    result_id: Mapped[int] = mapped_column(sa.ForeignKey("tally_result.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # Approvals, or points for cumulative ballots.
    score: Mapped[int] = mapped_column(sa.BigInteger)
    cost: Mapped[int] = mapped_column(Money)
    selected: Mapped[bool]
    # 1 for the first project the rule funded, and so on; none when not funded.
    selection_order: Mapped[int | None]
    reason: Mapped[str] = mapped_column(sa.String(40))
    numbers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class ReceiptRoot(db.Model):
    """A Merkle root over a process's counted receipts at one moment, published so that any later change shows.

    Appended at the close and hourly while the vote runs; rows are never changed.
    """

    __tablename__ = "receipt_root"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ballots: Mapped[int]
    root: Mapped[str] = mapped_column(sa.String(64))
    # "close" for the root at the close of the vote, "hourly" for those taken while it runs.
    occasion: Mapped[str] = mapped_column(sa.String(16))


class KeptReceipt(db.Model):
    """A tracking code kept for the browser session that cast it, so that a reload or a language switch does
    not lose it; sealed with a key that only that session's cookie holds, so the row alone reads as noise.

    ``holder`` is the SHA-256 of that key: the cookie finds its row, the row does not give the key. Rows go
    at sign-out (pb.voting.kept).
    """

    __tablename__ = "kept_receipt"

    holder: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[str] = mapped_column(sa.Text)
    changed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
