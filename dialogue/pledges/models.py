"""The citizen pledge (medborgarlöfte): commitments, initiatives and progress."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, ForeignKey, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.db import Base, Localized, created_at, intpk
from dialogue.places.models import Place

if TYPE_CHECKING:
    from dialogue.lagesbild.models import LagesbildSnapshot


class PledgeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class Pledge(Base):
    __tablename__ = "pledges"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    title: Mapped[Localized]
    focus: Mapped[Localized]
    goal: Mapped[Localized]
    # Each source of the lägesbild is a Localized dict.
    sources: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    # Each signatory: {"name": "...", "role": Localized}.
    signatories: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    valid_from: Mapped[dt.date]
    valid_to: Mapped[dt.date]
    signed_on: Mapped[dt.date | None]
    status: Mapped[PledgeStatus] = mapped_column(default=PledgeStatus.DRAFT)
    # The frozen lägesbild this pledge was written from ("based on lägesbild 2023 v2").
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("lagesbild_snapshots.id"))
    created_at: Mapped[created_at]

    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="pledge", order_by="Commitment.position"
    )
    initiatives: Mapped[list[Initiative]] = relationship(
        back_populates="pledge", order_by="Initiative.position"
    )
    based_on: Mapped[LagesbildSnapshot | None] = relationship()


class Commitment(Base):
    __tablename__ = "commitments"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[Localized]

    pledge: Mapped[Pledge] = relationship(back_populates="commitments")
    progress_updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="commitment", order_by="ProgressUpdate.published_on.desc()"
    )


initiative_places = Table(
    "initiative_places",
    Base.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("place_id", ForeignKey("places.id", ondelete="CASCADE"), primary_key=True),
)


class Initiative(Base):
    __tablename__ = "initiatives"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[Localized]
    description: Mapped[Localized | None]

    pledge: Mapped[Pledge] = relationship(back_populates="initiatives")
    places: Mapped[list[Place]] = relationship(secondary=initiative_places, order_by=Place.name)


class ProgressUpdate(Base):
    """A dated public note on a commitment: what was done (återkoppling)."""

    __tablename__ = "progress_updates"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    published_on: Mapped[dt.date]
    text: Mapped[Localized]
    created_at: Mapped[created_at]

    commitment: Mapped[Commitment] = relationship(back_populates="progress_updates")
