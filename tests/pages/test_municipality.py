from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from dialogue.errors import NotFoundError
from dialogue.models import Municipality, PledgeStatus
from dialogue.pages.municipality import get_pledge_page
from tests.factories import MunicipalityFactory, PledgeFactory

TODAY = dt.date(2023, 9, 1)


def test_the_current_pledge_page_lists_the_other_public_pledges(
    app: Flask, db_session: Session, demo: Municipality
) -> None:
    older = PledgeFactory(
        municipality_id=demo.id,
        status=PledgeStatus.CLOSED,
        valid_from=dt.date(2022, 1, 1),
        valid_to=dt.date(2022, 12, 31),
    )
    PledgeFactory(municipality_id=demo.id, status=PledgeStatus.DRAFT)
    with app.app_context():
        shown = get_pledge_page(db_session, demo.id, None, TODAY)
    assert shown.pledge.id != older.id
    assert [p.id for p in shown.other_pledges] == [older.id]


def test_no_current_pledge_is_not_found(app: Flask, db_session: Session) -> None:
    empty = MunicipalityFactory()
    with app.app_context(), pytest.raises(NotFoundError):
        get_pledge_page(db_session, empty.id, None, TODAY)


def test_a_draft_has_no_public_page(app: Flask, db_session: Session, demo: Municipality) -> None:
    draft = PledgeFactory(municipality_id=demo.id, status=PledgeStatus.DRAFT)
    with app.app_context(), pytest.raises(NotFoundError):
        get_pledge_page(db_session, demo.id, draft.id, TODAY)
