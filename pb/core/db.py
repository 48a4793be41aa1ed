"""The declarative base, its naming convention and the column types every model uses."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import enum
import sqlite3
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, registry

# Stable constraint names, so that migrations can alter and drop them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: enforce foreign keys, let readers and the writer work side by side, wait for locks."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        # pysqlite's own transaction handling would defer BEGIN; pb emits it (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()


# Whether the transactions of the current request or command will write (see _sqlite_begin).
_writing: contextvars.ContextVar[bool] = contextvars.ContextVar("pb_writing", default=False)


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Mark the transactions opened inside as writers: on SQLite they take the write lock at BEGIN."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def set_writing(value: bool) -> contextvars.Token[bool]:
    """Say whether the rest of this request writes; ``reset_writing(token)`` puts back what held before."""
    return _writing.set(value)


def reset_writing(token: contextvars.Token[bool]) -> None:
    _writing.reset(token)


@sa.event.listens_for(sa.engine.Engine, "begin")
def _sqlite_begin(connection: sa.Connection) -> None:
    """SQLite: a transaction that will write takes the write lock when it starts.

    SQLite has one writer at a time. A deferred transaction that reads and then writes can find
    that another writer committed in between and fail ("database is locked"), for instance two
    audit events chaining to the same predecessor. Writers therefore begin IMMEDIATE, which
    serialises them the way PostgreSQL's row locks do; readers begin deferred and, in WAL mode,
    never wait. Production runs on PostgreSQL, where none of this applies.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps.

    SQLite has no time zones and returns naive values; this type refuses naive input and
    hands back aware values, so no code ever compares naive and aware times.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use pb.core.db.utcnow()")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    """The base of every model."""

    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime(), int: sa.Integer(), str: sa.String()},
    )


# Money: integer minor units (cents), never floats; 64 bits so that a city budget never overflows.
Money = sa.BigInteger


def enum_type(enum_class: type[enum.Enum], length: int = 24) -> sa.Enum:
    """Enums are stored by value as short strings, so adding a member needs no type migration."""
    return sa.Enum(
        enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )
