"""Settings pointing at the test SMTP server, and a queued message, for the outbox tests."""

from __future__ import annotations

import dataclasses

from flask import Flask
from sqlalchemy.orm import Session

from dialogue.config import Settings
from dialogue.models import Municipality
from dialogue.outbox.mail import Mail
from dialogue.outbox.models import OutboxMessage
from dialogue.outbox.services import enqueue


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
        mail=Mail("Nytt svar i ditt ärende ABCD-EFGH", "Hej!\n\nLäs svaret på din ärendesida.\n"),
        kind="reply_notice",
    )
    session.commit()
    return message
