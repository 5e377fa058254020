"""The lägesbild report of a municipality in the workspace: page, charts and exports.

Every role that can read the municipality reads its report (analysts included); nothing here
changes anything. The period comes from the URL (``from``, ``to``: local dates, both
included) and defaults to the validity of the pledge in force. A period that cannot be read
answers 400 with the page for the default period, the typed dates kept and an error summary;
an export with such a period answers a plain 400.
"""

from __future__ import annotations

from flask import abort, request, url_for

from dialogue.accounts.workspace import staff_blueprint
from dialogue.extensions import db
from dialogue.lagesbild.data import Period
from dialogue.lagesbild.downloads import (
    EST_FORMATS,
    REPORT_FORMATS,
    est_download,
    est_links,
    export_links,
    period_or_400,
    report_download,
)
from dialogue.lagesbild.periods import choose_period
from dialogue.lagesbild.report import build_report, default_period
from dialogue.lagesbild.report_page import render_report
from dialogue.municipalities.services import get_municipality
from dialogue.municipalities.tenancy import current_tenant, local_today
from dialogue.web.responses import Response

bp = staff_blueprint("report", __name__)


def _default() -> Period:
    return default_period(db.session, current_tenant().id, local_today())


@bp.get("/lagesbild")
def index() -> Response:
    municipality = get_municipality(db.session, current_tenant().slug)
    choice = choose_period(request.args, _default())
    report = build_report(db.session, [municipality], choice.period, title=municipality.name)
    links = export_links("report.export", choice, url_for)
    links += est_links("report.est_export", choice, url_for)
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
    municipality = get_municipality(db.session, current_tenant().slug)
    period = period_or_400(request.args, _default())
    report = build_report(db.session, [municipality], period, title=municipality.name)
    return report_download(report, fmt, municipality.slug)


@bp.get("/lagesbild/est.<fmt>")
def est_export(fmt: str) -> Response:
    if fmt not in EST_FORMATS:
        abort(404)
    municipality = get_municipality(db.session, current_tenant().slug)
    period = period_or_400(request.args, _default())
    return est_download(municipality, period, fmt)
