"""A municipality, its districts, and each PB edition (process) with its phases and pools."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.core.db import Money, enum_type, utcnow
from pb.errors import InvalidTransition
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
    # The languages the municipality's pages and papers are offered in, its main language first.
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: ["en"])
    # The vocabulary residents choose from when proposing; each new edition starts from it.
    categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    beneficiary_groups: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Where maps get their tiles (pb.maps.tiles): None for OpenStreetMap's standard tiles, "none" for maps
    # without tiles, or a URL template whose one host the pages' Content-Security-Policy allows.
    map_tiles: Mapped[str | None] = mapped_column(sa.String(500))
    map_attribution: Mapped[str | None] = mapped_column(sa.String(300))

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
    # The district's area as a GeoJSON MultiPolygon in WGS 84, checked by pb.maps.geometry; None when not given.
    boundary: Mapped[dict | None] = mapped_column(sa.JSON)

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
    __table_args__ = (
        sa.UniqueConstraint("municipality_id", "slug"),
        sa.CheckConstraint(
            "min_vote_share_basis_points BETWEEN 1 AND 10000", name="min_vote_share_basis_points_range"
        ),
    )

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
    # Every rule: a project that fewer than this share of a pool's voters chose is not counted at all, in basis
    # points (500 = 5%); None for no minimum. Fixed once voting starts (pb.voting.services).
    min_vote_share_basis_points: Mapped[int | None]
    min_voter_age: Mapped[int] = mapped_column(default=16)
    # Whether ballots carry coarse demographics (age band, sex, district, channel) for the assessment.
    collect_demographics: Mapped[bool] = mapped_column(default=False)
    max_project_cost: Mapped[int | None] = mapped_column(Money)
    max_proposals_per_resident: Mapped[int | None]
    max_supports_per_resident: Mapped[int | None]
    ballot_order: Mapped[BallotOrder] = mapped_column(enum_type(BallotOrder, 8), default=BallotOrder.CODE)
    # Days an author has to appeal against a review outcome (Polish law requires an appeal procedure).
    appeal_days: Mapped[int] = mapped_column(default=14)
    # What residents choose from when proposing (Pabulib's words where they fit), copied from the
    # municipality's vocabulary when the edition is created.
    categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    beneficiary_groups: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
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

    @property
    def voting_phase(self) -> Phase | None:
        """The process's voting phase, if it has one."""
        return next((phase for phase in self.phases if phase.kind is PhaseKind.VOTING), None)

    def voting_has_started(self, now: dt.datetime | None = None) -> bool:
        """Whether the vote has begun (or was closed): from then on its pools, ballot rules and count are fixed."""
        if self.vote_closed_at is not None:
            return True
        voting = self.voting_phase
        return voting is not None and voting.starts_at <= (now or utcnow())


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
    # Set when a clerk opens the phase early: the start first published. The voting phase's published start
    # fixes who is of voting age (``published_starts_at``), so that opening early changes no one's eligibility.
    scheduled_starts_at: Mapped[dt.datetime | None]
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)

    process: Mapped[Process] = relationship(back_populates="phases")

    @property
    def published_starts_at(self) -> dt.datetime:
        """The start residents were promised: the one first published if the phase was opened early."""
        return self.scheduled_starts_at or self.starts_at

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
    incompatible_sets: Mapped[list[IncompatibleSet]] = relationship(
        back_populates="pool", order_by="IncompatibleSet.id", cascade="all, delete-orphan"
    )

    @property
    def is_city_wide(self) -> bool:
        """A pool without a district is open to every resident."""
        return self.district_id is None


class IncompatibleSet(db.Model):
    """Projects of one pool of which at most one may be funded (two uses of the same plot, say).

    Every counting rule passes over a project once one of its set is funded (pb.tally.constraints). A clerk
    records the sets before voting opens; from then on they are fixed, like the ballot rules.
    """

    __tablename__ = "incompatible_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("pool.id", ondelete="CASCADE"), index=True)
    # Why the projects exclude each other, shown to residents on the ballot.
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    pool: Mapped[Pool] = relationship(back_populates="incompatible_sets")
    members: Mapped[list[IncompatibleSetMember]] = relationship(
        back_populates="incompatible_set", cascade="all, delete-orphan", order_by="IncompatibleSetMember.project_id"
    )

    @property
    def project_ids(self) -> list[int]:
        """The ids of the set's projects."""
        return [member.project_id for member in self.members]


class IncompatibleSetMember(db.Model):
    """One project of a set of incompatible projects."""

    __tablename__ = "incompatible_set_member"

    set_id: Mapped[int] = mapped_column(sa.ForeignKey("incompatible_set.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)

    incompatible_set: Mapped[IncompatibleSet] = relationship(back_populates="members")


# What residents were promised when the vote opened: from then on these cannot change (CONSUL #5321 let
# the voting style change while the vote ran). Checked at every flush, so that no page, command, import or
# future editor can get round it; the set-up services refuse earlier, with a message on the field.
FIXED_POOL_FIELDS = ("ballot_kind", "min_choices", "max_choices", "total_points", "max_points_per_project",
                     "min_spend_basis_points", "amount", "district_id")
FIXED_PROCESS_FIELDS = ("tally_rule", "tie_break", "min_project_score", "min_vote_share_basis_points",
                        "min_voter_age", "collect_demographics", "ballot_order", "currency")


def _changed(instance: object, names: tuple[str, ...]) -> list[str]:
    state = sa.inspect(instance)
    return [name for name in names if state.attrs[name].history.has_changes()]


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _keep_the_vote_fixed(session, _context, _instances) -> None:
    """Refuse a change to the pools, ballot rules or counting rule of a process whose vote has started."""
    for instance in session.dirty:
        if isinstance(instance, Pool) and instance.process is not None and _changed(instance, FIXED_POOL_FIELDS) \
                and instance.process.voting_has_started():
            raise InvalidTransition(_("The ballot rules of “%(pool)s” are fixed: voting has started.",
                                      pool=instance.name))
        if isinstance(instance, Process) and instance.id is not None and _changed(instance, FIXED_PROCESS_FIELDS) \
                and instance.voting_has_started():
            raise InvalidTransition(_("The counting rule and the eligibility of “%(process)s” are fixed: voting "
                                      "has started.", process=instance.name))
    for instance in session.new:
        if isinstance(instance, Pool) and instance.process is not None and instance.process.id is not None \
                and instance.process.voting_has_started():
            raise InvalidTransition(_("No pool can be added to “%(process)s”: voting has started.",
                                      process=instance.process.name))
    for instance in session.deleted:
        if isinstance(instance, Pool) and instance.process is not None and instance.process.voting_has_started():
            raise InvalidTransition(_("No pool can be removed from “%(process)s”: voting has started.",
                                      process=instance.process.name))
    # Sets of incompatible projects count like the ballot rules: none is added, changed or removed once voting starts.
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, IncompatibleSetMember):
            with session.no_autoflush:
                instance = instance.incompatible_set or session.get(IncompatibleSet, instance.set_id)
        if isinstance(instance, IncompatibleSet):
            with session.no_autoflush:
                pool = instance.pool or session.get(Pool, instance.pool_id)
            if pool is not None and pool.process is not None and pool.process.id is not None \
                    and pool.process.voting_has_started():
                raise InvalidTransition(_("The counting constraints of “%(process)s” are fixed: voting has started.",
                                          process=pool.process.name))
