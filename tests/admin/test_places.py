from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.db import Base
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.models import Category, Municipality, Place, PlaceKind
from dialogue.places import editing
from dialogue.places.editing import (
    PlaceInput,
    create_place,
    delete_place,
    get_place,
    place_usage,
    update_place,
)
from tests.admin.helpers import last_event
from tests.factories import MunicipalityFactory, PlaceFactory, SubmissionFactory

TORGET = PlaceInput(name="Lilla Torget", kind=PlaceKind.POINT)


def place(session: Session, slug: str) -> Place:
    return session.scalars(select(Place).filter_by(slug=slug)).one()


def values(found: Place) -> PlaceInput:
    return PlaceInput(
        name=found.name,
        slug=found.slug,
        kind=found.kind,
        parent_id=found.parent_id,
        latitude=found.latitude,
        longitude=found.longitude,
        aliases=tuple(found.aliases),
    )


def test_a_new_place_gets_an_address_from_its_name(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    created = create_place(
        db_session,
        demo.id,
        dataclasses.replace(TORGET, name="Ågatan  vid Östra ", kind=PlaceKind.STREET),
        **as_admin,
    )
    assert (created.name, created.slug) == ("Ågatan vid Östra", "agatan-vid-ostra")
    event = last_event(db_session, "place.created")
    assert event.details["values"]["slug"] == "agatan-vid-ostra"


def test_the_address_is_checked_and_unique_in_the_municipality(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    for bad in ("Lilla torget", "lilla_torget", "-torget", "a" * 65):
        with pytest.raises(InvalidInputError) as raised:
            create_place(db_session, demo.id, dataclasses.replace(TORGET, slug=bad), **as_admin)
        assert list(raised.value.errors) == ["slug"], bad
    with pytest.raises(InvalidInputError) as raised:
        create_place(db_session, demo.id, dataclasses.replace(TORGET, slug="ranten"), **as_admin)
    assert list(raised.value.errors) == ["slug"]
    other = MunicipalityFactory()
    PlaceFactory(municipality_id=other.id, slug="torget")
    made = create_place(db_session, demo.id, dataclasses.replace(TORGET, slug="torget"), **as_admin)
    assert made.slug == "torget"


def test_coordinates_are_wgs84_and_come_in_pairs(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    cases = {
        (91.0, 13.5): "latitude",
        (-90.5, 13.5): "latitude",
        (58.1, 180.5): "longitude",
        (58.1, None): "longitude",
        (None, 13.5): "latitude",
    }
    for (lat, lon), field in cases.items():
        data = dataclasses.replace(TORGET, latitude=lat, longitude=lon)
        with pytest.raises(InvalidInputError) as raised:
            create_place(db_session, demo.id, data, **as_admin)
        assert field in raised.value.errors, (lat, lon)
    data = dataclasses.replace(TORGET, latitude=-90.0, longitude=180.0)
    assert create_place(db_session, demo.id, data, **as_admin).latitude == -90.0


def test_aliases_are_cleaned_and_repeats_dropped(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    data = dataclasses.replace(
        TORGET, aliases=("Torget", " torget ", "", "lilla torget", "<b>Torg</b>et 2")
    )
    assert create_place(db_session, demo.id, data, **as_admin).aliases == ["Torget", "Torget 2"]


def test_a_place_cannot_be_inside_itself_or_its_own_parts(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    centrum = place(db_session, "centrum")
    torget = place(db_session, "stora-torget")
    assert torget.parent_id == centrum.id
    for parent in (centrum, torget):
        data = dataclasses.replace(values(centrum), parent_id=parent.id)
        with pytest.raises(InvalidInputError) as raised:
            update_place(db_session, demo.id, centrum.id, data, **as_admin)
        assert list(raised.value.errors) == ["parent"]
    assert centrum.parent_id is None


def test_a_place_can_move_to_another_parent(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    torget = place(db_session, "stora-torget")
    ranten = place(db_session, "ranten")
    update_place(
        db_session,
        demo.id,
        torget.id,
        dataclasses.replace(values(torget), parent_id=ranten.id),
        **as_admin,
    )
    assert torget.parent_id == ranten.id
    assert last_event(db_session, "place.updated").details["changes"] == {
        "parent_id": [place(db_session, "centrum").id, ranten.id]
    }


def test_the_parent_must_be_a_place_of_the_municipality(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    foreign = PlaceFactory(municipality_id=MunicipalityFactory().id)
    with pytest.raises(InvalidInputError) as raised:
        create_place(
            db_session, demo.id, dataclasses.replace(TORGET, parent_id=foreign.id), **as_admin
        )
    assert list(raised.value.errors) == ["parent"]


def test_a_place_submissions_refer_to_is_not_deleted(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    dotorp = place(db_session, "mosseberg")
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    SubmissionFactory(category=category, receipt_key=b"k", submitted_place_id=dotorp.id)
    assert place_usage(db_session, dotorp).submissions == 1
    with pytest.raises(InvalidInputError) as raised:
        delete_place(db_session, demo.id, dotorp.id, **as_admin)
    assert list(raised.value.errors) == ["submissions"]
    assert db_session.get(Place, dotorp.id) is not None


def test_a_place_with_parts_or_initiatives_is_not_deleted(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        delete_place(db_session, demo.id, place(db_session, "centrum").id, **as_admin)
    assert list(raised.value.errors) == ["children"]
    with pytest.raises(InvalidInputError) as raised:
        delete_place(db_session, demo.id, place(db_session, "ranten").id, **as_admin)
    assert "initiatives" in raised.value.errors


def test_an_unused_place_is_deleted_and_the_audit_keeps_it(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    made = create_place(db_session, demo.id, TORGET, **as_admin)
    made_id = made.id
    delete_place(db_session, demo.id, made_id, **as_admin)
    assert db_session.get(Place, made_id) is None
    event = last_event(db_session, "place.deleted")
    assert (event.object_id, event.details["values"]["name"]) == (made_id, "Lilla Torget")


def test_places_of_another_municipality_are_not_found(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    foreign = PlaceFactory(municipality_id=MunicipalityFactory().id)
    with pytest.raises(NotFoundError):
        get_place(db_session, demo.id, foreign.id, scope=as_admin["scope"])
    with pytest.raises(NotFoundError):
        update_place(db_session, demo.id, foreign.id, TORGET, **as_admin)
    with pytest.raises(NotFoundError):
        delete_place(db_session, demo.id, foreign.id, **as_admin)


def test_moderators_may_not_change_places(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDeniedError):
        create_place(db_session, demo.id, TORGET, **as_moderator)


def test_place_usage_names_real_tables_and_columns() -> None:
    import_free = [editing._SUBMISSIONS, editing._INITIATIVE_PLACES]
    for named in import_free:
        real = Base.metadata.tables[named.name]
        assert {column.name for column in named.c} <= set(real.c.keys())
