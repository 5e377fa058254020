"""Reading the public pledge."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from dialogue.db import DbSession
from dialogue.errors import NotFoundError
from dialogue.places.models import Place
from dialogue.pledges.models import Commitment, Initiative, Pledge, PledgeStatus

_PUBLIC = (PledgeStatus.PUBLISHED, PledgeStatus.CLOSED)


def _public_pledges(municipality_id: int) -> Select[Pledge]:
    return (
        select(Pledge)
        .where(Pledge.municipality_id == municipality_id, Pledge.status.in_(_PUBLIC))
        .options(
            selectinload(Pledge.commitments).selectinload(Commitment.progress_updates),
            selectinload(Pledge.initiatives).selectinload(Initiative.places),
        )
    )


def get_current_pledge(session: DbSession, municipality_id: int, today: dt.date) -> Pledge | None:
    """The published pledge valid today, else the most recent published one."""
    query = _public_pledges(municipality_id).where(Pledge.status == PledgeStatus.PUBLISHED)
    valid = session.scalar(
        query.where(Pledge.valid_from <= today, Pledge.valid_to >= today).order_by(
            Pledge.valid_from.desc()
        )
    )
    return valid or session.scalar(query.order_by(Pledge.valid_from.desc()))


def get_pledge(session: DbSession, municipality_id: int, pledge_id: int) -> Pledge:
    """A published or closed pledge of this municipality; NotFoundError otherwise."""
    pledge = session.scalar(_public_pledges(municipality_id).where(Pledge.id == pledge_id))
    if pledge is None:
        raise NotFoundError(pledge_id)
    return pledge


def list_public_pledges(session: DbSession, municipality_id: int) -> list[Pledge]:
    query = select(Pledge).where(
        Pledge.municipality_id == municipality_id, Pledge.status.in_(_PUBLIC)
    )
    return list(session.scalars(query.order_by(Pledge.valid_from.desc())))


def list_initiatives_at(session: DbSession, place: Place) -> list[Initiative]:
    """The initiatives of any pledge linked to ``place``, oldest first."""
    query = select(Initiative).where(Initiative.places.contains(place)).order_by(Initiative.id)
    return list(session.scalars(query))
