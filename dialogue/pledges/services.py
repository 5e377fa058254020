"""Reading the public pledge."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from dialogue.db import DbSession, Localized
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
            Pledge.valid_from.desc(), Pledge.id.desc()
        )
    )
    return valid or session.scalar(query.order_by(Pledge.valid_from.desc(), Pledge.id.desc()))


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


# Pledges based on a lägesbild snapshot, and drafting the next pledge from one.


def list_pledges_based_on(
    session: DbSession, municipality_id: int, snapshot_id: int, *, public_only: bool = False
) -> list[Pledge]:
    """The pledges based on a snapshot: every one by id, or the public ones by validity."""
    query = select(Pledge).where(
        Pledge.municipality_id == municipality_id, Pledge.based_on_id == snapshot_id
    )
    if public_only:
        query = query.where(Pledge.status.in_(_PUBLIC)).order_by(Pledge.valid_from)
    else:
        query = query.order_by(Pledge.id)
    return list(session.scalars(query))


def get_pledge_in_force(
    session: DbSession, municipality_id: int, start: dt.date, end: dt.date
) -> Pledge | None:
    """The published (or closed) pledge whose validity the period ``start``-``end`` falls in."""
    query = (
        select(Pledge)
        .where(
            Pledge.municipality_id == municipality_id,
            Pledge.status.in_(_PUBLIC),
            Pledge.valid_from <= end,
            Pledge.valid_to >= start,
        )
        .options(selectinload(Pledge.commitments))
        .order_by(Pledge.valid_to.desc(), Pledge.id.desc())
    )
    return session.scalars(query).first()


@dataclasses.dataclass(frozen=True)
class NextDraft:
    """A draft pledge that continues an earlier one: its own dates, sources and basis."""

    municipality_id: int
    valid_from: dt.date
    valid_to: dt.date
    sources: list[Localized]
    based_on_id: int | None
    title: Localized  # when there is no earlier pledge to take the title from


def add_next_draft(session: DbSession, previous: Pledge | None, draft: NextDraft) -> Pledge:
    """Add a draft whose title, focus, goal and commitments start as ``previous``'s.

    Flushed, not committed: the caller records what it did and commits once.
    """
    pledge = Pledge(
        municipality_id=draft.municipality_id,
        title=dict(previous.title) if previous else dict(draft.title),
        focus=dict(previous.focus) if previous else {},
        goal=dict(previous.goal) if previous else {},
        sources=list(draft.sources),
        signatories=[],
        valid_from=draft.valid_from,
        valid_to=draft.valid_to,
        status=PledgeStatus.DRAFT,
        based_on_id=draft.based_on_id,
    )
    session.add(pledge)
    session.flush()
    for position, commitment in enumerate(previous.commitments if previous else []):
        session.add(
            Commitment(
                municipality_id=pledge.municipality_id,
                pledge_id=pledge.id,
                position=position,
                text=dict(commitment.text),
            )
        )
    return pledge


def list_initiatives_at(session: DbSession, place: Place) -> list[Initiative]:
    """The initiatives of any pledge linked to ``place``, oldest first."""
    query = select(Initiative).where(Initiative.places.contains(place)).order_by(Initiative.id)
    return list(session.scalars(query))
