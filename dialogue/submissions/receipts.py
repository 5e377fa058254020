"""Receipt codes, case references and the one-time form token they are derived from.

The intake form carries a signed random token. The receipt code is derived from it with a
secret key, so a resubmitted form (double click, back and resend) finds the submission already
stored under the token's hash and shows the same code again, while the database holds only a
keyed hash of the code. Without the secret, neither the token nor the hashes give the code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CODE_DIGITS = 16
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I to misread
REFERENCE_LENGTH = 8
FORM_TOKEN_MAX_AGE = 24 * 3600
_NON_DIGITS = re.compile(r"[\s\-–—.]")


class FormTokenError(Exception):
    """The form token is missing, forged or too old."""


@dataclasses.dataclass(frozen=True)
class FormToken:
    nonce: str
    binding: str  # the browser session the form was opened in ("" when none was given)


def new_form_token(form_key: bytes, binding: str = "") -> str:
    """A signed token with a fresh nonce, tied to ``binding`` (a browser session) if given."""
    nonce = secrets.token_urlsafe(24)
    return _serializer(form_key).dumps([nonce, binding] if binding else nonce)


def parse_form_token(form_key: bytes, token: str, max_age: int = FORM_TOKEN_MAX_AGE) -> FormToken:
    """The nonce and binding inside a valid token; raises :class:`FormTokenError`."""
    try:
        value = _serializer(form_key).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise FormTokenError("expired") from error
    except BadSignature as error:
        raise FormTokenError("invalid") from error
    nonce, binding = (value, "") if isinstance(value, str) else _pair(value)
    if not nonce:
        raise FormTokenError("invalid")
    return FormToken(nonce, binding)


def read_form_token(form_key: bytes, token: str, max_age: int = FORM_TOKEN_MAX_AGE) -> str:
    """The nonce inside a valid token; raises :class:`FormTokenError`."""
    return parse_form_token(form_key, token, max_age).nonce


def _pair(value: object) -> tuple[str, str]:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(item, str) for item in value):
        return value[0], value[1]
    raise FormTokenError("invalid")


def idempotency_key(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def code_for(receipt_key: bytes, nonce: str) -> str:
    """The 16-digit receipt code belonging to a form token's nonce."""
    digest = hmac.new(receipt_key, b"code:" + nonce.encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest, "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def hash_code(receipt_key: bytes, code: str) -> str:
    return hmac.new(receipt_key, b"hash:" + code.encode(), hashlib.sha256).hexdigest()


def normalize_code(raw: str) -> str | None:
    """Digits of a typed code ("1234 5678-9012 3456"), or None if it cannot be one."""
    digits = _NON_DIGITS.sub("", raw or "")
    if len(digits) != CODE_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def group_code(code: str) -> str:
    """``1234 5678 9012 3456``."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"


def _serializer(form_key: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(form_key, salt="dialogue.intake")
