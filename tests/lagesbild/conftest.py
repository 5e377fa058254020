"""A small municipality to count: categories in two groups, places, a pledge and a helper
that adds submissions received at a chosen instant."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from dialogue.models import (
    Submission,
)
from tests.lagesbild.helpers import Town, add, make_town


@pytest.fixture
def town(db_session: Session) -> Town:
    return make_town(db_session)


@pytest.fixture
def add_submission() -> Callable[..., Submission]:
    return add
