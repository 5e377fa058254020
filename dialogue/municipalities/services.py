"""Reading municipalities, the tenancy boundary of every record."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from dialogue.db import DbSession
from dialogue.errors import NotFoundError
from dialogue.municipalities.logo import logo_version
from dialogue.municipalities.models import Municipality


@dataclasses.dataclass(frozen=True)
class Tenant:
    """What every public page of a municipality needs, detached from the session."""

    id: int
    slug: str
    name: str
    police_area_name: str
    default_locale: str
    timezone: str
    accent_color: str | None
    contact_email: str | None
    small_number_threshold: int
    submit_rate_limit: str | None = None
    logo_version: str | None = None  # None without a logo; else part of its address


def get_municipality(session: DbSession, slug: str) -> Municipality:
    """The municipality with this slug; NotFoundError if there is none."""
    municipality = session.scalar(select(Municipality).where(Municipality.slug == slug))
    if municipality is None:
        raise NotFoundError(slug)
    return municipality


def get_tenant(session: DbSession, slug: str) -> Tenant:
    """A detached snapshot of the municipality with this slug; NotFoundError if none."""
    municipality = get_municipality(session, slug)
    return Tenant(
        id=municipality.id,
        slug=municipality.slug,
        name=municipality.name,
        police_area_name=municipality.police_area.name,
        default_locale=municipality.default_locale,
        timezone=municipality.timezone,
        accent_color=municipality.accent_color,
        contact_email=municipality.contact_email,
        small_number_threshold=municipality.small_number_threshold,
        submit_rate_limit=municipality.submit_rate_limit,
        logo_version=logo_version(session, municipality.id),
    )


def list_municipalities(session: DbSession) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.name)))
