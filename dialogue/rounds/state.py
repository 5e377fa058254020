"""Where a round is in its life, from its publication and its local opening and closing dates."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from dialogue.rounds.models import InputRound


class RoundState(StrEnum):
    DRAFT = "draft"  # questions can change; links do not open yet
    SCHEDULED = "scheduled"  # published (questions frozen), before the opening date
    OPEN = "open"  # answers can be given and edited
    CLOSED = "closed"  # after the closing date: read only


def round_state(input_round: InputRound, today: dt.date) -> RoundState:
    """``today`` is the municipality's local date (see ``municipalities.tenancy.local_today``)."""
    if input_round.published_at is None:
        return RoundState.DRAFT
    if today < input_round.opens_on:
        return RoundState.SCHEDULED
    if today > input_round.closes_on:
        return RoundState.CLOSED
    return RoundState.OPEN


def questions_frozen(input_round: InputRound) -> bool:
    return input_round.published_at is not None
