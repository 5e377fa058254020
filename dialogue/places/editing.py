"""Keeping the gazetteer: places with their address, kind, parent, point and other names."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from sqlalchemy import column, func, or_, select, table
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope, require_admin
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.places.models import Place, PlaceKind
from dialogue.records import assign, get_owned, slugify
from dialogue.sanitize import clean_line

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 64
MAX_NAME = 200
MAX_ALIASES = 50


@dataclasses.dataclass(frozen=True)
class PlaceInput:
    name: str
    kind: PlaceKind
    slug: str = ""  # empty: made from the name
    parent_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    aliases: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class PlaceUsage:
    """What refers to a place; a place anything refers to cannot be deleted."""

    submissions: int
    children: int
    initiatives: int

    @property
    def in_use(self) -> bool:
        return bool(self.submissions or self.children or self.initiatives)


def list_places(session: DbSession, municipality_id: int, *, scope: Scope) -> list[Place]:
    require_admin(scope, municipality_id)
    query = (
        select(Place)
        .where(Place.municipality_id == municipality_id)
        .options(selectinload(Place.parent))
        .order_by(Place.name, Place.id)
    )
    return list(session.scalars(query))


def get_place(session: DbSession, municipality_id: int, place_id: int, *, scope: Scope) -> Place:
    require_admin(scope, municipality_id)
    return get_owned(session, Place, municipality_id, place_id)


# The tables that point at a place, named rather than imported: pledges and submissions are
# built on places, so places may not import them (tests/admin/test_places.py checks both).
_SUBMISSIONS = table("submissions", column("place_id"), column("submitted_place_id"))
_INITIATIVE_PLACES = table("initiative_places", column("place_id"))


def place_usage(session: DbSession, place: Place) -> PlaceUsage:
    submissions = session.scalar(
        select(func.count())
        .select_from(_SUBMISSIONS)
        .where(
            or_(_SUBMISSIONS.c.place_id == place.id, _SUBMISSIONS.c.submitted_place_id == place.id)
        )
    )
    children = session.scalar(
        select(func.count()).select_from(Place).where(Place.parent_id == place.id)
    )
    initiatives = session.scalar(
        select(func.count())
        .select_from(_INITIATIVE_PLACES)
        .where(_INITIATIVE_PLACES.c.place_id == place.id)
    )
    return PlaceUsage(submissions or 0, children or 0, initiatives or 0)


def create_place(
    session: DbSession, municipality_id: int, data: PlaceInput, *, actor: Account, scope: Scope
) -> Place:
    """A new place in the gazetteer; its address is made from the name unless given."""
    require_admin(scope, municipality_id)
    values = _checked(session, municipality_id, data, place_id=None)
    place = Place(municipality_id=municipality_id, **values)
    session.add(place)
    session.flush()
    record(
        session,
        actor.id,
        "place.created",
        Target.of("place", place),
        values=_audit_values(place),
    )
    session.commit()
    return place


def update_place(
    session: DbSession,
    municipality_id: int,
    place_id: int,
    data: PlaceInput,
    *,
    actor: Account,
    scope: Scope,
) -> Place:
    require_admin(scope, municipality_id)
    place = get_owned(session, Place, municipality_id, place_id)
    values = _checked(session, municipality_id, data, place_id=place.id)
    changed = assign(place, values, _audit_values)
    if changed:
        record(
            session,
            actor.id,
            "place.updated",
            Target.of("place", place),
            changes=changed,
        )
    session.commit()
    return place


def delete_place(
    session: DbSession, municipality_id: int, place_id: int, *, actor: Account, scope: Scope
) -> None:
    """Delete a place nothing refers to; InvalidInputError says what still does."""
    require_admin(scope, municipality_id)
    place = get_owned(session, Place, municipality_id, place_id)
    usage = place_usage(session, place)
    errors: dict[str, Any] = {}
    if usage.submissions:
        errors["submissions"] = _l(
            "Submissions refer to this place, so it cannot be deleted. Rename it instead."
        )
    if usage.children:
        errors["children"] = _l("Other places are inside this place. Move or delete them first.")
    if usage.initiatives:
        errors["initiatives"] = _l(
            "An initiative of a pledge is linked to this place. Unlink it first."
        )
    if errors:
        raise InvalidInputError(errors)
    record(
        session,
        actor.id,
        "place.deleted",
        Target.of("place", place),
        values=_audit_values(place),
    )
    session.delete(place)
    session.commit()


def _checked(
    session: DbSession, municipality_id: int, data: PlaceInput, *, place_id: int | None
) -> dict[str, Any]:
    """The column values for ``data``, or InvalidInputError with every problem at once."""
    errors: dict[str, Any] = {}
    name = clean_line(data.name)
    if not name:
        errors["name"] = _l("Give the place a name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _l("Use at most %(limit)d characters.", limit=MAX_NAME)
    slug = data.slug.strip().lower() or slugify(name)
    slug_error = _slug_problem(session, municipality_id, slug, place_id)
    if slug_error:
        errors["slug"] = slug_error
    parent_error = _parent_problem(session, municipality_id, data.parent_id, place_id)
    if parent_error:
        errors["parent"] = parent_error
    errors.update(_point_problems(data.latitude, data.longitude))
    aliases = _aliases(data.aliases, name)
    if len(aliases) > MAX_ALIASES or any(len(alias) > MAX_NAME for alias in aliases):
        errors["aliases"] = _l(
            "Give at most %(count)d other names of at most %(limit)d characters each.",
            count=MAX_ALIASES,
            limit=MAX_NAME,
        )
    if errors:
        raise InvalidInputError(errors)
    return {
        "name": name,
        "slug": slug,
        "kind": data.kind,
        "parent_id": data.parent_id,
        "latitude": data.latitude,
        "longitude": data.longitude,
        "aliases": aliases,
    }


def _slug_problem(session: DbSession, municipality_id: int, slug: str, place_id: int | None) -> Any:
    if not slug or len(slug) > MAX_SLUG or not SLUG_PATTERN.match(slug):
        return _l(
            "Use only the letters a to z, digits and single hyphens in the address, "
            "at most %(limit)d characters.",
            limit=MAX_SLUG,
        )
    taken = session.scalar(
        select(Place.id).where(
            Place.municipality_id == municipality_id, Place.slug == slug, Place.id != place_id
        )
    )
    if taken is not None:
        return _l("Another place already has this address. Choose another.")
    return None


def _parent_problem(
    session: DbSession, municipality_id: int, parent_id: int | None, place_id: int | None
) -> Any:
    """A parent in the same municipality that is neither the place nor inside it."""
    if parent_id is None:
        return None
    parents = dict(
        session.execute(
            select(Place.id, Place.parent_id).where(Place.municipality_id == municipality_id)
        ).all()
    )
    if parent_id not in parents:
        return _l("Choose a place from the list.")
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == place_id:
            return _l("A place cannot be inside itself or inside one of its own parts.")
        seen.add(current)
        current = parents.get(current)
    return None


def _point_problems(latitude: float | None, longitude: float | None) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if (latitude is None) != (longitude is None):
        key = "longitude" if longitude is None else "latitude"
        errors[key] = _l("Give both latitude and longitude, or neither.")
    if latitude is not None and not -90 <= latitude <= 90:
        errors["latitude"] = _l("Latitude is a number from -90 to 90, like 58.17.")
    if longitude is not None and not -180 <= longitude <= 180:
        errors["longitude"] = _l("Longitude is a number from -180 to 180, like 13.55.")
    return errors


def _aliases(raw: tuple[str, ...], name: str) -> list[str]:
    """Other names, cleaned, without blanks, repeats or the name itself."""
    seen = {name.casefold()}
    aliases = []
    for alias in (clean_line(a) for a in raw):
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            aliases.append(alias)
    return aliases


def _audit_values(place: Place) -> dict[str, Any]:
    return {
        "name": place.name,
        "slug": place.slug,
        "kind": place.kind.value,
        "parent_id": place.parent_id,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "aliases": list(place.aliases),
    }
