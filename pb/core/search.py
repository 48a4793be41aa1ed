"""Searching text as residents type it: any case, with or without accents (Greek tonos, Polish ogonek, ...).

Both sides of a comparison are folded the same way: in Python for the words typed, in SQL for the column, with
``translate(lower(column), FOLD_FROM, FOLD_TO)``. ``translate`` is PostgreSQL's own; on SQLite pb registers the
same function (pb.core.db). The map covers Greek and Latin letters with diacritics, capital and small, so the
result does not depend on whether the database's ``lower`` knows them (SQLite's and PostgreSQL's under the C
locale fold ASCII only).
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa


def _plain(character: str) -> str:
    """The small letter without its diacritics, or the character itself when that is not one letter."""
    small = character.lower()
    base = "".join(c for c in unicodedata.normalize("NFD", small) if not unicodedata.combining(c))
    if small == "ς":
        return "σ"  # the final sigma is the same letter
    return base if len(base) == 1 else character


_FOLDED = {c: _plain(c) for c in map(chr, [*range(0x00C0, 0x0250), *range(0x0370, 0x0400)])
           if unicodedata.category(c).startswith("L") and _plain(c) != c}
FOLD_FROM = "".join(_FOLDED)
FOLD_TO = "".join(_FOLDED.values())
_TABLE = str.maketrans(_FOLDED)


def fold(text: str) -> str:
    """Text as search compares it: small letters, no diacritics."""
    return text.lower().translate(_TABLE)


def folded(column: sa.ColumnElement) -> sa.ColumnElement:
    """The SQL of a text column folded as ``fold`` folds Python text."""
    return sa.func.translate(sa.func.lower(column), FOLD_FROM, FOLD_TO)


def sqlite_translate(text: str | None, source: str, target: str) -> str | None:
    """PostgreSQL's ``translate`` for SQLite: each character of ``source`` in ``text`` becomes the character at
    the same place in ``target``, or is dropped when ``target`` is shorter."""
    if text is None:
        return None
    table = {ord(a): (target[i] if i < len(target) else None) for i, a in enumerate(source)}
    return text.translate(table)
