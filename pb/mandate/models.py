"""Versions of a process's legal mandate (a signed one never changes) and the council's decisions after the vote."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pb.core.db import enum_type, utcnow
from pb.extensions import db


class MandateCharacter(enum.StrEnum):
    """The legal standing of the residents' vote."""

    BINDING_STATUTE = "binding_statute"
    BINDING_SELF_COMMITMENT = "binding_self_commitment"
    ADVISORY = "advisory"


class MandateStatus(enum.StrEnum):
    """The workflow of a mandate version."""

    DRAFT = "draft"
    LEGAL_REVIEW = "legal_review"
    SIGNED = "signed"
    IN_FORCE = "in_force"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


class Mandate(db.Model):
    """One version of the mandate of a process.

    The legal basis has its own columns because it decides whether the mandate can be signed;
    the long tail (budget authorisation, post-vote conditions, accountability map ...) is a
    document in ``terms`` that the mandate module validates.
    """

    __tablename__ = "mandate"
    __table_args__ = (sa.UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    status: Mapped[MandateStatus] = mapped_column(enum_type(MandateStatus), default=MandateStatus.DRAFT)
    character: Mapped[MandateCharacter] = mapped_column(enum_type(MandateCharacter, length=32))
    preset: Mapped[str | None] = mapped_column(sa.String(32))
    # The preset file's own version and the SHA-256 of its text when the mandate was started from it.
    preset_version: Mapped[str | None] = mapped_column(sa.String(40))
    preset_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    basis_instrument: Mapped[str] = mapped_column(sa.String(120), default="")
    basis_title: Mapped[str] = mapped_column(sa.String(500), default="")
    basis_number: Mapped[str] = mapped_column(sa.String(80), default="")
    basis_article: Mapped[str] = mapped_column(sa.String(80), default="")
    basis_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    basis_journal: Mapped[str] = mapped_column(sa.String(200), default="")
    basis_url: Mapped[str] = mapped_column(sa.String(500), default="")
    enabling_decision: Mapped[str] = mapped_column(sa.String(500), default="")
    decision_body: Mapped[str] = mapped_column(sa.String(200), default="")
    bound_party: Mapped[str] = mapped_column(sa.String(200), default="")
    obligation: Mapped[str] = mapped_column(sa.Text, default="")
    terms: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    amendment_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Four eyes (from the preset, carried to amendments): whoever drafted this version cannot sign it.
    four_eyes: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    signed_at: Mapped[dt.datetime | None]
    opinion: Mapped[str | None] = mapped_column(sa.Text)
    effective_from: Mapped[dt.date | None] = mapped_column(sa.Date)
    effective_until: Mapped[dt.date | None] = mapped_column(sa.Date)


class DecisionOutcome(enum.StrEnum):
    """What the council decided about a winning project."""

    ADOPTED = "adopted"
    ADOPTED_WITH_CHANGES = "adopted_with_changes"
    REJECTED = "rejected"
    INFEASIBLE = "infeasible"
    DEFERRED = "deferred"


class CouncilDecision(db.Model):
    """The council's answer to one winning project of the vote, or to a project it funds in place of one that
    failed (``replaces_project_id``). Correcting it keeps the earlier decision as a ``CouncilDecisionRevision``."""

    __tablename__ = "council_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"), unique=True)
    # The mandate version that governed the vote when the decision was recorded.
    mandate_id: Mapped[int] = mapped_column(sa.ForeignKey("mandate.id", ondelete="RESTRICT"))
    outcome: Mapped[DecisionOutcome] = mapped_column(enum_type(DecisionOutcome))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    legal_ground: Mapped[str] = mapped_column(sa.String(500), default="")
    decision_number: Mapped[str] = mapped_column(sa.String(80), default="")
    decided_on: Mapped[dt.date] = mapped_column(sa.Date)
    # "Adopted with changes": the cost the council adopted, in minor units (the annex funds this amount).
    adopted_cost: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The winner this project is funded in place of, under the mandate's "next ranked project" rule.
    replaces_project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CouncilDecisionRevision(db.Model):
    """An earlier version of a council decision, kept when it was corrected, with why it was corrected."""

    __tablename__ = "council_decision_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("council_decision.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(enum_type(DecisionOutcome))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    legal_ground: Mapped[str] = mapped_column(sa.String(500), default="")
    decision_number: Mapped[str] = mapped_column(sa.String(80), default="")
    decided_on: Mapped[dt.date] = mapped_column(sa.Date)
    adopted_cost: Mapped[int | None] = mapped_column(sa.BigInteger)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime]
    # Why the decision that replaced this one was recorded, and by whom and when.
    correction_reason: Mapped[str] = mapped_column(sa.Text)
    corrected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    corrected_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
