"""The audit log, for administrators: read only, filtered by account, submission and date."""

from __future__ import annotations

from typing import Any

from flask import request

from dialogue.accounts.workspace import admin_required, staff_blueprint
from dialogue.auditlog.forms import AuditFilterForm
from dialogue.auditlog.log import LogQuery, LogView, list_log_accounts, read_log
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.municipalities.tenancy import current_tenant
from dialogue.web.responses import Response, page

bp = staff_blueprint("audit", __name__)


@bp.get("/audit")
@admin_required
def log() -> Response:
    form = AuditFilterForm(request.args)
    form.set_accounts(list_log_accounts(db.session, current_tenant().id))
    view: LogView | None = None
    if form.validate():
        try:
            view = read_log(db.session, _query(form))
        except InvalidInputError as error:
            form.add_errors(error)
    status = 200 if view is not None else 422
    return page("audit/log.html", status, form=form, view=view, filter_args=_filter_args())


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
