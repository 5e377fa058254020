"""The lägesbild of a whole police area, for its analysts: ``/staff/area/<police_area>``.

Only analysts of the area open these pages; anyone else, moderators and administrators of
one of its municipalities included, gets 404, as if the area did not exist. The period is
chosen as on a municipality's report; by default it spans the default periods of all the
area's municipalities.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, request, url_for

from dialogue.accounts.workspace import current_scope, require_staff
from dialogue.config import current_settings
from dialogue.extensions import db
from dialogue.lagesbild.areas import area_default_period, get_area
from dialogue.lagesbild.data import Period
from dialogue.lagesbild.downloads import (
    REPORT_FORMATS,
    export_links,
    period_or_400,
    report_download,
)
from dialogue.lagesbild.periods import choose_period
from dialogue.lagesbild.report import build_report
from dialogue.lagesbild.report_page import render_report
from dialogue.municipalities.models import Municipality, PoliceArea
from dialogue.web.responses import Response

bp = Blueprint("area_report", __name__, url_prefix="/staff/area/<police_area>")
bp.before_request(require_staff)


@bp.url_value_preprocessor
def _pull_area(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.police_area_slug = (values or {}).pop("police_area", None)


@bp.url_defaults
def _add_area(endpoint: str, values: dict[str, Any]) -> None:
    if "police_area" not in values and "police_area" in g:
        values["police_area"] = g.police_area.slug


@bp.before_request
def _require_area_analyst() -> None:
    """After sign-in is checked: the area, if the account is one of its analysts; else 404."""
    g.police_area = get_area(db.session, g.get("police_area_slug"), scope=current_scope())


def _area() -> PoliceArea:
    area: PoliceArea = g.police_area
    return area


def _municipalities() -> list[Municipality]:
    found = list(_area().municipalities)
    if not found:
        abort(404)  # an area without municipalities has no report to show
    return found


def _default(municipalities: list[Municipality]) -> Period:
    return area_default_period(db.session, municipalities, current_settings().default_timezone)


@bp.get("/lagesbild")
def index() -> Response:
    municipalities = _municipalities()
    choice = choose_period(request.args, _default(municipalities))
    report = build_report(db.session, municipalities, choice.period, title=_area().name)
    return render_report(
        report,
        choice,
        form_action=url_for("area_report.index"),
        export_links=export_links("area_report.export", choice, url_for),
        status=200 if choice.is_valid else 400,
        area=_area(),
        municipality_links=[
            (m.name, url_for("report.index", municipality=m.slug, **choice.url_args()))
            for m in municipalities
        ],
    )


@bp.get("/lagesbild/export.<fmt>")
def export(fmt: str) -> Response:
    if fmt not in REPORT_FORMATS:
        abort(404)
    municipalities = _municipalities()
    period = period_or_400(request.args, _default(municipalities))
    report = build_report(db.session, municipalities, period, title=_area().name)
    return report_download(report, fmt, _area().slug)
