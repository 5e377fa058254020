from __future__ import annotations

import datetime as dt

import pytest

from dialogue.pledges.models import Pledge, PledgeStatus
from dialogue.pledges.services import PledgeState, pledge_state

START, END = dt.date(2024, 1, 1), dt.date(2024, 12, 31)


def pledge(status: PledgeStatus = PledgeStatus.PUBLISHED) -> Pledge:
    return Pledge(valid_from=START, valid_to=END, status=status)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (dt.date(2023, 12, 31), PledgeState.UPCOMING),
        (START, PledgeState.IN_FORCE),
        (END, PledgeState.IN_FORCE),
        (dt.date(2025, 1, 1), PledgeState.ENDED),
    ],
)
def test_a_published_pledge_is_upcoming_in_force_or_ended_by_its_dates(
    today: dt.date, state: PledgeState
) -> None:
    assert pledge_state(pledge(), today) == state


def test_a_draft_is_a_draft_whatever_the_date() -> None:
    assert pledge_state(pledge(PledgeStatus.DRAFT), START) == PledgeState.DRAFT


def test_a_closed_pledge_is_closed_in_the_workspace_and_ended_in_public() -> None:
    closed = pledge(PledgeStatus.CLOSED)
    assert pledge_state(closed, START) == PledgeState.CLOSED
    assert pledge_state(closed, START, public=True) == PledgeState.ENDED
