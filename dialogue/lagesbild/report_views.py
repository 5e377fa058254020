"""The lägesbild report of a municipality in the workspace: page, charts and exports.

Every role that can read the municipality reads its report (analysts included); nothing here
changes anything. The period comes from the URL (``from``, ``to``: local dates, both
included) and defaults to the validity of the pledge in force. A period that cannot be read
answers 400 with the page for the default period, the typed dates kept and an error summary;
an export with such a period answers a plain 400.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

from flask import (
    abort,
    make_response,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_decimal, format_percent
from sqlalchemy.orm import Session
from werkzeug import Response

from dialogue.accounts.workspace import staff_blueprint
from dialogue.config import current_settings
from dialogue.extensions import db
from dialogue.i18n import _, current_locale
from dialogue.lagesbild import charts
from dialogue.lagesbild.data import Dimension, Period, Report
from dialogue.lagesbild.report import build_report, default_period
from dialogue.municipalities.models import Municipality
from dialogue.municipalities.tenancy import current_tenant, local_today
from dialogue.web.forms import parse_date

bp = staff_blueprint("report", __name__)

FROM, TO = "from", "to"
# Field ids on the page, which the error summary links to.
FIELD_IDS = {FROM: "period-from", TO: "period-to"}
MAX_TYPED_CHARS = 100
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
MAX_PERIOD_DAYS = 5 * 366

REPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
EST_FORMATS = ("csv", "xlsx")


# The period ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PeriodChoice:
    """The period a page shows, the dates as typed, and what was wrong with them."""

    period: Period
    typed: Mapping[str, str]
    errors: Mapping[str, str]  # by field name (``from``, ``to``)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def url_args(self) -> dict[str, Any]:
        """The period as URL arguments, for export links and links to other reports."""
        return {FROM: self.period.start.isoformat(), TO: self.period.end.isoformat()}

    def error_items(self) -> list[tuple[str, str]]:
        return [(FIELD_IDS[name], self.errors[name]) for name in (FROM, TO) if name in self.errors]


def choose_period(args: Mapping[str, str], default: Period) -> PeriodChoice:
    """The period asked for in ``args``; a date left out takes the default period's."""
    typed = {name: (args.get(name) or "").strip()[:MAX_TYPED_CHARS] for name in (FROM, TO)}
    fallback = {FROM: default.start, TO: default.end}
    days: dict[str, dt.date] = {}
    errors: dict[str, str] = {}
    for name in (FROM, TO):
        if not typed[name]:
            days[name] = fallback[name]
            continue
        day = parse_date(typed[name])
        if day is None:
            errors[name] = _("Enter the date as year-month-day, like 2024-05-17.")
        elif not FIRST_DAY <= day <= LAST_DAY:
            errors[name] = _(
                "Enter a date from %(first)s to %(last)s.",
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            )
        else:
            days[name] = day
    if not errors:
        if days[TO] < days[FROM]:
            errors[TO] = _("The last date must be the same as or after the first.")
        elif (days[TO] - days[FROM]).days + 1 > MAX_PERIOD_DAYS:
            errors[TO] = _("Choose a period of at most five years.")
    shown = Period(days[FROM], days[TO]) if not errors else default
    if not any(typed.values()):
        typed = {FROM: default.start.isoformat(), TO: default.end.isoformat()}
    else:
        typed = {name: typed[name] or fallback[name].isoformat() for name in (FROM, TO)}
    return PeriodChoice(shown, typed, errors)


# The page --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Section:
    """One breakdown on the page: its heading, its rows and its chart."""

    dimension: Dimension
    title: str
    caption: str
    anchor: str
    rows: Sequence[Any]
    chart: Any
    is_trend: bool


def _fallback_locale() -> str:
    locale: str = current_settings().default_locale
    return locale


def sections(report: Report, locale: str, fallback: str) -> list[Section]:
    found = {breakdown.dimension: breakdown for breakdown in report.breakdowns}
    out = []
    for dimension in charts.DIMENSION_ORDER:
        breakdown = found.get(dimension)
        if breakdown is None:
            continue
        trend = dimension == Dimension.MONTH
        chart = (
            charts.trend_chart(breakdown.rows)
            if trend
            else charts.bar_chart(
                breakdown.rows,
                locale,
                fallback,
                keep_order=dimension in charts.ORDERED_DIMENSIONS,
            )
        )
        out.append(
            Section(
                dimension=dimension,
                title=str(charts.DIMENSION_TITLES[dimension]),
                caption=str(charts.DIMENSION_CAPTIONS[dimension]),
                anchor=f"by-{dimension.value.replace('_', '-')}",
                rows=breakdown.rows,
                chart=chart,
                is_trend=trend,
            )
        )
    return out


def signed(value: int) -> str:
    """A change as people write it: +3, ±0, and a real minus sign (U+2212) before a fall."""
    if value > 0:
        return f"+{format_decimal(value)}"
    if value < 0:
        return f"−{format_decimal(-value)}"
    return "±0"


def share(part: int | None, whole: int | None) -> str:
    if not whole or part is None:
        return "–"
    return str(format_percent(part / whole))


def mean_text(value: Any) -> str:
    if not isinstance(value, int | float):
        return "–"
    return str(format_decimal(value, format="0.0"))


def render_report(
    report: Report,
    choice: PeriodChoice,
    *,
    form_action: str,
    export_links: Sequence[tuple[str, str]],
    status: int = 200,
    **context: Any,
) -> Response:
    """The report page, for a municipality or a police area."""
    locale, fallback = current_locale(), _fallback_locale()
    body = render_template(
        "lagesbild/report.html",
        report=report,
        choice=choice,
        errors=choice.error_items(),
        sections=sections(report, locale, fallback),
        place_map=charts.place_map(report.safety, locale, fallback),
        heat=charts.heat_matrix(report.matrix),
        form_action=form_action,
        export_links=export_links,
        number=format_decimal,
        signed=signed,
        share=share,
        mean_text=mean_text,
        **context,
    )
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


# Exports ---------------------------------------------------------------------------------------

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def filename(slug: str, period: Period, ext: str, *, kind: str = "") -> str:
    name = f"lagesbild-{slug}{'-' + kind if kind else ''}-{period.start}-{period.end}.{ext}"
    return _UNSAFE_FILENAME.sub("-", name)


def download(body: Any, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def started(chunks: Iterator[bytes], count: int) -> Iterator[bytes]:
    """The first ``count`` chunks read now, so a failing query answers with a status code
    (503 for a database fault) rather than a cut-off file; the rest is streamed."""
    head = [chunk for _index, chunk in zip(range(count), chunks, strict=False)]
    return stream_with_context(chain(head, chunks))


def own_session() -> Session:
    """A session for a streamed file, on the same database as ``db.session``.

    Flask-SQLAlchemy closes ``db.session`` when the view returns, before the body is sent;
    a query still being read (PostgreSQL's server-side cursor of ``yield_per``) would be
    closed with it ("cursor ... does not exist"). This one lives as long as the stream.
    """
    return Session(bind=db.session.get_bind())


def closing(session: Session, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks``, then ``session`` closed: when the stream ends, fails or is given up."""
    try:
        yield from chunks
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        session.close()


def report_download(report: Report, fmt: str, slug: str) -> Response:
    """The report as a CSV, XLSX or JSON file."""
    from dialogue.lagesbild import exports  # pyproj and openpyxl load on the first export

    if fmt not in REPORT_FORMATS:
        abort(404)
    locale, fallback = current_locale(), _fallback_locale()
    body: Any
    if fmt == "csv":
        body = stream_with_context(exports.report_csv(report, locale, fallback))
    elif fmt == "xlsx":
        body = exports.report_xlsx(report, locale, fallback)
    else:
        body = exports.report_json(report)
    return download(body, REPORT_FORMATS[fmt], filename(slug, report.period, fmt))


def period_or_400(default: Period) -> Period:
    choice = choose_period(request.args, default)
    if not choice.is_valid:
        abort(400)
    return choice.period


def export_links(
    endpoint: str, choice: PeriodChoice, url: Callable[..., str]
) -> list[tuple[str, str]]:
    names = {
        "csv": _("The report as CSV (Excel, semicolon-separated)"),
        "xlsx": _("The report as an Excel workbook (XLSX)"),
        "json": _("The report as JSON"),
    }
    return [(url(endpoint, fmt=fmt, **choice.url_args()), names[fmt]) for fmt in REPORT_FORMATS]


# Routes ----------------------------------------------------------------------------------------


def _municipality() -> Municipality:
    found = db.session.get(Municipality, current_tenant().id)
    if found is None:  # removed since the tenant was cached
        abort(404)
    return found


def _default() -> Period:
    return default_period(db.session, current_tenant().id, local_today())


@bp.get("/lagesbild")
def index() -> Response:
    municipality = _municipality()
    choice = choose_period(request.args, _default())
    report = build_report(db.session, [municipality], choice.period, title=municipality.name)
    links = export_links("report.export", choice, url_for)
    est_names = {
        "csv": _("Accepted input for EST as CSV (Excel, semicolon-separated)"),
        "xlsx": _("Accepted input for EST as an Excel workbook (XLSX)"),
    }
    links += [
        (url_for("report.est_export", fmt=fmt, **choice.url_args()), est_names[fmt])
        for fmt in EST_FORMATS
    ]
    return render_report(
        report,
        choice,
        form_action=url_for("report.index"),
        export_links=links,
        status=200 if choice.is_valid else 400,
        area=None,
        municipality_links=(),
    )


@bp.get("/lagesbild/export.<fmt>")
def export(fmt: str) -> Response:
    if fmt not in REPORT_FORMATS:
        abort(404)
    municipality = _municipality()
    period = period_or_400(_default())
    report = build_report(db.session, [municipality], period, title=municipality.name)
    return report_download(report, fmt, municipality.slug)


@bp.get("/lagesbild/est.<fmt>")
def est_export(fmt: str) -> Response:
    from dialogue.lagesbild import exports  # pyproj and openpyxl load on the first export

    if fmt not in EST_FORMATS:
        abort(404)
    municipality = _municipality()
    period = period_or_400(_default())
    locale, fallback = current_locale(), _fallback_locale()
    name = filename(municipality.slug, period, fmt, kind="est")
    session = own_session()
    if fmt == "csv":
        chunks = exports.est_csv(session, [municipality], period, locale=locale, fallback=fallback)
        # The byte order mark and the header: the query has run once they are read.
        return download(started(closing(session, chunks), 2), REPORT_FORMATS["csv"], name)
    chunks = exports.est_xlsx(session, [municipality], period, locale=locale, fallback=fallback)
    return download(started(closing(session, chunks), 1), REPORT_FORMATS["xlsx"], name)
