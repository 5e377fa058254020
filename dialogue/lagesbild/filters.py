"""Template filters for the lägesbild, registered by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import format_decimal, format_percent

from dialogue.i18n import _
from dialogue.lagesbild.charts import DIMENSION_TITLES
from dialogue.lagesbild.data import Dimension
from dialogue.lagesbild.snapshots import label as snapshot_label
from dialogue.lagesbild.snapshots import verify
from dialogue.lagesbild.suppression import PublicCount, Shown


def count_text(count: PublicCount) -> str:
    """A public count as text: the number, "fewer than 5", or "hidden"."""
    if count.shown == Shown.SMALL:
        # Translators: a count too small to publish, e.g. "fewer than 5".
        return str(_("fewer than %(threshold)d", threshold=count.threshold))
    if count.shown == Shown.HIDDEN:
        # Translators: a count hidden so that smaller counts cannot be worked out from totals.
        return str(_("hidden"))
    return str(count.value)


def number(value: Any) -> str:
    """A count as the visitor's language writes it: "1 234" in Swedish."""
    return str(format_decimal(value))


def signed(value: int) -> str:
    """A change as people write it: +3, ±0, and a real minus sign (U+2212) before a fall."""
    if value > 0:
        return f"+{format_decimal(value)}"
    if value < 0:
        return f"−{format_decimal(-value)}"
    return "±0"


def share(part: int | None, whole: int | None) -> str:
    """``part`` as a percentage of ``whole``; a dash when there is no whole."""
    if not whole or part is None:
        return "–"
    return str(format_percent(part / whole))


def mean_text(value: Any) -> str:
    """A mean with one decimal; a dash when there is none."""
    if not isinstance(value, int | float):
        return "–"
    return str(format_decimal(value, format="0.0"))


def dimension_title(dimension: Dimension) -> str:
    """The heading of a breakdown: "Category", "Place"…"""
    return str(DIMENSION_TITLES[dimension])


FILTERS: dict[str, Callable[..., Any]] = {
    "count_text": count_text,
    "number": number,
    "signed": signed,
    "share": share,
    "mean_text": mean_text,
    "dimension_title": dimension_title,
    "snapshot_label": snapshot_label,
    "snapshot_intact": verify,
}
