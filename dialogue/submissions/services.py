"""Rules that hold for every submission, whoever acts on it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from dialogue.db import DbSession
from dialogue.outbox.services import cancel_pending
from dialogue.submissions.models import Contact, Status, Submission

# Statuses in which nobody is waiting for a reply any more.
HANDLED = frozenset(
    {
        Status.ACCEPTED,
        Status.FORWARDED,
        Status.DUPLICATE,
        Status.REJECTED,
        Status.SPAM,
        Status.WITHDRAWN,
    }
)


def purge_expired_contacts(session: DbSession, now: dt.datetime, retention_days: int) -> int:
    """Delete the contact details of cases handled more than ``retention_days`` ago."""
    cutoff = now - dt.timedelta(days=retention_days)
    expired = select(Submission.id).where(
        Submission.status.in_(HANDLED), Submission.updated_at < cutoff
    )
    result = session.execute(delete(Contact).where(Contact.submission_id.in_(expired)))
    cancel_pending(session, expired)
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
