"""The lägesbild report: a period's accepted input counted, compared and labelled.

Input counts when it is accepted and was received within the period in the municipality's
own time zone: the period's local midnights become UTC instants, so the filter is exact at
daylight-saving changes and reads a range of ``ix_submissions_report``, an index holding every
column counted here. Whatever the amount of data, the counts come from the same few queries
over that range (see ``bench/report.py``):

- per period (this one and the one before), category x place with the safety ratings' count
  and sum: categories, their groups, places, the place x category matrix and the safety per
  place, from a GROUP BY with a small key;
- per period, one row of filtered counts for the dimensions whose values are known
  beforehand (kinds, submitter types, parts of day, weekdays, commitments): no GROUP BY, so
  no sort, which is where SQLite spends its time;
- the months of receipt of both periods: one range of receipt per local calendar month and
  municipality, joined to the submissions;
- the clusters of the period; the chosen quotes; the input rounds that closed in it.

No free text reaches the report unless a moderator reviewed it, since snapshots freeze the
report and public pages show its quotes: quotes are reviewed public summaries (a chosen quote
whose summary was changed since is left out and listed in ``quotes_awaiting_review``), cluster
titles are reviewed summaries or case references, and input rounds give the number of their
free-text answers, not the texts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_day_names
from flask_babel import force_locale
from sqlalchemy import (
    ColumnElement,
    Integer,
    SQLColumnExpression,
    and_,
    cast,
    column,
    func,
    or_,
    select,
    values,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import CTE

from dialogue.categories.models import Category
from dialogue.config import current_settings
from dialogue.db import DbSession, Localized, UTCDateTime, utcnow
from dialogue.i18n import _l
from dialogue.lagesbild.data import (
    NOT_STATED,
    Breakdown,
    ClusterCount,
    Clusters,
    Dimension,
    Matrix,
    Period,
    PlaceSafety,
    QuoteItem,
    Report,
    Row,
)
from dialogue.lagesbild.models import Quote
from dialogue.municipalities.models import Municipality
from dialogue.places.models import Place
from dialogue.places.services import place_names_of
from dialogue.pledges.models import Commitment
from dialogue.pledges.services import get_current_pledge
from dialogue.rounds.results import round_results, rounds_closing_in
from dialogue.submissions.labels import KIND_LABELS, PART_OF_DAY_LABELS, SUBMITTER_LABELS
from dialogue.submissions.models import (
    PartOfDay,
    Status,
    Submission,
    SubmissionKind,
    SubmitterType,
)
from dialogue.submissions.personal_data import redact
from dialogue.triage.clusters import title_of

__all__ = [
    "LARGEST_CLUSTERS",
    "build_report",
    "default_period",
    "local_midnight",
    "received_between",
]

LARGEST_CLUSTERS = 10
CURRENT, PREVIOUS = "current", "previous"
ONE_DAY = dt.timedelta(days=1)
MONDAY = dt.date(2001, 1, 1)  # any Monday: weekdays are days since it, modulo 7

NO_PLACE = _l("No place from the list")
NO_COMMITMENT = _l("No commitment")
NOT_STATED_LABEL = SUBMITTER_LABELS[SubmitterType.NOT_STATED]  # "Not stated", already translated
# A place in a report over several municipalities, e.g. "Centrum, Falköping".
PLACE_IN_MUNICIPALITY = "%(place)s, %(municipality)s"


# --- the period ---------------------------------------------------------------------------


def default_period(session: DbSession, municipality_id: int, today: dt.date) -> Period:
    """The validity of the published pledge in force today, else of the latest published
    pledge, else the calendar year of ``today``."""
    latest = get_current_pledge(session, municipality_id, today)
    if latest is None:
        return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    return Period(latest.valid_from, latest.valid_to)


def local_midnight(day: dt.date, zone: str) -> dt.datetime:
    """The UTC instant a local calendar day begins."""
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def received_between(period: Period, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants ``[start, end)`` of a period of local dates."""
    return local_midnight(period.start, zone), local_midnight(
        period.end + dt.timedelta(days=1), zone
    )


# --- which submissions count ---------------------------------------------------------------


def _is(column: SQLColumnExpression[int], ids: Sequence[int]) -> ColumnElement[bool]:
    return column == ids[0] if len(ids) == 1 else column.in_(ids)


def _received_in(municipalities: Sequence[Municipality], period: Period) -> ColumnElement[bool]:
    """Received within the period, in each municipality's time zone (usually one for all)."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for municipality in municipalities:
        by_zone[municipality.timezone].append(municipality.id)
    ranges = []
    for zone, ids in by_zone.items():
        start, end = received_between(period, zone)
        ranges.append(
            and_(
                _is(Submission.municipality_id, ids),
                Submission.created_at >= start,
                Submission.created_at < end,
            )
        )
    return ranges[0] if len(ranges) == 1 else or_(*ranges)


def _counted(municipalities: Sequence[Municipality], period: Period) -> ColumnElement[bool]:
    """Accepted input received within the period."""
    return and_(Submission.status == Status.ACCEPTED, _received_in(municipalities, period))


def _iso_weekday(dialect: str) -> ColumnElement[int]:
    """ISO weekday (1 = Monday) of the day it happens: the one dialect-specific expression.

    Both are arithmetic on day numbers, much cheaper per row than formatting the date.
    """
    if dialect == "sqlite":
        # julianday() of a date is its Julian day number less one half; day 0 was a Monday.
        days = cast(func.julianday(Submission.occurred_on), Integer) + 1
    else:
        days = cast(Submission.occurred_on - MONDAY, Integer)
    return (days % 7 + 7) % 7 + 1


def _months(period: Period) -> list[tuple[str, Period]]:
    """The calendar months a period touches, each cut to the period: ("2024-03", days)."""
    months = []
    first = period.start
    while first <= period.end:
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        months.append((f"{first:%Y-%m}", Period(first, min(period.end, following - ONE_DAY))))
        first = following
    return months


def _month_windows(municipalities: Sequence[Municipality], months: Sequence[Period]) -> CTE:
    """A small table (month, municipality_id, received_from, received_before): one row per
    municipality and month, in the municipality's time zone."""
    rows = []
    for number, month in enumerate(months):
        for municipality in municipalities:
            start, end = received_between(month, municipality.timezone)
            rows.append((number, municipality.id, start, end))
    return (
        values(
            column("month", Integer),
            column("municipality_id", Integer),
            column("received_from", UTCDateTime()),
            column("received_before", UTCDateTime()),
            name="months",
        )
        .data(rows)
        .cte("months")
    )


# --- labels -------------------------------------------------------------------------------


def _locales() -> tuple[str, ...]:
    locales: tuple[str, ...] = current_settings().locales
    return locales


def _default_locale() -> str:
    locale: str = current_settings().default_locale
    return locale


def _translated(text: object) -> Localized:
    """A translatable label in every language of the service."""
    labels = {}
    for locale in _locales():
        with force_locale(locale):
            labels[locale] = str(text)
    return labels


def _same(text: str) -> Localized:
    return dict.fromkeys(_locales(), text)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _month_label(key: str) -> Localized:
    first = dt.date.fromisoformat(f"{key}-01")
    return {
        locale: _capitalised(format_date(first, "LLLL y", locale=locale)) for locale in _locales()
    }


def _weekday_label(iso: int) -> Localized:
    return {
        locale: _capitalised(str(get_day_names("wide", locale=locale)[iso - 1]))
        for locale in _locales()
    }


# --- what the counts refer to --------------------------------------------------------------


@dataclass
class _PlaceInfo:
    key: str
    label: Localized
    latitude: float | None
    longitude: float | None


@dataclass
class _Reference:
    """Codes and labels of the categories, places and commitments the counts refer to."""

    category_code: dict[int, str]
    category_label: dict[str, Localized]
    category_group: dict[int, str]  # category id -> its parent's code (its own if top level)
    places: dict[int, _PlaceInfo]
    commitments: dict[int, Localized]

    def __post_init__(self) -> None:
        self._place_labels = {info.key: info.label for info in self.places.values()}

    def place_label(self, key: str) -> Localized:
        if key == NOT_STATED:
            return _translated(NO_PLACE)
        return self._place_labels[key]


def _reference(session: DbSession, municipalities: Sequence[Municipality]) -> _Reference:
    ids = [m.id for m in municipalities]
    order = {m.id: n for n, m in enumerate(municipalities)}
    categories = sorted(
        session.execute(
            select(
                Category.id,
                Category.municipality_id,
                Category.code,
                Category.label,
                Category.parent_id,
            ).where(Category.municipality_id.in_(ids))
        ).all(),
        key=lambda c: (order[c.municipality_id], c.id),
    )
    code = {c.id: c.code for c in categories}
    labels: dict[str, Localized] = {}
    for c in categories:  # codes are shared: the first municipality's label names them
        labels.setdefault(c.code, dict(c.label))
    group = {c.id: code.get(c.parent_id, c.code) if c.parent_id else c.code for c in categories}

    several = len(municipalities) > 1
    by_id = {m.id: m for m in municipalities}
    places = {}
    for p in session.execute(
        select(
            Place.id, Place.municipality_id, Place.slug, Place.name, Place.latitude, Place.longitude
        ).where(Place.municipality_id.in_(ids))
    ):
        municipality = by_id[p.municipality_id]
        if several:
            key = f"{municipality.slug}/{p.slug}"
            label = {
                locale: PLACE_IN_MUNICIPALITY % {"place": p.name, "municipality": municipality.name}
                for locale in _locales()
            }
        else:
            key, label = p.slug, _same(p.name)
        places[p.id] = _PlaceInfo(key, label, p.latitude, p.longitude)

    commitments = {
        c.id: dict(c.text)
        for c in session.execute(
            select(Commitment.id, Commitment.text).where(Commitment.municipality_id.in_(ids))
        )
    }
    return _Reference(code, labels, group, places, commitments)


# --- assembling rows ----------------------------------------------------------------------


class _Tally:
    """Counts per period and key for one dimension."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {CURRENT: Counter(), PREVIOUS: Counter()}

    def add(self, period: str, key: str, count: int) -> None:
        self.counts[period][key] += count

    def row(self, key: str, label: Localized) -> Row:
        return Row(key, label, self.counts[CURRENT][key], self.counts[PREVIOUS][key])

    def by_count(self, label: Callable[[str], Localized]) -> tuple[Row, ...]:
        """Every key counted in either period, most counted first, then by label."""
        keys = self.counts[CURRENT].keys() | self.counts[PREVIOUS].keys()
        return _by_count(self.row(key, label(key)) for key in keys)

    def fixed(self, keys: Sequence[tuple[str, Localized]]) -> tuple[Row, ...]:
        """Every one of ``keys`` in that order, then "not stated" if anything was."""
        rows = [self.row(key, label) for key, label in keys]
        if any(NOT_STATED in counts for counts in self.counts.values()):
            rows.append(self.row(NOT_STATED, _translated(NOT_STATED_LABEL)))
        return tuple(rows)


def _by_count(rows: Iterable[Row]) -> tuple[Row, ...]:
    locale = _default_locale()
    return tuple(
        sorted(rows, key=lambda r: (-r.count, (r.label.get(locale) or "").casefold(), r.key))
    )


# --- the report ---------------------------------------------------------------------------


def build_report(
    session: DbSession,
    municipalities: Sequence[Municipality],
    period: Period,
    *,
    title: str,
    now: dt.datetime | None = None,
) -> Report:
    """The lägesbild of ``municipalities`` (one, or a police area's) over ``period``."""
    if not municipalities:
        raise ValueError("a report needs at least one municipality")
    periods = {CURRENT: period, PREVIOUS: period.previous()}
    dialect = session.get_bind().dialect.name
    reference = _reference(session, municipalities)

    by_place = _ByPlace(reference)
    known = _KnownValues(reference, dialect)
    for name, span in periods.items():
        counted = _counted(municipalities, span)
        by_place.add(
            name,
            session.execute(
                select(
                    Submission.category_id,
                    Submission.place_id,
                    func.count(),
                    func.count(Submission.safety_rating),
                    func.sum(Submission.safety_rating),
                )
                .where(counted)
                .group_by(Submission.category_id, Submission.place_id)
            ).all(),
        )
        known.add(name, session.execute(select(*known.columns).where(counted)).one())

    ids = [m.id for m in municipalities]
    quotes, awaiting = _quotes(session, municipalities, period, reference)
    return Report(
        municipalities=tuple(m.slug for m in municipalities),
        municipality_names=tuple(m.name for m in municipalities),
        title=title,
        period=period,
        previous_period=periods[PREVIOUS],
        total=by_place.totals[CURRENT],
        previous_total=by_place.totals[PREVIOUS],
        breakdowns=(
            Breakdown(
                Dimension.CATEGORY,
                by_place.category.by_count(reference.category_label.__getitem__),
            ),
            Breakdown(
                Dimension.CATEGORY_GROUP,
                by_place.category_group.by_count(reference.category_label.__getitem__),
            ),
            Breakdown(Dimension.PLACE, by_place.place.by_count(reference.place_label)),
            *known.breakdowns(),
            Breakdown(Dimension.MONTH, _by_month(session, municipalities, periods)),
        ),
        safety=by_place.safety(),
        matrix=by_place.matrix(),
        clusters=_clusters(session, municipalities, period),
        rounds=_rounds(session, ids, period),
        quotes=quotes,
        generated_at=now or utcnow(),
        quotes_awaiting_review=awaiting,
    )


class _ByPlace:
    """Counts per category and place: categories, their groups, places, matrix, safety."""

    def __init__(self, reference: _Reference) -> None:
        self.reference = reference
        self.totals: Counter[str] = Counter({CURRENT: 0, PREVIOUS: 0})
        self.category = _Tally()
        self.category_group = _Tally()
        self.place = _Tally()
        # The period only, per place id: the category counts, and the ratings given.
        self.cells: dict[int, Counter[str]] = defaultdict(Counter)
        self.ratings: dict[int, Counter[str]] = defaultdict(Counter)

    def add(self, period: str, rows: Sequence[Any]) -> None:
        reference = self.reference
        for category_id, place_id, count, rated, rating_sum in rows:
            self.totals[period] += count
            code = reference.category_code[category_id]
            self.category.add(period, code, count)
            self.category_group.add(period, reference.category_group[category_id], count)
            if place_id is None:
                self.place.add(period, NOT_STATED, count)
                continue
            self.place.add(period, reference.places[place_id].key, count)
            if period == CURRENT:
                self.cells[place_id][code] += count
                self.ratings[place_id]["rated"] += rated
                self.ratings[place_id]["sum"] += rating_sum or 0

    def safety(self) -> tuple[PlaceSafety, ...]:
        items = []
        for place_id, cells in self.cells.items():
            info = self.reference.places[place_id]
            rated, total = self.ratings[place_id]["rated"], self.ratings[place_id]["sum"]
            items.append(
                PlaceSafety(
                    key=info.key,
                    label=info.label,
                    count=sum(cells.values()),
                    rated=rated,
                    mean=total / rated if rated else None,
                    latitude=info.latitude,
                    longitude=info.longitude,
                )
            )
        locale = _default_locale()
        return tuple(
            sorted(items, key=lambda s: (-s.count, s.label.get(locale, "").casefold(), s.key))
        )

    def matrix(self) -> Matrix:
        """Places x categories of the period's input with a place; cells exact."""
        keys = self.reference.places
        by_key = {keys[place_id].key: cells for place_id, cells in self.cells.items()}
        category_totals: Counter[str] = Counter()
        for cells in by_key.values():
            category_totals.update(cells)
        places = _by_count(
            Row(
                key,
                self.reference.place_label(key),
                sum(cells.values()),
                self.place.counts[PREVIOUS][key],
            )
            for key, cells in by_key.items()
        )
        categories = _by_count(
            Row(code, self.reference.category_label[code], count)
            for code, count in category_totals.items()
        )
        return Matrix(
            places=places,
            categories=categories,
            cells=tuple(tuple(by_key[p.key][c.key] for c in categories) for p in places),
        )


class _KnownValues:
    """Dimensions whose values are known beforehand, counted with one filter per value."""

    def __init__(self, reference: _Reference, dialect: str) -> None:
        self.reference = reference
        weekday = _iso_weekday(dialect)
        self.commitments = sorted(reference.commitments)
        self.keys: list[tuple[_Tally, str]] = []
        self.columns: list[ColumnElement[int]] = [func.count()]
        self.kind, self.submitter, self.part_of_day, self.weekday, self.commitment = (
            _Tally() for _ in range(5)
        )
        values: list[tuple[_Tally, str, ColumnElement[bool]]] = [
            *((self.kind, k.value, Submission.kind == k) for k in SubmissionKind),
            *((self.submitter, s.value, Submission.submitter_type == s) for s in SubmitterType),
            *((self.part_of_day, p.value, Submission.part_of_day == p) for p in PartOfDay),
            *((self.weekday, str(day), weekday == day) for day in range(1, 8)),
            (self.commitment, NOT_STATED, Submission.commitment_id.is_(None)),
            *(
                (self.commitment, str(cid), Submission.commitment_id == cid)
                for cid in self.commitments
            ),
        ]
        for tally, key, condition in values:
            self.keys.append((tally, key))
            self.columns.append(func.count().filter(condition))

    def add(self, period: str, row: Sequence[int]) -> None:
        total, *counts = row
        for (tally, key), count in zip(self.keys, counts, strict=True):
            if count:
                tally.add(period, key, count)
        # What was not stated is what no value counted.
        for tally in (self.part_of_day, self.weekday):
            stated = sum(tally.counts[period].values()) - tally.counts[period][NOT_STATED]
            if total - stated:
                tally.add(period, NOT_STATED, total - stated)

    def breakdowns(self) -> tuple[Breakdown, ...]:
        commitments = self.reference.commitments

        def commitment_label(key: str) -> Localized:
            return _translated(NO_COMMITMENT) if key == NOT_STATED else commitments[int(key)]

        return (
            Breakdown(Dimension.COMMITMENT, self.commitment.by_count(commitment_label)),
            Breakdown(
                Dimension.KIND,
                self.kind.by_count(lambda k: _translated(KIND_LABELS[SubmissionKind(k)])),
            ),
            Breakdown(
                Dimension.SUBMITTER_TYPE,
                self.submitter.by_count(lambda k: _translated(SUBMITTER_LABELS[SubmitterType(k)])),
            ),
            Breakdown(
                Dimension.PART_OF_DAY,
                self.part_of_day.fixed(
                    [(p.value, _translated(PART_OF_DAY_LABELS[p])) for p in PartOfDay]
                ),
            ),
            Breakdown(
                Dimension.WEEKDAY,
                self.weekday.fixed([(str(d), _weekday_label(d)) for d in range(1, 8)]),
            ),
        )


def _by_month(
    session: DbSession, municipalities: Sequence[Municipality], periods: dict[str, Period]
) -> tuple[Row, ...]:
    """Every month of the period; month n compares with month n of the period before."""
    current, previous = _months(periods[CURRENT]), _months(periods[PREVIOUS])
    months = _month_windows(municipalities, [span for _key, span in current + previous])
    # A count per month and municipality, each an index-only range scan: no join to plan
    # (PostgreSQL cannot estimate ranges joined to a VALUES list) and no sort.
    in_month = (
        select(func.count())
        .where(
            Submission.municipality_id == months.c.municipality_id,
            Submission.status == Status.ACCEPTED,
            Submission.created_at >= months.c.received_from,
            Submission.created_at < months.c.received_before,
        )
        .scalar_subquery()
    )
    rows: Sequence[Any] = session.execute(select(months.c.month, in_month)).all()
    counts: Counter[int] = Counter()
    for number, count in rows:
        counts[number] += count
    return tuple(
        Row(
            key=key,
            label=_month_label(key),
            count=counts[n],
            previous=counts[len(current) + n] if n < len(previous) else 0,
        )
        for n, (key, _span) in enumerate(current)
    )


def _clusters(
    session: DbSession, municipalities: Sequence[Municipality], period: Period
) -> Clusters:
    # Counted first (from the covering index), then named: joined first, PostgreSQL would
    # read the clustered submissions' rows through the cluster index instead.
    counted = (
        select(Submission.cluster_id, func.count().label("count"))
        .where(_counted(municipalities, period), Submission.cluster_id.is_not(None))
        .group_by(Submission.cluster_id)
        .subquery()
    )
    # Named as :func:`cluster_title` names it, from the cluster's first submission: a reviewed
    # public summary or a case reference, whatever title was stored before.
    first = aliased(Submission)
    first_id = (
        select(Submission.id)
        .where(Submission.cluster_id == counted.c.cluster_id)
        .order_by(Submission.created_at, Submission.id)
        .limit(1)
        .scalar_subquery()
    )
    rows: Sequence[Any] = session.execute(
        select(
            counted.c.cluster_id,
            counted.c.count,
            first.reference,
            first.public_summary,
            first.summary_reviewed_at,
        ).join(first, first.id == first_id)
    ).all()
    ranked = sorted(rows, key=lambda row: (-row.count, row.cluster_id))
    return Clusters(
        clusters=len(ranked),
        clustered=sum(row.count for row in ranked),
        largest=tuple(
            ClusterCount(
                key=str(row.cluster_id),
                title=title_of(
                    row.reference,
                    row.public_summary if row.summary_reviewed_at is not None else None,
                ),
                count=row.count,
            )
            for row in ranked[:LARGEST_CLUSTERS]
        ),
    )


def _quotes(
    session: DbSession,
    municipalities: Sequence[Municipality],
    period: Period,
    reference: _Reference,
) -> tuple[tuple[QuoteItem, ...], tuple[str, ...]]:
    """Chosen quotes of accepted input received in the period whose public summary a
    moderator has reviewed, and the references of those left out for want of a review."""
    # The few chosen quotes drive the query; the period is checked here, since a range on
    # created_at would tempt SQLite into reading the period's submissions instead.
    received = {m.id: received_between(period, m.timezone) for m in municipalities}
    rows = session.execute(
        select(
            Submission.municipality_id,
            Submission.created_at,
            Submission.reference,
            Submission.public_summary,
            Submission.summary_reviewed_at,
            Submission.category_id,
            Submission.place_id,
        )
        .select_from(Quote)
        .join(
            Submission,
            and_(
                Submission.id == Quote.submission_id,
                Submission.municipality_id == Quote.municipality_id,
            ),
        )
        .where(
            _is(Quote.municipality_id, list(received)),
            Submission.status == Status.ACCEPTED,
            Submission.public_summary.is_not(None),
        )
        .order_by(Submission.created_at, Submission.id)
    ).all()
    quotes = []
    awaiting = []
    places = place_names_of(session, {row.municipality_id for row in rows}) if rows else {}
    for row in rows:
        start, end = received[row.municipality_id]
        # Summaries are masked when moderators save them; once more costs little.
        text = redact(row.public_summary.strip(), places=places[row.municipality_id])
        if not start <= row.created_at < end or not text:
            continue
        if row.summary_reviewed_at is None:  # edited since it was chosen: not published
            awaiting.append(row.reference)
            continue
        place = reference.places.get(row.place_id) if row.place_id else None
        quotes.append(
            QuoteItem(
                reference=row.reference,
                text=text,
                category=reference.category_label[reference.category_code[row.category_id]],
                place=place.label if place else None,
                reviewed_at=row.summary_reviewed_at.isoformat(),
            )
        )
    return tuple(quotes), tuple(awaiting)


def _rounds(session: DbSession, municipality_ids: Sequence[int], period: Period) -> tuple[Any, ...]:
    """Each input round that closed within the period, with its aggregated answers."""
    return tuple(
        round_results(session, found.municipality_id, found.id).to_json()
        for found in rounds_closing_in(session, municipality_ids, period.start, period.end)
    )
