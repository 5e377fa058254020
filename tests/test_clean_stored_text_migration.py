"""The data migration a7c9e1f3b5d7 cleans text stored before the sanitiser defused half-tags."""

from __future__ import annotations

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import select

from dialogue.accounts.models import Account
from dialogue.extensions import db
from dialogue.models import Municipality
from dialogue.municipalities.models import PoliceArea
from dialogue.places.models import Place, PlaceKind
from dialogue.sanitize import holds_markup
from dialogue.triage.models import Tag
from tests.helpers import _test_database_url, make_settings, migrated_app

BEFORE = "5d7e9a1c3b40"  # the revision before it
HALF_TAG = "Eve <input autofocus onfocus=alert(1)//"


@pytest.fixture(scope="module")
def scratch_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    url = _test_database_url(tmp_path_factory, "clean_text")
    return migrated_app(make_settings(url, tmp_path_factory.mktemp("clean_text")))


def _store_text_as_it_was_stored_before() -> None:
    session = db.session
    area = PoliceArea(slug="lpo", name="LPO <b>Skaraborg</b>")
    session.add(area)
    session.flush()
    town = Municipality(slug="ort", name="Ort", police_area_id=area.id)
    session.add(town)
    session.flush()
    session.add_all(
        [
            Account(email="eve@ort.example", name=HALF_TAG),
            Account(email="only@ort.example", name="<b></b>"),
            Account(email="plain@ort.example", name="Ada < Bo"),
            Place(
                municipality_id=town.id,
                slug="torget",
                name="Torget <svg",
                aliases=["<img src=x onerror=alert(1)>Stortorget", "ok"],
                kind=PlaceKind.POINT,
            ),
            Tag(municipality_id=town.id, name="lampa"),
            Tag(municipality_id=town.id, name="<b>lampa</b>"),
        ]
    )
    session.commit()


def _stored() -> dict[str, object]:
    session = db.session
    stored = {
        "accounts": dict(session.execute(select(Account.email, Account.name)).all()),
        "area": session.scalar(select(PoliceArea.name)),
        "place": tuple(session.execute(select(Place.name, Place.aliases)).one()),
        "tags": sorted(session.scalars(select(Tag.name))),
    }
    # End the read, so a downgrade that drops a table referring to these is not blocked.
    session.rollback()
    return stored


def test_migration_cleans_stored_text_and_running_it_again_changes_nothing(
    scratch_app: Flask,
) -> None:
    with scratch_app.app_context():
        flask_migrate.downgrade(revision=BEFORE)
        _store_text_as_it_was_stored_before()
        flask_migrate.upgrade()
        db.session.expire_all()
        stored = _stored()
        assert stored["accounts"] == {
            "eve@ort.example": "Eve < input autofocus onfocus=alert(1)//",
            "only@ort.example": "< b>< /b>",
            "plain@ort.example": "Ada < Bo",
        }
        assert stored["area"] == "LPO Skaraborg"
        assert stored["place"] == ("Torget < svg", ["Stortorget", "ok"])
        tags = stored["tags"]
        assert isinstance(tags, list) and tags[0] == "lampa" and tags[1].startswith("lampa ")
        for text in [*stored["accounts"].values(), *tags]:  # type: ignore[attr-defined]
            assert not holds_markup(text)

        flask_migrate.downgrade(revision=BEFORE)
        flask_migrate.upgrade()
        db.session.expire_all()
        assert _stored() == stored
