"""Passwords, hashed with argon2id (argon2-cffi, the reference implementation's binding).

Only hashes are stored. A sign-in with an unknown username still costs one verification (of a
hash made once per process), so the time taken does not tell which usernames exist.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 takes any length; a bound keeps a sign-in from costing more


@cache
def _hasher() -> PasswordHasher:
    """argon2id with the library's defaults (RFC 9106's second recommended option)."""
    return PasswordHasher()


def check_password(password: str) -> str:
    """The password, if it is acceptable as a new one.

    :raises ValueError: saying why not.
    """
    if len(password) < MIN_LENGTH:
        raise ValueError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"a password has at most {MAX_LENGTH} characters")
    if not password.strip():
        raise ValueError("a password cannot be only spaces")
    return password


def hash_password(password: str) -> str:
    """The argon2id hash of an acceptable password (see check_password)."""
    return _hasher().hash(check_password(password))


@cache
def _decoy() -> str:
    return _hasher().hash("not a password of anyone")


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash; None (no such account) takes as long."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(stored or _decoy(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with weaker parameters than today's (rehash at sign-in)."""
    return _hasher().check_needs_rehash(stored)
