"""E-mail waiting to be sent; a command sends it through SMTP."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dialogue.db import Base, created_at, intpk


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[intpk]
    # None for mail to staff about their own account (a password reset).
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    # The case a notice is about, so withdrawing it or purging its contact cancels the notice.
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    # Cleared once sent, so the address does not outlive its use.
    to_address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[created_at]
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
