"""What the public may download of the lägesbild: suppressed numbers only.

A snapshot is public once a published pledge is based on it; any other answers 404.
"""

from __future__ import annotations

import csv
import io

from flask import abort, render_template
from werkzeug import Response

from dialogue.db import Localized
from dialogue.errors import NotFoundError
from dialogue.extensions import db
from dialogue.i18n import _, current_locale, pick
from dialogue.lagesbild import public, snapshots
from dialogue.lagesbild.charts import DIMENSION_TITLES
from dialogue.lagesbild.models import LagesbildSnapshot
from dialogue.lagesbild.suppression import PublicCount, Shown
from dialogue.municipalities.tenancy import current_tenant, tenant_blueprint

bp = tenant_blueprint("public_report", __name__)

BOM = "\ufeff"
# A spreadsheet reads a cell starting with these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def count_text(count: PublicCount) -> str:
    """A public count as text: the number, "fewer than 5", or "hidden"."""
    if count.shown == Shown.SMALL:
        # Translators: a count too small to publish, e.g. "fewer than 5".
        return str(_("fewer than %(threshold)d", threshold=count.threshold))
    if count.shown == Shown.HIDDEN:
        # Translators: a count hidden so that smaller counts cannot be worked out from totals.
        return str(_("hidden"))
    return str(count.value)


def _snapshot(snapshot_id: int) -> LagesbildSnapshot:
    try:
        return public.get_public_snapshot(db.session, current_tenant().id, snapshot_id)
    except NotFoundError:
        abort(404)


@bp.get("/lagesbild/<int:snapshot_id>")
def snapshot(snapshot_id: int) -> str:
    found = _snapshot(snapshot_id)
    return render_template(
        "pledges/lagesbild.html",
        snapshot=found,
        label=snapshots.label(found),
        report=public.public_snapshot(found, current_tenant().small_number_threshold),
        pledges=public.public_pledges_based_on(db.session, found),
        titles=DIMENSION_TITLES,
        count_text=count_text,
    )


def _text(value: Localized | None) -> str:
    default = current_tenant().default_locale
    text, _lang = pick(value, current_locale(), default)
    return text


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


@bp.get("/lagesbild/<int:snapshot_id>/export.csv")
def export(snapshot_id: int) -> Response:
    found = _snapshot(snapshot_id)
    report = public.public_snapshot(found, current_tenant().small_number_threshold)
    rows = public.export_rows(
        report,
        count_text=count_text,
        label=_text,
        titles={dimension: str(title) for dimension, title in DIMENSION_TITLES.items()},
        headings=(_("Dimension"), _("Label"), _("Count"), _("Previous period")),
        total_label=_("All accepted input"),
    )
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_safe(value) for value in row])
    response = Response(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    name = f"lagesbild-{current_tenant().slug}-{found.period_start.year}-v{found.version}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
