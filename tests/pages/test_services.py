from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.pages.models import Heartbeat
from dialogue.pages.services import HEARTBEAT_ID, DatabaseHealth, check_database
from tests.helpers import writes_refused


def _beat(session: Session) -> object:
    return session.scalar(select(Heartbeat.beat_at).where(Heartbeat.id == HEARTBEAT_ID))


def test_the_health_check_commits_a_write(db_session: Session) -> None:
    before = _beat(db_session)
    assert check_database(db_session) is DatabaseHealth.OK
    db_session.expire_all()
    after = _beat(db_session)
    assert after is not None and after != before


def test_the_heartbeat_row_is_made_again_if_it_is_missing(db_session: Session) -> None:
    db_session.query(Heartbeat).delete()
    db_session.commit()
    assert check_database(db_session) is DatabaseHealth.OK
    assert _beat(db_session) is not None


def test_a_database_that_refuses_writes_is_reported_not_writable(
    db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    with writes_refused(db_session):
        assert check_database(db_session) is DatabaseHealth.NOT_WRITABLE
    assert "health check: database not writable" in caplog.text
