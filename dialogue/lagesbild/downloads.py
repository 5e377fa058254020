"""The lägesbild's files as HTTP answers: the report as CSV, XLSX or JSON, and EST's list.

Every file is ``no-store``: it holds figures of one municipality or police area.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from itertools import chain
from typing import Any

from flask import abort, stream_with_context
from sqlalchemy.orm import Session

from dialogue.config import current_settings
from dialogue.extensions import db
from dialogue.i18n import _, current_locale
from dialogue.lagesbild import exports
from dialogue.lagesbild.data import Period, Report
from dialogue.lagesbild.periods import PeriodChoice, choose_period
from dialogue.municipalities.models import Municipality
from dialogue.web.responses import Response, no_store

REPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
EST_FORMATS = ("csv", "xlsx")

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def filename(slug: str, period: Period, ext: str, *, kind: str = "") -> str:
    name = f"lagesbild-{slug}{'-' + kind if kind else ''}-{period.start}-{period.end}.{ext}"
    return _UNSAFE_FILENAME.sub("-", name)


def download(body: Any, content_type: str, name: str) -> Response:
    # The whole header as given: werkzeug would add a second charset to a ``mimetype``.
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return no_store(response)


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
    if fmt not in REPORT_FORMATS:
        abort(404)
    locale, fallback = current_locale(), current_settings().default_locale
    body: Any
    if fmt == "csv":
        body = stream_with_context(exports.report_csv(report, locale, fallback))
    elif fmt == "xlsx":
        body = exports.report_xlsx(report, locale, fallback)
    else:
        body = exports.report_json(report)
    return download(body, REPORT_FORMATS[fmt], filename(slug, report.period, fmt))


def est_download(municipality: Municipality, period: Period, fmt: str) -> Response:
    """EST's list of the municipality's accepted input, streamed as it is read."""
    if fmt not in EST_FORMATS:
        abort(404)
    locale, fallback = current_locale(), current_settings().default_locale
    name = filename(municipality.slug, period, fmt, kind="est")
    session = own_session()
    if fmt == "csv":
        chunks = exports.est_csv(session, [municipality], period, locale=locale, fallback=fallback)
        # The byte order mark and the header: the query has run once they are read.
        return download(started(closing(session, chunks), 2), REPORT_FORMATS["csv"], name)
    chunks = exports.est_xlsx(session, [municipality], period, locale=locale, fallback=fallback)
    return download(started(closing(session, chunks), 1), REPORT_FORMATS["xlsx"], name)


def period_or_400(args: Mapping[str, str], default: Period) -> Period:
    """The period asked for in ``args``; a plain 400 if it cannot be read."""
    choice = choose_period(args, default)
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


def est_links(
    endpoint: str, choice: PeriodChoice, url: Callable[..., str]
) -> list[tuple[str, str]]:
    names = {
        "csv": _("Accepted input for EST as CSV (Excel, semicolon-separated)"),
        "xlsx": _("Accepted input for EST as an Excel workbook (XLSX)"),
    }
    return [(url(endpoint, fmt=fmt, **choice.url_args()), names[fmt]) for fmt in EST_FORMATS]
