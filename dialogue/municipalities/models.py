"""The tenancy boundary: police areas and their municipalities."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.db import Base, created_at, intpk, slug, utcnow


class PoliceArea(Base):
    __tablename__ = "police_areas"

    id: Mapped[intpk]
    slug: Mapped[slug] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[created_at]

    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="police_area", order_by="Municipality.name"
    )


class Municipality(Base):
    __tablename__ = "municipalities"

    id: Mapped[intpk]
    slug: Mapped[slug] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), index=True)
    default_locale: Mapped[str] = mapped_column(String(8), default="sv")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Stockholm")
    # The brand colour as #rrggbb; the theme darkens it as needed to keep AA contrast.
    accent_color: Mapped[str | None] = mapped_column(String(7))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # Public figures below this count are shown as "fewer than N".
    small_number_threshold: Mapped[int] = mapped_column(default=5)
    # Administrators may require two-factor sign-in for everyone with a role here.
    require_totp: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Overrides DIALOGUE_RATELIMIT_SUBMIT for this municipality's form, e.g. "20 per hour".
    submit_rate_limit: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[created_at]

    police_area: Mapped[PoliceArea] = relationship(back_populates="municipalities")


class MunicipalityLogo(Base):
    """The municipality's logo as uploaded (a checked SVG or PNG), served by the app itself."""

    __tablename__ = "municipality_logos"

    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # SHA-256 of ``data`` in hex: the ETag, and the version in the logo's address.
    digest: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
