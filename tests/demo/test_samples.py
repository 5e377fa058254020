"""The made-up demo samples: within the pledge's period, counted once, never raw in public."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialogue.demo.samples import SAMPLE_KEY_PREFIX, load_samples
from dialogue.models import (
    Municipality,
    Organisation,
    Pledge,
    ProgressUpdate,
    Status,
    Submission,
)


def test_samples_are_loaded_once(db_session: Session, demo: Municipality) -> None:
    assert load_samples(db_session, demo, count=50) == 50
    assert load_samples(db_session, demo, count=50) == 0
    total = db_session.scalar(
        select(func.count()).where(Submission.idempotency_key.startswith(SAMPLE_KEY_PREFIX))
    )
    assert total == 50
    assert db_session.scalar(select(func.count(Organisation.id))) == 6
    assert db_session.scalar(select(func.count(ProgressUpdate.id))) == 3


def test_samples_fall_within_the_pledge_period_in_local_time(
    db_session: Session, demo: Municipality
) -> None:
    load_samples(db_session, demo, count=80)
    pledge = db_session.scalars(select(Pledge).filter_by(municipality_id=demo.id)).one()
    zone = ZoneInfo(demo.timezone)
    for submission in db_session.scalars(select(Submission)):
        local_day = submission.created_at.astimezone(zone).date()
        assert pledge.valid_from <= local_day <= pledge.valid_to
        if submission.occurred_on is not None:
            assert submission.occurred_on <= local_day
            assert local_day - submission.occurred_on <= dt.timedelta(days=6)


def test_only_accepted_samples_have_a_public_summary(
    db_session: Session, demo: Municipality
) -> None:
    load_samples(db_session, demo, count=80)
    statuses = set()
    for submission in db_session.scalars(select(Submission)):
        statuses.add(submission.status)
        assert (submission.public_summary is not None) == (submission.status == Status.ACCEPTED)
        assert submission.contact is None
    assert Status.ACCEPTED in statuses and len(statuses) > 1
