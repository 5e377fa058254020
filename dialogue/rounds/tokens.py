"""The unguessable links of a round: each organisation's own, and the round's open link.

A token is derived with the invitation key from a random salt kept in the row, so a reminder
can show the same link again, while the database alone gives neither the token nor a way to
guess it. Rows are found by a keyed hash of the token; a new salt revokes the old link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

TOKEN_LENGTH = 32
_TOKEN_SHAPE = re.compile(rf"^[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}$")


def new_salt() -> str:
    return secrets.token_hex(16)


def token_for(key: bytes, salt: str) -> str:
    """The link token belonging to ``salt`` (32 URL-safe characters, 192 bits)."""
    digest = hmac.new(key, b"token:" + salt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def lookup_hash(key: bytes, token: str) -> str:
    """What the row stores to be found by its token."""
    return hmac.new(key, b"lookup:" + token.encode(), hashlib.sha256).hexdigest()


def is_well_formed(token: str) -> bool:
    """Cheap check before touching the database: anything else is not a link of ours."""
    return bool(_TOKEN_SHAPE.match(token))


def issue(key: bytes) -> tuple[str, str, str]:
    """A fresh ``(salt, token, lookup_hash)`` for a new or renewed link."""
    salt = new_salt()
    token = token_for(key, salt)
    return salt, token, lookup_hash(key, token)
