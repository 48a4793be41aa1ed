"""Read-only queries of the audit log."""

from __future__ import annotations

import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.extensions import db


def events_page(before: int | None, size: int, where: sa.ColumnElement[bool] | None = None) -> list[AuditEvent]:
    """Up to ``size`` events, newest first, older than event ``before`` when given, meeting ``where``."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(size)
    if before:
        query = query.where(AuditEvent.id < before)
    if where is not None:
        query = query.where(where)
    return list(db.session.execute(query).scalars())
