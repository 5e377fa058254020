"""Reading the public pledge."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from dialogue.db import DbSession, Localized
from dialogue.errors import NotFoundError
from dialogue.pledges.models import Commitment, Initiative, Pledge, PledgeStatus

_PUBLIC = (PledgeStatus.PUBLISHED, PledgeStatus.CLOSED)


class PledgeState(StrEnum):
    """Where a pledge stands today: its status, and for a published one its period."""

    DRAFT = "draft"
    UPCOMING = "upcoming"
    IN_FORCE = "in_force"
    ENDED = "ended"
    CLOSED = "closed"


def pledge_state(pledge: Pledge, today: dt.date, *, public: bool = False) -> PledgeState:
    """The state of ``pledge`` on ``today`` (the municipality's local date).

    A draft is a draft and a closed pledge closed; a published one is upcoming, in force or
    ended by its validity. The public never sees a draft, and to them a closed pledge has ended.
    """
    if pledge.status == PledgeStatus.DRAFT:
        return PledgeState.DRAFT
    if pledge.status == PledgeStatus.CLOSED:
        return PledgeState.ENDED if public else PledgeState.CLOSED
    if today < pledge.valid_from:
        return PledgeState.UPCOMING
    if today > pledge.valid_to:
        return PledgeState.ENDED
    return PledgeState.IN_FORCE


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


def get_pledge_to_continue(
    session: DbSession, municipality_id: int, period_end: dt.date
) -> Pledge | None:
    """The public pledge the next one continues from, after a period ending ``period_end``.

    The pledge in force during the period; failing that (it ended before the input was
    gathered), the latest public pledge that had started by the period's end.
    """
    query = (
        select(Pledge)
        .where(
            Pledge.municipality_id == municipality_id,
            Pledge.status.in_(_PUBLIC),
            Pledge.valid_from <= period_end,
        )
        .options(
            selectinload(Pledge.commitments),
            selectinload(Pledge.initiatives).selectinload(Initiative.places),
        )
        # A pledge in force during the period ends after any that ended before it: first.
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
    """Add a draft that starts as a copy of ``previous``, for the administrators to rewrite.

    Copied: the title, focus and goal in every language, the commitments in their order,
    the initiatives with their places, and the signatories. Not copied: the dates, the signing
    date and the progress updates; the draft has its own dates, sources and basis.
    Flushed, not committed: the caller records what it did and commits once.
    """
    pledge = Pledge(
        municipality_id=draft.municipality_id,
        title=dict(previous.title) if previous else dict(draft.title),
        focus=dict(previous.focus) if previous else {},
        goal=dict(previous.goal) if previous else {},
        sources=list(draft.sources),
        signatories=[dict(s, role=dict(s["role"])) for s in previous.signatories]
        if previous
        else [],
        valid_from=draft.valid_from,
        valid_to=draft.valid_to,
        signed_on=None,
        status=PledgeStatus.DRAFT,
        based_on_id=draft.based_on_id,
    )
    session.add(pledge)
    session.flush()
    for position, commitment in enumerate(previous.commitments if previous else [], start=1):
        session.add(
            Commitment(
                municipality_id=pledge.municipality_id,
                pledge_id=pledge.id,
                position=position,
                text=dict(commitment.text),
            )
        )
    for position, initiative in enumerate(previous.initiatives if previous else [], start=1):
        session.add(
            Initiative(
                municipality_id=pledge.municipality_id,
                pledge_id=pledge.id,
                position=position,
                name=dict(initiative.name),
                description=dict(initiative.description) if initiative.description else None,
                places=list(initiative.places),
            )
        )
    session.flush()
    return pledge
