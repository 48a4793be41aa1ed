"""Read-only queries of the audit log."""

from __future__ import annotations

import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.extensions import db


def events_page(before: int | None, size: int) -> list[AuditEvent]:
    """Up to ``size`` events, newest first, older than event ``before`` when given."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(size)
    if before:
        query = query.where(AuditEvent.id < before)
    return list(db.session.execute(query).scalars())
