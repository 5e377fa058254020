from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from dialogue.models import Municipality
from tests.outbox.mail import queue, smtp_settings
from tests.smtp import Mailbox, smtp_server

__all__ = ["smtp_server"]  # a fixture, imported for the tests below


def test_the_command_says_how_many_were_sent_and_failed(
    app: Flask,
    db_session: Session,
    demo: Municipality,
    smtp_server: tuple[Mailbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailbox, port = smtp_server
    queue(db_session, demo)
    queue(db_session, demo, "refused@example.se")
    monkeypatch.setitem(app.extensions, "dialogue.settings", smtp_settings(app, port))
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 messages; 1 failed (each is tried again later" in result.output
    assert len(mailbox.messages) == 1


def test_the_command_says_nothing_was_sent_without_an_smtp_host(
    app: Flask, db_session: Session, demo: Municipality
) -> None:
    queue(db_session, demo)
    queue(db_session, demo)
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 1
    assert "Nothing was sent: no mail server is set (DIALOGUE_SMTP_HOST is empty)" in (
        result.output
    )
    assert "2 messages are waiting in the outbox" in result.output
