"""The resident's side of a case: open it with the receipt code, add to it, withdraw it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified

from dialogue.audit.models import AuditEvent
from dialogue.db import DbSession
from dialogue.errors import DatabaseUnavailableError, InvalidInputError, NotFoundError, is_outage
from dialogue.i18n import _l
from dialogue.outbox.services import cancel_pending
from dialogue.sanitize import clean_text
from dialogue.submissions import receipts
from dialogue.submissions.models import (
    ActorKind,
    Addendum,
    Status,
    StatusEvent,
    Submission,
    resident_time,
)

MAX_ADDENDA = 20


def find_case(
    session: DbSession, municipality_id: int, raw_code: str, receipt_key: bytes
) -> int | None:
    """The id of the case this receipt code opens, or None; says nothing about why not."""
    code = receipts.normalize_code(raw_code)
    if code is None:
        return None
    return session.scalar(
        select(Submission.id).where(
            Submission.receipt_hash == receipts.hash_code(receipt_key, code),
            Submission.municipality_id == municipality_id,
        )
    )


def get_case(session: DbSession, municipality_id: int, submission_id: int) -> Submission:
    """A case with everything its page shows; NotFoundError outside this municipality."""
    submission = session.scalar(
        select(Submission)
        .where(Submission.id == submission_id, Submission.municipality_id == municipality_id)
        .options(
            joinedload(Submission.category),
            joinedload(Submission.place),
            joinedload(Submission.commitment),
            selectinload(Submission.status_events),
            selectinload(Submission.replies),
            selectinload(Submission.addenda),
        )
    )
    if submission is None:
        raise NotFoundError(submission_id)
    return submission


def add_information(session: DbSession, submission: Submission, text: str) -> Addendum:
    """Append the submitter's further information to an open case."""
    cleaned = clean_text(text)
    if not cleaned:
        raise InvalidInputError({"text": _l("Write what you want to add.")})
    if submission.status == Status.WITHDRAWN:
        raise InvalidInputError(
            {"text": _l("You have withdrawn this message, so nothing can be added.")}
        )
    if len(submission.addenda) >= MAX_ADDENDA:
        raise InvalidInputError(
            {"text": _l("This case cannot take more additions. Send a new message instead.")}
        )
    addendum = Addendum(
        municipality_id=submission.municipality_id, text=cleaned, created_at=resident_time()
    )
    submission.addenda.append(addendum)
    _commit(session)
    return addendum


def withdraw_submission(session: DbSession, submission: Submission) -> None:
    """Withdraw a case at the submitter's request and delete any contact details it holds."""
    if not submission.is_withdrawable:
        raise InvalidInputError({"confirm": _l("This message can no longer be withdrawn.")})
    at = resident_time(not_before=_last_change(session, submission))
    submission.status_events.append(
        StatusEvent(
            municipality_id=submission.municipality_id,
            actor_kind=ActorKind.SUBMITTER,
            from_status=submission.status,
            to_status=Status.WITHDRAWN,
            created_at=at,
        )
    )
    submission.updated_at = at
    flag_modified(submission, "updated_at")  # even when unchanged, or onupdate would set now
    submission.status = Status.WITHDRAWN
    submission.contact = None
    cancel_pending(session, [submission.id])
    _commit(session)


def _last_change(session: DbSession, submission: Submission) -> dt.datetime:
    """The latest time already stored for the case, so the withdrawal sorts after it."""
    audited = session.scalar(
        select(func.max(AuditEvent.created_at)).where(
            AuditEvent.municipality_id == submission.municipality_id,
            AuditEvent.object_type == "submission",
            AuditEvent.object_id == submission.id,
        )
    )
    times = [submission.updated_at, *(event.created_at for event in submission.status_events)]
    return max([*times, audited] if audited is not None else times)


def _commit(session: DbSession) -> None:
    try:
        session.commit()
    except OperationalError as error:
        session.rollback()
        if not is_outage(error):
            raise
        raise DatabaseUnavailableError() from error
