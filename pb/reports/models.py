"""What the reports keep: the census baseline of a process, its impact assessments with their stored
versions, and the budget annexes a clerk finalised."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.core.db import enum_type, utcnow
from pb.extensions import db

if TYPE_CHECKING:
    from pb.accounts.models import User


class PopulationBaseline(db.Model):
    """The census table a clerk imported for a process, with where it comes from and its date.

    Importing again replaces it (the audit log keeps what each import held).
    """

    __tablename__ = "population_baseline"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), unique=True)
    source: Mapped[str] = mapped_column(sa.String(300))
    as_of: Mapped[dt.date] = mapped_column(sa.Date)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    figures: Mapped[list[PopulationFigure]] = relationship(
        cascade="all, delete-orphan", order_by="PopulationFigure.id")


class PopulationFigure(db.Model):
    """One line of the census: residents and eligible residents of one group, or of the whole municipality.

    ``attribute`` is ``total``, ``district`` (``group`` is the district's code), ``age_band`` or ``sex``.
    """

    __tablename__ = "population_figure"
    __table_args__ = (sa.UniqueConstraint("baseline_id", "attribute", "group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    baseline_id: Mapped[int] = mapped_column(sa.ForeignKey("population_baseline.id", ondelete="CASCADE"))
    attribute: Mapped[str] = mapped_column(sa.String(16))
    group: Mapped[str] = mapped_column(sa.String(64), default="")
    population: Mapped[int | None] = mapped_column(sa.BigInteger)
    eligible: Mapped[int | None] = mapped_column(sa.BigInteger)


class AssessmentMode(enum.StrEnum):
    """Before the vote (from the design) or after it (from the ballots and the outcome)."""

    EX_ANTE = "ex-ante"
    EX_POST = "ex-post"


class Assessment(db.Model):
    """The social impact assessment of a process in one mode, with the sections people write."""

    __tablename__ = "assessment"
    __table_args__ = (sa.UniqueConstraint("process_id", "mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"))
    mode: Mapped[AssessmentMode] = mapped_column(enum_type(AssessmentMode))
    scope: Mapped[str] = mapped_column(sa.Text, default="")
    accessibility: Mapped[str] = mapped_column(sa.Text, default="")
    expected_reach: Mapped[str] = mapped_column(sa.Text, default="")
    engagement: Mapped[str] = mapped_column(sa.Text, default="")
    impact: Mapped[str] = mapped_column(sa.Text, default="")
    mitigation: Mapped[str] = mapped_column(sa.Text, default="")
    decision: Mapped[str] = mapped_column(sa.Text, default="")
    monitoring: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    versions: Mapped[list[AssessmentVersion]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AssessmentVersion.number.desc()")


class AssessmentVersion(db.Model):
    """One generated PDF of an assessment, never changed afterwards; public once published.

    The written sections it was built from are kept beside it (``sections``), so a later edit does not
    change what a published version says it said.
    """

    __tablename__ = "assessment_version"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    byte_size: Mapped[int]
    locale: Mapped[str] = mapped_column(sa.String(8))
    sections: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    generated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    generated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None]

    assessment: Mapped[Assessment] = relationship(back_populates="versions")

    @property
    def is_published(self) -> bool:
        """Whether the public may read this version."""
        return self.published_at is not None


class FinalAnnex(db.Model):
    """A budget annex as a clerk finalised it: the three files and their hashes, never changed afterwards."""

    __tablename__ = "final_annex"
    __table_args__ = (sa.UniqueConstraint("process_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    csv: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    xlsx: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64))
    csv_sha256: Mapped[str] = mapped_column(sa.String(64))
    xlsx_sha256: Mapped[str] = mapped_column(sa.String(64))
    locale: Mapped[str] = mapped_column(sa.String(8))
    finalised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    finalised_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Why a new version was finalised after the first one (required from version 2 on).
    reason: Mapped[str | None] = mapped_column(sa.Text)


class AssessmentThresholds(db.Model):
    """A municipality's own thresholds for the green/amber/red flags of its assessments (one set per
    municipality; without a row the defaults of ``pb.reports.metrics.Thresholds`` apply).

    The columns are the fields of ``metrics.Thresholds``, a band split into its low and high end. Shares and
    Gini coefficients are fractions (0.75 is 75 %); the audit log keeps what each change replaced.
    """

    __tablename__ = "assessment_thresholds"

    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipality.id", ondelete="CASCADE"),
                                                 primary_key=True)
    representation_green_low: Mapped[float] = mapped_column(sa.Float)
    representation_green_high: Mapped[float] = mapped_column(sa.Float)
    representation_amber_low: Mapped[float] = mapped_column(sa.Float)
    representation_amber_high: Mapped[float] = mapped_column(sa.Float)
    spending_gini_green: Mapped[float] = mapped_column(sa.Float)
    spending_gini_amber: Mapped[float] = mapped_column(sa.Float)
    funded_share_green: Mapped[float] = mapped_column(sa.Float)
    funded_share_amber: Mapped[float] = mapped_column(sa.Float)
    min_group: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    updated_by: Mapped[User | None] = relationship()


class RepresentationFlag(db.Model):
    """A group whose live representation index turned red while the vote was open (``pb.reports.monitoring``).

    One row per process and group, made the first time the group turns red: staff are notified then, and never
    again for the same group, however often it goes back and forth. ``cleared_at`` is set when the group is no
    longer red and unset if it turns red again; ``representation`` is the index at the last check.
    """

    __tablename__ = "representation_flag"
    __table_args__ = (sa.UniqueConstraint("process_id", "attribute", "group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    attribute: Mapped[str] = mapped_column(sa.String(16))
    group: Mapped[str] = mapped_column(sa.String(200))
    raised_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    raised_representation: Mapped[float] = mapped_column(sa.Float)
    representation: Mapped[float | None] = mapped_column(sa.Float)
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[dt.datetime | None]

    @property
    def is_open(self) -> bool:
        """Whether the group was still red at the last check."""
        return self.cleared_at is None


class MitigationKind(enum.StrEnum):
    """What a mitigation action does."""

    STATION = "station"
    """An extra paper or assisted-voting station, with its place and hours."""
    REMINDER = "reminder"
    """A reminder to the residents of a district or group."""
    TRANSLATION = "translation"
    """Material translated into another language."""
    PHONE_ROUND = "phone_round"
    """A round of phone calls."""
    DOOR_TO_DOOR = "door_to_door"
    """A door-to-door round."""
    OTHER = "other"


class MitigationAction(db.Model):
    """One action of a process's mitigation plan: what, for which group, when, who answers for it, its cost.

    Planned before the vote (``is_ex_ante``, fixed when the action is recorded) or added while it runs, often in
    answer to a red flag (``flag``). ``target_attribute`` and ``target_group`` name the group as the assessment
    does (``district`` with the district's name, ``age_band``, ``sex``, ``channel``); both empty for everyone.
    """

    __tablename__ = "mitigation_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MitigationKind] = mapped_column(enum_type(MitigationKind))
    target_attribute: Mapped[str] = mapped_column(sa.String(16), default="")
    target_group: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text)
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    hours: Mapped[str] = mapped_column(sa.String(200), default="")
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    owner: Mapped[str] = mapped_column(sa.String(200))
    cost: Mapped[int | None] = mapped_column(sa.BigInteger)
    is_ex_ante: Mapped[bool] = mapped_column(default=False)
    flag_id: Mapped[int | None] = mapped_column(sa.ForeignKey("representation_flag.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    flag: Mapped[RepresentationFlag | None] = relationship()


class Likelihood(enum.StrEnum):
    """How likely a risk of the register is, as the people who assess it judge."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Risk(db.Model):
    """One line of the ex-ante risk register: which group may be left out, why, how likely, and what is planned.

    The group is named as in ``MitigationAction``; the planned mitigation is an action of the plan
    (``action``), or written out when it is not one (``mitigation``).
    """

    __tablename__ = "risk"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    target_attribute: Mapped[str] = mapped_column(sa.String(16), default="")
    target_group: Mapped[str] = mapped_column(sa.String(200), default="")
    cause: Mapped[str] = mapped_column(sa.Text)
    likelihood: Mapped[Likelihood] = mapped_column(enum_type(Likelihood))
    mitigation: Mapped[str] = mapped_column(sa.Text, default="")
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mitigation_action.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    action: Mapped[MitigationAction | None] = relationship()


class AccessibilityContact(db.Model):
    """What a municipality fills into its accessibility statement (``legal/accessibility/``): the feedback
    contact, the date the statement was prepared, and known gaps of its own beyond those the text lists."""

    __tablename__ = "accessibility_contact"

    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipality.id", ondelete="CASCADE"),
                                                 primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str] = mapped_column(sa.String(64), default="")
    prepared_on: Mapped[dt.date] = mapped_column(sa.Date)
    known_gaps: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
