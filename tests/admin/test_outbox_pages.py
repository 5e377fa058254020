from __future__ import annotations

import dataclasses

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account
from dialogue.db import utcnow
from dialogue.models import Municipality
from dialogue.outbox.models import OutboxMessage, OutboxState
from dialogue.outbox.services import PAGE_SIZE
from tests.admin.helpers import last_event
from tests.factories import MunicipalityFactory
from tests.helpers import hidden_fields, make_staff, sign_in
from tests.outbox.mail import queue

OUTBOX = "/staff/falkoping/admin/outbox"


def failed(
    session: Session, municipality: Municipality, to: str = "anna@example.se"
) -> OutboxMessage:
    message = queue(session, municipality, to)
    message.state, message.attempts, message.failed_at = OutboxState.FAILED, 8, utcnow()
    message.last_error = "SMTPRecipientsRefused: 550 5.1.1 No such mailbox"
    session.commit()
    return message


def retry(client: FlaskClient, message_id: int) -> int:
    tokens = hidden_fields(client.get(OUTBOX).get_data(as_text=True))
    return client.post(f"{OUTBOX}/{message_id}/retry", data=tokens).status_code


def test_the_outbox_shows_states_and_errors_but_no_address(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    failed(db_session, demo)
    sent = queue(db_session, demo, "bo@example.se")
    sent.state, sent.sent_at, sent.attempts, sent.to_address = OutboxState.SENT, utcnow(), 1, None
    db_session.commit()
    response = admin_client.get(OUTBOX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "550 5.1.1 No such mailbox" in html
    assert "Notice of a reply to a submitter" in html
    assert "anna@example.se" not in html and "bo@example.se" not in html
    assert 'role="region" aria-labelledby="outbox-caption" tabindex="0"' in html
    assert html.count(">Retry<") == 1  # only the failed one


def test_an_empty_outbox_says_so(admin_client: FlaskClient, demo: Municipality) -> None:
    html = admin_client.get(OUTBOX).get_data(as_text=True)
    assert "No e-mail has been queued for Falköpings kommun yet." in html


def test_a_long_outbox_is_shown_a_page_at_a_time(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    for _ in range(PAGE_SIZE + 1):
        queue(db_session, demo)
    first = admin_client.get(OUTBOX).get_data(as_text=True)
    assert "Page 1 of 2" in first and f'href="{OUTBOX}?page=2"' in first
    second = admin_client.get(f"{OUTBOX}?page=2").get_data(as_text=True)
    assert second.count('<th scope="row">No. ') == 1


def test_retry_queues_a_failed_message_again_and_is_audited(
    admin_client: FlaskClient, db_session: Session, demo: Municipality, administrator: Account
) -> None:
    message = failed(db_session, demo)
    assert retry(admin_client, message.id) == 303
    db_session.refresh(message)
    assert message.state == OutboxState.QUEUED
    event = last_event(db_session, "outbox.retried")
    assert (event.actor_id, event.object_id) == (administrator.id, message.id)
    html = admin_client.get(OUTBOX).get_data(as_text=True)
    assert f"Message {message.id} is queued again." in html


def test_retrying_a_message_that_has_not_failed_says_why(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    message = queue(db_session, demo)
    assert retry(admin_client, message.id) == 303
    html = admin_client.get(OUTBOX).get_data(as_text=True)
    assert "Only a failed message that still has its address can be retried." in html


def test_retry_needs_the_csrf_token(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    message = failed(db_session, demo)
    assert admin_client.post(f"{OUTBOX}/{message.id}/retry").status_code == 400
    db_session.refresh(message)
    assert message.state == OutboxState.FAILED


def test_another_municipalitys_message_answers_404(
    admin_client: FlaskClient, db_session: Session
) -> None:
    message = failed(db_session, MunicipalityFactory())
    assert retry(admin_client, message.id) == 404
    db_session.refresh(message)
    assert message.state == OutboxState.FAILED


def test_moderators_cannot_see_or_retry(
    client: FlaskClient, db_session: Session, demo: Municipality, moderator: Account
) -> None:
    message = failed(db_session, demo)
    sign_in(client, moderator.email)
    assert client.get(OUTBOX).status_code == 403
    tokens = hidden_fields(client.get("/staff/falkoping/").get_data(as_text=True))
    assert client.post(f"{OUTBOX}/{message.id}/retry", data=tokens).status_code == 403


def test_the_administration_index_links_the_outbox(admin_client: FlaskClient) -> None:
    assert f'href="{OUTBOX}"' in admin_client.get("/staff/falkoping/admin/").get_data(as_text=True)


@pytest.fixture
def with_smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = app.extensions["dialogue.settings"]
    monkeypatch.setitem(
        app.extensions, "dialogue.settings", dataclasses.replace(settings, smtp_host="127.0.0.1")
    )


def test_administrators_are_told_when_no_mail_server_is_set(admin_client: FlaskClient) -> None:
    html = admin_client.get("/staff/falkoping/").get_data(as_text=True)
    assert "E-mail is not being sent" in html
    assert f'href="{OUTBOX}"' in html


def test_the_banner_is_gone_once_a_mail_server_is_set(
    admin_client: FlaskClient, with_smtp: None
) -> None:
    html = admin_client.get("/staff/falkoping/").get_data(as_text=True)
    assert "E-mail is not being sent" not in html


def test_moderators_do_not_get_the_banner(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    moderator = make_staff(db_session, "m2@falkoping.example", "moderator", municipality_id=demo.id)
    client.get("/language/en")
    sign_in(client, moderator.email)
    html = client.get("/staff/falkoping/").get_data(as_text=True)
    assert "E-mail is not being sent" not in html
