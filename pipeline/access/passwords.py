"""Password hashing with argon2id (argon2-cffi's vetted defaults, salted per hash)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# Verified against when the user does not exist, so that a wrong name costs as much
# time as a wrong password and names cannot be probed by timing.
_DUMMY_HASH = _HASHER.hash("wallboard-no-such-user")
MIN_PASSWORD_LENGTH = 10


class WeakPassword(ValueError):
    """The password is too short to be accepted."""


def hash_password(password: str) -> str:
    """An argon2id hash string ($argon2id$...) with its own random salt."""
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = f"password too short: at least {MIN_PASSWORD_LENGTH} characters"
        raise WeakPassword(msg)
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing or malformed hash never matches."""
    try:
        if password_hash is None:
            _HASHER.verify(_DUMMY_HASH, password)
            return False
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
