"""Three senders at once against a real SMTP server, on committed data.

The rolled-back test transaction cannot show what other connections see, so these tests use a
database of their own (PostgreSQL when ``DIALOGUE_TEST_DATABASE_URL`` is set, else a SQLite
file), where each sender has its own session and every claim is really committed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dialogue.config import Settings
from dialogue.db import utcnow
from dialogue.extensions import db
from dialogue.outbox.mail import Mail
from dialogue.outbox.models import OutboxMessage, OutboxState
from dialogue.outbox.services import SendResult, enqueue, send_pending
from tests.helpers import _test_database_url, make_settings, migrated_app
from tests.smtp import Mailbox, smtp_server

__all__ = ["smtp_server"]  # a fixture, imported for the tests below

SENDERS = 3
BATCH = 15  # small batches, so the senders' claims interleave


@pytest.fixture(scope="module")
def committed_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    url = _test_database_url(tmp_path_factory, "outbox")
    return migrated_app(make_settings(url, tmp_path_factory.mktemp("outbox")))


@pytest.fixture
def sessions(committed_app: Flask) -> Iterator[tuple[Flask, Session]]:
    """The app and a session of its own, on an empty outbox."""
    with committed_app.app_context(), Session(db.engine) as session:
        session.execute(delete(OutboxMessage))
        session.commit()
        yield committed_app, session


def queue_many(session: Session, addresses: list[str]) -> None:
    for number, address in enumerate(addresses):
        enqueue(
            session,
            municipality_id=None,
            to_address=address,
            mail=Mail(f"Meddelande {number}", "Hej!\n"),
            kind="reply_notice",
        )
    session.commit()


def run_senders(app: Flask, settings: Settings, now: dt.datetime) -> list[SendResult]:
    """Start three senders together; each sends batches until it finds nothing to claim."""
    start = threading.Barrier(SENDERS)
    results: list[SendResult] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            with app.app_context(), Session(db.engine) as session:
                start.wait()
                while True:
                    result = send_pending(session, settings, now, BATCH)
                    if result.sent + result.failed == 0:
                        break
                    results.append(result)
        except BaseException as error:  # reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a sender hung"
    assert errors == []
    return results


def server_settings(app: Flask, port: int) -> Settings:
    settings: Settings = app.extensions["dialogue.settings"]
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port)


def test_three_senders_deliver_200_messages_once_each_and_mark_all_sent(
    sessions: tuple[Flask, Session], smtp_server: tuple[Mailbox, int]
) -> None:
    app, session = sessions
    mailbox, port = smtp_server
    addresses = [f"person{n}@example.se" for n in range(200)]
    queue_many(session, addresses)
    results = run_senders(app, server_settings(app, port), utcnow())
    delivered = Counter(address for rcpts in mailbox.recipients for address in rcpts)
    assert len(mailbox.messages) == 200
    assert delivered == Counter(addresses)  # every one, none twice
    assert sum(r.sent for r in results) == 200 and sum(r.failed for r in results) == 0
    assert len(results) >= SENDERS  # more than one sender did work
    rows = session.execute(select(OutboxMessage.state, OutboxMessage.to_address)).all()
    assert Counter(state for state, _address in rows) == {OutboxState.SENT: 200}
    assert {address for _state, address in rows} == {None}


def test_refused_recipients_are_failed_never_sent_when_senders_race(
    sessions: tuple[Flask, Session], smtp_server: tuple[Mailbox, int]
) -> None:
    app, session = sessions
    mailbox, port = smtp_server
    good = [f"person{n}@example.se" for n in range(60)]
    refused = [f"refused{n}@example.se" for n in range(15)]
    queue_many(session, good + refused)
    run_senders(app, server_settings(app, port), utcnow())
    assert sorted(a for rcpts in mailbox.recipients for a in rcpts) == sorted(good)
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    sent = [m for m in rows if m.state == OutboxState.SENT]
    not_sent = [m for m in rows if m.state != OutboxState.SENT]
    assert len(sent) == 60 and all(m.last_error is None for m in sent)
    assert sorted(m.to_address or "" for m in not_sent) == sorted(refused)
    for message in not_sent:
        assert message.state == OutboxState.QUEUED and message.sent_at is None
        assert message.attempts == 1
        assert message.last_error == "SMTPRecipientsRefused: 550 5.1.1 No such mailbox"
