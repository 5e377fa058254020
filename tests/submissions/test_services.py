from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.db import utcnow
from dialogue.models import Category, Contact, Municipality, Status, Submission
from dialogue.submissions.services import purge_expired_contacts
from tests.factories import SubmissionFactory


def _with_contact(session: Session, status: Status, days_ago: int) -> Submission:
    category = session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    submission = SubmissionFactory(category=category, status=status, receipt_key=b"k")
    submission.contact = Contact(
        municipality_id=submission.municipality_id, email="a@example.se", consent_at=utcnow()
    )
    session.commit()
    submission.updated_at = utcnow() - dt.timedelta(days=days_ago)
    session.commit()
    return submission


def test_contacts_of_cases_handled_long_ago_are_purged(
    db_session: Session, demo: Municipality
) -> None:
    old_handled = _with_contact(db_session, Status.ACCEPTED, days_ago=100)
    recent_handled = _with_contact(db_session, Status.REJECTED, days_ago=10)
    old_open = _with_contact(db_session, Status.NEW, days_ago=100)

    assert purge_expired_contacts(db_session, utcnow(), retention_days=90) == 1

    remaining = {c.submission_id for c in db_session.scalars(select(Contact))}
    assert remaining == {recent_handled.id, old_open.id}
    assert db_session.get(Submission, old_handled.id) is not None  # the case itself stays


def test_retention_command_reports_what_it_deleted(
    app: Flask, db_session: Session, demo: Municipality
) -> None:
    _with_contact(db_session, Status.SPAM, days_ago=5)
    result = app.test_cli_runner().invoke(args=["retention", "run", "--days", "1"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 contact" in result.output
