"""The keyed hashes that keep who voted apart from what was chosen.

Each key lives in the configuration (PB_REGISTER_KEY, PB_BALLOT_KEY), never in the database: a copy of
the database or of a backup holds only the hashes, which without the key link no resident to a ballot.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Mapping
from typing import Any

# Letters and digits that cannot be mistaken for each other when read from a printed letter.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
RECEIPT_LENGTH = 16


def _key(config: Mapping[str, Any], name: str, purpose: bytes) -> bytes:
    explicit = config.get(name)
    if explicit:
        return str(explicit).encode("utf-8")
    return hmac.new(str(config["SECRET_KEY"]).encode("utf-8"), purpose, hashlib.sha256).digest()


def register_key(config: Mapping[str, Any]) -> bytes:
    """The key of register references and voting codes."""
    return _key(config, "PB_REGISTER_KEY", b"pb voter register")


def ballot_key(config: Mapping[str, Any]) -> bytes:
    """The key of ballot owner tags and receipts."""
    return _key(config, "PB_BALLOT_KEY", b"pb ballot secrecy")


def _hmac(key: bytes, *parts: object) -> str:
    message = "\x1f".join(str(part) for part in parts).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def normalise_reference(reference: str) -> str:
    """A register reference as residents type it: case, spaces and dashes do not matter."""
    text = unicodedata.normalize("NFKC", reference).upper()
    return "".join(ch for ch in text if ch.isalnum())


# Greek capitals that look like Latin ones, read as the Latin letter: codes are printed in Latin letters, and a
# resident typing on a Greek keyboard gets these (Τ Χ Κ Β Μ Ε Α Η Ι Ν Ο Ρ Υ Ζ) instead.
_GREEK_LOOKALIKES = str.maketrans("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX")


def normalise_code(code: str) -> str:
    """A voting or tracking code as residents type it: case, spaces, dashes and Greek look-alikes do not matter."""
    return normalise_reference(code).translate(_GREEK_LOOKALIKES)


def reference_hash(key: bytes, process_id: int, reference: str) -> str:
    """The stored form of a register reference; the reference itself is never stored."""
    return _hmac(key, "reference", process_id, normalise_reference(reference))


def new_code() -> str:
    """A fresh one-time voting code, printed in groups of four for reading aloud."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def code_hash(key: bytes, code: str) -> str:
    """The stored form of a voting code."""
    return _hmac(key, "code", normalise_code(code))


def owner_tag(key: bytes, pool_id: int, participation_identity: str) -> str:
    """The tag that finds a resident's ballot in a pool, so that they can change it; useless without the key."""
    return _hmac(key, "owner", pool_id, participation_identity)


def receipt_code(key: bytes, tag: str, form_token: str) -> str:
    """The tracking code of one submission: the same form sent twice gives the same code (idempotency)."""
    digest = _hmac(key, "receipt", tag, form_token)
    number = int(digest, 16)
    chars = []
    for _ in range(RECEIPT_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    raw = "".join(chars)
    return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def ballot_version(key: bytes, tag: str, ballot_id: str | None) -> str:
    """An opaque name of the resident's counted ballot, put in the ballot form: a form that saw another ballot
    than the one counted now is stale. Empty when there is none; says nothing about the ballot without the key."""
    return _hmac(key, "version", tag, ballot_id)[:32] if ballot_id else ""


def receipt_hash(code: str) -> str:
    """The published form of a receipt: anyone can hash their code and find it in the list."""
    return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()
