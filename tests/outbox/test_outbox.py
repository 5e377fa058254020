from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.config import Settings
from dialogue.db import utcnow
from dialogue.models import Municipality
from dialogue.outbox.models import OutboxMessage
from dialogue.outbox.services import MAX_ATTEMPTS, enqueue, retry_delay, send_pending
from tests.smtp import Logins, Mailbox, free_port, smtp_server, smtp_server_with_login

__all__ = ["smtp_server", "smtp_server_with_login"]  # fixtures, imported for the tests below


def smtp_settings(app: Flask, port: int) -> Settings:
    settings: Settings = app.extensions["dialogue.settings"]
    return dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=port, mail_sender="dialog@falkoping.example"
    )


def queue(
    session: Session, municipality: Municipality, to: str = "anna@example.se"
) -> OutboxMessage:
    message = enqueue(
        session,
        municipality_id=municipality.id,
        to_address=to,
        subject="Nytt svar i ditt ärende ABCD-EFGH",
        body="Hej!\n\nLäs svaret på din ärendesida.\n",
        kind="reply_notice",
    )
    session.commit()
    return message


def test_a_queued_message_reaches_the_server_and_the_address_is_cleared(
    app: Flask, db_session: Session, demo: Municipality, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp_server
    message = queue(db_session, demo)
    result = send_pending(db_session, smtp_settings(app, port), utcnow())
    assert (result.sent, result.failed) == (1, 0)
    [received] = mailbox.messages
    assert mailbox.recipients == [["anna@example.se"]]
    assert received["To"] == "anna@example.se"
    assert received["From"] == "dialog@falkoping.example"
    assert received["Subject"] == "Nytt svar i ditt ärende ABCD-EFGH"
    assert "Läs svaret på din ärendesida." in received.get_content()
    db_session.refresh(message)
    assert message.sent_at is not None
    assert message.to_address is None
    assert message.attempts == 1


def test_a_refusing_server_is_tried_again_later(
    app: Flask, db_session: Session, demo: Municipality, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp_server
    settings = smtp_settings(app, port)
    message = queue(db_session, demo)
    mailbox.refuse = True
    now = utcnow()
    assert send_pending(db_session, settings, now).failed == 1
    db_session.refresh(message)
    assert message.attempts == 1
    assert message.last_error is not None and "451" in message.last_error
    assert message.to_address == "anna@example.se" and message.sent_at is None
    again = send_pending(db_session, settings, now)  # not due again straight away
    assert (again.sent, again.failed) == (0, 0)
    assert mailbox.messages == []
    mailbox.refuse = False
    later = now + retry_delay(1) + dt.timedelta(seconds=1)
    assert send_pending(db_session, settings, later).sent == 1
    assert len(mailbox.messages) == 1


def test_an_unreachable_server_fails_each_due_message_without_raising(
    app: Flask, db_session: Session, demo: Municipality
) -> None:
    first, second = queue(db_session, demo), queue(db_session, demo, "bo@example.se")
    result = send_pending(db_session, smtp_settings(app, free_port()), utcnow())
    assert (result.sent, result.failed) == (0, 2)
    for message in (first, second):
        db_session.refresh(message)
        assert message.attempts == 1 and message.last_error


def test_one_refused_recipient_does_not_stop_the_others(
    app: Flask, db_session: Session, demo: Municipality, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp_server
    refused = queue(db_session, demo, "refused@example.se")
    queue(db_session, demo, "bo@example.se")
    result = send_pending(db_session, smtp_settings(app, port), utcnow())
    assert (result.sent, result.failed) == (1, 1)
    assert mailbox.recipients == [["bo@example.se"]]
    db_session.refresh(refused)
    assert refused.last_error is not None and "550" in refused.last_error


def test_the_address_is_dropped_when_sending_is_given_up(
    app: Flask, db_session: Session, demo: Municipality
) -> None:
    message = queue(db_session, demo)
    message.attempts = MAX_ATTEMPTS - 1
    db_session.commit()
    later = utcnow() + retry_delay(MAX_ATTEMPTS)
    send_pending(db_session, smtp_settings(app, free_port()), later)
    db_session.refresh(message)
    assert message.attempts == MAX_ATTEMPTS
    assert message.to_address is None and message.sent_at is None
    assert send_pending(db_session, smtp_settings(app, free_port()), later).failed == 0


def test_nothing_is_sent_while_no_smtp_host_is_set(
    app: Flask, db_session: Session, demo: Municipality
) -> None:
    message = queue(db_session, demo)
    result = send_pending(db_session, app.extensions["dialogue.settings"], utcnow())
    assert not result.configured
    db_session.refresh(message)
    assert message.attempts == 0


def test_the_command_says_how_many_were_sent_and_failed(
    app: Flask,
    db_session: Session,
    demo: Municipality,
    smtp_server: tuple[Mailbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _mailbox, port = smtp_server
    queue(db_session, demo)
    queue(db_session, demo, "refused@example.se")
    monkeypatch.setitem(app.extensions, "dialogue.settings", smtp_settings(app, port))
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 messages; 1 failed" in result.output


def test_the_command_refuses_to_run_without_an_smtp_host(
    app: Flask, db_session: Session, demo: Municipality
) -> None:
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 1
    assert "DIALOGUE_SMTP_HOST" in result.output


def test_sent_messages_are_not_sent_again(
    app: Flask, db_session: Session, demo: Municipality, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp_server
    queue(db_session, demo)
    settings = smtp_settings(app, port)
    send_pending(db_session, settings, utcnow())
    send_pending(db_session, settings, utcnow() + dt.timedelta(days=1))
    assert len(mailbox.messages) == 1
    assert db_session.scalars(select(OutboxMessage)).one().sent_at is not None


def test_the_server_is_signed_in_to_when_a_username_is_set(
    app: Flask,
    db_session: Session,
    demo: Municipality,
    smtp_server_with_login: tuple[Mailbox, Logins, int],
) -> None:
    mailbox, logins, port = smtp_server_with_login
    queue(db_session, demo)
    wrong = dataclasses.replace(smtp_settings(app, port), smtp_username="dialog")
    assert send_pending(db_session, wrong, utcnow()).failed == 1
    right = dataclasses.replace(wrong, smtp_password="hemligt")
    later = utcnow() + retry_delay(1) + dt.timedelta(seconds=1)
    assert send_pending(db_session, right, later).sent == 1
    assert set(logins.seen) == {b"dialog"}
    assert len(mailbox.messages) == 1
