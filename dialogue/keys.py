"""The secret key and the purpose-bound keys derived from it.

Receipt hashes depend on the secret key: keep it stable (``DIALOGUE_SECRET_KEY`` or the
generated file in the instance folder), or existing receipt codes stop opening their cases.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from flask import Flask, current_app

SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)


@dataclasses.dataclass(frozen=True)
class Keys:
    secret: str
    receipt: bytes
    ratelimit: bytes
    form: bytes
    recovery: bytes
    account_link: bytes
    invitation: bytes
    snapshot: bytes
    staff_session: bytes

    @classmethod
    def derive(cls, secret: str) -> Keys:
        def sub(purpose: str) -> bytes:
            return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()

        return cls(
            secret=secret,
            receipt=sub("dialogue.receipt"),
            ratelimit=sub("dialogue.ratelimit"),
            form=sub("dialogue.form-token"),
            recovery=sub("dialogue.recovery-code"),
            account_link=sub("dialogue.account-link"),
            invitation=sub("dialogue.round-invitation"),
            snapshot=sub("dialogue.lagesbild-snapshot"),
            staff_session=sub("dialogue.staff-session"),
        )


def load_or_create_secret(instance_path: Path) -> str:
    """Read the generated secret key, creating it on first start (safe across workers)."""
    path = instance_path / SECRET_FILE
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _read_when_written(path: Path) -> str:
    # Another worker may have created the file a moment ago and still be writing it.
    for _ in range(50):
        value = path.read_text().strip()
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty; delete it or set DIALOGUE_SECRET_KEY")


EXTENSION_KEY = "dialogue.keys"


def install_keys(app: Flask, keys: Keys) -> None:
    """Make ``keys`` the application's: :func:`current_keys` returns them."""
    app.extensions[EXTENSION_KEY] = keys


def current_keys() -> Keys:
    """The keys derived from this application's secret, one per purpose."""
    keys: Keys = current_app.extensions[EXTENSION_KEY]
    return keys
