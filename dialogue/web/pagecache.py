"""Pages rendered once and served to everyone, with per-request tokens filled in.

The intake form is the busiest page and the same for every visitor of a municipality in a
language, except for its CSRF token and one-time form token. It is rendered once with
placeholders, kept for the reference-data lifetime, and each request only substitutes fresh
tokens. Nothing visitor-specific may be rendered into a cached page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from dialogue.cache import TTLCache


def placeholder(name: str) -> str:
    # Letters and digits only, so escaping in attributes leaves it unchanged.
    return f"PAGECACHE{name.upper()}TOKEN7Q"


class PageCache:
    def __init__(self, ttl: float) -> None:
        self._pages: TTLCache[str] = TTLCache(ttl)

    def render(
        self,
        key: str | None,
        render: Callable[[Mapping[str, str]], str],
        tokens: Mapping[str, Callable[[], str]],
    ) -> str:
        """``render(token values)``, cached under ``key`` (None: uncacheable), fresh tokens in."""
        if key is None:
            return render({name: make() for name, make in tokens.items()})
        page = self._pages.get(key, lambda: render({name: placeholder(name) for name in tokens}))
        for name, make in tokens.items():
            page = page.replace(placeholder(name), make())
        return page

    def clear(self) -> None:
        self._pages.clear()
