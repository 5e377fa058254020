"""The report's charts as plain values: geometry computed here, drawn as SVG by
``templates/lagesbild/_charts.html``.

Nothing here loads anything from elsewhere: no tiles, no fonts, no scripts, so a chart costs no
third-party request. Every chart carries the numbers it draws so the template can put a data
table beside it, and nothing is told by colour alone: the trend's two periods differ by line
style and marker shape, the heat map prints its numbers and the map labels its dots.
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from collections.abc import Sequence

from dialogue.db import Localized
from dialogue.i18n import _l, pick
from dialogue.lagesbild.data import Dimension, Matrix, PlaceSafety, Row

# What each breakdown is called, in headings, captions and exports.
DIMENSION_TITLES = {
    Dimension.CATEGORY: _l("Category"),
    Dimension.CATEGORY_GROUP: _l("Category group"),
    Dimension.PLACE: _l("Place"),
    Dimension.COMMITMENT: _l("Commitment"),
    Dimension.KIND: _l("Kind of input"),
    Dimension.SUBMITTER_TYPE: _l("Sent by"),
    Dimension.PART_OF_DAY: _l("Part of day"),
    Dimension.WEEKDAY: _l("Weekday"),
    Dimension.MONTH: _l("Month received"),
}
# The caption of each breakdown's table.
DIMENSION_CAPTIONS = {
    Dimension.CATEGORY: _l("Accepted input by category"),
    Dimension.CATEGORY_GROUP: _l("Accepted input by category group"),
    Dimension.PLACE: _l("Accepted input by place"),
    Dimension.COMMITMENT: _l("Accepted input by commitment of the pledge"),
    Dimension.KIND: _l("Accepted input by kind: concern, suggestion or praise"),
    Dimension.SUBMITTER_TYPE: _l("Accepted input by who sent it"),
    Dimension.PART_OF_DAY: _l("Accepted input by the part of day it happens"),
    Dimension.WEEKDAY: _l("Accepted input by the weekday it happens"),
    Dimension.MONTH: _l("Accepted input by month received, this period and the previous one"),
}
# The order the report shows its breakdowns in.
DIMENSION_ORDER = (
    Dimension.CATEGORY_GROUP,
    Dimension.CATEGORY,
    Dimension.PLACE,
    Dimension.COMMITMENT,
    Dimension.KIND,
    Dimension.SUBMITTER_TYPE,
    Dimension.PART_OF_DAY,
    Dimension.WEEKDAY,
    Dimension.MONTH,
)
# Breakdowns whose values have a natural order: kept as they are, never sorted by size.
ORDERED_DIMENSIONS = frozenset({Dimension.PART_OF_DAY, Dimension.WEEKDAY, Dimension.MONTH})

MAX_BARS = 20
HEAT_LEVELS = 5  # shades 0-4; 0 is an empty cell


MAX_BAR_LABEL = 70  # characters; a longer label (a commitment's text) is cut in the chart only
MAX_MAP_LABEL = 40


def shorten(text: str, width: int) -> str:
    """``text`` cut at a word to at most ``width`` characters; the table keeps it whole."""
    return textwrap.shorten(text, width, placeholder=" …") if len(text) > width else text


def text_of(value: Localized | None, locale: str, fallback: str) -> str:
    """Plain text of a label in ``locale`` (else ``fallback``, else any language)."""
    text, _lang = pick(value, locale, fallback)
    return text


# Bars ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float  # top of the row; the label sits above the bar
    width: float


@dataclasses.dataclass(frozen=True)
class BarChart:
    """Horizontal bars with the value printed after each; ``truncated`` when only the largest
    ``MAX_BARS`` are drawn (the table lists every row)."""

    bars: tuple[Bar, ...]
    width: int
    height: int
    bar_height: int
    label_offset: int
    bar_offset: int
    total_rows: int

    @property
    def truncated(self) -> bool:
        return len(self.bars) < self.total_rows

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


BAR_CHART_WIDTH = 640
BAR_ROW_HEIGHT = 44
BAR_HEIGHT = 16
BAR_LABEL_OFFSET = 15  # the label's baseline below the row's top
BAR_OFFSET = 21  # the bar's top below the row's top
VALUE_SPACE = 64  # room right of the longest bar for its value


def bar_chart(
    rows: Sequence[Row], locale: str, fallback: str, *, keep_order: bool = False
) -> BarChart:
    """Bars for ``rows``; the largest ``MAX_BARS`` by count unless ``keep_order``."""
    chosen = list(rows)
    if len(chosen) > MAX_BARS or not keep_order:
        chosen = sorted(chosen, key=lambda row: -row.count)[:MAX_BARS]
        if keep_order:  # a natural order stays natural even when cut
            kept = {id(row) for row in chosen}
            chosen = [row for row in rows if id(row) in kept]
    largest = max((row.count for row in chosen), default=0)
    room = BAR_CHART_WIDTH - VALUE_SPACE
    bars = tuple(
        Bar(
            label=shorten(text_of(row.label, locale, fallback), MAX_BAR_LABEL),
            value=row.count,
            y=index * BAR_ROW_HEIGHT,
            width=round(room * row.count / largest, 1) if largest else 0.0,
        )
        for index, row in enumerate(chosen)
    )
    return BarChart(
        bars=bars,
        width=BAR_CHART_WIDTH,
        height=max(len(bars), 1) * BAR_ROW_HEIGHT,
        bar_height=BAR_HEIGHT,
        label_offset=BAR_LABEL_OFFSET,
        bar_offset=BAR_OFFSET,
        total_rows=len(rows),
    )


# Trend ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int


@dataclasses.dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclasses.dataclass(frozen=True)
class TrendChart:
    """Two lines over the months of the period: this period and the one before it."""

    current: tuple[Point, ...]
    previous: tuple[Point, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @staticmethod
    def polyline(points: Sequence[Point]) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in points)

    @property
    def current_line(self) -> str:
        return self.polyline(self.current)

    @property
    def previous_line(self) -> str:
        return self.polyline(self.previous)


TREND_WIDTH = 640
TREND_HEIGHT = 300
TREND_MARGIN = {"left": 48, "right": 24, "top": 16, "bottom": 64}
MAX_X_LABELS = 12


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 2.5, 5):
        candidate = math.ceil(step * power)
        if candidate >= value:
            return candidate
    return 10 * power


def trend_chart(rows: Sequence[Row]) -> TrendChart:
    """Months left to right; each month's count now and in the previous period's same place."""
    left, right = TREND_MARGIN["left"], TREND_WIDTH - TREND_MARGIN["right"]
    top, bottom = TREND_MARGIN["top"], TREND_HEIGHT - TREND_MARGIN["bottom"]
    top_value = nice_ceiling(max((max(r.count, r.previous) for r in rows), default=0))
    span = len(rows) - 1

    def x(index: int) -> float:
        if span <= 0:
            return (left + right) / 2
        return round(left + (right - left) * index / span, 1)

    def y(value: int) -> float:
        return round(bottom - (bottom - top) * value / top_value, 1)

    every = max(1, math.ceil(len(rows) / MAX_X_LABELS))
    steps = next(n for n in (5, 4, top_value) if top_value % n == 0)
    return TrendChart(
        current=tuple(Point(x(i), y(r.count), r.count) for i, r in enumerate(rows)),
        previous=tuple(Point(x(i), y(r.previous), r.previous) for i, r in enumerate(rows)),
        # Months by their short key ("2024-03"): the table beside the chart names them in full.
        x_ticks=tuple(Tick(x(i), r.key) for i, r in enumerate(rows) if i % every == 0),
        y_ticks=tuple(
            Tick(y(top_value * k // steps), str(top_value * k // steps)) for k in range(steps + 1)
        ),
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
    )


# Heat map ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HeatCell:
    value: int
    level: int  # 0 (none) to HEAT_LEVELS - 1 (the largest)


@dataclasses.dataclass(frozen=True)
class HeatMatrix:
    """Place x category as a table whose cells are shaded by size and print their number."""

    places: tuple[Row, ...]
    categories: tuple[Row, ...]
    lines: tuple[tuple[HeatCell, ...], ...]
    largest: int


def heat_level(value: int, largest: int) -> int:
    if value <= 0 or largest <= 0:
        return 0
    return max(1, math.ceil((HEAT_LEVELS - 1) * value / largest))


def heat_matrix(matrix: Matrix) -> HeatMatrix:
    largest = max((value for line in matrix.cells for value in line), default=0)
    return HeatMatrix(
        places=matrix.places,
        categories=matrix.categories,
        lines=tuple(
            tuple(HeatCell(value, heat_level(value, largest)) for value in line)
            for line in matrix.cells
        ),
        largest=largest,
    )


# Map -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Dot:
    label: str
    count: int
    mean: float | None
    x: float
    y: float
    r: float
    label_x: float
    anchor: str  # "start" or "end": labels near the right edge are written leftwards


@dataclasses.dataclass(frozen=True)
class PlaceMap:
    """The places' WGS84 points on a plain projection, dots sized by count; no tiles."""

    dots: tuple[Dot, ...]
    width: int
    height: int
    unplaced: int  # places without coordinates: only in the list

    @property
    def is_empty(self) -> bool:
        return not self.dots


MAP_WIDTH = 640
MAP_HEIGHT = 420
MAP_PADDING = 40
MIN_RADIUS = 4.0
MAX_RADIUS = 20.0


def place_map(safety: Sequence[PlaceSafety], locale: str, fallback: str) -> PlaceMap:
    """Equirectangular with the longitude scaled by cos(latitude): true enough for one town."""
    located = [
        (p, p.latitude, p.longitude)
        for p in safety
        if p.latitude is not None and p.longitude is not None
    ]
    if not located:
        return PlaceMap((), MAP_WIDTH, MAP_HEIGHT, len(safety))
    lats = [lat for _p, lat, _lon in located]
    lons = [lon for _p, _lat, lon in located]
    scale_x = math.cos(math.radians(sum(lats) / len(lats)))
    west, east = min(lons) * scale_x, max(lons) * scale_x
    south, north = min(lats), max(lats)
    inner_w, inner_h = MAP_WIDTH - 2 * MAP_PADDING, MAP_HEIGHT - 2 * MAP_PADDING
    extent = max(east - west, north - south)
    factor = min(inner_w, inner_h) / extent if extent > 0 else 0.0
    # Centre the drawing whatever the shape of the places' extent.
    offset_x = MAP_PADDING + (inner_w - (east - west) * factor) / 2
    offset_y = MAP_PADDING + (inner_h - (north - south) * factor) / 2
    largest = max((p.count for p, _lat, _lon in located), default=0)
    dots = []
    # Large dots first, so smaller ones are drawn over them and stay visible.
    for place, lat, lon in sorted(located, key=lambda item: -item[0].count):
        px = offset_x + (lon * scale_x - west) * factor
        py = offset_y + (north - lat) * factor
        share = place.count / largest if largest else 0.0
        radius = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(share)
        right_side = px > MAP_WIDTH * 0.7
        dots.append(
            Dot(
                label=shorten(text_of(place.label, locale, fallback), MAX_MAP_LABEL),
                count=place.count,
                mean=place.mean,
                x=round(px, 1),
                y=round(py, 1),
                r=round(radius, 1),
                label_x=round(px - radius - 4 if right_side else px + radius + 4, 1),
                anchor="end" if right_side else "start",
            )
        )
    return PlaceMap(tuple(dots), MAP_WIDTH, MAP_HEIGHT, len(safety) - len(located))
