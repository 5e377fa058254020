from __future__ import annotations

from sqlalchemy.orm import Session

from dialogue.models import Municipality
from dialogue.places.services import place_names
from dialogue.submissions.personal_data import redact
from tests.factories import MunicipalityFactory, PlaceFactory


def test_place_names_are_the_names_and_aliases_of_the_municipality(
    db_session: Session, demo: Municipality
) -> None:
    PlaceFactory(municipality_id=demo.id, name="Lilla torget", aliases=["Lillan", "Torg 2"])
    PlaceFactory(municipality_id=MunicipalityFactory().id, name="Annanstans", aliases=["Borta"])

    names = place_names(db_session, demo.id)

    assert {"Stora torget", "Resecentrum", "Mösseberg"} <= names
    assert {"Lilla torget", "Lillan", "Torg 2"} <= names
    assert "Annanstans" not in names
    assert "Borta" not in names


def test_place_names_of_an_empty_gazetteer_are_empty(db_session: Session) -> None:
    assert place_names(db_session, MunicipalityFactory().id) == frozenset()


def test_place_names_keep_a_place_that_looks_like_a_name_readable(
    db_session: Session, demo: Municipality
) -> None:
    PlaceFactory(municipality_id=demo.id, name="Kalle Anka-parken", aliases=["Kalles"])
    places = place_names(db_session, demo.id)
    text = "Det är stökigt i Kalle Anka-parken och vid Kalles på kvällarna."
    assert redact(text, places=places) == text
    assert "[name]" in redact(text)
