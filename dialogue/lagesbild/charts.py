"""The report's charts as plain values: geometry computed here, drawn as SVG by
``templates/lagesbild/_charts.html``.

Nothing here loads anything from elsewhere: no tiles, no fonts, no scripts, so a chart costs no
third-party request. Every chart carries the numbers it draws so the template can put a data
table beside it, and nothing is told by colour alone: the trend's two periods differ by line
style and marker shape, the heat map prints its numbers, and the map labels its markers and
shapes them by how safe people feel.
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from collections.abc import Sequence
from enum import StrEnum

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


class Safety(StrEnum):
    """How safe people feel at a place, in three bands of the mean rating (1-5), each drawn
    with its own marker shape as well as its own colour."""

    UNSAFE = "unsafe"  # mean below 2.5: a triangle
    MIXED = "mixed"  # 2.5 to below 3.5: a square
    SAFE = "safe"  # 3.5 and above: a circle
    UNRATED = "unrated"  # nobody rated it: a hollow dashed circle


SAFETY_LABELS = {
    Safety.UNSAFE: _l("Feels unsafe (mean below 2.5)"),
    Safety.MIXED: _l("In between (mean 2.5 to 3.4)"),
    Safety.SAFE: _l("Feels safe (mean 3.5 or more)"),
    Safety.UNRATED: _l("No safety rating"),
}


def safety_band(mean: float | None) -> Safety:
    if mean is None:
        return Safety.UNRATED
    if mean < 2.5:
        return Safety.UNSAFE
    if mean < 3.5:
        return Safety.MIXED
    return Safety.SAFE


@dataclasses.dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box, gap: float = 2.0) -> bool:
        return not (
            self.right + gap <= other.left
            or other.right + gap <= self.left
            or self.bottom + gap <= other.top
            or other.bottom + gap <= self.top
        )


@dataclasses.dataclass(frozen=True)
class Dot:
    label: str
    count: int
    mean: float | None
    x: float
    y: float
    r: float
    label_x: float  # where the label starts, or ends when ``anchor`` is "end"
    label_y: float  # the label's baseline
    safety: Safety = Safety.UNRATED
    # From the marker's edge to the label, when the label had to move away from its marker.
    leader: tuple[float, float, float, float] | None = None
    # A label left of its marker ends next to it: text widths are only estimated.
    anchor: str = "start"

    @property
    def points(self) -> str:
        """The marker's outline as a polygon, for the shapes that are not circles."""
        if self.safety == Safety.UNSAFE:  # a triangle of about the circle's area
            side = self.r * 2.69
            height = side * math.sqrt(3) / 2
            corners = [
                (self.x, self.y - height * 2 / 3),
                (self.x + side / 2, self.y + height / 3),
                (self.x - side / 2, self.y + height / 3),
            ]
        else:  # a square of the circle's area
            half = self.r * math.sqrt(math.pi) / 2
            corners = [
                (self.x - half, self.y - half),
                (self.x + half, self.y - half),
                (self.x + half, self.y + half),
                (self.x - half, self.y + half),
            ]
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)


@dataclasses.dataclass(frozen=True)
class PlaceMap:
    """The places' WGS84 points on a plain projection, markers sized by count and shaped by
    how safe people feel; labels that never overlap; no tiles."""

    dots: tuple[Dot, ...]
    width: int
    height: int
    unplaced: int  # places without coordinates: only in the list

    @property
    def is_empty(self) -> bool:
        return not self.dots

    @property
    def bands(self) -> list[tuple[Safety, str]]:
        """The safety bands on this map, in their order, for its legend."""
        shown = {dot.safety for dot in self.dots}
        return [(band, str(SAFETY_LABELS[band])) for band in Safety if band in shown]


MAP_WIDTH = 640
MAP_HEIGHT = 420
MAP_PADDING = 40
MIN_RADIUS = 4.0
MAX_RADIUS = 20.0
# Labels: 14 px text, measured generously so that an estimate never undershoots.
LABEL_CHAR_WIDTH = 7.8
LABEL_HEIGHT = 18.0
LABEL_GAP = 4.0  # between a marker and its label
LABEL_ROW = 22.0  # rows of labels below the map, when no place on it is free
# How far from its marker a label may move (then with a leader line), nearest first.
LABEL_DISTANCES = (0.0, 10.0, 22.0, 36.0, 52.0, 70.0, 92.0, 118.0, 150.0)
# Directions to try at each distance: right, left, above, below, then the diagonals.
LABEL_DIRECTIONS = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1))


def label_width(text: str) -> float:
    return len(text) * LABEL_CHAR_WIDTH + 4


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
    markers = []
    # Large markers first, so smaller ones are drawn over them and stay visible.
    for place, lat, lon in sorted(located, key=lambda item: -item[0].count):
        share = place.count / largest if largest else 0.0
        markers.append(
            _Marker(
                label=shorten(text_of(place.label, locale, fallback), MAX_MAP_LABEL),
                place=place,
                x=round(offset_x + (lon * scale_x - west) * factor, 1),
                y=round(offset_y + (north - lat) * factor, 1),
                r=round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(share), 1),
            )
        )
    dots, height = _labelled(markers)
    return PlaceMap(tuple(dots), MAP_WIDTH, height, len(safety) - len(located))


@dataclasses.dataclass(frozen=True)
class _Marker:
    label: str
    place: PlaceSafety
    x: float
    y: float
    r: float

    @property
    def box(self) -> Box:
        # A triangle reaches further from its centre than a circle of the same area.
        extent = self.r * (1.6 if safety_band(self.place.mean) == Safety.UNSAFE else 1.0)
        return Box(self.x - extent, self.y - extent, self.x + extent, self.y + extent)

    @property
    def text_width(self) -> float:
        # The label is drawn as "name (count)"; a thousands separator may add a character.
        return label_width(f"{self.label} ({self.place.count:,})")


def _labelled(markers: Sequence[_Marker]) -> tuple[list[Dot], int]:
    """Each marker with a label that overlaps no other label and no marker: beside it if
    there is room, else moved away with a leader line, else in rows below the map."""
    taken: list[Box] = [marker.box for marker in markers]
    frame = Box(2, 2, MAP_WIDTH - 2, MAP_HEIGHT - 2)
    dots = []
    below = 0
    # The labels of the places that are drawn first (the largest) get the best spots.
    for marker in markers:
        box = _free_spot(marker, taken, frame)
        if box is None:  # nowhere free on the map: a row of its own below it
            top = MAP_HEIGHT + below * LABEL_ROW + 4
            box = Box(8, top, 8 + marker.text_width, top + LABEL_HEIGHT)
            below += 1
        taken.append(box)
        leftwards = box.right <= marker.x
        dots.append(
            Dot(
                label=marker.label,
                count=marker.place.count,
                mean=marker.place.mean,
                x=marker.x,
                y=marker.y,
                r=marker.r,
                label_x=round(box.right - 2 if leftwards else box.left + 2, 1),
                label_y=round(box.bottom - 5, 1),
                safety=safety_band(marker.place.mean),
                leader=_leader(marker, box),
                anchor="end" if leftwards else "start",
            )
        )
    height = MAP_HEIGHT + (round(below * LABEL_ROW + 8) if below else 0)
    return dots, height


def _free_spot(marker: _Marker, taken: Sequence[Box], frame: Box) -> Box | None:
    width, height = marker.text_width, LABEL_HEIGHT
    for distance in LABEL_DISTANCES:
        reach = (marker.box.right - marker.x) + LABEL_GAP + distance
        for dx, dy in LABEL_DIRECTIONS:
            # The label's near side faces the marker; centred on the axis it moves along.
            if dx > 0:
                left = marker.x + reach
            elif dx < 0:
                left = marker.x - reach - width
            else:
                left = marker.x - width / 2
            if dy > 0:
                top = marker.y + reach
            elif dy < 0:
                top = marker.y - reach - height
            else:
                top = marker.y - height / 2
            box = Box(left, top, left + width, top + height)
            inside = (
                box.left >= frame.left
                and box.right <= frame.right
                and box.top >= frame.top
                and box.bottom <= frame.bottom
            )
            if inside and not any(box.overlaps(other) for other in taken):
                return box
    return None


def _leader(marker: _Marker, box: Box) -> tuple[float, float, float, float] | None:
    """A line from the marker's edge to the nearest point of its label, when it is apart."""
    near_x = min(max(marker.x, box.left), box.right)
    near_y = min(max(marker.y, box.top), box.bottom)
    dx, dy = near_x - marker.x, near_y - marker.y
    length = math.hypot(dx, dy)
    if length <= (marker.box.right - marker.x) + LABEL_GAP + 6:
        return None
    start_x = marker.x + dx / length * marker.r
    start_y = marker.y + dy / length * marker.r
    return (round(start_x, 1), round(start_y, 1), round(near_x, 1), round(near_y, 1))
