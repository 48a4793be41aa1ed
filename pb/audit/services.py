"""Writing audit events onto the hash chain, and verifying the chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from pb.accounts.models import User
from pb.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from pb.core.db import utcnow

CHAIN_HEAD_ID = 1


def _canonical(value: Any) -> Any:
    """JSON-ready values in one canonical form (dates as ISO text, enums by value)."""
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value"), str | int):
        return value.value
    return value


def chain_key(config: dict[str, Any]) -> bytes:
    """The key of the chain's HMAC: PB_AUDIT_KEY, or one derived from the secret key.

    The key lives in the configuration, not the database, so someone who can write to the database
    cannot recompute a consistent chain after editing it.
    """
    explicit = config.get("PB_AUDIT_KEY")
    if explicit:
        return str(explicit).encode("utf-8")
    return hmac.new(str(config["SECRET_KEY"]).encode("utf-8"), b"pb audit chain", hashlib.sha256).digest()


def event_hash(
    key: bytes, *, prev_hash: str, occurred_at: dt.datetime, actor_id: int | None, actor_label: str,
    action: str, object_type: str, object_id: str | None, before: Any, after: Any,
) -> str:
    """The HMAC-SHA-256 of an event's content and its predecessor's hash."""
    payload = {
        "prev": prev_hash,
        "at": occurred_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": actor_id,
        "actor": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def head_mac(key: bytes, event_count: int, last_hash: str) -> str:
    """The HMAC-SHA-256 that authenticates the chain's head: how many events there are and the newest hash."""
    return hmac.new(key, f"head\x1f{event_count}\x1f{last_hash}".encode("utf-8"), hashlib.sha256).hexdigest()


def event_holds(key: bytes, event: AuditEvent) -> bool:
    """Whether an event's stored hash is the HMAC of its content and predecessor (it was not changed)."""
    return hmac.compare_digest(event.hash, event_hash(
        key, prev_hash=event.prev_hash, occurred_at=event.occurred_at, actor_id=event.actor_id,
        actor_label=event.actor_label, action=event.action, object_type=event.object_type,
        object_id=event.object_id, before=event.before, after=event.after))


def record(
    session: Session, actor: User | None, action: str, obj_type: str, obj_id: object | None = None,
    *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None, actor_label: str | None = None,
) -> AuditEvent:
    """Append an event to the chain in the caller's transaction (the caller commits).

    The chain head row is locked, so concurrent writers append one after another.
    """
    # The migration creates this row; locking it makes concurrent writers take turns.
    head = session.execute(
        sa.select(AuditChainHead).where(AuditChainHead.id == CHAIN_HEAD_ID).with_for_update()
    ).scalar_one()
    before = _canonical(before) if before is not None else None
    after = _canonical(after) if after is not None else None
    occurred_at = utcnow()
    label = actor_label or (actor.email if actor is not None else "system")
    fields = dict(
        occurred_at=occurred_at,
        actor_id=actor.id if actor is not None else None,
        actor_label=label,
        action=action,
        object_type=obj_type,
        object_id=str(obj_id) if obj_id is not None else None,
        before=before,
        after=after,
    )
    key = chain_key(current_app.config)
    digest = event_hash(key, prev_hash=head.last_hash, **fields)
    if head.event_count is None:  # the first event since the head was authenticated (migration 0031)
        head.event_count = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    event = AuditEvent(prev_hash=head.last_hash, hash=digest, **fields)
    session.add(event)
    session.flush()
    head.last_hash = digest
    head.last_event_id = event.id
    head.event_count += 1
    head.head_mac = head_mac(key, head.event_count, digest)
    return event


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the audit chain."""

    events: int
    broken_at: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when every link holds."""
        return self.reason is None


def verify_chain(session: Session, key: bytes, batch: int = 5000) -> ChainReport:
    """Walk the chain in order and report the first event whose link or content does not hold."""
    expected_prev = GENESIS_HASH
    count = 0
    last_id = 0
    while True:
        rows = session.execute(
            sa.select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for event in rows:
            count += 1
            if event.prev_hash != expected_prev:
                return ChainReport(count, event.id, "its link to the previous event is broken "
                                   "(an event was removed, inserted or reordered)")
            digest = event_hash(
                key, prev_hash=event.prev_hash, occurred_at=event.occurred_at, actor_id=event.actor_id,
                actor_label=event.actor_label, action=event.action, object_type=event.object_type,
                object_id=event.object_id, before=event.before, after=event.after,
            )
            if digest != event.hash:
                return ChainReport(count, event.id, "its content was changed after it was written")
            expected_prev = event.hash
            last_id = event.id
        session.expunge_all()
    head = session.get(AuditChainHead, CHAIN_HEAD_ID)
    if head is None:
        return ChainReport(count, None if count == 0 else last_id, "the head of the chain is missing")
    if head.head_mac is None:
        # Only an empty chain has an unauthenticated head (a log kept from before migration 0031 gets its MAC with
        # the next event written): otherwise clearing the MAC would hide a truncation.
        if count:
            return ChainReport(count, head.last_event_id or last_id, "the head of the chain is not authenticated "
                               "(if no event was written since the upgrade, any staff action authenticates it)")
        return ChainReport(count)
    if not hmac.compare_digest(head.head_mac, head_mac(key, head.event_count or 0, head.last_hash)):
        return ChainReport(count, head.last_event_id or last_id, "the head of the chain was changed")
    if head.last_hash != expected_prev or head.event_count != count:
        return ChainReport(count, head.last_event_id or last_id, "the newest events were removed")
    return ChainReport(count)


def changes(obj: object, fields: list[str]) -> dict[str, Any]:
    """A snapshot of an object's fields, for the before/after of an event."""
    return _canonical({name: getattr(obj, name) for name in fields})
