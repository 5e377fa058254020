from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.cases.services import add_information, withdraw_submission
from dialogue.db import utcnow
from dialogue.intake.services import NewSubmission, submit_concern
from dialogue.models import (
    Category,
    Contact,
    Municipality,
    OutboxMessage,
    Status,
    Submission,
    SubmissionKind,
    SubmitterType,
)
from dialogue.outbox.mail import Mail
from dialogue.outbox.services import due_messages, enqueue
from dialogue.submissions.services import purge_expired_contacts
from tests.factories import SubmissionFactory


def _with_pending_notice(session: Session, status: Status = Status.NEW) -> Submission:
    category = session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    submission = SubmissionFactory(category=category, receipt_key=b"k", status=status)
    submission.contact = Contact(
        municipality_id=submission.municipality_id, email="a@example.se", consent_at=utcnow()
    )
    enqueue(
        session,
        municipality_id=submission.municipality_id,
        to_address="a@example.se",
        mail=Mail("Svar", "Det finns ett svar."),
        kind="reply_notice",
        submission_id=submission.id,
    )
    session.commit()
    return submission


def test_withdrawing_cancels_notices_not_yet_sent(db_session: Session, demo: Municipality) -> None:
    submission = _with_pending_notice(db_session)
    withdraw_submission(db_session, submission)
    notice = db_session.scalars(select(OutboxMessage)).one()
    assert notice.to_address is None
    assert due_messages(db_session, utcnow() + dt.timedelta(days=1), 10) == []


def test_purging_contacts_cancels_their_notices(db_session: Session, demo: Municipality) -> None:
    submission = _with_pending_notice(db_session, Status.ACCEPTED)
    submission.updated_at = utcnow() - dt.timedelta(days=200)
    db_session.commit()
    purge_expired_contacts(db_session, utcnow(), retention_days=90)
    assert db_session.scalars(select(OutboxMessage)).one().to_address is None


def _on_the_hour(moment: dt.datetime) -> bool:
    return (moment.minute, moment.second, moment.microsecond) == (0, 0, 0)


def test_information_added_by_the_submitter_is_stored_to_the_hour(
    db_session: Session, demo: Municipality
) -> None:
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    submission = SubmissionFactory(category=category, receipt_key=b"k")
    addendum = add_information(db_session, submission, "Det gäller även cykelbanan.")
    assert _on_the_hour(addendum.created_at)


def test_a_withdrawal_is_stored_to_the_hour_but_after_what_staff_did_before(
    db_session: Session, demo: Municipality, moderator: Account
) -> None:
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    submission = SubmissionFactory(category=category, receipt_key=b"k")
    data = NewSubmission(
        kind=SubmissionKind.CONCERN,
        category_id=category.id,
        text="Mörkt vid tunneln.",
        submitter_type=SubmitterType.RESIDENT,
        locale="sv",
    )
    plain = submit_concern(db_session, demo.id, data, nonce="w", receipt_key=b"k").submission
    moderated = utcnow() - dt.timedelta(seconds=1)
    record(
        db_session, moderator.id, "submission.tagged", Target("submission", submission.id, demo.id)
    ).created_at = moderated
    db_session.commit()

    withdraw_submission(db_session, plain)
    withdraw_submission(db_session, submission)

    (plain_event,) = [e for e in plain.status_events if e.to_status == Status.WITHDRAWN]
    assert _on_the_hour(plain_event.created_at) and plain.updated_at == plain_event.created_at
    (event,) = [e for e in submission.status_events if e.to_status == Status.WITHDRAWN]
    assert event.created_at >= moderated
    assert event.created_at <= utcnow()
