"""The second factor of staff accounts: time-based one-time codes (TOTP, RFC 6238) and one-time recovery codes.

The TOTP secret is stored encrypted (Fernet) with a key derived from ``PB_TOTP_KEY``, or from the secret key
when that is not set, so a copy of the database alone cannot make codes. Each accepted code's time step is
kept, and no code of that step or an earlier one is accepted again (no replay within the code's window).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets

import pyotp
import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from flask_babel import gettext as _

from pb.accounts.models import RecoveryCode, User, new_session_token
from pb.accounts.passwords import argon2_hasher
from pb.audit.services import record
from pb.core.db import utcnow
from pb.errors import NotAllowed, ValidationError
from pb.extensions import db

log = logging.getLogger(__name__)

ISSUER = "pb"
RECOVERY_CODES = 10
# Codes of the step before and after the current one are accepted: clocks drift, and typing takes time.
VALID_WINDOW = 1
# Recovery codes are random (50 bits), so the OWASP minimum argon2id profile (19 MiB, t=2, p=1) is plenty,
# and checking all ten of an account stays fast.
RECOVERY_HASHER = argon2_hasher()
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def _fernet() -> Fernet:
    """The cipher of stored TOTP secrets; its key never lives in the database."""
    key = current_app.config.get("PB_TOTP_KEY") or current_app.config["SECRET_KEY"]
    digest = hmac.new(str(key).encode(), b"pb totp secrets", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _secret(user: User) -> str | None:
    """The account's TOTP secret in clear, or None (none set, or the key changed)."""
    if not user.totp_secret:
        return None
    try:
        return _fernet().decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        return None


def set_secret(user: User, secret: str) -> None:
    """Store a TOTP secret, encrypted; the account is not enrolled until a code confirms it."""
    pyotp.TOTP(secret).now()  # refuse a malformed base32 secret here, not at sign-in
    user.totp_secret = _fernet().encrypt(secret.encode()).decode()
    user.totp_enabled_at = None
    user.totp_last_step = None


def has_secret(user: User, secret: str) -> bool:
    """Whether the account's stored secret is this one (the demo keeps its published secret)."""
    stored = _secret(user)
    return stored is not None and hmac.compare_digest(stored, secret)


def pending_secret(user: User) -> str:
    """The secret to show while enrolling: made on first sight, kept until confirmed, never shown after."""
    if user.has_second_factor:
        raise NotAllowed(_("Your authenticator app is already set up."))
    secret = _secret(user)
    if secret is None:
        secret = pyotp.random_base32()
        set_secret(user, secret)
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads (from the QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _matching_step(user: User, code: str) -> int | None:
    """The time step whose code this is, if it is within the window and later than the last one used."""
    secret = _secret(user)
    code = "".join(code.split())
    if secret is None or not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(dt.datetime.now(dt.UTC))
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                # Already used: someone replays a code they saw (logged without the code itself).
                log.warning("second factor: a used code was offered again for account %s", user.id)
                return None
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record the step as used, unless a concurrent sign-in used it (or a later one) first.

    One conditional UPDATE, so two requests racing with the same code cannot both pass."""
    claimed = db.session.execute(
        sa.update(User).where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
    if claimed:
        user.totp_last_step = step
    return bool(claimed)


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn the second factor on once a code from the app proves it was set up; return new recovery codes."""
    step = _matching_step(user, code)
    if step is None:
        raise ValidationError("code", _("This code is not right. Type the six digits your app shows now."))
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    codes = replace_recovery_codes(user)
    record(db.session, user, "account.second_factor_on", "user", user.id)
    return codes


def replace_recovery_codes(user: User) -> list[str]:
    """Make a fresh set of recovery codes (the old ones stop working); only their hashes are stored."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=RECOVERY_HASHER.hash(code)) for code in codes)
    db.session.flush()
    # Shown in two halves to be easier to copy; typed with or without the dash.
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _plain_recovery_code(typed: str) -> str:
    return "".join(c for c in typed.lower() if c.isalnum())


def unused_recovery_codes(user: User) -> int:
    """How many recovery codes the account has left."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _use_recovery_code(user: User, typed: str) -> bool:
    """Spend a matching unused recovery code; False when none matches."""
    typed = _plain_recovery_code(typed)
    if len(typed) != 10:
        return False
    for stored in db.session.execute(sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).scalars():
        try:
            RECOVERY_HASHER.verify(stored.code_hash, typed)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            continue
        # Spent only if no other sign-in spent it since it was read: six sessions racing with one code (issue 18)
        # get one success between them.
        spent = db.session.execute(
            sa.update(RecoveryCode).where(RecoveryCode.id == stored.id, RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow()).execution_options(synchronize_session=False)).rowcount
        return spent == 1
    return False


def check_second_factor(user: User, code: str) -> bool:
    """Whether the code (from the app, or a recovery code) completes this account's sign-in; spends it."""
    if not user.has_second_factor:
        return False
    step = _matching_step(user, code)
    if step is not None:
        return _claim_step(user, step)
    if _use_recovery_code(user, code):
        record(db.session, user, "account.recovery_code_used", "user", user.id)
        return True
    return False


def reset_second_factor(actor: User | None, user: User) -> None:
    """Remove an account's authenticator and recovery codes (a lost phone); it must enrol again."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_token = new_session_token()  # sessions made with the old factor end
    record(db.session, actor, "account.second_factor_reset", "user", user.id,
           actor_label=None if actor else "command line")
