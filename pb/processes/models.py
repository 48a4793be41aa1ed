"""A municipality, its districts, and each PB edition (process) with its phases and pools."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.core.db import Money, enum_type, utcnow
from pb.extensions import db


class Municipality(db.Model):
    """The council that runs participatory budgeting."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    country_code: Mapped[str] = mapped_column(sa.String(2))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    population: Mapped[int | None]

    districts: Mapped[list[District]] = relationship(
        back_populates="municipality", order_by="District.name", cascade="all, delete-orphan"
    )
    processes: Mapped[list[Process]] = relationship(
        back_populates="municipality", order_by="Process.fiscal_year.desc()", cascade="all, delete-orphan"
    )


class District(db.Model):
    """An area of the municipality with its own pool and population."""

    __tablename__ = "district"
    __table_args__ = (sa.UniqueConstraint("municipality_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipality.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    population: Mapped[int | None]

    municipality: Mapped[Municipality] = relationship(back_populates="districts")


class PhaseKind(enum.StrEnum):
    """The phases of a process, in their usual order."""

    INFORMATION = "information"
    PROPOSALS = "proposals"
    REVIEW = "review"
    DELIBERATION = "deliberation"
    VOTING = "voting"
    RESULTS = "results"
    ADOPTION = "adoption"
    IMPLEMENTATION = "implementation"


class BallotOrder(enum.StrEnum):
    """The order of projects on the ballot: by code, or shuffled per voter so that no project gains by its
    place at the top of the list."""

    CODE = "code"
    RANDOM = "random"


class Process(db.Model):
    """One edition of participatory budgeting, e.g. "Assen 2026"."""

    __tablename__ = "process"
    __table_args__ = (sa.UniqueConstraint("municipality_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipality.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(sa.String(80))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    fiscal_year: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    # A rule name of pb.tally.rules.RULES, and how ties between projects are broken.
    tally_rule: Mapped[str] = mapped_column(sa.String(40), default="greedy")
    tie_break: Mapped[str] = mapped_column(sa.String(40), default="lexico")
    # greedy-threshold: projects with fewer votes than this are not funded (Pabulib min_project_score_threshold).
    min_project_score: Mapped[int | None]
    min_voter_age: Mapped[int] = mapped_column(default=16)
    # Whether ballots carry coarse demographics (age band, sex, district, channel) for the assessment.
    collect_demographics: Mapped[bool] = mapped_column(default=False)
    max_project_cost: Mapped[int | None] = mapped_column(Money)
    max_proposals_per_resident: Mapped[int | None]
    max_supports_per_resident: Mapped[int | None]
    ballot_order: Mapped[BallotOrder] = mapped_column(enum_type(BallotOrder, 8), default=BallotOrder.CODE)
    # Days an author has to appeal against a review outcome (Polish law requires an appeal procedure).
    appeal_days: Mapped[int] = mapped_column(default=14)
    # Set when voting opens: from then on the ballot rules of the pools cannot change.
    ballot_rules_frozen_at: Mapped[dt.datetime | None]
    # Set by the closing step, which counts the ballots in the same transaction.
    vote_closed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="processes")
    phases: Mapped[list[Phase]] = relationship(
        back_populates="process", order_by="Phase.position", cascade="all, delete-orphan"
    )
    pools: Mapped[list[Pool]] = relationship(
        back_populates="process", order_by="Pool.id", cascade="all, delete-orphan"
    )

    @property
    def total_amount(self) -> int:
        """The whole budget of the process, in minor units."""
        return sum(pool.amount for pool in self.pools)


class Phase(db.Model):
    """A dated stage of a process; the current phase follows the dates."""

    __tablename__ = "phase"
    __table_args__ = (
        sa.UniqueConstraint("process_id", "kind"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"))
    kind: Mapped[PhaseKind] = mapped_column(enum_type(PhaseKind))
    position: Mapped[int]
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    # Set when a clerk extends the phase: the end first published and why it moved, shown to residents.
    scheduled_ends_at: Mapped[dt.datetime | None]
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)

    process: Mapped[Process] = relationship(back_populates="phases")

    def is_open(self, now: dt.datetime) -> bool:
        """Whether the phase runs at this moment (start included, end excluded)."""
        return self.starts_at <= now < self.ends_at


class BallotKind(enum.StrEnum):
    """How residents fill in the ballot of a pool."""

    APPROVAL = "approval"
    KNAPSACK = "knapsack"
    CUMULATIVE = "cumulative"
    RANKING = "ranking"
    CHOOSE_ONE = "choose-1"


class Pool(db.Model):
    """Money to share out: city-wide (no district) or for one district, with the rules of its ballot."""

    __tablename__ = "pool"
    __table_args__ = (
        sa.UniqueConstraint("process_id", "district_id"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"))
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("district.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(sa.String(200))
    amount: Mapped[int] = mapped_column(Money)
    budget_line: Mapped[str | None] = mapped_column(sa.String(80))
    ballot_kind: Mapped[BallotKind] = mapped_column(enum_type(BallotKind), default=BallotKind.APPROVAL)
    min_choices: Mapped[int] = mapped_column(default=1)
    max_choices: Mapped[int | None]
    # Cumulative ballots: points to give, over at least min_choices projects, at most this many each.
    total_points: Mapped[int | None]
    max_points_per_project: Mapped[int | None]
    # Knapsack ballots: the least share of the pool a ballot must spend, in basis points (7000 = 70%).
    min_spend_basis_points: Mapped[int | None]
    # Set when a clerk annuls the pool's vote (fraud in a district, say): its ballots no longer count.
    annulled_at: Mapped[dt.datetime | None]
    annulment_reason: Mapped[str | None] = mapped_column(sa.Text)

    process: Mapped[Process] = relationship(back_populates="pools")
    district: Mapped[District | None] = relationship()

    @property
    def is_city_wide(self) -> bool:
        """A pool without a district is open to every resident."""
        return self.district_id is None
