"""Time-based one-time passwords (RFC 6238) and recovery codes."""

from __future__ import annotations

import datetime as dt
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


def matching_step(secret: str, code: str, now: dt.datetime | None = None) -> int | None:
    """The 30-second step a 6-digit code belongs to: the current one, or the one before or
    after (clocks drift); None when it matches none. Callers refuse a step already used."""
    digits = "".join(code.split())
    if len(digits) != 6 or not digits.isdigit():
        return None
    generator = pyotp.TOTP(secret)
    current = generator.timecode(now or dt.datetime.now(dt.UTC))
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(generator.generate_otp(step), digits):
            return step
    return None


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
