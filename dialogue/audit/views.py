"""The audit log, for administrators: read only, filtered by account, object and date."""

from __future__ import annotations

from flask import Response, make_response, render_template, request

from dialogue.audit.services import AuditFilter, list_events
from dialogue.extensions import db
from dialogue.web.staff import admin_required, staff_blueprint
from dialogue.web.tenancy import current_tenant

bp = staff_blueprint("audit", __name__)


@bp.get("/audit")
@admin_required
def log() -> Response:
    wanted = AuditFilter(
        municipality_ids=frozenset({current_tenant().id}),
        actor_id=request.args.get("actor", type=int),
        object_type=request.args.get("object_type") or None,
        object_id=request.args.get("object", type=int),
        before_id=request.args.get("before", type=int),
    )
    events = list_events(db.session, wanted)
    response = make_response(render_template("audit/log.html", events=events, wanted=wanted))
    response.headers["Cache-Control"] = "no-store"
    return response
