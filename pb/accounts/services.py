"""Registration, confirmation, sign-in and password reset, written so that no answer tells whether an
account exists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from pb.accounts.models import Role, User, new_session_token
from pb.accounts.passwords import hash_password, needs_rehash, verify_password
from pb.accounts.permissions import can_administer, can_manage_account
from pb.audit.services import changes, record
from pb.core.db import utcnow
from pb.core.mail import Message, queue
from pb.core.urls import external_url
from pb.errors import InvalidTransition, NotAllowed, NotConfirmed, ValidationError
from pb.extensions import db

if TYPE_CHECKING:
    from pb.processes.models import Municipality

_RESET_SALT = "pb.accounts.reset"
_CONFIRM_SALT = "pb.accounts.confirm"


def normalise_email(email: str) -> str:
    """E-mail addresses compare without case and surrounding space."""
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return db.session.execute(
        sa.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short to resist guessing."""
    minimum = current_app.config["PB_PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise ValidationError("password", _("The password must have at least %(n)d characters.", n=minimum))


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _token_state(user: User) -> str:
    """What a link token is bound to: once the password changes or the address is confirmed, the
    state changes and every earlier link stops working. It says nothing about the password itself."""
    confirmed = user.email_confirmed_at.isoformat() if user.email_confirmed_at else ""
    return f"{user.password_changed_at.isoformat()}|{confirmed}"


def _token(user: User, salt: str) -> str:
    return _serializer(salt).dumps({"u": user.id, "s": _token_state(user)})


def _user_from_token(token: str, salt: str, max_age: int) -> User | None:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active or _token_state(user) != data.get("s"):
        return None
    return user


def _mail(user_email: str, subject: str, body: str) -> None:
    queue(db.session, Message(to=user_email, subject=subject, body=body))


@dataclass(frozen=True)
class Registration:
    """A new account's details, as the form checked them."""

    email: str
    password: str
    display_name: str
    locale: str | None = None


def register(data: Registration) -> None:
    """Create an unconfirmed resident account and mail a confirmation link.

    For an address that already has an account nothing is created; its owner gets a mail saying
    so. Both paths answer the same and take the same time, so the form cannot be used to find out
    who has an account.
    """
    check_password_strength(data.password)
    email = normalise_email(data.email)
    password_hash = hash_password(data.password)
    existing = find_user(email)
    if existing is not None:
        with force_locale(existing.locale or data.locale or "en"):
            _mail(email, _("Your pb account"), _(
                "Someone tried to register a new account with this address, but you already have one. "
                "If it was you, sign in or reset your password: %(url)s",
                url=external_url("accounts.reset_request"),
            ))
        return
    user = User(email=email, password_hash=password_hash, display_name=data.display_name.strip(),
                role=Role.RESIDENT, locale=data.locale)
    db.session.add(user)
    db.session.flush()
    with force_locale(data.locale or "en"):
        _mail(email, _("Confirm your pb account"), _(
            "Welcome to pb. Open this link to confirm your address and sign in: %(url)s",
            url=external_url("accounts.confirm", token=_token(user, _CONFIRM_SALT)),
        ))


CONFIRM_MAX_AGE = 7 * 24 * 3600


def user_for_confirmation(token: str) -> User | None:
    """The account a confirmation link is for, while the link is valid and unused (7 days)."""
    return _user_from_token(token, _CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)


def confirm_email(token: str, password: str) -> User | None:
    """Confirm the address in the token, given the account's password; None when the token is invalid, used or
    expired, or the password is not the account's."""
    user = user_for_confirmation(token)
    if user is None or not verify_password(user.password_hash, password):
        return None
    user.email_confirmed_at = utcnow()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account if the password is right and the account is active, else None, in constant time."""
    user = find_user(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.is_active:
        return None
    if user.email_confirmed_at is None:
        resend_confirmation(user)
        raise NotConfirmed(_("Please confirm your e-mail address first: we have sent you the link again."))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def resend_confirmation(user: User) -> None:
    """Mail the confirmation link again."""
    with force_locale(user.locale or "en"):
        _mail(user.email, _("Confirm your pb account"), _(
            "Open this link to confirm your address and sign in: %(url)s",
            url=external_url("accounts.confirm", token=_token(user, _CONFIRM_SALT)),
        ))


def request_password_reset(email: str) -> None:
    """Mail a time-limited reset link if the address has an account; say nothing either way."""
    user = find_user(email)
    if user is None:
        # Spend the time that signing a token and sending would take.
        hash_password("pb-timing")
        return
    token = _token(user, _RESET_SALT)
    hash_password("pb-timing")
    minutes = current_app.config["PB_RESET_TOKEN_MAX_AGE"] // 60
    with force_locale(user.locale or "en"):
        _mail(user.email, _("Reset your pb password"), _(
            "Open this link within %(minutes)d minutes to choose a new password: %(url)s\n"
            "If you did not ask for this, ignore this message; your password stays as it is.",
            minutes=minutes, url=external_url("accounts.reset", token=token),
        ))


def user_for_reset(token: str) -> User | None:
    """The account a reset link is for, while the link is valid and unused."""
    return _user_from_token(token, _RESET_SALT, max_age=current_app.config["PB_RESET_TOKEN_MAX_AGE"])


def reset_password(token: str, password: str) -> User | None:
    """Set a new password through a reset link; None when the link is no longer valid.

    Every other session of the account ends."""
    user = user_for_reset(token)
    if user is None:
        return None
    set_password(user, password)
    if user.email_confirmed_at is None:
        # Following a link sent to the address proves the address.
        user.email_confirmed_at = utcnow()
    return user


def set_password(user: User, password: str) -> None:
    """Change the password and sign the account out everywhere."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_token = new_session_token()


def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; every other session ends."""
    if not verify_password(user.password_hash, current):
        raise ValidationError("current", _("The current password is not right."))
    set_password(user, new)


def revoke_sessions(user: User) -> None:
    """End every session of the account (at logout, and when staff block it)."""
    user.session_token = new_session_token()


def update_profile(user: User, display_name: str, locale: str | None) -> None:
    """Change the name shown and the preferred language."""
    user.display_name = display_name.strip()
    set_locale(user, locale)


def set_locale(user: User, locale: str | None) -> None:
    """Remember the account's language (None: follow the browser)."""
    if locale and locale not in current_app.config["PB_LOCALES"]:
        raise ValidationError("locale", _("This language is not available."))
    user.locale = locale or None


def create_account(actor: User | None, email: str, role: Role, password: str, display_name: str = "", *,
                   municipalities: Sequence[Municipality] = (), all_municipalities: bool = False) -> User:
    """Create a confirmed account with a role (staff accounts come only from here), held in ``municipalities``
    (or in all of them: administrators only).

    ``actor`` is the administrator creating it, or None for the command line (the operator).
    """
    if actor is not None and not can_administer(actor):
        raise NotAllowed(_("Only an administrator can create accounts."))
    _check_grant(actor, role, municipalities, all_municipalities, required=actor is not None)
    check_password_strength(password)
    email = normalise_email(email)
    if find_user(email) is not None:
        raise ValidationError("email", _("An account with this address already exists."))
    user = User(email=email, password_hash=hash_password(password), role=role,
                display_name=display_name, email_confirmed_at=utcnow(), all_municipalities=all_municipalities,
                municipalities=list(municipalities))
    db.session.add(user)
    db.session.flush()
    record(db.session, actor, "account.create", "user", user.id,
           after={"email": email, "role": role.value, **_grant_snapshot(user)},
           actor_label=None if actor else "command line")
    return user


def _grant_snapshot(user: User) -> dict[str, Any]:
    return {"all_municipalities": user.all_municipalities,
            "municipalities": sorted(municipality.slug for municipality in user.municipalities)}


def _check_grant(actor: User | None, role: Role, municipalities: Sequence[Municipality], all_municipalities: bool,
                 *, required: bool) -> None:
    """The rules of a grant: staff only; every municipality only for administrators, and only by an administrator
    of every municipality; a scoped administrator grants only their own municipalities."""
    if not role.is_staff:
        if municipalities or all_municipalities:
            raise ValidationError("municipalities", _("Residents are not granted municipalities."))
        return
    if all_municipalities and role is not Role.ADMIN:
        raise ValidationError("municipalities", _("Only an administrator can work in every municipality; "
                                                  "choose the municipalities of this account."))
    if actor is not None and not actor.all_municipalities:
        if all_municipalities:
            raise NotAllowed(_("Only an administrator of every municipality can grant every municipality."))
        if not {m.id for m in municipalities} <= actor.municipality_ids:
            raise NotAllowed(_("You can only grant the municipalities you work in yourself."))
    if required and not all_municipalities and not municipalities:
        raise ValidationError("municipalities", _("Choose at least one municipality this account works in."))


def grant_municipalities(actor: User | None, user: User, municipalities: Sequence[Municipality],
                         all_municipalities: bool = False) -> User:
    """Set the municipalities in which a member of staff holds their role, in the audit log."""
    if actor is not None and not can_manage_account(actor, user):
        raise NotAllowed(_("You cannot change this account."))
    _check_grant(actor, user.role, municipalities, all_municipalities, required=True)
    before = _grant_snapshot(user)
    user.all_municipalities = all_municipalities
    user.municipalities = [] if all_municipalities else list(municipalities)
    db.session.flush()
    record(db.session, actor, "account.grant", "user", user.id, before=before, after=_grant_snapshot(user),
           actor_label=None if actor else "command line")
    return user


ACCOUNT_STATUS_FIELDS = ["blocked_at", "blocked_reason"]


def _status_reason(reason: str | None, message: str) -> str:
    text = (reason or "").strip()
    if len(text) < 10:
        raise ValidationError("reason", message)
    return text


def deactivate_account(actor: User | None, user: User, reason: str) -> User:
    """An administrator deactivates a staff account (someone left, or a lost laptop): it is signed out everywhere
    and cannot sign in; the reason is kept with the account and in the audit log. Its work stays attributed."""
    if actor is not None and not can_manage_account(actor, user):
        raise NotAllowed(_("Only an administrator who manages this staff account can deactivate it."))
    text = _status_reason(reason, _("Say in a sentence why the account is deactivated: it is kept in the audit log."))
    if user.blocked_at is not None:
        raise InvalidTransition(_("This account is already deactivated."))
    before = changes(user, ACCOUNT_STATUS_FIELDS)
    user.blocked_at = utcnow()
    user.blocked_reason = text
    revoke_sessions(user)
    db.session.flush()
    record(db.session, actor, "account.deactivate", "user", user.id, before=before,
           after=changes(user, ACCOUNT_STATUS_FIELDS), actor_label=None if actor else "command line")
    return user


def reactivate_account(actor: User | None, user: User, reason: str) -> User:
    """An administrator lets a deactivated staff account sign in again, saying why."""
    if actor is not None and not can_manage_account(actor, user):
        raise NotAllowed(_("Only an administrator who manages this staff account can reactivate it."))
    text = _status_reason(reason, _("Say in a sentence why the account is reactivated: it is kept in the audit log."))
    if user.blocked_at is None:
        raise InvalidTransition(_("This account is active."))
    before = changes(user, ACCOUNT_STATUS_FIELDS)
    user.blocked_at = None
    user.blocked_reason = None
    db.session.flush()
    record(db.session, actor, "account.reactivate", "user", user.id, before=before,
           after={**changes(user, ACCOUNT_STATUS_FIELDS), "reason": text},
           actor_label=None if actor else "command line")
    return user
