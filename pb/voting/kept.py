"""The tracking code kept for the browser session that cast it, so that a reload or a language switch does not
lose it, and no cookie carries it.

The session cookie holds only a random key (``new_key``); the code is stored sealed (Fernet) with that key, in
a row found by the key's SHA-256. So the cookie alone holds no code and no reference to a pool or ballot, and
the database alone cannot open the code. Signing out deletes the account's rows (and the cookie loses the key).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pb.core.db import utcnow
from pb.extensions import db
from pb.voting.models import KeptReceipt


@dataclass(frozen=True)
class Kept:
    """A kept tracking code and whether it replaced an earlier ballot."""

    code: str
    changed: bool


def new_key() -> str:
    """A fresh per-session key, for the session cookie."""
    return secrets.token_urlsafe(32)


def _holder(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"pb kept receipt\x1f" + key.encode("utf-8")).digest()))


def keep(key: str, user_id: int, pool_id: int, code: str, changed: bool) -> None:
    """Keep this session's tracking code for the pool, replacing the one it kept before.

    An upsert: two answers of one session at once (a double click) both keep their code, without a clash."""
    values = {"holder": _holder(key), "pool_id": pool_id, "user_id": user_id, "changed": changed,
              "sealed": _fernet(key).encrypt(code.encode("utf-8")).decode("ascii"), "created_at": utcnow()}
    connection = db.session.connection()
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(KeptReceipt).values(values)
    connection.execute(statement.on_conflict_do_update(
        index_elements=["holder", "pool_id"],
        set_={name: statement.excluded[name] for name in ("user_id", "changed", "sealed", "created_at")}))


def kept(key: str | None, user_id: int, pool_id: int) -> Kept | None:
    """The code this session kept for the pool, if any (and if the row is the account's)."""
    return kept_by_key(key, pool_id, user_id)


def kept_by_key(key: str | None, pool_id: int, user_id: int | None = None) -> Kept | None:
    """The code kept under this key for the pool (for the account ``user_id``, when given)."""
    if not key:
        return None
    row = db.session.get(KeptReceipt, (_holder(key), pool_id))
    if row is None or (user_id is not None and row.user_id != user_id):
        return None
    try:
        return Kept(_fernet(key).decrypt(row.sealed.encode("ascii")).decode("utf-8"), row.changed)
    except InvalidToken:
        return None


def forget(user_id: int) -> None:
    """Delete every code kept for the account (at sign-out: it signs out every device)."""
    db.session.execute(sa.delete(KeptReceipt).where(KeptReceipt.user_id == user_id))
