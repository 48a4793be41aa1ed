"""Who may draft, sign and put mandates in force, and record the council's decisions: named predicates."""

from __future__ import annotations

from typing import Any

from pb.accounts.models import Role
from pb.accounts.permissions import can_manage_mandates, can_manage_processes, is_signed_in


def can_draft_mandates(user: Any) -> bool:
    """Clerks and legal officers (and administrators) draft mandates and submit them for legal review; department
    officers, staff who deliver projects, do not."""
    return is_signed_in(user) and user.role in (Role.CLERK, Role.LEGAL_OFFICER, Role.ADMIN)


def can_sign_mandates(user: Any) -> bool:
    """Only a legal officer signs a mandate: the signature is a legal opinion, not an administrator's right."""
    return is_signed_in(user) and user.role is Role.LEGAL_OFFICER


def can_put_mandates_in_force(user: Any) -> bool:
    """Legal officers (and administrators) send versions back, put them in force and let them expire."""
    return can_manage_mandates(user)


def can_record_decisions(user: Any) -> bool:
    """Clerks record the council's decisions after the vote."""
    return can_manage_processes(user)
