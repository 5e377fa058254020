"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from dialogue.i18n import _l

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_NAME_IN_PASSWORD = 4  # shorter local parts ("an", "moa") turn up in ordinary words


class _Hashing:
    """The hasher in use, and a hash of its own to verify against when an account is unknown,
    so that check costs the same as a real one."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.use(hasher)

    def use(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        self.dummy_hash = hasher.hash("dialogue-timing-equaliser")


# argon2id with the library's current recommended parameters.
_hashing = _Hashing(PasswordHasher())


def use_test_hashing() -> None:
    """argon2id at its cheapest, for test settings only (``DIALOGUE_TESTING``): a suite signs
    in thousands of times, and the recommended parameters cost tens of milliseconds each."""
    _hashing.use(PasswordHasher.from_parameters(profiles.CHEAPEST))


def hash_password(password: str) -> str:
    return _hashing.hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; takes as long when there is no hash to check."""
    try:
        verified = _hashing.hasher.verify(password_hash or _hashing.dummy_hash, password)
        return verified and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hashing.hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files("dialogue.data").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` may not be used (translated), or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(count)d characters.", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(count)d characters.", count=MAX_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip("0123456789!") in common_passwords():
        return str(_l("That password is too common. Choose one that is harder to guess."))
    local_part = email.split("@", maxsplit=1)[0].lower()
    if len(local_part) >= MIN_NAME_IN_PASSWORD and local_part in lowered:
        return str(
            _l("The password must not contain the part of your e-mail address before the @.")
        )
    return None
