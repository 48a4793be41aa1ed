"""Searching text as residents type it: any case, with or without accents (Greek tonos, Polish ogonek, ...).

Both sides of a comparison are folded by ``fold``, in Python: the words typed when searching, and the text
searched when it is written (``Project.search_text``), so that a search compares one stored column with LIKE,
the same on SQLite and PostgreSQL, whatever the database's locale, and folds no row at query time.
"""

from __future__ import annotations

import unicodedata


def _plain(character: str) -> str:
    """The small letter without its diacritics, or the character itself when that is not one letter."""
    small = character.lower()
    if small == "ς":
        return "σ"  # the final sigma is the same letter
    base = "".join(c for c in unicodedata.normalize("NFD", small) if not unicodedata.combining(c))
    return base if len(base) == 1 else character


# Greek and Latin letters with diacritics, capital and small, each to its plain small letter.
_TABLE = str.maketrans({c: _plain(c) for c in map(chr, [*range(0x00C0, 0x0250), *range(0x0370, 0x0400)])
                        if unicodedata.category(c).startswith("L") and _plain(c) != c})


def fold(text: str) -> str:
    """Text as search compares it: small letters, no diacritics."""
    return text.lower().translate(_TABLE)


def search_text(*parts: str | None) -> str:
    """What a search looks through, folded: the parts one per line, so that no word spans two of them."""
    return fold("\n".join(part for part in parts if part))
