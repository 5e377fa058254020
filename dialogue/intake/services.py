"""Filing a submission: validate against the municipality's data, store once, hand a receipt."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from dialogue.categories.models import Category
from dialogue.db import DbSession
from dialogue.errors import DatabaseUnavailableError, InvalidInputError, is_outage
from dialogue.i18n import _l
from dialogue.places.models import Place
from dialogue.pledges.models import Commitment, Pledge, PledgeStatus
from dialogue.sanitize import clean_line, clean_text
from dialogue.submissions import receipts
from dialogue.submissions.models import (
    ActorKind,
    Contact,
    PartOfDay,
    Status,
    StatusEvent,
    Submission,
    SubmissionKind,
    SubmitterType,
    resident_time,
)


@dataclasses.dataclass(frozen=True)
class NewSubmission:
    """What the resident entered, already parsed by the form."""

    kind: SubmissionKind
    category_id: int
    text: str
    submitter_type: SubmitterType
    locale: str
    place_id: int | None = None
    location_text: str | None = None
    commitment_id: int | None = None
    occurred_on: dt.date | None = None
    part_of_day: PartOfDay | None = None
    is_recurring: bool = False
    safety_rating: int | None = None
    email: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclasses.dataclass(frozen=True)
class Receipt:
    submission: Submission
    code: str
    is_repeat: bool  # the same form arrived again; nothing new was stored
    has_email: bool  # an e-mail address for replies was given (the code is never mailed)

    @property
    def grouped_code(self) -> str:
        return receipts.group_code(self.code)


def submit_concern(
    session: DbSession,
    municipality_id: int,
    data: NewSubmission,
    *,
    nonce: str,
    receipt_key: bytes,
) -> Receipt:
    """Store a resident's submission once per form token and return its receipt."""
    code = receipts.code_for(receipt_key, nonce)
    key = receipts.idempotency_key(nonce)
    try:
        existing = _find_by_idempotency_key(session, municipality_id, key)
        if existing is not None:
            return _receipt(session, existing, code, is_repeat=True)
        category = _validate(session, municipality_id, data)
        submission = _build(
            municipality_id, data, category, key, receipts.hash_code(receipt_key, code)
        )
        session.add(submission)
        session.commit()
    except IntegrityError:
        # A parallel request with the same token won the race: show its receipt.
        session.rollback()
        existing = _find_by_idempotency_key(session, municipality_id, key)
        if existing is None:
            raise
        return _receipt(session, existing, code, is_repeat=True)
    except OperationalError as error:
        session.rollback()
        if not is_outage(error):
            raise
        raise DatabaseUnavailableError() from error
    return Receipt(submission, code, is_repeat=False, has_email=bool(data.email))


def find_receipt(
    session: DbSession, municipality_id: int, *, nonce: str, receipt_key: bytes
) -> Receipt | None:
    """The receipt of the submission stored from this form token, if there is one."""
    key = receipts.idempotency_key(nonce)
    submission = session.scalar(
        select(Submission).where(
            Submission.idempotency_key == key, Submission.municipality_id == municipality_id
        )
    )
    if submission is None:
        return None
    return _receipt(session, submission, receipts.code_for(receipt_key, nonce), is_repeat=False)


def _receipt(session: DbSession, submission: Submission, code: str, *, is_repeat: bool) -> Receipt:
    contact = session.scalar(select(Contact.id).where(Contact.submission_id == submission.id))
    return Receipt(submission, code, is_repeat=is_repeat, has_email=contact is not None)


def _find_by_idempotency_key(
    session: DbSession, municipality_id: int, key: str
) -> Submission | None:
    submission = session.scalar(select(Submission).where(Submission.idempotency_key == key))
    if submission is not None and submission.municipality_id != municipality_id:
        raise InvalidInputError({"form_token": _l("The form has expired. Send it again.")})
    return submission


def _validate(session: DbSession, municipality_id: int, data: NewSubmission) -> Category:
    errors = {}
    if not clean_text(data.text):
        errors["text"] = _l("Write what you want to tell us.")
    category = session.get(Category, data.category_id)
    if (
        category is None
        or category.municipality_id != municipality_id
        or not category.is_active
        or category.parent_id is None
    ):
        errors["category"] = _l("Choose a category from the list.")
    if data.place_id is not None:
        place = session.get(Place, data.place_id)
        if place is None or place.municipality_id != municipality_id:
            errors["place"] = _l("Choose a place from the list.")
    if data.commitment_id is not None and not _is_public_commitment(
        session, municipality_id, data.commitment_id
    ):
        errors["commitment"] = _l("Choose one of the pledge's commitments.")
    if errors:
        raise InvalidInputError(errors)
    assert category is not None  # noqa: S101 (narrowed by the check above)
    return category


def _is_public_commitment(session: DbSession, municipality_id: int, commitment_id: int) -> bool:
    found = session.scalar(
        select(Commitment.id)
        .join(Pledge)
        .where(
            Commitment.id == commitment_id,
            Commitment.municipality_id == municipality_id,
            Pledge.status == PledgeStatus.PUBLISHED,
        )
    )
    return found is not None


def _build(
    municipality_id: int, data: NewSubmission, category: Category, key: str, receipt_hash: str
) -> Submission:
    received = resident_time()  # to the hour: see RESIDENT_TIME_GRAIN
    submission = Submission(
        municipality_id=municipality_id,
        reference=receipts.new_reference(),
        receipt_hash=receipt_hash,
        idempotency_key=key,
        kind=data.kind,
        status=Status.NEW,
        submitted_category_id=category.id,
        category_id=category.id,
        submitted_place_id=data.place_id,
        place_id=data.place_id,
        submitted_commitment_id=data.commitment_id,
        commitment_id=data.commitment_id,
        location_text=clean_line(data.location_text or "") or None,
        latitude=data.latitude,
        longitude=data.longitude,
        occurred_on=data.occurred_on,
        part_of_day=data.part_of_day,
        is_recurring=data.is_recurring,
        text=clean_text(data.text),
        safety_rating=data.safety_rating,
        submitter_type=data.submitter_type,
        locale=data.locale,
        is_sensitive=category.is_sensitive,
        created_at=received,
        updated_at=received,
    )
    submission.status_events.append(
        StatusEvent(
            municipality_id=municipality_id,
            actor_kind=ActorKind.SUBMITTER,
            from_status=None,
            to_status=Status.NEW,
            created_at=received,
        )
    )
    if data.email:
        submission.contact = Contact(
            municipality_id=municipality_id,
            email=data.email.strip(),
            consent_at=received,
            created_at=received,
        )
    return submission
