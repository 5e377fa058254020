from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.accounts.administration import add_member, deactivate_member, remove_role
from dialogue.accounts.models import Account, SessionEnd, StaffSession
from dialogue.accounts.services import change_password, record_sign_in
from dialogue.accounts.sessions import (
    KEPT_AFTER_END,
    TOUCH_INTERVAL,
    SessionState,
    end_all_sessions,
    end_session,
    hash_token,
    purge_sessions,
    start_session,
    touch_session,
)
from dialogue.audit.models import AuditEvent
from dialogue.db import utcnow
from dialogue.models import Municipality, Role
from tests.factories import MunicipalityFactory
from tests.helpers import make_staff

KEY = b"s" * 32
IDLE = dt.timedelta(minutes=30)


def row_of(session: Session, token: str) -> StaffSession:
    return session.scalars(
        select(StaffSession).where(StaffSession.token_hash == hash_token(KEY, token))
    ).one()


def started(session: Session, account: Account, now: dt.datetime | None = None) -> str:
    token = start_session(session, account, KEY, IDLE, now=now)
    session.commit()
    return token


def test_a_session_is_stored_only_as_a_keyed_hash_of_its_token(
    db_session: Session, moderator: Account
) -> None:
    token = record_sign_in(db_session, moderator, KEY, IDLE)
    row = db_session.scalars(select(StaffSession)).one()
    assert len(token) >= 40
    assert token not in row.token_hash
    assert row.token_hash == hash_token(KEY, token) != hash_token(b"k" * 32, token)
    assert (row.account_id, row.ended_at, row.last_seen_at) == (moderator.id, None, row.created_at)


def test_every_sign_in_starts_its_own_session(db_session: Session, moderator: Account) -> None:
    first = started(db_session, moderator)
    second = started(db_session, moderator)
    assert first != second
    end_session(db_session, KEY, first)
    assert touch_session(db_session, KEY, first, IDLE).state is SessionState.ENDED
    assert touch_session(db_session, KEY, second, IDLE).is_live


def test_last_seen_is_written_at_most_once_a_minute(
    db_session: Session, moderator: Account
) -> None:
    start = utcnow()
    token = started(db_session, moderator, start)
    soon = start + TOUCH_INTERVAL - dt.timedelta(seconds=1)
    check = touch_session(db_session, KEY, token, IDLE, now=soon)
    assert check.is_live and check.expires_at == start + IDLE
    assert row_of(db_session, token).last_seen_at == start
    later = start + TOUCH_INTERVAL
    check = touch_session(db_session, KEY, token, IDLE, now=later)
    assert row_of(db_session, token).last_seen_at == later
    assert check.expires_at == later + IDLE


def test_a_session_idle_past_the_limit_is_ended_and_stays_ended(
    db_session: Session, moderator: Account
) -> None:
    start = utcnow()
    token = started(db_session, moderator, start)
    at_the_limit = start + IDLE
    assert touch_session(db_session, KEY, token, IDLE, now=at_the_limit).is_live
    late = at_the_limit + IDLE + dt.timedelta(seconds=1)
    assert touch_session(db_session, KEY, token, IDLE, now=late).state is SessionState.IDLE
    row = row_of(db_session, token)
    assert (row.ended_at, row.end_reason) == (late, SessionEnd.IDLE)
    # Coming back at once does not revive it.
    assert touch_session(db_session, KEY, token, IDLE, now=late).state is SessionState.IDLE


def test_unknown_tokens_and_sessions_of_another_account_are_no_session(
    db_session: Session, moderator: Account, administrator: Account
) -> None:
    token = started(db_session, moderator)
    assert touch_session(db_session, KEY, None, IDLE).state is SessionState.ENDED
    assert touch_session(db_session, KEY, "", IDLE).state is SessionState.ENDED
    assert touch_session(db_session, KEY, token + "x", IDLE).state is SessionState.ENDED
    other = touch_session(db_session, KEY, token, IDLE, account_id=administrator.id)
    assert other.state is SessionState.ENDED
    assert touch_session(db_session, KEY, token, IDLE, account_id=moderator.id).is_live


def test_signing_out_ends_that_session_and_is_audited(
    db_session: Session, moderator: Account
) -> None:
    token = started(db_session, moderator)
    assert end_session(db_session, KEY, token) is True
    assert row_of(db_session, token).end_reason == SessionEnd.SIGNED_OUT
    assert end_session(db_session, KEY, token) is False, "ended once"
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.signed_out")
    ).all()
    assert [(e.actor_id, e.object_id) for e in events] == [(moderator.id, moderator.id)]


def test_end_all_sessions_keeps_only_the_one_named(
    db_session: Session, moderator: Account, administrator: Account
) -> None:
    kept, ended = started(db_session, moderator), started(db_session, moderator)
    colleague = started(db_session, administrator)
    keep = row_of(db_session, kept).id
    assert end_all_sessions(db_session, moderator, SessionEnd.PASSWORD_CHANGED, keep=keep) == 1
    db_session.commit()
    assert touch_session(db_session, KEY, kept, IDLE).is_live
    assert touch_session(db_session, KEY, ended, IDLE).state is SessionState.ENDED
    assert touch_session(db_session, KEY, colleague, IDLE).is_live


def test_a_password_change_ends_the_other_sessions(db_session: Session, moderator: Account) -> None:
    here, elsewhere = started(db_session, moderator), started(db_session, moderator)
    keep = row_of(db_session, here).id
    change_password(db_session, moderator, "ett nytt och långt lösenord", keep_session=keep)
    assert touch_session(db_session, KEY, here, IDLE).is_live
    assert row_of(db_session, elsewhere).end_reason == SessionEnd.PASSWORD_CHANGED
    change_password(db_session, moderator, "ännu ett nytt långt lösenord")
    assert touch_session(db_session, KEY, here, IDLE).state is SessionState.ENDED


def test_deactivation_ends_every_session_and_reactivation_revives_none(
    db_session: Session, demo: Municipality, moderator: Account, administrator: Account
) -> None:
    tokens = [started(db_session, moderator), started(db_session, moderator)]
    as_admin = {"actor": administrator, "scope": load_scope(db_session, administrator)}
    deactivate_member(db_session, demo.id, moderator.id, **as_admin)
    assert {row_of(db_session, t).end_reason for t in tokens} == {SessionEnd.DEACTIVATED}
    add_member(db_session, demo.id, email=moderator.email, role=Role.MODERATOR, **as_admin)
    assert all(not touch_session(db_session, KEY, t, IDLE).is_live for t in tokens)


def test_losing_the_last_role_anywhere_ends_the_sessions(
    db_session: Session, demo: Municipality, administrator: Account
) -> None:
    as_admin = {"actor": administrator, "scope": load_scope(db_session, administrator)}
    other = MunicipalityFactory()
    person = make_staff(db_session, "per@falkoping.example", "moderator", municipality_id=demo.id)
    make_staff(db_session, "x@grannkommun.example", "admin", municipality_id=other.id)
    add_member(db_session, demo.id, email=person.email, role=Role.ADMIN, **as_admin)
    token = started(db_session, person)
    first, second = sorted(person.memberships, key=lambda m: m.id)
    remove_role(db_session, demo.id, first.id, **as_admin)
    assert touch_session(db_session, KEY, token, IDLE).is_live, "a role is left here"
    remove_role(db_session, demo.id, second.id, **as_admin)
    assert row_of(db_session, token).end_reason == SessionEnd.ROLES_REMOVED


def test_sessions_dead_for_more_than_a_day_are_deleted(
    db_session: Session, moderator: Account, administrator: Account
) -> None:
    now = utcnow()
    long_ago = now - IDLE - KEPT_AFTER_END - dt.timedelta(minutes=1)
    # (Each start deletes its account's long-dead sessions: the old ones come last.)
    recent_end = started(db_session, administrator)
    end_session(db_session, KEY, recent_end)
    live = started(db_session, administrator, now - IDLE)
    started(db_session, moderator, long_ago)  # never signed out
    signed_out = started(db_session, administrator, long_ago)
    end_session(db_session, KEY, signed_out, now=long_ago)
    assert purge_sessions(db_session, now, IDLE) == 2
    left = set(db_session.scalars(select(StaffSession.token_hash)))
    assert left == {hash_token(KEY, recent_end), hash_token(KEY, live)}


def test_signing_in_deletes_the_accounts_own_long_dead_sessions(
    db_session: Session, moderator: Account, administrator: Account
) -> None:
    long_ago = utcnow() - IDLE - KEPT_AFTER_END - dt.timedelta(minutes=1)
    started(db_session, moderator, long_ago)
    colleagues = started(db_session, administrator, long_ago)
    token = record_sign_in(db_session, moderator, KEY, IDLE)
    left = set(db_session.scalars(select(StaffSession.token_hash)))
    assert left == {hash_token(KEY, token), hash_token(KEY, colleagues)}
