"""Frozen lägesbild snapshots and the quotes moderators choose for the report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dialogue.db import Base, created_at, intpk


class LagesbildSnapshot(Base):
    """A period's report frozen as it was: versioned per period, hashed, never changed.

    The table is append-only at the database level (like the audit tables).
    """

    __tablename__ = "lagesbild_snapshots"
    __table_args__ = (
        UniqueConstraint(
            "municipality_id",
            "period_start",
            "period_end",
            "version",
            name="uq_lagesbild_snapshots_version",
        ),
    )

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]  # inclusive
    version: Mapped[int]
    # The report as JSON (``Report.to_json``), with its SHA-256 over the canonical encoding.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    frozen_at: Mapped[created_at]


class Quote(Base):
    """A submission a moderator chose to quote; only its redacted public summary is shown."""

    __tablename__ = "lagesbild_quotes"
    __table_args__ = (UniqueConstraint("municipality_id", "submission_id"),)

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[created_at]
