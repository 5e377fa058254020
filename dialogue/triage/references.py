"""A status change as the detail page's form gives it: the original named by its reference."""

from __future__ import annotations

import dataclasses

from dialogue.accounts.access import Scope
from dialogue.accounts.models import Account
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.submissions.models import Status, StatusEvent, Submission
from dialogue.submissions.references import find_by_reference
from dialogue.triage.services import StatusChange, change_status


@dataclasses.dataclass(frozen=True)
class StatusRequest:
    """A status change as the detail page's form gives it: text, not yet checked."""

    to: str
    reason: str = ""
    forwarded_to: str = ""
    duplicate_of: str = ""  # the original's case reference, for a duplicate


def change_status_by_reference(
    session: DbSession,
    submission: Submission,
    wanted: StatusRequest,
    *,
    actor: Account,
    scope: Scope,
) -> StatusEvent:
    """:func:`change_status` as a form gives it: a status value and the original's reference."""
    try:
        status = Status(wanted.to)
    except ValueError:
        raise InvalidInputError({"status": _l("Choose the new status.")}) from None
    original = None
    if status == Status.DUPLICATE and wanted.duplicate_of.strip():
        found = find_by_reference(session, submission.municipality_id, wanted.duplicate_of)
        original = found.id if found is not None else None
    change = StatusChange(
        status, reason=wanted.reason, forwarded_to=wanted.forwarded_to, duplicate_of_id=original
    )
    return change_status(session, submission, change, actor=actor, scope=scope)
