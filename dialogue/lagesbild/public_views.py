"""What the public may download of the lägesbild: suppressed numbers only.

A snapshot is public once a published pledge is based on it; any other answers 404.
"""

from __future__ import annotations

from flask import make_response, render_template

from dialogue.db import Localized
from dialogue.extensions import db
from dialogue.i18n import _, current_locale, pick
from dialogue.lagesbild import public
from dialogue.lagesbild.charts import DIMENSION_TITLES
from dialogue.lagesbild.exports import csv_file
from dialogue.lagesbild.filters import count_text
from dialogue.municipalities.tenancy import current_tenant, tenant_blueprint
from dialogue.web.responses import Response

bp = tenant_blueprint("public_report", __name__)


@bp.get("/lagesbild/<int:snapshot_id>")
def snapshot(snapshot_id: int) -> Response:
    tenant = current_tenant()
    shown = public.get_public_snapshot_page(
        db.session, tenant.id, snapshot_id, tenant.small_number_threshold
    )
    return make_response(
        render_template(
            "pledges/lagesbild.html",
            snapshot=shown.snapshot,
            report=shown.report,
            pledges=shown.pledges,
        )
    )


def _text(value: Localized | None) -> str:
    text, _lang = pick(value, current_locale(), current_tenant().default_locale)
    return text


@bp.get("/lagesbild/<int:snapshot_id>/export.csv")
def export(snapshot_id: int) -> Response:
    tenant = current_tenant()
    found = public.get_public_snapshot(db.session, tenant.id, snapshot_id)
    report = public.public_snapshot(found, tenant.small_number_threshold)
    rows = public.export_rows(
        report,
        count_text=count_text,
        label=_text,
        titles={dimension: str(title) for dimension, title in DIMENSION_TITLES.items()},
        headings=(_("Dimension"), _("Label"), _("Count"), _("Previous period")),
        total_label=_("All accepted input"),
    )
    response = Response(csv_file(rows), content_type="text/csv; charset=utf-8")
    name = f"lagesbild-{tenant.slug}-{found.period_start.year}-v{found.version}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
