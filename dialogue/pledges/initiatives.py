"""Initiatives of a pledge: named projects linked to places."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope, require_admin
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.db import DbSession, Localized
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.places.models import Place
from dialogue.pledges.editing import require_open, required_locale
from dialogue.pledges.models import Initiative, Pledge, PledgeStatus
from dialogue.records import (
    changes,
    get_owned,
    language_for_reader,
    localized_line,
    localized_text,
)


@dataclasses.dataclass(frozen=True)
class InitiativeInput:
    name: Localized
    description: Localized
    place_ids: frozenset[int] = frozenset()


def get_initiative(
    session: DbSession, municipality_id: int, initiative_id: int, *, scope: Scope
) -> Initiative:
    """An initiative of this municipality with its pledge and places."""
    require_admin(scope, municipality_id)
    initiative = session.scalar(
        select(Initiative)
        .where(Initiative.id == initiative_id, Initiative.municipality_id == municipality_id)
        .options(selectinload(Initiative.places), selectinload(Initiative.pledge))
    )
    if initiative is None:
        raise NotFoundError(initiative_id)
    return initiative


def add_initiative(
    session: DbSession,
    municipality_id: int,
    pledge_id: int,
    data: InitiativeInput,
    *,
    actor: Account,
    scope: Scope,
) -> Initiative:
    require_admin(scope, municipality_id)
    pledge = get_owned(session, Pledge, municipality_id, pledge_id)
    require_open(pledge)
    data = _cleaned(data)
    places = _initiative_places(session, municipality_id, data)
    last = session.scalar(
        select(func.max(Initiative.position)).where(Initiative.pledge_id == pledge.id)
    )
    initiative = Initiative(
        municipality_id=municipality_id,
        pledge=pledge,
        position=(last or 0) + 1,
        name=dict(data.name),
        description=dict(data.description) or None,
        places=places,
    )
    session.add(initiative)
    session.flush()
    record(
        session,
        actor.id,
        "initiative.added",
        Target.of("initiative", initiative),
        pledge_id=initiative.pledge_id,
        **_initiative_values(initiative),
    )
    session.commit()
    return initiative


def update_initiative(
    session: DbSession,
    municipality_id: int,
    initiative_id: int,
    data: InitiativeInput,
    *,
    actor: Account,
    scope: Scope,
) -> Initiative:
    require_admin(scope, municipality_id)
    initiative = get_owned(session, Initiative, municipality_id, initiative_id)
    require_open(initiative.pledge)
    data = _cleaned(data)
    places = _initiative_places(session, municipality_id, data)
    before = _initiative_values(initiative)
    initiative.name = dict(data.name)
    initiative.description = dict(data.description) or None
    initiative.places = places
    changed = changes(before, _initiative_values(initiative))
    if changed:
        record(
            session,
            actor.id,
            "initiative.updated",
            Target.of("initiative", initiative),
            pledge_id=initiative.pledge_id,
            changes=changed,
        )
    session.commit()
    return initiative


def remove_initiative(
    session: DbSession, municipality_id: int, initiative_id: int, *, actor: Account, scope: Scope
) -> None:
    require_admin(scope, municipality_id)
    initiative = get_owned(session, Initiative, municipality_id, initiative_id)
    if initiative.pledge.status != PledgeStatus.DRAFT:
        raise InvalidInputError(
            {"status": _l("Initiatives can only be removed while the pledge is a draft.")}
        )
    record(
        session,
        actor.id,
        "initiative.removed",
        Target.of("initiative", initiative),
        pledge_id=initiative.pledge_id,
        name=initiative.name,
    )
    session.delete(initiative)
    session.commit()


def _cleaned(data: InitiativeInput) -> InitiativeInput:
    return dataclasses.replace(
        data, name=localized_line(data.name), description=localized_text(data.description)
    )


def _initiative_places(
    session: DbSession, municipality_id: int, data: InitiativeInput
) -> list[Place]:
    errors: dict[str, Any] = {}
    required = required_locale(session, municipality_id)
    if not data.name.get(required):
        errors[f"name_{required}"] = _l(
            "Give the initiative's name in %(language)s.", language=language_for_reader(required)
        )
    places = list(
        session.scalars(
            select(Place).where(
                Place.id.in_(data.place_ids), Place.municipality_id == municipality_id
            )
        )
    )
    if len(places) != len(data.place_ids):
        errors["places"] = _l("Choose places from the list.")
    if errors:
        raise InvalidInputError(errors)
    return sorted(places, key=lambda p: p.name)


def _initiative_values(initiative: Initiative) -> dict[str, Any]:
    return {
        "name": initiative.name,
        "description": initiative.description,
        "places": sorted(place.slug for place in initiative.places),
    }
