"""Read-only queries of the audit log: a page of events, filtered by who, what, which object and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.extensions import db

# The most events one CSV export holds; narrow the filters for more (the newest come first).
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class EventFilter:
    """What a person looks for in the audit log; every part is optional and they combine."""

    who: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def condition(self) -> sa.ColumnElement[bool] | None:
        """The filter as a condition on audit events (None: every event)."""
        parts: list[sa.ColumnElement[bool]] = []
        if self.who.strip():
            parts.append(sa.func.lower(AuditEvent.actor_label).contains(self.who.strip().lower(), autoescape=True))
        if self.action:
            parts.append(AuditEvent.action == self.action)
        if self.object_type:
            parts.append(AuditEvent.object_type == self.object_type)
        if self.object_id.strip():
            parts.append(AuditEvent.object_id == self.object_id.strip())
        if self.since is not None:
            parts.append(AuditEvent.occurred_at >= self.since)
        if self.until is not None:
            parts.append(AuditEvent.occurred_at < self.until)
        return sa.and_(*parts) if parts else None


def _where(query: sa.Select, *conditions: sa.ColumnElement[bool] | None) -> sa.Select:
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
    return query


def events_page(before: int | None, size: int, where: sa.ColumnElement[bool] | None = None,
                matching: EventFilter | None = None) -> list[AuditEvent]:
    """Up to ``size`` events, newest first, older than event ``before`` when given, meeting ``where`` (the
    viewer's municipalities) and ``matching`` (what they look for)."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(size)
    if before:
        query = query.where(AuditEvent.id < before)
    query = _where(query, where, matching.condition() if matching else None)
    return list(db.session.execute(query).scalars())


def events_to_export(where: sa.ColumnElement[bool] | None, matching: EventFilter,
                     limit: int = EXPORT_LIMIT) -> Iterator[AuditEvent]:
    """The events a CSV export holds, newest first, read in batches."""
    query = _where(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit), where, matching.condition())
    yield from db.session.execute(query.execution_options(yield_per=1000)).scalars()


def recorded_actions(where: sa.ColumnElement[bool] | None = None) -> list[str]:
    """The actions the log holds (of the events ``where`` allows), for the filter's choices."""
    query = _where(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action), where)
    return list(db.session.scalars(query))


def recorded_object_types(where: sa.ColumnElement[bool] | None = None) -> list[str]:
    """The kinds of object the log names, for the filter's choices."""
    query = _where(sa.select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type), where)
    return list(db.session.scalars(query))
