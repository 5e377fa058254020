"""Rate-limit keys and named limits.

The key is a keyed hash of the client address, so the limiter storage never holds an IP
address, and entries expire with their window. An IPv4 client is limited per address; an IPv6
client per /64 network, the block one subscriber is usually given: otherwise one home
connection would have 2**64 addresses, each with limits of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Callable

from flask import current_app, g, request
from flask_limiter import Limiter

from dialogue.config import current_settings
from dialogue.keys import current_keys

IPV6_PREFIX = 64


def client_bucket(remote_addr: str | None) -> str:
    """What a client is limited by: its IPv4 address, or its IPv6 address's /64 network."""
    if not remote_addr:
        return "unknown"
    try:
        address = ipaddress.ip_address(remote_addr.split("%", 1)[0])  # without an IPv6 zone
    except ValueError:
        return remote_addr
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def client_key() -> str:
    bucket = client_bucket(request.remote_addr).encode()
    salt: bytes = current_keys().ratelimit
    return hmac.new(salt, bucket, hashlib.sha256).hexdigest()[:32]


def named(name: str) -> Callable[[], str]:
    """A limit string read at request time, e.g. ``named("submit")``.

    A municipality's own ``<name>_rate_limit`` (set by its administrators) wins over the
    ``DIALOGUE_RATELIMIT_<NAME>`` setting.
    """

    def limit() -> str:
        tenant = g.get("tenant")
        override: str | None = getattr(tenant, f"{name}_rate_limit", None) if tenant else None
        value: str = override or getattr(current_settings(), f"ratelimit_{name}")
        return value

    return limit


def ratelimit_storage_state() -> str:
    """``ok``; ``memory-fallback`` when the storage does not answer, so each process keeps its
    own counts; or ``off`` when limits are turned off."""

    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return "off"
    return "ok" if limiter.storage.check() else "memory-fallback"


limiter = Limiter(key_func=client_key)
