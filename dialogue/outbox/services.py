"""Queueing e-mail with the change that causes it, and sending it later through SMTP.

A message is queued in the same transaction as the change it announces, so either both exist
or neither does. ``send_pending`` runs from the ``dialogue outbox send`` command (cron or a
systemd timer), and several senders may run at once, on one host or many:

1. A sender *claims* the messages that are due and commits the claim before it sends
   anything: on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED``, elsewhere (SQLite) with
   one conditional ``UPDATE`` per message that only one sender can win. A claimed message is
   ``sending`` and carries the sender's random token.
2. Just before it sends a message the sender renews its claim (same token, still
   ``sending``); a message whose claim was taken over or cancelled is skipped.
3. A message is ``sent`` only when the SMTP server accepted it for its recipient. A refusal,
   a lost connection or anything else is a failure: the message is queued again with a
   growing delay (:func:`retry_delay`) and ``failed`` after :data:`MAX_ATTEMPTS` tries.
   Every outcome is written by an ``UPDATE`` that names the claim token, so a sender that
   lost its claim can never overwrite what another one recorded.
4. A sender that dies leaves its messages ``sending``; once a claim is older than
   :data:`CLAIM_TIMEOUT` any sender may take it over. The timeout is far longer than one
   message can take (each SMTP step times out after :data:`SMTP_TIMEOUT_SECONDS`).

The address is cleared once the message is sent or cancelled. A failed message keeps it so
that staff can queue it again (:func:`retry_message`) from the municipality's outbox page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import secrets
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update

from dialogue.audit.services import Target, record
from dialogue.config import Settings
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.outbox.mail import Mail
from dialogue.outbox.models import OutboxMessage, OutboxState

if TYPE_CHECKING:
    from dialogue.accounts.context import Context

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = dt.timedelta(minutes=5)
# A ``sending`` message whose sender has not renewed its claim for this long is taken over.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
SMTP_TIMEOUT_SECONDS = 30
MAX_ERROR_LENGTH = 500
PAGE_SIZE = 50
# Stands for the address in a stored error: staff pages never show where mail goes.
RECIPIENT = "<recipient>"
# What one message or one connection may fail with; ValueError covers a malformed header.
SEND_ERRORS = (OSError, smtplib.SMTPException, ValueError)
# States in which a message has not been sent and may still be cancelled.
UNSENT = (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.FAILED)


def enqueue(
    session: DbSession,
    *,
    municipality_id: int | None,
    to_address: str,
    mail: Mail,
    kind: str,
    submission_id: int | None = None,
) -> OutboxMessage:
    """Add a message to the session; it is sent only if the caller's transaction commits."""
    message = OutboxMessage(
        municipality_id=municipality_id,
        submission_id=submission_id,
        to_address=to_address,
        subject=mail.subject,
        body=mail.body,
        kind=kind,
        state=OutboxState.QUEUED,
    )
    session.add(message)
    return message


def cancel_pending(session: DbSession, submission_ids: Select[Any] | list[int]) -> None:
    """Forget the address of unsent notices about these submissions, so they are never sent."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.submission_id.in_(submission_ids), OutboxMessage.state.in_(UNSENT))
        .values(
            state=OutboxState.CANCELLED,
            to_address=None,
            claim_token=None,
            last_error="cancelled: the contact details were removed",
        ),
        execution_options={"synchronize_session": False},
    )


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after its ``attempts``-th failed try a message is tried again: 5, 10, 20 … min."""
    return FIRST_RETRY * (1 << max(attempts - 1, 0))


@dataclasses.dataclass(frozen=True)
class SendResult:
    sent: int = 0
    failed: int = 0
    configured: bool = True


def _due(now: dt.datetime) -> ColumnElement[bool]:
    """Queued and due, or claimed by a sender that has not been heard of for too long."""
    return or_(
        and_(OutboxMessage.state == OutboxState.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(
            OutboxMessage.state == OutboxState.SENDING,
            OutboxMessage.claimed_at <= now - CLAIM_TIMEOUT,
        ),
    )


def due_messages(session: DbSession, now: dt.datetime, limit: int) -> list[OutboxMessage]:
    """Messages a sender could claim now, oldest first (read only: nothing is claimed)."""
    query = select(OutboxMessage).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
    return list(session.scalars(query))


def claim_due(session: DbSession, now: dt.datetime, limit: int, token: str) -> list[int]:
    """Claim up to ``limit`` due messages for the sender ``token`` and commit the claim.

    No two senders can claim one message: PostgreSQL skips rows another transaction has
    locked; on other databases each claim is an ``UPDATE`` that repeats the due condition,
    so the second sender's update matches no row.
    """
    claim = {"state": OutboxState.SENDING, "claim_token": token, "claimed_at": now}
    candidates = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
    claimed: list[int] = []
    if _dialect(session) == "postgresql":
        claimed = list(session.scalars(candidates.with_for_update(skip_locked=True)))
        if claimed:
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(claimed)).values(**claim),
                execution_options={"synchronize_session": False},
            )
    else:
        for message_id in list(session.scalars(candidates)):
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, _due(now))
                .values(**claim),
                execution_options={"synchronize_session": False},
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(message_id)
    session.commit()
    return claimed


def send_pending(
    session: DbSession, settings: Settings, now: dt.datetime, limit: int = 100
) -> SendResult:
    """Claim the messages that are due and send them; a failure is recorded, never raised."""
    if not settings.smtp_host:
        return SendResult(configured=False)
    token = secrets.token_hex(16)
    started = time.monotonic()

    def clock() -> dt.datetime:
        # ``now`` moved on by the time this batch has taken, so renewed claims stay fresh.
        return now + dt.timedelta(seconds=time.monotonic() - started)

    claimed = claim_due(session, now, limit, token)
    if not claimed:
        return SendResult()
    try:
        connection = _connect(settings)
    except SEND_ERRORS as error:
        for message_id in claimed:
            _record_failure(session, message_id, token, describe_error(error), clock())
        return SendResult(failed=len(claimed))
    sent = failed = 0
    try:
        for message_id in claimed:
            outcome = _send_one(
                session,
                connection,
                settings=settings,
                message_id=message_id,
                token=token,
                clock=clock,
            )
            sent += outcome is True
            failed += outcome is False
    finally:
        _quit(connection)
    return SendResult(sent=sent, failed=failed)


def _dialect(session: DbSession) -> str:
    return session.get_bind().dialect.name


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


def _held(message_id: int, token: str) -> ColumnElement[bool]:
    """The message is still claimed by this sender."""
    return and_(
        OutboxMessage.id == message_id,
        OutboxMessage.claim_token == token,
        OutboxMessage.state == OutboxState.SENDING,
    )


def _send_one(
    session: DbSession,
    connection: smtplib.SMTP,
    *,
    settings: Settings,
    message_id: int,
    token: str,
    clock: Callable[[], dt.datetime],
) -> bool | None:
    """True if the server accepted the message, False if it failed, None if no longer ours."""
    renewed = session.execute(
        update(OutboxMessage).where(_held(message_id, token)).values(claimed_at=clock()),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    if renewed.rowcount != 1:  # type: ignore[attr-defined]
        return None  # cancelled, or taken over after a stale claim: the other sender has it
    row = session.execute(
        select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.body).where(
            OutboxMessage.id == message_id
        )
    ).one()
    if row.to_address is None:
        _record_failure(session, message_id, token, "ValueError: no address", clock())
        return False
    try:
        email = _email(settings, row.to_address, row.subject, row.body, clock())
        refused = connection.send_message(
            email, from_addr=settings.mail_sender, to_addrs=[row.to_address]
        )
        if refused:
            # A recipient the server refused means the message did not go where it should.
            raise smtplib.SMTPRecipientsRefused(refused)
    except SEND_ERRORS as error:
        _record_failure(session, message_id, token, describe_error(error, row.to_address), clock())
        return False
    done = session.execute(
        update(OutboxMessage)
        .where(_held(message_id, token))
        .values(
            state=OutboxState.SENT,
            sent_at=clock(),
            attempts=OutboxMessage.attempts + 1,
            to_address=None,
            last_error=None,
            claim_token=None,
        ),
        execution_options={"synchronize_session": False},
    )
    # One commit per message: a crash later in the batch must not send this one again.
    session.commit()
    if done.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("outbox message %s was sent after its claim was lost", message_id)
    return True


def _email(
    settings: Settings, to_address: str, subject: str, body: str, now: dt.datetime
) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_sender
    email["To"] = to_address
    email["Subject"] = subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = make_msgid(domain=settings.mail_sender.rpartition("@")[2] or None)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(body)
    return email


def describe_error(error: Exception, address: str | None = None) -> str:
    """An error as stored and shown to staff: its type and the server's words (``550 5.1.1 No
    such mailbox``), with the recipient's address left out wherever the server repeated it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        words = "; ".join(
            f"{code} {reason.decode(errors='replace')}"
            for code, reason in error.recipients.values()
        )
        text = f"SMTPRecipientsRefused: {words}"
    else:
        text = f"{type(error).__name__}: {error}"
    if address:
        text = re.sub(re.escape(address), RECIPIENT, text, flags=re.IGNORECASE)
    return text[:MAX_ERROR_LENGTH]


def _record_failure(
    session: DbSession, message_id: int, token: str, error: str, now: dt.datetime
) -> None:
    attempts = session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == message_id))
    tries = (attempts or 0) + 1
    given_up = tries >= MAX_ATTEMPTS
    session.execute(
        update(OutboxMessage)
        .where(_held(message_id, token))
        .values(
            state=OutboxState.FAILED if given_up else OutboxState.QUEUED,
            attempts=tries,
            last_error=error,
            next_attempt_at=now + retry_delay(tries),
            failed_at=now if given_up else None,
            claim_token=None,
            claimed_at=None,
        ),
        execution_options={"synchronize_session": False},
    )
    session.commit()


# The municipality's outbox page


@dataclasses.dataclass(frozen=True)
class OutboxPage:
    messages: list[OutboxMessage]
    counts: dict[OutboxState, int]
    page: int
    pages: int
    total: int


def list_outbox(session: DbSession, ctx: Context, page: int = 1) -> OutboxPage:
    """The municipality's mail, newest first, a page at a time, with a count per state."""
    ctx.require_reader()
    mine = OutboxMessage.municipality_id == ctx.municipality_id
    counts = dict.fromkeys(OutboxState, 0)
    for state, count in session.execute(
        select(OutboxMessage.state, func.count()).where(mine).group_by(OutboxMessage.state)
    ):
        counts[OutboxState(state)] = count
    total = sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    messages = session.scalars(
        select(OutboxMessage)
        .where(mine)
        .order_by(OutboxMessage.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return OutboxPage(list(messages), counts, page, pages, total)


def retry_message(session: DbSession, ctx: Context, message_id: int) -> OutboxMessage:
    """Queue a failed message again, to be tried by the next sender; audited."""
    ctx.require_admin()
    message = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.id == message_id, OutboxMessage.municipality_id == ctx.municipality_id
        )
    )
    if message is None:
        raise NotFoundError(message_id)
    if not message.can_retry:
        raise InvalidInputError(
            {"message": _l("Only a failed message that still has its address can be retried.")}
        )
    message.state = OutboxState.QUEUED
    message.next_attempt_at = ctx.now
    message.failed_at = None
    record(
        session,
        ctx.actor,
        "outbox.retried",
        Target("outbox_message", message.id, ctx.municipality_id),
        kind=message.kind,
        attempts=message.attempts,
        last_error=message.last_error,
    )
    session.commit()
    return message


def count_unsent(session: DbSession) -> int:
    """Messages queued or being sent, in every municipality."""
    query = select(func.count()).where(
        OutboxMessage.state.in_((OutboxState.QUEUED, OutboxState.SENDING))
    )
    return session.scalar(query) or 0


def mail_configured(settings: Settings) -> bool:
    """Whether anything is sent at all: without an SMTP host mail only waits in the outbox."""
    return bool(settings.smtp_host)
