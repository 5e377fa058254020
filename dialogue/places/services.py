"""Reading the gazetteer, and the QR code that links a poster to the form."""

from __future__ import annotations

import io
from collections.abc import Iterable

import segno
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.db import DbSession
from dialogue.errors import NotFoundError
from dialogue.places.models import Place


def list_places(session: DbSession, municipality_id: int) -> list[Place]:
    query = (
        select(Place)
        .where(Place.municipality_id == municipality_id)
        .options(selectinload(Place.parent))
        .order_by(Place.name)
    )
    return list(session.scalars(query))


def place_names(session: DbSession, municipality_id: int) -> frozenset[str]:
    """Every name and alias of the municipality's places: never masked as personal data."""
    return place_names_of(session, [municipality_id])[municipality_id]


def place_names_of(
    session: DbSession, municipality_ids: Iterable[int]
) -> dict[int, frozenset[str]]:
    """:func:`place_names` of several municipalities, read in one query."""
    ids = set(municipality_ids)
    names: dict[int, set[str]] = {municipality_id: set() for municipality_id in ids}
    rows = session.execute(
        select(Place.municipality_id, Place.name, Place.aliases).where(
            Place.municipality_id.in_(ids)
        )
    )
    for municipality_id, place, aliases in rows:
        names[municipality_id].update(n.strip() for n in [place, *aliases] if n.strip())
    return {municipality_id: frozenset(found) for municipality_id, found in names.items()}


def get_place(session: DbSession, municipality_id: int, slug: str) -> Place:
    """The place with this slug in this municipality; NotFoundError otherwise."""
    place = session.scalar(
        select(Place).where(Place.municipality_id == municipality_id, Place.slug == slug)
    )
    if place is None:
        raise NotFoundError(slug)
    return place


def qr_code_svg(url: str) -> bytes:
    """An SVG QR code for ``url``, scalable for print."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=10, border=2, xmldecl=False, svgns=True, title=url
    )
    return buffer.getvalue()
