"""Idle sessions: what was typed survives a sign-out, and sign-in returns to a GET page."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account, StaffSession
from dialogue.db import utcnow
from dialogue.drafts.models import KeptDraft
from dialogue.extensions import db
from dialogue.models import Category, Municipality, Note, Reply, Submission
from tests.factories import SubmissionFactory
from tests.helpers import STAFF_PASSWORD, hidden_fields, make_staff, sign_in

REPLY = "Tack för ert meddelande. Vi byter lamporna vid gångtunneln nästa vecka."


@pytest.fixture
def submission(app: Flask, db_session: Session, demo: Municipality) -> Submission:
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    keys = app.extensions["dialogue.keys"]
    return SubmissionFactory(category=category, receipt_key=keys.receipt, text="Mörkt i tunneln.")


def page_of(submission: Submission) -> str:
    return f"/staff/falkoping/submissions/{submission.id}"


def expire(client: FlaskClient) -> None:
    """Make every staff session idle, as if its last request was a day ago (on the server)."""
    long_ago = utcnow() - dt.timedelta(days=1)
    db.session.execute(update(StaffSession).values(last_seen_at=long_ago))
    db.session.commit()


def post_reply_after_expiry(
    client: FlaskClient, submission: Submission, *, referrer: bool = True
) -> Any:
    html = client.get(page_of(submission)).get_data(as_text=True)
    token = hidden_fields(html)["csrf_token"]
    expire(client)
    headers = {"Referer": "http://localhost" + page_of(submission)} if referrer else {}
    return client.post(
        page_of(submission) + "/replies",
        data={"reply-csrf_token": token, "dialogue_form": "ReplyForm", "reply-body": REPLY},
        headers=headers,
    )


def sign_in_to(client: FlaskClient, location: str, email: str) -> Any:
    html = client.get(location).get_data(as_text=True)
    tokens = hidden_fields(html)
    next_value = unescape(re.search(r'name="next"[^>]*value="([^"]*)"', html).group(1))
    return client.post(
        "/staff/login",
        data={**tokens, "email": email, "password": STAFF_PASSWORD, "next": next_value},
    )


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert found is not None, name
    return unescape(found.group(1)).strip()


def drafts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(KeptDraft)) or 0


def replies(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Reply)) or 0


def test_a_reply_sent_after_the_idle_limit_is_kept_and_restored_not_sent(
    client: FlaskClient, db_session: Session, moderator: Account, submission: Submission, sv
) -> None:
    sign_in(client, moderator.email)
    response = post_reply_after_expiry(client, submission)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == f"/staff/login?next=/staff/falkoping/submissions/{submission.id}"
    assert replies(db_session) == 0
    assert drafts(db_session) == 1

    signed_in = sign_in_to(client, location, moderator.email)
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == page_of(submission)

    html = client.get(page_of(submission)).get_data(as_text=True)
    assert textarea(html, "reply-body") == REPLY
    assert textarea(html, "note-body") == "", "only the form that was sent gets the text"
    assert sv(
        "You were signed out before this form was sent, so nothing was saved or sent. "
        "What you typed is back in the form: check it and send it again."
    ) in unescape(html)
    assert replies(db_session) == 0, "restored, not applied"
    assert drafts(db_session) == 0, "a restored draft is deleted"
    again = client.get(page_of(submission)).get_data(as_text=True)
    assert textarea(again, "reply-body") == ""


def test_without_a_referrer_the_page_above_the_posted_url_is_used(
    client: FlaskClient, db_session: Session, moderator: Account, submission: Submission
) -> None:
    sign_in(client, moderator.email)
    response = post_reply_after_expiry(client, submission, referrer=False)
    assert response.headers["Location"].endswith(
        f"next=/staff/falkoping/submissions/{submission.id}"
    )
    assert drafts(db_session) == 1


def test_another_account_signing_in_does_not_get_the_draft(
    client: FlaskClient,
    db_session: Session,
    moderator: Account,
    submission: Submission,
    demo: Municipality,
) -> None:
    other = make_staff(db_session, "olle@falkoping.example", "moderator", municipality_id=demo.id)
    sign_in(client, moderator.email)
    location = post_reply_after_expiry(client, submission).headers["Location"]
    assert sign_in_to(client, location, other.email).status_code == 303
    html = client.get(page_of(submission)).get_data(as_text=True)
    assert textarea(html, "reply-body") == ""
    assert drafts(db_session) == 1, "kept for its author"


def test_a_note_sent_after_the_idle_limit_is_restored_into_the_note_box(
    client: FlaskClient, db_session: Session, moderator: Account, submission: Submission
) -> None:
    sign_in(client, moderator.email)
    token = hidden_fields(client.get(page_of(submission)).get_data(as_text=True))["csrf_token"]
    expire(client)
    response = client.post(
        page_of(submission) + "/notes",
        data={
            "note-csrf_token": token,
            "dialogue_form": "NoteForm",
            "note-body": "Ring fastighetsägaren.",
        },
        headers={"Referer": "http://localhost" + page_of(submission)},
    )
    assert response.status_code == 302
    sign_in_to(client, response.headers["Location"], moderator.email)
    html = client.get(page_of(submission)).get_data(as_text=True)
    assert textarea(html, "note-body") == "Ring fastighetsägaren."
    assert textarea(html, "reply-body") == ""
    assert db_session.scalar(select(func.count()).select_from(Note)) == 0


def test_a_post_without_a_session_signs_in_to_a_get_page_never_the_post_url(
    client: FlaskClient, submission: Submission
) -> None:
    response = client.post(page_of(submission) + "/replies", data={"reply-body": "x"})
    # No session at all: the CSRF check refuses the POST before anything else.
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert "/replies" not in response.headers["Location"]


def test_signing_in_with_a_post_only_next_lands_on_the_dashboard_not_a_405(
    client: FlaskClient, moderator: Account, submission: Submission
) -> None:
    tokens = hidden_fields(client.get("/staff/login").get_data(as_text=True))
    for target in (
        page_of(submission) + "/replies",
        "https://evil.example/staff/",
        "/staff/\r\nLocation: https://evil.example/",
    ):
        response = client.post(
            "/staff/login",
            data={**tokens, "email": moderator.email, "password": STAFF_PASSWORD, "next": target},
        )
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff/"
        client.post(
            "/staff/logout",
            data=hidden_fields(client.get("/staff/", follow_redirects=True).get_data(as_text=True)),
        )
        tokens = hidden_fields(client.get("/staff/login").get_data(as_text=True))


def test_an_idle_get_returns_to_the_same_page_after_sign_in(
    client: FlaskClient, moderator: Account, submission: Submission, app: Flask
) -> None:
    sign_in(client, moderator.email)
    expire(client)
    response = client.get(page_of(submission) + "?template=")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(
        f"/staff/login?next=/staff/falkoping/submissions/{submission.id}"
    )
