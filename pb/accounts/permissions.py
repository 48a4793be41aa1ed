"""Named permission predicates, checked on the server for every route and again in services."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from pb.accounts.models import Role, User
from pb.errors import NotAllowed
from pb.extensions import login_manager

Predicate = Callable[[Any], bool]


def is_signed_in(user: Any) -> bool:
    """Any active account."""
    return bool(getattr(user, "is_authenticated", False))


def is_staff(user: Any) -> bool:
    """Clerks, legal officers and administrators."""
    return is_signed_in(user) and user.role.is_staff


def can_manage_processes(user: Any) -> bool:
    """Clerks run processes: phases, review, moderation, paper ballots, the annex."""
    return is_signed_in(user) and user.role in (Role.CLERK, Role.ADMIN)


def can_manage_mandates(user: Any) -> bool:
    """Legal officers record and sign mandates and publish impact assessments."""
    return is_signed_in(user) and user.role in (Role.LEGAL_OFFICER, Role.ADMIN)


def can_view_audit_log(user: Any) -> bool:
    """The audit log is for administrators and legal officers, who answer for accountability."""
    return is_signed_in(user) and user.role in (Role.LEGAL_OFFICER, Role.ADMIN)


def can_administer(user: Any) -> bool:
    """Administrators manage accounts and roles."""
    return is_signed_in(user) and user.role is Role.ADMIN


def works_in(user: Any, municipality_id: int | None) -> bool:
    """Whether a member of staff holds their role in this municipality (granted by name, or all of them)."""
    if not is_staff(user) or municipality_id is None:
        return False
    return bool(user.all_municipalities) or municipality_id in user.municipality_ids


def municipality_scope(user: Any) -> frozenset[int] | None:
    """The ids of the municipalities a member of staff works in; None when they work in all of them."""
    if is_staff(user) and user.all_municipalities:
        return None
    return user.municipality_ids if is_staff(user) else frozenset()


def check_works_in(user: Any, municipality_id: int | None) -> None:
    """Raise NotAllowed unless the member of staff holds their role in this municipality (services call this
    again after the route did: a service may be reached from elsewhere)."""
    if not works_in(user, municipality_id):
        raise NotAllowed(_("Your role does not cover this municipality; an administrator can grant it."))


def can_manage_account(actor: Any, account: Any) -> bool:
    """An administrator manages a staff account whose municipalities all lie within their own (an administrator
    of every municipality manages every staff account); nobody manages their own account here."""
    if not can_administer(actor) or not getattr(account, "is_staff", False) or account.id == actor.id:
        return False
    if actor.all_municipalities:
        return True
    return not account.all_municipalities and account.municipality_ids <= actor.municipality_ids


def requires(predicate: Predicate) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Guard a view: anonymous visitors are sent to sign in, signed-in users without the right get 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not is_signed_in(current_user):
                return login_manager.unauthorized()
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        guarded.permission = predicate  # type: ignore[attr-defined]
        return guarded

    return decorate


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as open to everyone, so the route-by-role test knows it was meant to be."""
    view.permission = None  # type: ignore[attr-defined]
    return view


__all__ = ["User", "requires", "public", "is_signed_in", "is_staff", "can_manage_processes",
           "can_manage_mandates", "can_view_audit_log", "can_administer", "works_in", "municipality_scope",
           "check_works_in", "can_manage_account"]
