"""The audit log, for administrators: read only, filtered by account, submission and date."""

from __future__ import annotations

from typing import Any

from flask import make_response, render_template, request
from werkzeug import Response

from dialogue.accounts.workspace import admin_required, staff_blueprint
from dialogue.auditlog.describe import action_label, actor_label, detail_lines, object_label
from dialogue.auditlog.forms import AuditFilterForm
from dialogue.auditlog.log import LogQuery, LogView, list_log_accounts, read_log
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.municipalities.tenancy import current_tenant

bp = staff_blueprint("audit", __name__)


@bp.get("/audit")
@admin_required
def log() -> Response:
    tenant = current_tenant()
    form = AuditFilterForm(request.args)
    form.set_accounts(list_log_accounts(db.session, tenant.id))
    view: LogView | None = None
    if form.validate():
        try:
            view = read_log(db.session, _query(form))
        except InvalidInputError as error:
            for name, message in error.errors.items():
                form[name].errors = [*form[name].errors, str(message)]
    html = render_template(
        "audit/log.html",
        form=form,
        view=view,
        filter_args=_filter_args(),
        action_label=action_label,
        actor_label=actor_label,
        detail_lines=detail_lines,
        object_label=object_label,
    )
    response = make_response(html, 200 if view is not None else 422)
    response.headers["Cache-Control"] = "no-store"
    return response


def _query(form: AuditFilterForm) -> LogQuery:
    tenant = current_tenant()
    return LogQuery(
        municipality_id=tenant.id,
        timezone=tenant.timezone,
        actor_id=form.account_id,
        reference=form.reference.data or "",
        since=form.since_date,
        until=form.until_date,
        before=request.args.get("before"),
    )


def _filter_args() -> dict[str, Any]:
    """The filters in the URL, for the "older events" link."""
    return {
        name: request.args[name]
        for name in ("account", "reference", "since", "until")
        if request.args.get(name)
    }
