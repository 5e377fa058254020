"""``dialogue outbox send``: send the e-mail that is due, for cron or a systemd timer."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

outbox = AppGroup("outbox", help="E-mail waiting to be sent.")


@outbox.command("send")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1))
def outbox_send(limit: int) -> None:
    """Send due messages through the SMTP server set by DIALOGUE_SMTP_*."""
    from dialogue.db import utcnow
    from dialogue.extensions import db
    from dialogue.outbox.services import send_pending

    result = send_pending(db.session, current_app.extensions["dialogue.settings"], utcnow(), limit)
    if not result.configured:
        raise click.ClickException("DIALOGUE_SMTP_HOST is not set; nothing was sent.")
    click.echo(f"Sent {result.sent} messages; {result.failed} failed and will be tried again.")
