"""E-mail waiting to be sent; a command sends it through SMTP."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dialogue.db import Base, created_at, intpk, utcnow


class OutboxState(StrEnum):
    """Where a message is: only ``sent`` means the mail server accepted it."""

    QUEUED = "queued"  # waiting for its first or next try (``next_attempt_at``)
    SENDING = "sending"  # claimed by one sender; reclaimable once the claim is stale
    SENT = "sent"  # the SMTP server accepted it for its recipient
    FAILED = "failed"  # given up after every try; staff may retry it
    CANCELLED = "cancelled"  # the address was removed before it could be sent


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "state", "next_attempt_at"),)

    id: Mapped[intpk]
    # None for mail to staff about their own account (a password reset).
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    # The case a notice is about, so withdrawing it or purging its contact cancels the notice.
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    # Cleared once sent or cancelled, so the address does not outlive its use.
    to_address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[OutboxState] = mapped_column(default=OutboxState.QUEUED)
    created_at: Mapped[created_at]
    # When a queued message may next be tried; failures push it back (see services).
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The sender holding a ``sending`` message, and when it last confirmed it still does.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    failed_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def can_retry(self) -> bool:
        """Staff may queue a failed message again while its address is still kept."""
        return self.state == OutboxState.FAILED and self.to_address is not None
