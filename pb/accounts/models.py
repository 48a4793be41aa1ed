"""The user account, its role, and the municipalities a member of staff holds that role in."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.core.db import enum_type, utcnow
from pb.extensions import db

if TYPE_CHECKING:
    from pb.processes.models import Municipality

# The municipalities in which a member of staff holds their role (a clerk of Kalamata, a legal officer of Kalamata
# and Nea Akti). An account with ``all_municipalities`` (an administrator of the whole installation) needs no rows.
staff_municipality = sa.Table(
    "staff_municipality", db.metadata,
    sa.Column("user_id", sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("municipality_id", sa.ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)


class Role(enum.StrEnum):
    """What an account may do; residents are everyone, the others are staff."""

    RESIDENT = "resident"
    CLERK = "clerk"
    LEGAL_OFFICER = "legal_officer"
    ADMIN = "admin"
    # Staff of a council department who deliver adopted projects: they edit only the delivery records they
    # answer for (pb.delivery.permissions).
    DEPARTMENT = "department"

    @property
    def is_staff(self) -> bool:
        """Clerks, legal officers and administrators work in the staff area."""
        return self is not Role.RESIDENT


def new_session_token() -> str:
    """A fresh random token; changing it signs the account out everywhere."""
    return secrets.token_urlsafe(24)


class User(db.Model):
    """A person with an account: a resident or a member of staff."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(120), default="")
    role: Mapped[Role] = mapped_column(
        enum_type(Role), default=Role.RESIDENT
    )
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    email_confirmed_at: Mapped[dt.datetime | None]
    password_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # Flask-Login keeps this in the session instead of the id: rotating it revokes every session.
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)
    blocked_at: Mapped[dt.datetime | None]
    blocked_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The second factor of staff (TOTP, RFC 6238): the secret encrypted with a key kept outside the database
    # (pb.accounts.second_factor), the time it was confirmed (None while enrolment is pending), and the last
    # time step accepted, so that a code cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_enabled_at: Mapped[dt.datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Staff hold their role in the municipalities listed in staff_municipality, or in every municipality, present
    # and future, when this is set (administrators only, pb.accounts.services.grant_municipalities).
    all_municipalities: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    municipalities: Mapped[list[Municipality]] = relationship(secondary=staff_municipality,
                                                              order_by="Municipality.name")

    # Flask-Login's interface.
    @property
    def is_active(self) -> bool:
        """A blocked account cannot sign in."""
        return self.blocked_at is None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The session refers to the account through its revocable token."""
        return self.session_token

    @property
    def is_staff(self) -> bool:
        """Whether the account works in the staff area."""
        return self.role.is_staff

    @property
    def municipality_ids(self) -> frozenset[int]:
        """The ids of the municipalities granted by name (not counting ``all_municipalities``)."""
        return frozenset(municipality.id for municipality in self.municipalities)

    @property
    def has_second_factor(self) -> bool:
        """Whether a confirmed authenticator app guards the account's sign-in."""
        return self.totp_enabled_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class RecoveryCode(db.Model):
    """A one-time code that replaces the authenticator app once (a lost phone); stored only as an argon2 hash."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    used_at: Mapped[dt.datetime | None]
