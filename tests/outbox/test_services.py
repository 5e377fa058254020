from __future__ import annotations

import dataclasses
import datetime as dt
import smtplib

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.accounts.context import Context
from dialogue.accounts.models import Account
from dialogue.audit.models import AuditEvent
from dialogue.db import utcnow
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.models import Municipality
from dialogue.outbox.models import OutboxMessage, OutboxState
from dialogue.outbox.services import (
    CLAIM_TIMEOUT,
    MAX_ATTEMPTS,
    PAGE_SIZE,
    SendResult,
    cancel_pending,
    claim_due,
    describe_error,
    due_messages,
    list_outbox,
    retry_delay,
    retry_message,
    send_pending,
)
from tests.factories import CategoryFactory, MunicipalityFactory, SubmissionFactory
from tests.outbox.mail import queue, smtp_settings
from tests.smtp import Logins, Mailbox, free_port, smtp_server, smtp_server_with_login

__all__ = ["smtp_server", "smtp_server_with_login"]  # fixtures, imported for the tests below


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
    assert message.state == OutboxState.SENT and message.sent_at is not None
    assert message.to_address is None and message.last_error is None
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
    assert message.state == OutboxState.QUEUED
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
    assert refused.last_error is not None and "550 5.1.1 No such mailbox" in refused.last_error
    assert refused.state == OutboxState.QUEUED and refused.sent_at is None


def test_a_message_is_failed_for_good_after_the_last_try_and_keeps_its_address_for_a_retry(
    app: Flask, db_session: Session, demo: Municipality
) -> None:
    message = queue(db_session, demo)
    message.attempts = MAX_ATTEMPTS - 1
    db_session.commit()
    later = utcnow() + retry_delay(MAX_ATTEMPTS)
    send_pending(db_session, smtp_settings(app, free_port()), later)
    db_session.refresh(message)
    assert message.attempts == MAX_ATTEMPTS
    assert message.state == OutboxState.FAILED and message.failed_at is not None
    assert message.sent_at is None and message.can_retry
    assert send_pending(db_session, smtp_settings(app, free_port()), later).failed == 0


def test_nothing_is_sent_while_no_smtp_host_is_set(
    app: Flask, db_session: Session, demo: Municipality
) -> None:
    message = queue(db_session, demo)
    result = send_pending(db_session, app.extensions["dialogue.settings"], utcnow())
    assert not result.configured
    db_session.refresh(message)
    assert message.attempts == 0


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


def test_a_claimed_message_is_not_claimed_by_a_second_sender(
    db_session: Session, demo: Municipality
) -> None:
    message = queue(db_session, demo)
    now = utcnow()
    assert claim_due(db_session, now, 10, "a" * 32) == [message.id]
    assert claim_due(db_session, now, 10, "b" * 32) == []
    db_session.refresh(message)
    assert message.state == OutboxState.SENDING and message.claim_token == "a" * 32


def test_a_stale_claim_is_taken_over_and_the_first_sender_cannot_record_over_it(
    app: Flask, db_session: Session, demo: Municipality, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp_server
    message = queue(db_session, demo)
    now = utcnow()
    claim_due(db_session, now, 10, "a" * 32)  # this sender dies before sending
    assert send_pending(db_session, smtp_settings(app, port), now + dt.timedelta(minutes=1)) == (
        SendResult()
    )
    later = now + CLAIM_TIMEOUT + dt.timedelta(seconds=1)
    assert send_pending(db_session, smtp_settings(app, port), later).sent == 1
    assert mailbox.recipients == [["anna@example.se"]]
    db_session.refresh(message)
    assert message.state == OutboxState.SENT and message.claim_token is None


def test_a_refused_recipient_is_never_marked_sent(
    app: Flask, db_session: Session, demo: Municipality, smtp_server: tuple[Mailbox, int]
) -> None:
    _mailbox, port = smtp_server
    message = queue(db_session, demo, "refused@example.se")
    message.attempts = MAX_ATTEMPTS - 1
    db_session.commit()
    result = send_pending(db_session, smtp_settings(app, port), utcnow() + retry_delay(8))
    assert (result.sent, result.failed) == (0, 1)
    db_session.refresh(message)
    assert message.state == OutboxState.FAILED and message.sent_at is None
    assert message.last_error is not None
    assert message.last_error == "SMTPRecipientsRefused: 550 5.1.1 No such mailbox"


def test_cancelling_removes_the_address_of_queued_and_failed_notices_only(
    db_session: Session, demo: Municipality
) -> None:
    category = CategoryFactory(municipality_id=demo.id)
    submission = SubmissionFactory(category=category, receipt_key=b"k")
    queued, failed, sent = (queue(db_session, demo) for _ in range(3))
    for message in (queued, failed, sent):
        message.submission_id = submission.id
    failed.state = OutboxState.FAILED
    sent.state, sent.to_address, sent.sent_at = OutboxState.SENT, None, utcnow()
    db_session.commit()
    cancel_pending(db_session, [submission.id])
    db_session.commit()
    for message in (queued, failed, sent):
        db_session.refresh(message)
    assert [m.state for m in (queued, failed, sent)] == [
        OutboxState.CANCELLED,
        OutboxState.CANCELLED,
        OutboxState.SENT,
    ]
    assert queued.to_address is None and failed.to_address is None
    assert due_messages(db_session, utcnow() + dt.timedelta(days=1), 10) == []


def context(
    session: Session, account: Account, municipality: Municipality, now: dt.datetime | None = None
) -> Context:
    scope = load_scope(session, account)
    return Context(account, scope, municipality.id, now or utcnow(), "sv")


def failed_message(session: Session, municipality: Municipality) -> OutboxMessage:
    message = queue(session, municipality)
    message.state, message.attempts = OutboxState.FAILED, MAX_ATTEMPTS
    message.last_error = "SMTPRecipientsRefused: 550 5.1.1 No such mailbox"
    session.commit()
    return message


def test_an_administrator_queues_a_failed_message_again_and_it_is_audited(
    app: Flask, db_session: Session, demo: Municipality, administrator: Account
) -> None:
    message = failed_message(db_session, demo)
    now = utcnow()
    retry_message(db_session, context(db_session, administrator, demo, now), message.id)
    db_session.refresh(message)
    assert message.state == OutboxState.QUEUED and message.next_attempt_at == now
    assert message in due_messages(db_session, now, 10)
    event = db_session.scalars(select(AuditEvent).filter_by(action="outbox.retried")).one()
    assert (event.object_type, event.object_id, event.actor_id) == (
        "outbox_message",
        message.id,
        administrator.id,
    )
    assert event.details["last_error"] == "SMTPRecipientsRefused: 550 5.1.1 No such mailbox"


def test_a_message_that_has_not_failed_cannot_be_retried(
    db_session: Session, demo: Municipality, administrator: Account
) -> None:
    message = queue(db_session, demo)
    with pytest.raises(InvalidInputError):
        retry_message(db_session, context(db_session, administrator, demo), message.id)


def test_another_municipalitys_message_is_not_found(
    db_session: Session, demo: Municipality, administrator: Account
) -> None:
    other = MunicipalityFactory()
    message = failed_message(db_session, other)
    with pytest.raises(NotFoundError):
        retry_message(db_session, context(db_session, administrator, demo), message.id)
    with pytest.raises(NotFoundError):
        list_outbox(db_session, context(db_session, administrator, other))


def test_the_outbox_lists_a_page_of_the_municipalitys_messages_newest_first(
    db_session: Session, demo: Municipality, administrator: Account
) -> None:
    messages = [queue(db_session, demo) for _ in range(PAGE_SIZE + 2)]
    queue(db_session, MunicipalityFactory())
    acting = context(db_session, administrator, demo)
    first = list_outbox(db_session, acting)
    assert (first.total, first.pages, first.counts[OutboxState.QUEUED]) == (PAGE_SIZE + 2, 2, 52)
    assert first.messages[0].id == messages[-1].id
    second = list_outbox(db_session, acting, page=2)
    assert [m.id for m in second.messages] == [messages[1].id, messages[0].id]


def test_an_error_never_keeps_the_recipients_address() -> None:
    error = smtplib.SMTPDataError(550, b"<Anna@Example.se>: Recipient address rejected")
    assert describe_error(error, "anna@example.se") == (
        "SMTPDataError: (550, b'<<recipient>>: Recipient address rejected')"
    )
