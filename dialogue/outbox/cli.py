"""``dialogue outbox send``: send the e-mail that is due, for cron or a systemd timer.

Several may run at once (on one host or many): each claims its own messages first.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from dialogue.config import current_settings
from dialogue.db import utcnow
from dialogue.extensions import db
from dialogue.outbox.services import MAX_ATTEMPTS, count_unsent, send_pending

outbox = AppGroup("outbox", help="E-mail waiting to be sent.")


@outbox.command("send")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1))
def outbox_send(limit: int) -> None:
    """Send due messages through the SMTP server set by DIALOGUE_SMTP_*."""
    settings = current_settings()
    result = send_pending(db.session, settings, utcnow(), limit)
    if not result.configured:
        raise click.ClickException(
            "Nothing was sent: no mail server is set (DIALOGUE_SMTP_HOST is empty). "
            f"{count_unsent(db.session)} messages are waiting in the outbox."
        )
    click.echo(
        f"Sent {result.sent} messages; {result.failed} failed "
        f"(each is tried again later, and failed for good after {MAX_ATTEMPTS} tries)."
    )
