"""The reads every part of rounds builds on: one round by id, and who counts as invited.

The bottom of the package: services, the questionnaire, invitations and results import it, it
imports none of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import selectinload

from dialogue.db import DbSession
from dialogue.errors import NotFoundError
from dialogue.rounds.models import InputRound, Invitation, ResponseVia, RoundResponse


def find_round(session: DbSession, municipality_id: int, round_id: int) -> InputRound:
    """The round with this id in this municipality, questions loaded; NotFoundError otherwise."""
    found = session.scalar(
        select(InputRound)
        .where(InputRound.id == round_id, InputRound.municipality_id == municipality_id)
        .options(selectinload(InputRound.questions))
    )
    if found is None:
        raise NotFoundError(round_id)
    return found


def counted_invitations() -> ColumnElement[bool]:
    """Invitations that count as invited: own links, and open-link answers once submitted."""
    return or_(
        Invitation.via == ResponseVia.INVITATION,
        Invitation.response.has(RoundResponse.submitted_at.is_not(None)),
    )


def participation(session: DbSession, round_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """``{round_id: (invited, responded)}``: see :func:`dialogue.rounds.results.response_rate`."""
    if not round_ids:
        return {}
    found: dict[int, tuple[int, int]] = {}
    query = (
        select(
            Invitation.round_id,
            func.count(Invitation.id),
            func.count(RoundResponse.submitted_at),
        )
        .outerjoin(RoundResponse, RoundResponse.invitation_id == Invitation.id)
        .where(Invitation.round_id.in_(round_ids), counted_invitations())
        .group_by(Invitation.round_id)
    )
    for round_id, invited, responded in session.execute(query):
        found[round_id] = (invited, responded)
    return found
