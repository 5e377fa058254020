"""The municipality's gazetteer."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.db import Base, intpk, slug


class PlaceKind(StrEnum):
    AREA = "area"
    STREET = "street"
    POINT = "point"


class Place(Base):
    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("municipality_id", "slug"),)

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    slug: Mapped[slug]
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(default=list)
    kind: Mapped[PlaceKind]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    # WGS84 point; an optional GeoJSON polygon outlines an area.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    parent: Mapped[Place | None] = relationship(remote_side="Place.id")
