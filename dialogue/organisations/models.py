"""Organisations of a municipality: who is asked in input rounds, and where they operate."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.db import Base, created_at, intpk, utcnow
from dialogue.places.models import Place


class OrganisationType(StrEnum):
    BUSINESS = "business"
    ASSOCIATION = "association"
    HOUSING_COMPANY = "housing_company"
    OTHER = "other"


organisation_places = Table(
    "organisation_places",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("place_id", ForeignKey("places.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("municipality_id", "org_number"),)

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[OrganisationType]
    # Normalised as NNNNNN-NNNN with a valid check digit (see ``orgnr``).
    org_number: Mapped[str] = mapped_column(String(11))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # False for an organisation that named itself on a round's open link, until confirmed.
    is_verified: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    places: Mapped[list[Place]] = relationship(secondary=organisation_places, order_by=Place.name)
