"""A form sent after its author's session had ended, kept until they sign in again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from dialogue.db import Base, created_at, intpk


class KeptDraft(Base):
    """What a signed-out moderator had typed; residents' text, so it lives here, not in a cookie."""

    __tablename__ = "kept_drafts"
    __table_args__ = (Index("ix_kept_drafts_account_page", "account_id", "page_path"),)

    id: Mapped[intpk]
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    # The page the form was on (a same-site GET path); the draft is restored there.
    page_path: Mapped[str] = mapped_column(String(2000))
    # The form class that rendered the form, when it said; None matches by field names.
    form_name: Mapped[str | None] = mapped_column(String(100))
    # [[name, value], ...] in the order sent: a field may repeat (checkboxes, multi-selects).
    fields: Mapped[list[list[str]]] = mapped_column(JSON)
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
