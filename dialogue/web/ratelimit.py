"""Rate-limit keys and named limits.

The key is a keyed hash of the client address, so the limiter storage never holds an IP
address, and entries expire with their window.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from flask import current_app, g, request


def client_key() -> str:
    address = (request.remote_addr or "unknown").encode()
    salt: bytes = current_app.extensions["dialogue.keys"].ratelimit
    return hmac.new(salt, address, hashlib.sha256).hexdigest()[:32]


def named(name: str) -> Callable[[], str]:
    """A limit string read at request time, e.g. ``named("submit")``.

    A municipality's own ``<name>_rate_limit`` (set by its administrators) wins over the
    ``DIALOGUE_RATELIMIT_<NAME>`` setting.
    """

    def limit() -> str:
        tenant = g.get("tenant")
        override: str | None = getattr(tenant, f"{name}_rate_limit", None) if tenant else None
        value: str = override or getattr(
            current_app.extensions["dialogue.settings"], f"ratelimit_{name}"
        )
        return value

    return limit
