"""Password hashing with argon2id, and a dummy check that makes unknown accounts cost the same time."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults (RFC 9106 low-memory profile: argon2id, 64 MiB, t=3, p=4) are above the
# OWASP minimum (19 MiB, t=2, p=1).
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("pb-dummy-password-for-timing")


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash, spend the same time and say no."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
