from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.cases.services import withdraw_submission
from dialogue.db import utcnow
from dialogue.models import Category, Contact, Municipality, OutboxMessage, Status, Submission
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
        subject="Svar",
        body="Det finns ett svar.",
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
