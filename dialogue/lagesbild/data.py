"""What a lägesbild report holds: plain frozen values, the same live and in a snapshot.

Labels are stored in every language (``Localized``), so a frozen snapshot reads the same in
Swedish and English years later, whatever was renamed since. Counts here are exact: public
pages pass a report through :mod:`dialogue.lagesbild.suppression` first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum
from typing import Any

from dialogue.db import Localized

# Bump when the JSON shape changes; snapshots keep the version they had. 2: quotes say when
# their summary was reviewed, rounds give the number of free-text answers instead of the texts.
# 3: the municipalities' names beside their slugs.
REPORT_FORMAT = 3


class Dimension(StrEnum):
    CATEGORY = "category"
    CATEGORY_GROUP = "category_group"
    PLACE = "place"
    COMMITMENT = "commitment"
    KIND = "kind"
    SUBMITTER_TYPE = "submitter_type"
    PART_OF_DAY = "part_of_day"  # as the submitter stated it; "not_stated" otherwise
    WEEKDAY = "weekday"  # of the date it happens (ISO 1-7); "not_stated" otherwise
    MONTH = "month"  # of receipt, in the municipality's time zone: "2024-03"


NOT_STATED = "not_stated"


@dataclasses.dataclass(frozen=True)
class Period:
    """Local calendar dates, both inclusive."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period before this one: as many whole months back when it is whole months
        (so a calendar year compares with the year before), else as many days."""
        end = self.start - dt.timedelta(days=1)
        months = self._whole_months()
        if months:
            return Period(_first_of_month(self.start, -months), end)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def _whole_months(self) -> int:
        if self.start.day != 1 or (self.end + dt.timedelta(days=1)).day != 1:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Period:
        return cls(dt.date.fromisoformat(data["start"]), dt.date.fromisoformat(data["end"]))


@dataclasses.dataclass(frozen=True)
class Row:
    """One value of a dimension: its count now and in the previous period."""

    key: str
    label: Localized
    count: int
    previous: int = 0

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclasses.dataclass(frozen=True)
class Breakdown:
    dimension: Dimension
    rows: tuple[Row, ...]

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)

    @property
    def previous_total(self) -> int:
        return sum(row.previous for row in self.rows)


@dataclasses.dataclass(frozen=True)
class PlaceSafety:
    """Mean "how safe do you feel" (1-5) of accepted input at a place, for the map and list."""

    key: str
    label: Localized
    count: int  # accepted submissions at the place
    rated: int  # of which gave a safety rating
    mean: float | None
    latitude: float | None
    longitude: float | None


@dataclasses.dataclass(frozen=True)
class Matrix:
    """Place x category: ``cells[i][j]`` counts place ``places[i]`` and category
    ``categories[j]``; the rows' and columns' ``count`` are their totals."""

    places: tuple[Row, ...]
    categories: tuple[Row, ...]
    cells: tuple[tuple[int, ...], ...]


@dataclasses.dataclass(frozen=True)
class ClusterCount:
    key: str
    title: str  # written by moderators: internal views only
    count: int


@dataclasses.dataclass(frozen=True)
class Clusters:
    """Clusters count as the submissions they hold: ``clustered`` is part of ``total``."""

    clusters: int
    clustered: int
    largest: tuple[ClusterCount, ...]


@dataclasses.dataclass(frozen=True)
class QuoteItem:
    """A moderator-chosen quote: only ever the redacted public summary, as reviewed."""

    reference: str
    text: str
    category: Localized
    place: Localized | None
    # When a moderator marked the summary reviewed (ISO 8601). Snapshots frozen before
    # summaries were reviewed have none, and the public view leaves their quotes out.
    reviewed_at: str | None = None


@dataclasses.dataclass(frozen=True)
class Report:
    municipalities: tuple[str, ...]  # slugs: one, or every one of a police area
    title: str  # the municipality's or the police area's name
    period: Period
    previous_period: Period
    total: int
    previous_total: int
    breakdowns: tuple[Breakdown, ...]
    safety: tuple[PlaceSafety, ...]
    matrix: Matrix
    clusters: Clusters
    # Each round that closed within the period: ``RoundResults.to_json()``.
    rounds: tuple[dict[str, Any], ...]
    quotes: tuple[QuoteItem, ...]
    generated_at: dt.datetime
    # Chosen quotes left out because their summary is not reviewed (edited since): references.
    quotes_awaiting_review: tuple[str, ...] = ()
    # The municipalities' names, in the order of ``municipalities``; empty in snapshots
    # frozen before format 3.
    municipality_names: tuple[str, ...] = ()

    @property
    def has_previous_data(self) -> bool:
        """Whether the previous period has anything to compare with. With no accepted input
        at all (typically: before the service started) a change would only repeat this
        period's counts with a plus sign."""
        return self.previous_total > 0

    def breakdown(self, dimension: Dimension) -> Breakdown:
        return next(b for b in self.breakdowns if b.dimension == dimension)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["format"] = REPORT_FORMAT
        data["period"] = self.period.to_json()
        data["previous_period"] = self.previous_period.to_json()
        data["generated_at"] = self.generated_at.isoformat()
        encoded: dict[str, Any] = _lists(data)
        return encoded

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        def rows(items: list[dict[str, Any]]) -> tuple[Row, ...]:
            return tuple(Row(**item) for item in items)

        matrix = data["matrix"]
        clusters = data["clusters"]
        return cls(
            municipalities=tuple(data["municipalities"]),
            title=data["title"],
            period=Period.from_json(data["period"]),
            previous_period=Period.from_json(data["previous_period"]),
            total=data["total"],
            previous_total=data["previous_total"],
            breakdowns=tuple(
                Breakdown(Dimension(b["dimension"]), rows(b["rows"])) for b in data["breakdowns"]
            ),
            safety=tuple(PlaceSafety(**item) for item in data["safety"]),
            matrix=Matrix(
                places=rows(matrix["places"]),
                categories=rows(matrix["categories"]),
                cells=tuple(tuple(line) for line in matrix["cells"]),
            ),
            clusters=Clusters(
                clusters=clusters["clusters"],
                clustered=clusters["clustered"],
                largest=tuple(ClusterCount(**item) for item in clusters["largest"]),
            ),
            rounds=tuple(data["rounds"]),
            quotes=tuple(QuoteItem(**item) for item in data["quotes"]),
            generated_at=dt.datetime.fromisoformat(data["generated_at"]),
            quotes_awaiting_review=tuple(data.get("quotes_awaiting_review", ())),
            municipality_names=tuple(data.get("municipality_names", ())),
        )


def _first_of_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _lists(value: Any) -> Any:
    """Tuples as lists and enums as their values: what JSON gives back when read."""
    if isinstance(value, dict):
        return {str(k): _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    return value
