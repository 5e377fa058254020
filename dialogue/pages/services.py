"""The health check: can the database be read, and can it be written?"""

from __future__ import annotations

import enum
import logging

from sqlalchemy import CursorResult, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from dialogue.db import DbSession, insert_missing, utcnow
from dialogue.errors import describe_fault
from dialogue.pages.models import Heartbeat

log = logging.getLogger(__name__)

HEARTBEAT_ID = 1
# The check waits at most this long for a lock or a statement: a load balancer asking every
# few seconds must neither hang nor queue behind a long write.
TIMEOUT_MS = 2000
# SQLite's usual wait for the write lock (connect_args timeout=15 in dialogue/__init__.py).
SQLITE_BUSY_TIMEOUT_MS = 15000


class DatabaseHealth(enum.StrEnum):
    OK = "ok"
    UNAVAILABLE = "unavailable"  # no connection, or not even a read succeeds
    NOT_WRITABLE = "not_writable"  # reads work, a committed write does not (disk full, read-only)


def check_database(session: DbSession) -> DatabaseHealth:
    """Read, then rewrite and commit the heartbeat row: a full disk or a read-only database
    fails here just as a submission would. The row is locked for one short update only."""
    try:
        session.execute(select(1))
    except SQLAlchemyError as error:
        _rollback(session)
        log.warning("health check: database unavailable: %s", describe_fault(error))
        return DatabaseHealth.UNAVAILABLE
    sqlite = session.connection().dialect.name == "sqlite"
    try:
        _limit_waiting(session, sqlite, TIMEOUT_MS)
        try:
            beat = update(Heartbeat).where(Heartbeat.id == HEARTBEAT_ID).values(beat_at=utcnow())
            result = session.execute(beat)
            if isinstance(result, CursorResult) and result.rowcount == 0:
                rows = [{"id": HEARTBEAT_ID, "beat_at": utcnow()}]
                insert_missing(session, Heartbeat, rows, unique=("id",))
        finally:
            if sqlite:  # set back on the same connection, still inside the transaction
                _limit_waiting(session, sqlite, SQLITE_BUSY_TIMEOUT_MS)
        session.commit()
    except SQLAlchemyError as error:
        _rollback(session)
        log.warning("health check: database not writable: %s", describe_fault(error))
        return DatabaseHealth.NOT_WRITABLE
    return DatabaseHealth.OK


def _limit_waiting(session: DbSession, sqlite: bool, milliseconds: int) -> None:
    if sqlite:
        # Per connection, so the caller sets it back on the same connection.
        session.execute(text(f"PRAGMA busy_timeout = {int(milliseconds)}"))
    else:
        # SET LOCAL ends with the transaction.
        session.execute(text(f"SET LOCAL lock_timeout = {int(milliseconds)}"))
        session.execute(text(f"SET LOCAL statement_timeout = {int(milliseconds)}"))


def _rollback(session: DbSession) -> None:
    try:
        session.rollback()
    except SQLAlchemyError:
        log.debug("rollback after a failed health check failed", exc_info=True)
