"""Password hashing with argon2id, and a dummy check that makes unknown accounts cost the same time."""

from __future__ import annotations

import os
import threading

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2id at OWASP's recommended setting (19 MiB, t=2, p=1): about 45 ms of one core per check. argon2-cffi's
# default (64 MiB, t=3, p=4) costs six times that, and would hold a server to a few sign-ins a second at the
# opening of a vote. Hashes made with other settings are redone at their owner's next sign-in.


def argon2_hasher() -> PasswordHasher:
    """The hasher of passwords and recovery codes. PB_PASSWORD_HASH_COST=test (set by the test suite, never in
    production) takes argon2's cheapest parameters: thousands of test accounts then cost seconds, not minutes."""
    if os.environ.get("PB_PASSWORD_HASH_COST") == "test":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


_hasher = argon2_hasher()
_DUMMY_HASH = _hasher.hash("pb-dummy-password-for-timing")

# One argon2 computation at a time in each app process. Each fills 19 MiB; several at once on one core evict
# each other from the CPU's cache and all finish later (measured on one core: 26.5 checks a second one at a
# time, 18-21 with two to eight at once), which at the opening of a vote turns a queue of sign-ins into
# seconds of waiting. The computation releases the GIL, so the process's other requests go on meanwhile.
_one_at_a_time = threading.Lock()


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    with _one_at_a_time:
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash, spend the same time and say no."""
    try:
        with _one_at_a_time:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
