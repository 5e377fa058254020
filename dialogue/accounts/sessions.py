"""Server-side staff sessions: started at sign-in, checked on every request, ended on sign-out.

The signed cookie carries a random token naming a ``StaffSession`` row; the database keeps
only the token's keyed hash. A request is accepted only while that row exists, is not ended
and was seen within the idle limit, so a cookie copied before sign-out, a password change or
a deactivation opens nothing afterwards, and the idle limit holds whatever the cookie says.

``touch_session`` is the one place that decides whether a session is idle. It moves
``last_seen_at`` forward at most once every ``TOUCH_INTERVAL`` (60 seconds, or a tenth of a
shorter idle limit) instead of writing on every request; the idle limit is counted from that
stored time, so a person is signed out after between nine tenths of the idle limit (at most
60 s less) and the idle limit without a request, never later.

Ended and idle rows are deleted ``KEPT_AFTER_END`` (a day) after they stopped working: at
the account's next sign-in, and for every account by ``dialogue retention run``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
from enum import StrEnum

from sqlalchemy import delete, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from dialogue.accounts.models import Account, SessionEnd, StaffSession
from dialogue.audit.services import Target, record
from dialogue.db import DbSession, utcnow

TOUCH_INTERVAL = dt.timedelta(seconds=60)
KEPT_AFTER_END = dt.timedelta(days=1)


class SessionState(StrEnum):
    LIVE = "live"
    IDLE = "idle"  # ended for inactivity (now or earlier): the person is told so
    ENDED = "ended"  # no such session, signed out, or ended by a password change or an admin


@dataclasses.dataclass(frozen=True)
class SessionCheck:
    """What ``touch_session`` found; a live session says when it ends unless touched again."""

    state: SessionState
    session_id: int | None = None
    expires_at: dt.datetime | None = None

    @property
    def is_live(self) -> bool:
        return self.state is SessionState.LIVE


NO_SESSION = SessionCheck(SessionState.ENDED)


def hash_token(key: bytes, token: str) -> str:
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def start_session(
    session: DbSession,
    account: Account,
    key: bytes,
    idle_limit: dt.timedelta,
    *,
    now: dt.datetime | None = None,
) -> str:
    """A new session of ``account``; returns the token for its cookie. The caller commits.

    The account's sessions that stopped working more than a day ago are deleted here.
    """
    now = now or utcnow()
    session.execute(
        delete(StaffSession).where(
            StaffSession.account_id == account.id, _long_dead(now, idle_limit)
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            account_id=account.id,
            token_hash=hash_token(key, token),
            created_at=now,
            last_seen_at=now,
        )
    )
    session.flush()
    return token


def touch_session(
    session: DbSession,
    key: bytes,
    token: str | None,
    idle_limit: dt.timedelta,
    *,
    account_id: int | None = None,
    now: dt.datetime | None = None,
) -> SessionCheck:
    """Whether the session of ``token`` may make this request; a live one is marked as seen.

    A session idle for longer than ``idle_limit`` is ended here. With ``account_id``, a
    session of another account counts as no session.
    """
    row = _find(session, key, token)
    if row is None or (account_id is not None and row.account_id != account_id):
        return NO_SESSION
    if row.ended_at is not None:
        state = SessionState.IDLE if row.end_reason == SessionEnd.IDLE else SessionState.ENDED
        return SessionCheck(state, row.id)
    now = now or utcnow()
    if now - row.last_seen_at > idle_limit:
        row.ended_at = now
        row.end_reason = SessionEnd.IDLE
        session.commit()
        return SessionCheck(SessionState.IDLE, row.id)
    if now - row.last_seen_at >= min(TOUCH_INTERVAL, idle_limit / 10):
        row.last_seen_at = now
        session.commit()
    return SessionCheck(SessionState.LIVE, row.id, row.last_seen_at + idle_limit)


def end_session(
    session: DbSession, key: bytes, token: str | None, *, now: dt.datetime | None = None
) -> bool:
    """Sign out: end the session of ``token``; False if it was not live."""
    row = _find(session, key, token)
    if row is None or row.ended_at is not None:
        return False
    row.ended_at = now or utcnow()
    row.end_reason = SessionEnd.SIGNED_OUT
    record(session, row.account_id, "account.signed_out", Target("account", row.account_id, None))
    session.commit()
    return True


def end_all_sessions(
    session: DbSession,
    account: Account,
    reason: SessionEnd,
    *,
    keep: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """End every live session of ``account`` but the one with id ``keep``. The caller commits."""
    statement = (
        update(StaffSession)
        .where(StaffSession.account_id == account.id, StaffSession.ended_at.is_(None))
        .values(ended_at=now or utcnow(), end_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    if keep is not None:
        statement = statement.where(StaffSession.id != keep)
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def purge_sessions(session: DbSession, now: dt.datetime, idle_limit: dt.timedelta) -> int:
    """Delete every session that stopped working more than a day ago; returns how many."""
    result = session.execute(delete(StaffSession).where(_long_dead(now, idle_limit)))
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _long_dead(now: dt.datetime, idle_limit: dt.timedelta) -> ColumnElement[bool]:
    return or_(
        StaffSession.ended_at < now - KEPT_AFTER_END,
        StaffSession.last_seen_at < now - idle_limit - KEPT_AFTER_END,
    )


def _find(session: DbSession, key: bytes, token: str | None) -> StaffSession | None:
    if not token:
        return None
    return session.scalar(
        select(StaffSession).where(StaffSession.token_hash == hash_token(key, token))
    )
