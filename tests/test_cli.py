"""The operator commands."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialogue.demo.services import load_demo
from dialogue.models import (
    Account,
    Category,
    Commitment,
    Initiative,
    Municipality,
    Place,
    Pledge,
    StaffSession,
)


def _counts(session: Session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Municipality, Category, Place, Pledge, Commitment, Initiative)
    }


def test_loading_the_demo_twice_changes_nothing(db_session: Session) -> None:
    load_demo(db_session)
    first = _counts(db_session)
    load_demo(db_session)
    assert _counts(db_session) == first
    assert first == {
        "Municipality": 1,
        "Category": 31,
        "Place": 7,
        "Pledge": 1,
        "Commitment": 5,
        "Initiative": 6,
    }


def test_demo_command_reports_what_it_loaded(app: Flask, db_session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Falköpings kommun" in result.output


def test_packaged_demo_data_matches_the_shared_copy() -> None:
    from pathlib import Path

    from dialogue.demo.services import CATEGORIES_FILE, DEMO_FILE, read_data_file

    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not shared.is_dir():
        return  # a clone without the shared folder beside it: nothing to compare
    for name in (DEMO_FILE, CATEGORIES_FILE):
        assert read_data_file(name) == (shared / name).read_text(encoding="utf-8"), name


def test_retention_run_deletes_staff_sessions_that_ended_more_than_a_day_ago(
    app: Flask, db_session: Session, moderator: Account
) -> None:
    import datetime as dt

    from dialogue.accounts.sessions import KEPT_AFTER_END, start_session
    from dialogue.db import utcnow

    key = app.extensions["dialogue.keys"].staff_session
    idle = dt.timedelta(minutes=app.extensions["dialogue.settings"].staff_idle_minutes)
    start_session(db_session, moderator, key, idle)
    start_session(db_session, moderator, key, idle, now=utcnow() - idle - KEPT_AFTER_END * 2)
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 staff sessions that ended more than a day ago." in result.output
    assert db_session.scalar(select(func.count()).select_from(StaffSession)) == 1
