"""The moderators' queue: filters, search, paging and bulk actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from werkzeug import Response
from werkzeug.datastructures import MultiDict

from dialogue.accounts.workspace import current_account, current_scope, moderator_required
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.municipalities.tenancy import current_tenant
from dialogue.submissions import labels
from dialogue.triage.blueprint import bp
from dialogue.triage.forms import BulkForm, QueueFilterForm
from dialogue.triage.queue import (
    Cursor,
    InvalidCursorError,
    list_queue,
    load_queue_options,
)
from dialogue.triage.services import apply_bulk

MAX_QUERY_ARGS = 40

LABELS: dict[str, Mapping[Any, Any]] = {
    "status": labels.STATUS_LABELS,
    "kind": labels.KIND_LABELS,
    "priority": labels.PRIORITY_LABELS,
}


@bp.get("/")
def queue() -> Response:
    options = load_queue_options(db.session, current_scope(), current_tenant().id)
    filters = QueueFilterForm(options, formdata=request.args)
    bulk_form = BulkForm(options, formdata=None)
    bulk_form.back.data = _query_string(request.args)
    return _render(filters, request.args.get("after"), bulk_form)


@bp.post("/bulk")
@moderator_required
def bulk() -> Response:
    options = load_queue_options(db.session, current_scope(), current_tenant().id)
    form = BulkForm(options)
    back = MultiDict(parse_qsl(form.back.data or "")[:MAX_QUERY_ARGS])
    filters = QueueFilterForm(options, formdata=back)
    if not form.validate():
        return _render(filters, back.get("after"), form, 422)
    try:
        changed = apply_bulk(
            db.session,
            current_tenant().id,
            form.selected.data,
            form.to_action(),
            actor=current_account(),
            scope=current_scope(),
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return _render(filters, back.get("after"), form, 422)
    except NotFoundError:
        abort(404)
    except PermissionDeniedError:
        abort(403)
    flash(_("Submissions changed: %(count)d.", count=changed), "success")
    filters.validate()
    target: dict[str, Any] = {**filters.url_args(), "after": back.get("after")}
    return redirect(url_for("triage.queue", **target), code=303)


def _resolved_labels() -> dict[str, dict[Any, str]]:
    """The labels in the current language, translated once per page rather than per row."""
    return {name: {key: str(text) for key, text in found.items()} for name, found in LABELS.items()}


def _query_string(args: MultiDict[str, str]) -> str:
    return urlencode(list(args.items(multi=True))[:MAX_QUERY_ARGS])


def _render(
    filters: QueueFilterForm,
    after_token: str | None,
    bulk_form: BulkForm,
    status: int = 200,
) -> Response:
    tenant = current_tenant()
    filters_valid = filters.validate()
    wanted = filters.to_filter(tenant.timezone)
    try:
        after = Cursor.decode(after_token) if after_token else None
        page = list_queue(db.session, current_scope(), tenant.id, wanted, after=after)
    except InvalidCursorError:
        abort(400)
    args = filters.url_args()
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "filter_args": args,
        "count_args": {key: value for key, value in args.items() if key != "status"},
        "matching": page.counts[wanted.status] if wanted.status else page.total,
        "after": after_token,
        "bulk_form": bulk_form,
        "can_moderate": current_scope().can_moderate(tenant.id),
        "selected": set(bulk_form.selected.data or ()),
        "labels": _resolved_labels(),
        "sort": wanted.sort,
        "errors": filters.error_items() + bulk_form.error_items(),
    }
    if not filters_valid and status == 200:
        status = 422
    response = make_response(render_template("triage/queue.html", **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response
