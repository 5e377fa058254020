"""Queueing e-mail with the change that causes it, and sending it later through SMTP.

A message is queued in the same transaction as the reply it announces, so either both exist
or neither does. ``send_pending`` runs from the ``dialogue outbox send`` command (cron or a
systemd timer): a message that fails is tried again later with a growing delay, and the
address is cleared once it is no longer needed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import Select, and_, or_, select, update

from dialogue.config import Settings
from dialogue.db import DbSession
from dialogue.outbox.models import OutboxMessage

MAX_ATTEMPTS = 8
FIRST_RETRY = dt.timedelta(minutes=5)
SMTP_TIMEOUT_SECONDS = 30
MAX_ERROR_LENGTH = 500
# What one message or one connection may fail with; ValueError covers a malformed header.
SEND_ERRORS = (OSError, smtplib.SMTPException, ValueError)


def enqueue(
    session: DbSession,
    *,
    municipality_id: int | None,
    to_address: str,
    subject: str,
    body: str,
    kind: str,
    submission_id: int | None = None,
) -> OutboxMessage:
    """Add a message to the session; it is sent only if the caller's transaction commits."""
    message = OutboxMessage(
        municipality_id=municipality_id,
        submission_id=submission_id,
        to_address=to_address,
        subject=subject,
        body=body,
        kind=kind,
    )
    session.add(message)
    return message


def cancel_pending(session: DbSession, submission_ids: Select[int] | list[int]) -> None:
    """Forget the address of unsent notices about these submissions, so they are never sent."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.submission_id.in_(submission_ids), OutboxMessage.sent_at.is_(None))
        .values(to_address=None, last_error="cancelled: the contact details were removed")
    )


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after it was queued a message that failed ``attempts`` times is tried again."""
    return FIRST_RETRY * ((1 << attempts) - 1)


@dataclasses.dataclass(frozen=True)
class SendResult:
    sent: int = 0
    failed: int = 0
    configured: bool = True


def due_messages(session: DbSession, now: dt.datetime, limit: int) -> list[OutboxMessage]:
    """Unsent messages whose next try is due, oldest first."""
    due = or_(
        *(
            and_(OutboxMessage.attempts == n, OutboxMessage.created_at <= now - retry_delay(n))
            for n in range(MAX_ATTEMPTS)
        )
    )
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.to_address.is_not(None), due)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def send_pending(
    session: DbSession, settings: Settings, now: dt.datetime, limit: int = 100
) -> SendResult:
    """Send the messages that are due; a message that fails is recorded, never raised."""
    if not settings.smtp_host:
        return SendResult(configured=False)
    messages = due_messages(session, now, limit)
    if not messages:
        return SendResult()
    try:
        connection = _connect(settings)
    except SEND_ERRORS as error:
        for message in messages:
            _record_failure(session, message, error)
        return SendResult(failed=len(messages))
    sent = 0
    try:
        for message in messages:
            sent += _send_one(session, connection, settings, message, now)
    finally:
        _quit(connection)
    return SendResult(sent=sent, failed=len(messages) - sent)


def _connect(settings: Settings) -> smtplib.SMTP:
    connection = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if settings.smtp_starttls:
            connection.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            connection.login(settings.smtp_username, settings.smtp_password)
    except BaseException:
        connection.close()
        raise
    return connection


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except SEND_ERRORS:
        connection.close()


def _send_one(
    session: DbSession,
    connection: smtplib.SMTP,
    settings: Settings,
    message: OutboxMessage,
    now: dt.datetime,
) -> int:
    try:
        connection.send_message(_email(settings, message, now))
    except SEND_ERRORS as error:
        _record_failure(session, message, error)
        return 0
    message.attempts += 1
    message.sent_at = now
    message.to_address = None
    message.last_error = None
    # One commit per message: a crash later in the batch must not send this one again.
    session.commit()
    return 1


def _email(settings: Settings, message: OutboxMessage, now: dt.datetime) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_sender
    email["To"] = message.to_address or ""
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = make_msgid(domain=settings.mail_sender.rpartition("@")[2] or None)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email


def _record_failure(session: DbSession, message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
    if message.attempts >= MAX_ATTEMPTS:
        # Given up: the address is not kept for a message that will never be sent.
        message.to_address = None
    session.commit()
