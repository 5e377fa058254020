"""The municipality's accent colour, adjusted so text on it and links in it meet WCAG AA."""

from __future__ import annotations

import re
from functools import cache

DEFAULT_ACCENT = "#1d4f91"
AA_CONTRAST = 4.5
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _darken(color: str, factor: float) -> str:
    r, g, b = (int(int(color[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


@cache
def accent_colors(color: str | None) -> dict[str, str]:
    """The accent to use on white (darkened until AA) and its hover shade."""
    base = color if color and _HEX.match(color) else DEFAULT_ACCENT
    accent = base.lower()
    factor = 1.0
    while contrast(accent, "#ffffff") < AA_CONTRAST:
        factor -= 0.05
        accent = _darken(base, factor)
    return {"accent": accent, "accent_dark": _darken(accent, 0.75)}
