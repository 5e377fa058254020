"""The demo's pledge is in force on the day the demo is loaded."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.demo.samples import load_samples
from dialogue.demo.services import in_force_on, load_demo
from dialogue.models import Pledge, ProgressUpdate, Submission

START, END = dt.date(2023, 4, 19), dt.date(2023, 12, 31)


@pytest.mark.parametrize(
    ("today", "years", "end"),
    [
        (dt.date(2026, 12, 5), 3, dt.date(2026, 12, 31)),  # moved validity holds today
        (dt.date(2026, 4, 19), 3, dt.date(2026, 12, 31)),  # its first day
        (dt.date(2027, 2, 1), 3, dt.date(2027, 12, 31)),  # before 19 April: last year's, extended
        (dt.date(2023, 6, 1), 0, END),  # the data's own year
    ],
)
def test_the_moved_validity_holds_today(today: dt.date, years: int, end: dt.date) -> None:
    moved_years, moved_end = in_force_on(START, END, today)
    assert (moved_years, moved_end) == (years, end)
    assert START.replace(year=START.year + moved_years) <= today <= moved_end


def test_a_demo_loaded_today_has_a_pledge_in_force_and_nothing_dated_later(
    db_session: Session,
) -> None:
    today = dt.date(2026, 12, 5)
    municipality = load_demo(db_session, today=today)
    load_samples(db_session, municipality, count=60, until=today)
    pledge = db_session.scalars(
        select(Pledge).where(Pledge.municipality_id == municipality.id)
    ).one()
    assert (pledge.valid_from, pledge.valid_to) == (dt.date(2026, 4, 19), dt.date(2026, 12, 31))
    assert "2026" in pledge.title["sv"] and "2023" not in pledge.title["sv"]
    received = db_session.scalars(
        select(Submission.created_at).where(Submission.municipality_id == municipality.id)
    ).all()
    assert received and max(received).date() <= today
    updates = db_session.scalars(select(ProgressUpdate.published_on)).all()
    assert updates and max(updates) <= today
