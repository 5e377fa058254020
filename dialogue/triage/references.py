"""Submissions by the case reference staff type or read aloud ("K7QM-2XHD")."""

from __future__ import annotations

import re

from sqlalchemy import select

from dialogue.accounts.access import Scope
from dialogue.accounts.models import Account
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.submissions.models import Status, StatusEvent, Submission
from dialogue.submissions.receipts import REFERENCE_LENGTH
from dialogue.triage.services import StatusChange, change_status

_NOT_REFERENCE = re.compile(r"[^0-9A-Z]")


def normalize_reference(raw: str) -> str | None:
    """``k7qm 2xhd`` and ``K7QM-2XHD`` are the same reference; None if it cannot be one."""
    chars = _NOT_REFERENCE.sub("", raw.upper())
    if len(chars) != REFERENCE_LENGTH:
        return None
    half = REFERENCE_LENGTH // 2
    return f"{chars[:half]}-{chars[half:]}"


def find_by_reference(session: DbSession, municipality_id: int, raw: str) -> Submission | None:
    """The submission of this municipality with this reference, if any."""
    reference = normalize_reference(raw or "")
    if reference is None:
        return None
    return session.scalar(
        select(Submission).where(
            Submission.reference == reference, Submission.municipality_id == municipality_id
        )
    )


def change_status_by_reference(
    session: DbSession,
    submission: Submission,
    to: str,
    *,
    reason: str = "",
    forwarded_to: str = "",
    duplicate_of: str = "",
    actor: Account,
    scope: Scope,
) -> StatusEvent:
    """:func:`change_status` as a form gives it: a status value and the original's reference."""
    try:
        status = Status(to)
    except ValueError:
        raise InvalidInputError({"status": _l("Choose the new status.")}) from None
    original = None
    if status == Status.DUPLICATE and duplicate_of.strip():
        found = find_by_reference(session, submission.municipality_id, duplicate_of)
        original = found.id if found is not None else None
    change = StatusChange(
        status, reason=reason, forwarded_to=forwarded_to, duplicate_of_id=original
    )
    return change_status(session, submission, change, actor=actor, scope=scope)
