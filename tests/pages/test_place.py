"""A place's public page: the pledge's work there, its suppressed figures and its sub-places."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy.orm import Session

from dialogue.lagesbild import public
from dialogue.lagesbild.data import Dimension
from dialogue.models import Municipality, Status
from dialogue.pages.municipality import PUBLIC_FIGURES
from dialogue.pages.place import get_place_page
from dialogue.pledges.models import Initiative, PledgeStatus
from tests.factories import (
    CategoryFactory,
    MunicipalityFactory,
    PlaceFactory,
    PledgeFactory,
    SubmissionFactory,
)

TODAY = dt.date(2024, 6, 30)


def _estate(session: Session) -> tuple[Municipality, dict[str, int]]:
    municipality = MunicipalityFactory()
    group = CategoryFactory(municipality_id=municipality.id)
    category = CategoryFactory(parent=group)
    square = PlaceFactory(municipality_id=municipality.id, slug="torget", name="Torget")
    north = PlaceFactory(
        municipality_id=municipality.id, slug="norra", name="Norra torget", parent_id=square.id
    )
    other = PlaceFactory(municipality_id=municipality.id, slug="parken", name="Parken")
    pledge = PledgeFactory(municipality_id=municipality.id)
    draft = PledgeFactory(municipality_id=municipality.id, status=PledgeStatus.DRAFT)
    session.add_all(
        [
            Initiative(
                municipality_id=municipality.id,
                pledge_id=pledge.id,
                name={"sv": "Trygg på torget"},
                places=[north],
            ),
            Initiative(
                municipality_id=municipality.id,
                pledge_id=draft.id,
                name={"sv": "Hemligt utkast"},
                places=[square],
            ),
        ]
    )
    received = dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)
    for place, how_many in ((square, 9), (north, 2), (other, 8)):
        for _ in range(how_many):
            SubmissionFactory(
                category=category,
                receipt_key=b"test-receipt-key",
                status=Status.ACCEPTED,
                place_id=place.id,
                created_at=received,
                updated_at=received,
            )
    session.flush()
    return municipality, {"pledge": pledge.id}


def test_a_place_shows_the_public_pledges_initiatives_there_and_below(
    app: Flask, db_session: Session
) -> None:
    municipality, _ids = _estate(db_session)
    with app.app_context():
        PUBLIC_FIGURES.get().clear()
        page = get_place_page(db_session, municipality.id, "torget", TODAY)
    assert [i.name["sv"] for i in page.initiatives] == ["Trygg på torget"]
    assert page.earlier_initiatives == ()  # the draft's initiative is never public
    assert [sub.place.slug for sub in page.sub_places] == ["norra"]
    assert not page.is_empty


def test_a_places_figures_are_those_of_the_suppressed_public_report(
    app: Flask, db_session: Session
) -> None:
    municipality, ids = _estate(db_session)
    with app.app_context():
        PUBLIC_FIGURES.get().clear()
        page = get_place_page(db_session, municipality.id, "torget", TODAY)
        pledge = page.pledge
        assert pledge is not None and pledge.id == ids["pledge"]
        report = public.pledge_report(db_session, municipality.id, pledge, TODAY)
    assert report is not None
    rows = {row.key: row.count for row in report.breakdown(Dimension.PLACE).rows}  # type: ignore[union-attr]
    assert page.figures is not None
    assert page.figures.count == rows["torget"]
    # Two people wrote about the sub-place: never shown as a number.
    [north] = page.sub_places
    assert north.count == rows["norra"]
    assert north.count is not None and north.count.value is None
    assert all(item.count.is_exact for item in page.figures.categories)


def test_a_place_with_nothing_to_show_is_empty(app: Flask, db_session: Session) -> None:
    municipality = MunicipalityFactory()
    PlaceFactory(municipality_id=municipality.id, slug="tomt")
    with app.app_context():
        page = get_place_page(db_session, municipality.id, "tomt", TODAY)
    assert page.is_empty and page.figures is None and page.pledge is None
