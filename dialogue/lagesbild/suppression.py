"""The public view of a report: small numbers suppressed so that no one can be singled out.

Every count below the municipality's threshold is shown as "fewer than N" (``SMALL``). That
alone is not enough: a published total minus the other published rows would give a suppressed
row back. So, for every line of numbers that add up (a breakdown and its total, a row or a
column of the place x category matrix and its total, the totals of the margins), more cells are
hidden (``HIDDEN``, complementary suppression) until none can be worked out:

* a line never has exactly one unknown;
* the unknown rows of a line with a published total add up to zero or to at least the
  threshold, so the attacker learns no small group either;
* a line whose unknowns are all "fewer than N" must not add up to exactly ``k * (N - 1)``,
  which would give every one of them (each is at most N - 1);
* finally, an exact check over every line at once (the matrix's rows and columns together):
  a hidden cell whose value follows from the published numbers by any linear combination gets
  a partner hidden beside it.

Zero counts are treated as below the threshold: they are shown as "fewer than N", which is
true, and a published 0 beside a published total would otherwise help the subtraction. A
hidden 0 does not count as protection of a small neighbour, though: the second rule asks the
unknowns of a line to add up to at least the threshold.

The same quantity published twice (a place in the breakdown, as a matrix margin and in the
safety list) is hidden everywhere or nowhere, and when two publications of the "same" thing
differ (the matrix may cover fewer places), their difference is a count too and is protected
like any other. Rows are listed in an order that does not reveal hidden sizes.

Cluster titles, cluster counts and input rounds' results (free texts) are not part of the
public view at all, nor the category groups (their sums over categories are not in the report
as a relation we could protect). Quotes are moderators' redacted public summaries, and only
those a moderator marked reviewed: a quote without ``reviewed_at`` (a snapshot frozen before
summaries were reviewed) is left out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from enum import StrEnum

from dialogue.db import Localized
from dialogue.lagesbild.data import Breakdown, Dimension, Period, Report

# Dimensions published, in this order; category groups are internal (see module docstring).
PUBLIC_DIMENSIONS: tuple[Dimension, ...] = (
    Dimension.CATEGORY,
    Dimension.PLACE,
    Dimension.COMMITMENT,
    Dimension.KIND,
    Dimension.SUBMITTER_TYPE,
    Dimension.PART_OF_DAY,
    Dimension.WEEKDAY,
    Dimension.MONTH,
)
# Dimensions with an order of their own; the others list published rows by size.
_NATURAL_ORDER = frozenset({Dimension.PART_OF_DAY, Dimension.WEEKDAY, Dimension.MONTH})
_PRIME = (1 << 61) - 1  # exact for the 0/±1 systems here


class Shown(StrEnum):
    EXACT = "exact"
    SMALL = "small"  # below the threshold: "fewer than N"
    HIDDEN = "hidden"  # at least the threshold, hidden so that small ones stay hidden


@dataclasses.dataclass(frozen=True)
class PublicCount:
    """A count as the public may see it: ``value`` is None unless it is shown exactly."""

    shown: Shown
    value: int | None
    threshold: int

    @property
    def is_exact(self) -> bool:
        return self.shown == Shown.EXACT


@dataclasses.dataclass(frozen=True)
class PublicRow:
    key: str
    label: Localized
    count: PublicCount
    previous: PublicCount

    @property
    def change(self) -> int | None:
        """Only when both sides are shown: a change would otherwise give a hidden side away."""
        if self.count.value is None or self.previous.value is None:
            return None
        return self.count.value - self.previous.value


@dataclasses.dataclass(frozen=True)
class PublicBreakdown:
    dimension: Dimension
    rows: tuple[PublicRow, ...]
    total: PublicCount
    previous_total: PublicCount

    def top(self, limit: int) -> tuple[PublicRow, ...]:
        """The largest rows shown exactly (hidden ones are never "top")."""
        shown = [row for row in self.rows if row.count.value and row.key != "not_stated"]
        shown.sort(key=lambda row: (-(row.count.value or 0), row.key))
        return tuple(shown[:limit])


@dataclasses.dataclass(frozen=True)
class PublicPlaceSafety:
    key: str
    label: Localized
    count: PublicCount
    mean: float | None  # only when at least ``threshold`` people rated the place
    latitude: float | None
    longitude: float | None


@dataclasses.dataclass(frozen=True)
class PublicLine:
    key: str
    label: Localized
    count: PublicCount


@dataclasses.dataclass(frozen=True)
class PublicMatrix:
    places: tuple[PublicLine, ...]
    categories: tuple[PublicLine, ...]
    cells: tuple[tuple[PublicCount, ...], ...]
    total: PublicCount

    @property
    def is_empty(self) -> bool:
        return not self.places or not self.categories


@dataclasses.dataclass(frozen=True)
class PublicQuote:
    """A redacted public summary; the submission's reference is not shown."""

    text: str
    category: Localized
    place: Localized | None


@dataclasses.dataclass(frozen=True)
class PublicReport:
    municipalities: tuple[str, ...]
    title: str
    period: Period
    previous_period: Period
    threshold: int
    total: PublicCount
    previous_total: PublicCount
    breakdowns: tuple[PublicBreakdown, ...]
    safety: tuple[PublicPlaceSafety, ...]
    matrix: PublicMatrix
    quotes: tuple[PublicQuote, ...]
    generated_at: dt.datetime
    has_input: bool  # any accepted input at all: pages show an empty state otherwise

    @property
    def total_change(self) -> int | None:
        if self.total.value is None or self.previous_total.value is None:
            return None
        return self.total.value - self.previous_total.value

    def breakdown(self, dimension: Dimension) -> PublicBreakdown | None:
        return next((b for b in self.breakdowns if b.dimension == dimension), None)


# The arithmetic: quantities, the lines they add up in, and which of them to hide.


@dataclasses.dataclass
class _Line:
    members: list[int]  # add up to ``total``
    total: int


class Ledger:
    """Quantities to publish and the sums that relate them; :meth:`solve` picks what to hide.

    Public for the tests, which attack what it publishes.
    """

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.values: list[int] = []
        self.lines: list[_Line] = []
        self.small: set[int] = set()
        self.hidden: set[int] = set()
        self._concepts: dict[Hashable, list[int]] = {}

    def quantity(self, value: int, concept: Hashable | None = None) -> int:
        """A number to publish; the same ``concept`` with the same value is one quantity."""
        known = self._concepts.get(concept, []) if concept is not None else []
        for index in known:
            if self.values[index] == value:
                return index
        index = self._add(value)
        for other in known:
            # The "same" thing counted differently: the difference is a count as well.
            big, small = (index, other) if value > self.values[other] else (other, index)
            difference = self._add(self.values[big] - self.values[small])
            self.lines.append(_Line([small, difference], big))
        if concept is not None:
            self._concepts.setdefault(concept, []).append(index)
        return index

    def line(self, members: Iterable[int], total: int) -> None:
        """``members`` add up to ``total``."""
        self.lines.append(_Line(list(members), total))

    def _add(self, value: int) -> int:
        self.values.append(value)
        index = len(self.values) - 1
        if value < self.threshold:
            self.small.add(index)
            self.hidden.add(index)
        return index

    def count(self, index: int) -> PublicCount:
        if index in self.small:
            return PublicCount(Shown.SMALL, None, self.threshold)
        if index in self.hidden:
            return PublicCount(Shown.HIDDEN, None, self.threshold)
        return PublicCount(Shown.EXACT, self.values[index], self.threshold)

    def solve(self) -> None:
        """Hide more until no hidden value can be worked out from what is shown."""
        while True:
            if any(self._protect_line(line) for line in self.lines):
                continue
            if not self._protect_determined():
                return

    def _protect_line(self, line: _Line) -> bool:
        everything = [*line.members, line.total]
        unknown = [i for i in everything if i in self.hidden]
        if not unknown or len(unknown) == len(everything):
            return False
        if len(unknown) == 1 or (line.total not in self.hidden and self._leaks_sum(line)):
            return self._hide_partner([line], exclude=set())
        return False

    def _leaks_sum(self, line: _Line) -> bool:
        hidden_rows = [i for i in line.members if i in self.hidden]
        total = sum(self.values[i] for i in hidden_rows)
        if 0 < total < self.threshold:
            return True
        all_small = all(i in self.small for i in hidden_rows)
        return (
            all_small and len(hidden_rows) > 1 and total == len(hidden_rows) * (self.threshold - 1)
        )

    def _hide_partner(self, lines: Sequence[_Line], exclude: set[int]) -> bool:
        """Hide the smallest shown row of ``lines`` (their total only if no row is left)."""
        for pick_totals in (False, True):
            candidates = [
                index
                for line in lines
                for index in ([line.total] if pick_totals else line.members)
                if index not in self.hidden and index not in exclude
            ]
            if candidates:
                self.hidden.add(min(candidates, key=lambda i: (self.values[i], i)))
                return True
        return False

    def _protect_determined(self) -> bool:
        for index in sorted(determined(self)):
            lines = [line for line in self.lines if index in (*line.members, line.total)]
            if self._hide_partner(lines, exclude=set()):
                return True
        return False


def determined(ledger: Ledger) -> set[int]:
    """Hidden quantities whose value follows from the shown ones: the attacker's algebra.

    Each line is an equation over the hidden quantities (shown ones are constants). A hidden
    quantity is determined exactly when its unit vector lies in the equations' row space,
    i.e. when the reduced row echelon form has a row with that single entry.
    """
    rows: list[dict[int, int]] = []
    for line in ledger.lines:
        row: dict[int, int] = {}
        for index, sign in [*((m, 1) for m in line.members), (line.total, -1)]:
            if index in ledger.hidden:
                row[index] = (row.get(index, 0) + sign) % _PRIME
        row = {k: v for k, v in row.items() if v}
        if row:
            rows.append(row)
    reduced: list[tuple[int, dict[int, int]]] = []  # (pivot, row with pivot coefficient 1)
    for equation in rows:
        for pivot, pivot_row in reduced:
            factor = equation.get(pivot)
            if factor:
                _subtract(equation, pivot_row, factor)
        if not equation:
            continue
        pivot = min(equation)
        inverse = pow(equation[pivot], _PRIME - 2, _PRIME)
        normal = {k: v * inverse % _PRIME for k, v in equation.items()}
        for _other_pivot, other in reduced:
            factor = other.get(pivot)
            if factor:
                _subtract(other, normal, factor)
        reduced.append((pivot, normal))
    return {pivot for pivot, row in reduced if len(row) == 1}


def _subtract(row: dict[int, int], other: dict[int, int], factor: int) -> None:
    for key, value in other.items():
        updated = (row.get(key, 0) - factor * value) % _PRIME
        if updated:
            row[key] = updated
        else:
            row.pop(key, None)


# Building the public view of a report.


@dataclasses.dataclass
class _Side:
    """The quantities of one period (current or previous) of a report."""

    ledger: Ledger
    total: int
    breakdowns: dict[Dimension, tuple[list[int], int]]
    safety: list[int]
    matrix_cells: list[list[int]]
    matrix_places: list[int]
    matrix_categories: list[int]
    matrix_total: int


def _side(report: Report, threshold: int, *, previous: bool) -> _Side:
    ledger = Ledger(threshold)
    side = "previous" if previous else "current"
    total = ledger.quantity(report.previous_total if previous else report.total, ("total", side))
    breakdowns: dict[Dimension, tuple[list[int], int]] = {}
    for breakdown in _public_breakdowns(report):
        rows = [
            ledger.quantity(
                row.previous if previous else row.count, ("row", breakdown.dimension, row.key, side)
            )
            for row in breakdown.rows
        ]
        sub_total = ledger.quantity(
            breakdown.previous_total if previous else breakdown.total, ("total", side)
        )
        ledger.line(rows, sub_total)
        breakdowns[breakdown.dimension] = (rows, sub_total)
    safety: list[int] = []
    cells: list[list[int]] = []
    places: list[int] = []
    categories: list[int] = []
    matrix_total = total
    if not previous:
        safety = [
            ledger.quantity(item.count, ("row", Dimension.PLACE, item.key, side))
            for item in report.safety
        ]
        matrix = report.matrix
        cells = [[ledger.quantity(value) for value in line] for line in matrix.cells]
        places = [
            ledger.quantity(sum(line), ("row", Dimension.PLACE, row.key, side))
            for row, line in zip(matrix.places, matrix.cells, strict=True)
        ]
        column_sums = [sum(column) for column in zip(*matrix.cells, strict=True)] or [
            0 for _ in matrix.categories
        ]
        categories = [
            ledger.quantity(value, ("row", Dimension.CATEGORY, row.key, side))
            for row, value in zip(matrix.categories, column_sums, strict=True)
        ]
        matrix_total = ledger.quantity(sum(map(sum, matrix.cells)), ("total", side))
        for line, place in zip(cells, places, strict=True):
            ledger.line(line, place)
        for j, category in enumerate(categories):
            ledger.line([line[j] for line in cells], category)
        if places:
            ledger.line(places, matrix_total)
            ledger.line(categories, matrix_total)
            # Implied by the rows, but stated so the hidden cells' sum is checked as a whole.
            ledger.line([cell for line in cells for cell in line], matrix_total)
    ledger.solve()
    return _Side(ledger, total, breakdowns, safety, cells, places, categories, matrix_total)


def _public_breakdowns(report: Report) -> list[Breakdown]:
    present = {b.dimension: b for b in report.breakdowns}
    return [present[d] for d in PUBLIC_DIMENSIONS if d in present]


def _order(dimension: Dimension, rows: list[PublicRow]) -> tuple[PublicRow, ...]:
    """Shown rows by size, then hidden ones by key: a position reveals nothing hidden."""
    if dimension in _NATURAL_ORDER:
        return tuple(rows)
    return tuple(sorted(rows, key=lambda r: (r.count.value is None, -(r.count.value or 0), r.key)))


def suppress(report: Report, threshold: int) -> PublicReport:
    """The public view of ``report``: exact numbers only where no one can be singled out."""
    threshold = max(threshold, 1)
    now = _side(report, threshold, previous=False)
    before = _side(report, threshold, previous=True)
    breakdowns = []
    for breakdown in _public_breakdowns(report):
        rows, total = now.breakdowns[breakdown.dimension]
        previous_rows, previous_total = before.breakdowns[breakdown.dimension]
        public_rows = [
            PublicRow(
                row.key, row.label, now.ledger.count(index), before.ledger.count(previous_index)
            )
            for row, index, previous_index in zip(breakdown.rows, rows, previous_rows, strict=True)
        ]
        breakdowns.append(
            PublicBreakdown(
                breakdown.dimension,
                _order(breakdown.dimension, public_rows),
                now.ledger.count(total),
                before.ledger.count(previous_total),
            )
        )
    safety = sorted(
        (
            PublicPlaceSafety(
                item.key,
                item.label,
                now.ledger.count(index),
                round(item.mean, 1) if item.mean is not None and item.rated >= threshold else None,
                item.latitude,
                item.longitude,
            )
            for item, index in zip(report.safety, now.safety, strict=True)
        ),
        key=lambda item: (item.count.value is None, -(item.count.value or 0), item.key),
    )
    return PublicReport(
        municipalities=report.municipalities,
        title=report.title,
        period=report.period,
        previous_period=report.previous_period,
        threshold=threshold,
        total=now.ledger.count(now.total),
        previous_total=before.ledger.count(before.total),
        breakdowns=tuple(breakdowns),
        safety=tuple(safety),
        matrix=_public_matrix(report, now),
        quotes=tuple(
            PublicQuote(quote.text, quote.category, quote.place)
            for quote in report.quotes
            if quote.text.strip() and quote.reviewed_at is not None
        ),
        generated_at=report.generated_at,
        has_input=report.total > 0,
    )


def _public_matrix(report: Report, side: _Side) -> PublicMatrix:
    ledger = side.ledger
    matrix = report.matrix

    def ordered(indices: list[int], keys: list[str]) -> list[int]:
        def position(n: int) -> tuple[bool, int, str]:
            count = ledger.count(indices[n])
            return (count.value is None, -(count.value or 0), keys[n])

        return sorted(range(len(indices)), key=position)

    place_order = ordered(side.matrix_places, [row.key for row in matrix.places])
    category_order = ordered(side.matrix_categories, [row.key for row in matrix.categories])
    return PublicMatrix(
        places=tuple(
            PublicLine(
                matrix.places[i].key, matrix.places[i].label, ledger.count(side.matrix_places[i])
            )
            for i in place_order
        ),
        categories=tuple(
            PublicLine(
                matrix.categories[j].key,
                matrix.categories[j].label,
                ledger.count(side.matrix_categories[j]),
            )
            for j in category_order
        ),
        cells=tuple(
            tuple(ledger.count(side.matrix_cells[i][j]) for j in category_order)
            for i in place_order
        ),
        total=ledger.count(side.matrix_total),
    )
