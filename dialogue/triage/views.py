"""The triage blueprint: the moderators' queue (filters, search, paging, bulk actions) here,
and the submission page's routes from :mod:`dialogue.triage.detail`, registered below."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import abort, request
from werkzeug.datastructures import MultiDict

from dialogue.accounts.workspace import (
    context,
    current_scope,
    moderator_required,
    staff_blueprint,
)
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.municipalities.tenancy import current_tenant
from dialogue.submissions import labels
from dialogue.triage import detail
from dialogue.triage.forms import BulkForm, QueueFilterForm
from dialogue.triage.queue import (
    Cursor,
    InvalidCursorError,
    list_queue,
    load_queue_options,
)
from dialogue.triage.services import apply_bulk
from dialogue.web.responses import Response, done, page

bp = staff_blueprint("triage", __name__)

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
        ctx = context()
        changed = apply_bulk(
            db.session,
            ctx.municipality_id,
            form.selected.data,
            form.to_action(),
            actor=ctx.actor,
            scope=ctx.scope,
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return _render(filters, back.get("after"), form, 422)
    filters.validate()
    target: dict[str, Any] = {**filters.url_args(), "after": back.get("after")}
    return done(_("Submissions changed: %(count)d.", count=changed), ".queue", **target)


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
        listed = list_queue(db.session, current_scope(), tenant.id, wanted, after=after)
    except InvalidCursorError:
        abort(400)
    args = filters.url_args()
    shown: dict[str, Any] = {
        "page": listed,
        "filters": filters,
        "filter_args": args,
        "count_args": {key: value for key, value in args.items() if key != "status"},
        "matching": listed.counts[wanted.status] if wanted.status else listed.total,
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
    return page("triage/queue.html", status, **shown)


# The submission page: its views live in ``detail``; the endpoints are ``triage.show`` …
bp.add_url_rule("/submissions/<int:submission_id>", view_func=detail.show)
for _rule, _endpoint, _view in detail.CHANGES:
    bp.add_url_rule(
        f"/submissions/<int:submission_id>/{_rule}",
        endpoint=_endpoint,
        view_func=moderator_required(_view),
        methods=["POST"],
    )
