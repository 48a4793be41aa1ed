"""Who may do what with delivery records: named predicates, applied in views and checked again in services."""

from __future__ import annotations

from typing import Any

from pb.accounts.models import Role
from pb.accounts.permissions import is_signed_in
from pb.delivery.models import DeliveryRecord

# Clerks run delivery for the whole council: they open records, name the responsible officer, record
# co-production agreements and moderate ratings.
MANAGERS = (Role.CLERK, Role.ADMIN)


def can_manage_delivery(user: Any) -> bool:
    """Clerks and administrators manage every delivery record."""
    return is_signed_in(user) and user.role in MANAGERS


def can_work_on_delivery(user: Any) -> bool:
    """Who reaches the delivery desk: its managers, and department officers for their own records."""
    return is_signed_in(user) and user.role in (*MANAGERS, Role.DEPARTMENT)


def can_edit_delivery(user: Any, record: DeliveryRecord) -> bool:
    """Managers edit every record; a department officer only the records they are the responsible officer of."""
    if can_manage_delivery(user):
        return True
    return is_signed_in(user) and user.role is Role.DEPARTMENT and record.officer_id == user.id
