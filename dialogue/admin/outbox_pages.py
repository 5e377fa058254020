"""The municipality's outbox: what mail was queued, sent or failed, and a retry for failures."""

from __future__ import annotations

from flask import request
from werkzeug import Response

from dialogue.accounts.workspace import admin_required, context
from dialogue.config import current_settings
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.i18n import _, _l
from dialogue.outbox import services as outbox
from dialogue.outbox.models import OutboxState
from dialogue.web.responses import done, page, refused

STATE_LABELS = {
    OutboxState.QUEUED: _l("Queued"),
    OutboxState.SENDING: _l("Being sent"),
    OutboxState.SENT: _l("Sent"),
    OutboxState.FAILED: _l("Failed"),
    OutboxState.CANCELLED: _l("Cancelled"),
}
KIND_LABELS = {
    "reply_notice": _l("Notice of a reply to a submitter"),
    "round_invitation": _l("Invitation to an input round"),
    "round_reminder": _l("Reminder about an input round"),
    "round_confirmation": _l("Copy of an organisation's answers"),
    "round_link": _l("An organisation's own link"),
    "password_reset": _l("Password reset link"),
}


@admin_required
def outbox_list() -> Response:
    number = request.args.get("page", "1")
    listed = outbox.list_outbox(db.session, context(), int(number) if number.isdigit() else 1)
    return page(
        "admin/outbox.html",
        listed=listed,
        state_labels=STATE_LABELS,
        kind_labels=KIND_LABELS,
        mail_configured=outbox.mail_configured(current_settings()),
        max_attempts=outbox.MAX_ATTEMPTS,
    )


@admin_required
def retry_message(message_id: int) -> Response:
    back = request.form.get("page", "1")
    where = {"page": int(back)} if back.isdigit() and back != "1" else {}
    try:
        outbox.retry_message(db.session, context(), message_id)
    except InvalidInputError as error:
        return refused(error, ".outbox_list", **where)
    return done(
        _(
            "Message %(number)d is queued again. It is sent the next time mail goes out.",
            number=message_id,
        ),
        ".outbox_list",
        **where,
    )
