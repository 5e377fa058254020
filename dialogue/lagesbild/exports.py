"""The lägesbild as files: the report as CSV, XLSX and JSON, and EST's list of accepted input.

CSV files are UTF-8 with a byte order mark and ``;`` between fields, which is what Excel with
Swedish settings opens directly (Swedish characters intact, one value per column). Decimals are
written with a point so the files stay machine-readable. The report is small and held in
memory; the EST list can be long, so it is read with a server-side cursor in batches and
written as it is read (CSV) or through a temporary file (XLSX): memory stays flat.

Free text leaves only when a moderator has reviewed it: EST's "what" is the public summary once
a moderator marked it reviewed, and empty otherwise; "where" is the place from the gazetteer,
never the location in the submitter's own words. The submitted text, contact details and notes
are never read. Text cells that a spreadsheet would take for a formula are written as text.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pyproj
from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import and_, or_, select

from dialogue.categories.models import Category
from dialogue.db import DbSession
from dialogue.i18n import _
from dialogue.lagesbild.charts import DIMENSION_ORDER, DIMENSION_TITLES, text_of
from dialogue.lagesbild.data import Period, Report
from dialogue.municipalities.models import Municipality
from dialogue.places.models import Place
from dialogue.places.services import place_names_of
from dialogue.rounds.scale import SCALE
from dialogue.submissions.labels import KIND_LABELS, PART_OF_DAY_LABELS
from dialogue.submissions.models import Status, Submission
from dialogue.submissions.personal_data import redact

BOM = "\ufeff"
DELIMITER = ";"
BATCH = 1000
CHUNK = 64 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# WGS84 longitude/latitude to SWEREF 99 TM easting/northing, made once (thread-safe).
@functools.cache
def to_sweref() -> pyproj.Transformer:
    """WGS84 to SWEREF 99 TM, made on the first EST export rather than when the app starts."""
    return pyproj.Transformer.from_crs(4326, 3006, always_xy=True)


# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters a worksheet's name may not hold.
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
MAX_SHEET_NAME = 31
# Column widths in characters of the default font: room beside the longest value, a bold
# heading a little wider than its letters, and a limit past which long text wraps instead.
COLUMN_PADDING = 2
BOLD_FACTOR = 1.15
MAX_COLUMN_WIDTH = 60


def _csv_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv_lines(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def csv_file(rows: Iterable[Sequence[Any]]) -> bytes:
    """A whole small table as a CSV file: the byte order mark, then the lines."""
    return BOM.encode("utf-8") + _csv_lines(rows)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return _csv_text(value)


# The report ----------------------------------------------------------------------------------


def report_rows(report: Report, locale: str, fallback: str) -> list[list[Any]]:
    """The report as one tidy table: dimension, key, label, count, previous (header first)."""
    with force_locale(locale):
        rows: list[list[Any]] = [
            [_("Dimension"), _("Key"), _("Label"), _("Count"), _("Previous period")],
            [_("All accepted input"), "total", _("Total"), report.total, report.previous_total],
        ]
        for dimension in DIMENSION_ORDER:
            breakdown = next((b for b in report.breakdowns if b.dimension == dimension), None)
            if breakdown is None:
                continue
            name = str(DIMENSION_TITLES[dimension])
            rows += [
                [name, row.key, text_of(row.label, locale, fallback), row.count, row.previous]
                for row in breakdown.rows
            ]
    return rows


def report_csv(report: Report, locale: str, fallback: str) -> Iterator[bytes]:
    """The tidy table as CSV: the byte order mark first, then ``;``-separated lines."""
    yield BOM.encode("utf-8")
    yield _csv_lines(report_rows(report, locale, fallback))


def report_json(report: Report) -> bytes:
    """The report exactly as ``Report.to_json`` gives it, UTF-8."""
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2).encode("utf-8")


class _Sheets:
    """A write-only workbook whose sheets read well when opened: a bold header row that stays
    in view and repeats on every printed page, an autofilter over the table, and columns as
    wide as what they hold (dates never "###"). Text stays text; numbers stay numbers."""

    def __init__(self) -> None:
        self.book = Workbook(write_only=True)
        self.bold = Font(bold=True)
        self.wrapped = Alignment(wrap_text=True, vertical="top")
        self.names: set[str] = set()

    def table(self, title: Any, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
        """A whole small table at once: its columns fitted to every value."""
        lines = [list(row) for row in rows]
        sheet = self.sheet(title, header, widths=fitted_widths(header, lines))
        for line in lines:
            self.append(sheet, line)
        self.close(sheet, len(header), len(lines))

    def sheet(self, title: Any, header: Sequence[Any], *, widths: Sequence[float]) -> Any:
        """A new sheet with ``header`` written; rows are added with :meth:`append`."""
        name = str(title).translate(_SHEET_FORBIDDEN).strip()[:MAX_SHEET_NAME] or "-"
        base, number = name, 2
        while name.lower() in self.names:
            suffix = f" ({number})"
            name, number = base[: MAX_SHEET_NAME - len(suffix)] + suffix, number + 1
        self.names.add(name.lower())
        sheet = self.book.create_sheet(name)
        # A write-only sheet takes its column widths and panes before its first row.
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        sheet.append([self.cell(sheet, value, bold=True) for value in header])
        return sheet

    def close(self, sheet: Any, columns: int, rows: int) -> None:
        """The autofilter over the header and the ``rows`` written below it."""
        if columns:
            sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"

    def cell(self, sheet: Any, value: Any, *, bold: bool = False) -> Any:
        if value is not None and not isinstance(value, str | int | float | dt.date):
            value = str(value)  # translated labels made lazily
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
            if _shown_length(value) > MAX_COLUMN_WIDTH - COLUMN_PADDING:
                cell.alignment = self.wrapped  # the column stops widening: the text wraps
        if bold:
            cell.font = self.bold
        return cell

    def append(self, sheet: Any, values: Sequence[Any]) -> None:
        sheet.append([self.cell(sheet, value) for value in values])


def _shown_length(value: Any) -> int:
    """About how many characters a spreadsheet shows for ``value`` in its default format."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return len("2024-01-31 23:59:59")  # openpyxl's datetime format
    if isinstance(value, dt.date):
        return len("2024-01-31")
    if isinstance(value, float):
        return len(f"{value:g}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def fitted_widths(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Each column as wide as its longest value or (bold) heading, within a maximum."""
    widths = []
    for index, heading in enumerate(header):
        longest = max(
            [_shown_length(heading) * BOLD_FACTOR]
            + [_shown_length(row[index]) for row in rows if index < len(row)]
        )
        widths.append(round(min(longest + COLUMN_PADDING, MAX_COLUMN_WIDTH), 1))
    return widths


def report_xlsx(report: Report, locale: str, fallback: str) -> bytes:
    """A workbook: a summary, one sheet per dimension, the matrix, safety, rounds, quotes."""
    sheets = _Sheets()
    with force_locale(locale):
        _summary_sheet(sheets, report)
        compared = report.has_previous_data
        for dimension in DIMENSION_ORDER:
            breakdown = next((b for b in report.breakdowns if b.dimension == dimension), None)
            if breakdown is None:
                continue
            sheets.table(
                DIMENSION_TITLES[dimension],
                [_("Key"), _("Label"), _("Count"), _("Previous period"), _("Change")],
                (
                    [
                        row.key,
                        text_of(row.label, locale, fallback),
                        row.count,
                        row.previous,
                        row.change if compared else None,
                    ]
                    for row in breakdown.rows
                ),
            )
        _matrix_sheet(sheets, report, locale, fallback)
        _safety_sheet(sheets, report, locale, fallback)
        _clusters_sheet(sheets, report)
        _rounds_sheet(sheets, report, locale, fallback)
        _quotes_sheet(sheets, report, locale, fallback)
    buffer = io.BytesIO()
    sheets.book.save(buffer)
    return buffer.getvalue()


def municipality_names(report: Report) -> str:
    """The report's municipalities by name; by slug only for snapshots frozen before names
    were kept (a single municipality's name is then the report's title)."""
    if report.municipality_names:
        return ", ".join(report.municipality_names)
    if len(report.municipalities) == 1:
        return report.title
    return ", ".join(report.municipalities)


def _summary_sheet(sheets: _Sheets, report: Report) -> None:
    change: Any = report.total - report.previous_total
    if not report.has_previous_data:
        change = _("No earlier data to compare with")
    sheets.table(
        _("Summary"),
        [_("What"), _("Value")],
        [
            [_("Report"), report.title],
            [_("Period from"), report.period.start],
            [_("Period to"), report.period.end],
            [_("Previous period from"), report.previous_period.start],
            [_("Previous period to"), report.previous_period.end],
            [_("Accepted input in the period"), report.total],
            [_("Accepted input in the previous period"), report.previous_total],
            [_("Change"), change],
            [_("Municipalities"), municipality_names(report)],
            [
                _("Generated at (UTC)"),
                report.generated_at.astimezone(dt.UTC).replace(tzinfo=None),
            ],
        ],
    )


def _matrix_sheet(sheets: _Sheets, report: Report, locale: str, fallback: str) -> None:
    matrix = report.matrix
    categories = [text_of(c.label, locale, fallback) for c in matrix.categories]
    rows: list[list[Any]] = [
        [text_of(place.label, locale, fallback), *line, place.count]
        for place, line in zip(matrix.places, matrix.cells, strict=True)
    ]
    rows.append([_("Total"), *(c.count for c in matrix.categories)])
    sheets.table(_("Place and category"), [_("Place"), *categories, _("Total")], rows)


def _safety_sheet(sheets: _Sheets, report: Report, locale: str, fallback: str) -> None:
    header = [
        _("Key"),
        _("Place"),
        _("Accepted input"),
        _("With a safety rating"),
        _("Mean safety (1–5)"),
        _("Latitude"),
        _("Longitude"),
    ]
    rows = [
        [
            item.key,
            text_of(item.label, locale, fallback),
            item.count,
            item.rated,
            round(item.mean, 2) if item.mean is not None else None,
            item.latitude,
            item.longitude,
        ]
        for item in report.safety
    ]
    sheets.table(_("Safety by place"), header, rows)


def _clusters_sheet(sheets: _Sheets, report: Report) -> None:
    rows = [[cluster.title, cluster.count] for cluster in report.clusters.largest]
    sheets.table(_("Clusters"), [_("Cluster"), _("Submissions")], rows)


def _rounds_sheet(sheets: _Sheets, report: Report, locale: str, fallback: str) -> None:
    header = [
        _("Input round"),
        _("Opens"),
        _("Closes"),
        _("Invited"),
        _("Responded"),
        _("Unverified"),
        _("Question"),
        _("Answered"),
        _("Don't know"),
        _("Mean"),
        *(str(value) for value in SCALE),
    ]
    rows: list[list[Any]] = []
    for result in report.rounds:
        first = [
            text_of(result.get("title"), locale, fallback),
            _date(result.get("opens_on")),
            _date(result.get("closes_on")),
            result.get("invited"),
            result.get("responded"),
            result.get("unverified"),
        ]
        questions = result.get("questions") or []
        if not questions:
            rows.append(first)
        for question in questions:
            distribution = list(question.get("distribution") or [])
            mean = question.get("mean")
            rows.append(
                [
                    *first,
                    text_of(question.get("text"), locale, fallback),
                    question.get("answered"),
                    question.get("dont_know"),
                    round(mean, 2) if isinstance(mean, int | float) else None,
                    *distribution,
                ]
            )
    sheets.table(_("Input rounds"), header, rows)


def _quotes_sheet(sheets: _Sheets, report: Report, locale: str, fallback: str) -> None:
    rows = [
        [
            quote.reference,
            quote.text,
            text_of(quote.category, locale, fallback),
            text_of(quote.place, locale, fallback) if quote.place else None,
        ]
        for quote in report.quotes
    ]
    sheets.table(_("Quotes"), [_("Reference"), _("Quote"), _("Category"), _("Place")], rows)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


# EST: accepted input, one line each -----------------------------------------------------------


def sweref99tm(latitude: float, longitude: float) -> tuple[int, int]:
    """WGS84 to SWEREF 99 TM (EPSG:3006): (northing, easting) in whole metres."""
    easting, northing = to_sweref().transform(longitude, latitude)
    return round(northing), round(easting)


def iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _est_header() -> list[str]:
    return [
        _("Week"),
        _("Received"),
        _("Kind"),
        _("Category"),
        _("Category code"),
        _("What"),
        _("Where"),
        _("Occurred on"),
        _("Part of day"),
        _("Latitude (WGS84)"),
        _("Longitude (WGS84)"),
        _("North (SWEREF 99 TM)"),
        _("East (SWEREF 99 TM)"),
        _("Reference"),
    ]


def _received_between(municipalities: Sequence[Municipality], period: Period) -> Any:
    """Received within the period's local days, each municipality in its own time zone."""
    conditions = []
    for municipality in municipalities:
        zone = ZoneInfo(municipality.timezone)
        start = dt.datetime.combine(period.start, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        conditions.append(
            and_(
                Submission.municipality_id == municipality.id,
                Submission.created_at >= start.astimezone(dt.UTC),
                Submission.created_at < end.astimezone(dt.UTC),
            )
        )
    return or_(*conditions)


def est_batches(
    session: DbSession,
    municipalities: Sequence[Municipality],
    period: Period,
    *,
    locale: str,
    fallback: str,
) -> Iterator[list[list[Any]]]:
    """Accepted input received in the period, oldest first, in batches of rows.

    The header comes first as a batch of its own, once the query has run. Only the columns
    shown are read: never the submitted text, the contact details or notes.
    """
    with force_locale(locale):
        header = _est_header()
    if not municipalities:
        yield [header]
        return
    query = (
        select(
            Submission.municipality_id,
            Submission.created_at,
            Submission.kind,
            Category.label,
            Category.code,
            Submission.public_summary,
            Submission.summary_reviewed_at,
            Place.name,
            Submission.occurred_on,
            Submission.part_of_day,
            Submission.latitude,
            Submission.longitude,
            Place.latitude,
            Place.longitude,
            Submission.reference,
        )
        .join(Category, Category.id == Submission.category_id)
        .outerjoin(Place, Place.id == Submission.place_id)
        .where(Submission.status == Status.ACCEPTED, _received_between(municipalities, period))
        .order_by(Submission.created_at, Submission.id)
        .execution_options(yield_per=BATCH)
    )
    # Run the query before the header is given, so a caller that reads the header first
    # learns of a database fault while it can still answer with a status code.
    places = place_names_of(session, (m.id for m in municipalities))
    result = session.execute(query)
    # Closed however the reading ends: a download given up half-way closes this generator,
    # and the server-side cursor must not wait for the garbage collector.
    try:
        yield [header]
        with force_locale(locale):
            words = _EstWords(
                zones={m.id: ZoneInfo(m.timezone) for m in municipalities},
                places=places,
                kinds={key: str(value) for key, value in KIND_LABELS.items()},
                parts={key: str(value) for key, value in PART_OF_DAY_LABELS.items()},
                locale=locale,
                fallback=fallback,
            )
        for partition in result.partitions():
            # Redaction masks are translated too: each batch is written in the export's language.
            with force_locale(locale):
                yield [_est_row(row, words) for row in partition]
    finally:
        result.close()


@dataclasses.dataclass(frozen=True)
class _EstWords:
    """What every EST line is written with: time zones and labels in the export's language."""

    zones: dict[int, ZoneInfo]
    places: dict[int, frozenset[str]]  # never masked in a summary
    kinds: dict[Any, str]
    parts: dict[Any, str]
    locale: str
    fallback: str


def _est_row(row: Any, words: _EstWords) -> list[Any]:
    (
        municipality_id,
        created_at,
        kind,
        category_label,
        category_code,
        summary,
        reviewed_at,
        place_name,
        occurred_on,
        part_of_day,
        latitude,
        longitude,
        place_latitude,
        place_longitude,
        reference,
    ) = row
    received = created_at.astimezone(words.zones[municipality_id]).date()
    if latitude is None or longitude is None:
        latitude, longitude = place_latitude, place_longitude
    north = east = None
    if latitude is not None and longitude is not None:
        north, east = sweref99tm(latitude, longitude)
        latitude, longitude = round(latitude, 6), round(longitude, 6)
    else:
        latitude = longitude = None
    # Only a reviewed summary; masked again in case the finders learned more since the review.
    reviewed = summary and reviewed_at is not None
    what = redact(summary, places=words.places[municipality_id]) if reviewed else None
    return [
        iso_week(received),
        received,
        words.kinds.get(kind, str(kind)),
        text_of(category_label, words.locale, words.fallback),
        category_code,
        what,
        place_name,
        occurred_on,
        words.parts.get(part_of_day) if part_of_day else None,
        latitude,
        longitude,
        north,
        east,
        reference,
    ]


def est_csv(
    session: DbSession,
    municipalities: Sequence[Municipality],
    period: Period,
    *,
    locale: str,
    fallback: str,
) -> Iterator[bytes]:
    """EST's list as CSV, written batch by batch as it is read."""
    yield BOM.encode("utf-8")
    for batch in est_batches(session, municipalities, period, locale=locale, fallback=fallback):
        yield _csv_lines(batch)


def est_xlsx(
    session: DbSession,
    municipalities: Sequence[Municipality],
    period: Period,
    *,
    locale: str,
    fallback: str,
) -> Iterator[bytes]:
    """EST's list as a workbook, built in a temporary file and then read out in chunks.

    The list is written as it is read, so its columns are sized before the first line from
    what each column can hold (a date, a week, a coordinate) rather than measured.
    """
    sheets = _Sheets()
    sheet = None
    written = 0
    with tempfile.TemporaryFile() as file:
        for batch in est_batches(session, municipalities, period, locale=locale, fallback=fallback):
            if sheet is None:
                header = batch[0]
                with force_locale(locale):
                    sheet = sheets.sheet(_("Accepted input"), header, widths=_est_widths(header))
                continue
            for values in batch:
                sheets.append(sheet, values)
            written += len(batch)
        if sheet is not None:
            sheets.close(sheet, len(header), written)
        sheets.book.save(file)
        file.seek(0)
        while chunk := file.read(CHUNK):
            yield chunk


# What each EST column holds at its widest, in characters, in the order of ``_est_header``:
# week "2024-W07", a date, kind, category, code, what, where, a date, part of day, four
# coordinates and a reference.
_EST_CONTENT = (8, 10, 12, 30, 16, MAX_COLUMN_WIDTH, 30, 10, 14, 10, 10, 8, 7, 16)


def _est_widths(header: Sequence[Any]) -> list[float]:
    widths = []
    for title, content in zip(header, _EST_CONTENT, strict=True):
        longest = max(_shown_length(title) * BOLD_FACTOR, content)
        widths.append(round(min(longest + COLUMN_PADDING, MAX_COLUMN_WIDTH), 1))
    return widths
