"""The health check's heartbeat: one row it rewrites to prove the database takes writes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Mapped, mapped_column

from dialogue.db import Base


class Heartbeat(Base):
    """Not data of any municipality: a row the health check updates and commits."""

    __tablename__ = "heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    beat_at: Mapped[dt.datetime]
