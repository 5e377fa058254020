"""The two-level category taxonomy, one copy per municipality."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.db import Base, Localized, intpk


class Route(StrEnum):
    """Who usually acts on a category."""

    MUNICIPALITY = "kommun"
    POLICE = "polis"
    PROPERTY_OWNER = "fastighetsagare"


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("municipality_id", "code"),)

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    label: Mapped[Localized]
    default_route: Mapped[Route | None]
    is_sensitive: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Category | None] = relationship(remote_side="Category.id")
