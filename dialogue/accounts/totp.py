"""Time-based one-time passwords (RFC 6238) and recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp

RECOVERY_CODE_COUNT = 10
ISSUER = "Trygghetsdialog"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def verify_code(secret: str, code: str) -> bool:
    """A 6-digit code of the current 30-second step, or the one before or after."""
    digits = "".join(code.split())
    return (
        len(digits) == 6 and digits.isdigit() and pyotp.TOTP(secret).verify(digits, valid_window=1)
    )


def new_recovery_codes() -> list[str]:
    """Codes like ``k7qm-2xwp``, shown once; only their hashes are kept."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(8))
        codes.append(f"{raw[:4]}-{raw[4:]}")
    return codes


def hash_recovery_code(key: bytes, code: str) -> str:
    normalized = code.strip().lower().replace(" ", "")
    return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()
