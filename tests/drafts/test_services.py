from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account
from dialogue.db import utcnow
from dialogue.drafts.models import KeptDraft
from dialogue.drafts.services import (
    KEEP_FOR,
    forget_draft,
    get_draft,
    keep_draft,
    purge_expired_drafts,
)
from dialogue.models import Municipality
from tests.helpers import make_staff

PAGE = "/staff/falkoping/submissions/7"


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(KeptDraft)) or 0


def test_a_draft_keeps_typed_fields_and_never_tokens_or_passwords(
    db_session: Session, moderator: Account
) -> None:
    keep_draft(
        db_session,
        moderator,
        PAGE,
        [
            ("reply-csrf_token", "secret-token"),
            ("dialogue_form", "ReplyForm"),
            ("reply-body", "Hej! Vi har sett över belysningen."),
            ("password", "hunter2"),
            ("new_password", "hunter3"),
            ("tags", "kväll"),
            ("tags", "park"),
        ],
    )
    draft = get_draft(db_session, moderator, PAGE)
    assert draft is not None
    assert draft.form_name == "ReplyForm"
    assert draft.fields == [
        ("reply-body", "Hej! Vi har sett över belysningen."),
        ("tags", "kväll"),
        ("tags", "park"),
    ]


def test_nothing_typed_keeps_no_draft(db_session: Session, moderator: Account) -> None:
    kept = keep_draft(db_session, moderator, PAGE, [("csrf_token", "t"), ("reply-body", "  ")])
    assert kept is None
    assert count(db_session) == 0


def test_a_newer_draft_of_the_same_page_replaces_the_older(
    db_session: Session, moderator: Account
) -> None:
    keep_draft(db_session, moderator, PAGE, [("reply-body", "first")])
    keep_draft(db_session, moderator, PAGE, [("reply-body", "second")])
    draft = get_draft(db_session, moderator, PAGE)
    assert draft is not None and draft.fields == [("reply-body", "second")]
    assert count(db_session) == 1


def test_a_draft_is_only_given_to_its_author_on_its_page(
    db_session: Session, moderator: Account, demo: Municipality
) -> None:
    other = make_staff(db_session, "olle@falkoping.example", "moderator", municipality_id=demo.id)
    keep_draft(db_session, moderator, PAGE, [("reply-body", "text")])
    assert get_draft(db_session, other, PAGE) is None
    assert get_draft(db_session, moderator, PAGE + "/reply") is None
    assert get_draft(db_session, moderator, PAGE) is not None


def test_a_draft_expires_after_an_hour(db_session: Session, moderator: Account) -> None:
    then = utcnow() - KEEP_FOR - dt.timedelta(minutes=1)
    keep_draft(db_session, moderator, PAGE, [("reply-body", "old")], now=then)
    assert get_draft(db_session, moderator, PAGE) is None
    assert purge_expired_drafts(db_session) == 1
    assert count(db_session) == 0


def test_keeping_a_draft_removes_expired_ones(db_session: Session, moderator: Account) -> None:
    then = utcnow() - KEEP_FOR - dt.timedelta(minutes=1)
    keep_draft(db_session, moderator, "/staff/falkoping/", [("q", "old")], now=then)
    keep_draft(db_session, moderator, PAGE, [("reply-body", "new")])
    assert count(db_session) == 1


def test_a_forgotten_draft_is_gone(db_session: Session, moderator: Account) -> None:
    keep_draft(db_session, moderator, PAGE, [("reply-body", "text")])
    draft = get_draft(db_session, moderator, PAGE)
    assert draft is not None
    forget_draft(db_session, moderator, draft.id)
    assert get_draft(db_session, moderator, PAGE) is None
    assert count(db_session) == 0
