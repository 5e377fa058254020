"""Administration of a municipality: pledges, places, categories, templates, accounts."""

from __future__ import annotations

from flask import Response, make_response, render_template

from dialogue.web.staff import admin_required, staff_blueprint

bp = staff_blueprint("admin", __name__)


@bp.get("/admin/")
@admin_required
def index() -> Response:
    response = make_response(render_template("admin/index.html"))
    response.headers["Cache-Control"] = "no-store"
    return response
