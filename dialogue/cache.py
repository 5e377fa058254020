"""A small per-process cache with a time to live, for reference data that changes rarely."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from flask import current_app

from dialogue.config import current_settings

V = TypeVar("V")


class TTLCache(Generic[V]):
    """Values by key, reloaded when older than ``ttl`` seconds; ``ttl=0`` disables caching."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[str, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, load: Callable[[], V]) -> V:
        entry = self._entries.get(key)
        now = self.clock()
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        value = load()
        with self._lock:
            self._entries[key] = (now, value)
        return value

    def get_or_stale(
        self, key: str, load: Callable[[], V], errors: tuple[type[Exception], ...]
    ) -> V:
        """Like :meth:`get`, but when loading fails with ``errors`` serve any older value."""
        try:
            return self.get(key, load)
        except errors:
            stale = self.get_stale(key)
            if stale is None:
                raise
            return stale

    def get_stale(self, key: str) -> V | None:
        """Whatever is cached, however old: for answering while the database is down."""
        entry = self._entries.get(key)
        return entry[1] if entry is not None else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Clearable(Protocol):
    def clear(self) -> None: ...


C = TypeVar("C", bound=Clearable)
EXTENSION_KEY = "dialogue.caches"


class ProcessCache(Generic[C]):
    """One application's cache of one kind, declared by the module that uses it.

    ``TENANTS = ProcessCache("tenants", TTLCache[Tenant])`` and then ``TENANTS.get()``: the
    cache is made on first use with the reference-data lifetime from the settings, and
    :func:`clear_process_caches` empties every cache declared this way.
    """

    def __init__(self, name: str, factory: Callable[[float], C]) -> None:
        self.name = name
        self.factory = factory

    def get(self) -> C:
        caches: dict[str, Any] = current_app.extensions.setdefault(EXTENSION_KEY, {})
        cache: C | None = caches.get(self.name)
        if cache is None:
            made = self.factory(current_settings().reference_cache_seconds)
            cache = caches.setdefault(self.name, made)  # another thread may have won
        return cache


def clear_process_caches() -> None:
    """This process forgets cached reference data; other processes within their TTL."""
    for cache in current_app.extensions.get(EXTENSION_KEY, {}).values():
        cache.clear()
