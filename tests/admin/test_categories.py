from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.accounts.models import Account
from dialogue.categories.models import Category, Route
from dialogue.categories.services import (
    CategoryInput,
    NewCategory,
    create_category,
    list_category_groups,
    set_category_active,
    update_category,
)
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.extensions import db
from dialogue.models import Municipality
from tests.admin.helpers import audit_actions, last_event
from tests.factories import CategoryFactory, MunicipalityFactory
from tests.helpers import RaceGround, run_together

BENCHES = CategoryInput({"sv": "Trasiga bänkar", "en": "Broken benches"}, Route.MUNICIPALITY)


def by_code(session: Session, code: str) -> Category:
    return session.scalars(select(Category).filter_by(code=code)).one()


def test_a_category_joins_the_end_of_an_existing_group(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    group = by_code(db_session, "MILJO")
    created = create_category(
        db_session, demo.id, NewCategory(BENCHES, group_id=group.id), **as_admin
    )
    assert (created.code, created.parent_id) == ("MILJO.BROKEN_BENCHES", group.id)
    groups = list_category_groups(db_session, demo.id, scope=as_admin["scope"])
    miljo = next(g for g in groups if g.group.id == group.id)
    assert miljo.categories[-1].id == created.id
    assert last_event(db_session, "category.created").details["values"]["default_route"] == (
        "kommun"
    )


def test_a_new_group_is_created_with_its_first_category(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    created = create_category(
        db_session,
        demo.id,
        NewCategory(BENCHES, group_label={"sv": "Parker", "en": "Parks"}),
        **as_admin,
    )
    assert created.parent is not None
    assert (created.parent.code, created.parent.label) == ("PARKS", {"sv": "Parker", "en": "Parks"})
    assert created.code == "PARKS.BROKEN_BENCHES"
    assert audit_actions(db_session, "category") == ["category.created", "category.created"]


def test_codes_stay_unique(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    group = by_code(db_session, "MILJO")
    first = create_category(db_session, demo.id, NewCategory(BENCHES, group.id), **as_admin)
    second = create_category(db_session, demo.id, NewCategory(BENCHES, group.id), **as_admin)
    assert (first.code, second.code) == ("MILJO.BROKEN_BENCHES", "MILJO.BROKEN_BENCHES_2")


def test_labels_are_needed_in_the_required_language_only(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        create_category(
            db_session,
            demo.id,
            NewCategory(CategoryInput({"sv": " ", "en": "Benches"}), group_label={"en": "Parks"}),
            **as_admin,
        )
    assert set(raised.value.errors) == {"label_sv", "group_label_sv"}
    assert str(raised.value.errors["label_sv"]) == "Give the label in Swedish."
    made = create_category(
        db_session,
        demo.id,
        NewCategory(CategoryInput({"sv": "Bänkar", "en": ""}), group_label={"sv": "Parker"}),
        **as_admin,
    )
    assert made.label == {"sv": "Bänkar"}


def test_the_municipality_chooses_the_required_language(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    demo.default_locale = "en"
    db_session.commit()
    with pytest.raises(InvalidInputError) as raised:
        create_category(
            db_session,
            demo.id,
            NewCategory(CategoryInput({"sv": "Bänkar"}), group_label={"en": "Parks"}),
            **as_admin,
        )
    assert set(raised.value.errors) == {"label_en"}
    assert str(raised.value.errors["label_en"]) == "Give the label in English."


def test_the_group_must_be_a_group_of_the_municipality(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    child = by_code(db_session, "MILJO.LIGHT")
    foreign = CategoryFactory(municipality_id=MunicipalityFactory().id)
    for group_id in (child.id, foreign.id):
        with pytest.raises(InvalidInputError) as raised:
            create_category(db_session, demo.id, NewCategory(BENCHES, group_id), **as_admin)
        assert list(raised.value.errors) == ["group"]


def test_editing_changes_labels_route_and_sensitivity_but_not_the_code(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    light = by_code(db_session, "MILJO.LIGHT")
    update_category(
        db_session,
        demo.id,
        light.id,
        CategoryInput({"sv": "Mörkt", "en": "Dark"}, Route.PROPERTY_OWNER, is_sensitive=True),
        **as_admin,
    )
    assert (light.code, light.label, light.default_route, light.is_sensitive) == (
        "MILJO.LIGHT",
        {"sv": "Mörkt", "en": "Dark"},
        Route.PROPERTY_OWNER,
        True,
    )
    changes = last_event(db_session, "category.updated").details["changes"]
    assert changes["default_route"] == ["kommun", "fastighetsagare"]
    assert changes["is_sensitive"] == [False, True]


def test_categories_are_deactivated_and_reactivated_never_deleted(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    light = by_code(db_session, "MILJO.LIGHT")
    set_category_active(db_session, demo.id, light.id, False, **as_admin)
    assert light.is_active is False
    set_category_active(db_session, demo.id, light.id, True, **as_admin)
    assert light.is_active is True
    assert audit_actions(db_session, "category") == [
        "category.deactivated",
        "category.reactivated",
    ]


def test_the_last_category_the_form_offers_stays(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    light = by_code(db_session, "MILJO.LIGHT")
    db_session.execute(
        update(Category)
        .where(
            Category.municipality_id == demo.id,
            Category.id != light.id,
            Category.parent_id.is_not(None),
        )
        .values(is_active=False)
    )
    db_session.commit()
    for target in (light, by_code(db_session, "MILJO")):
        with pytest.raises(InvalidInputError):
            set_category_active(db_session, demo.id, target.id, False, **as_admin)
    assert light.is_active is True


def test_categories_of_another_municipality_are_not_found(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    foreign = CategoryFactory(municipality_id=MunicipalityFactory().id)
    with pytest.raises(NotFoundError):
        update_category(db_session, demo.id, foreign.id, BENCHES, **as_admin)
    with pytest.raises(NotFoundError):
        set_category_active(db_session, demo.id, foreign.id, False, **as_admin)
    assert foreign.is_active is True


def test_moderators_may_not_change_categories(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    light = by_code(db_session, "MILJO.LIGHT")
    with pytest.raises(PermissionDeniedError):
        set_category_active(db_session, demo.id, light.id, False, **as_moderator)


def test_three_administrators_adding_the_same_category_at_once_all_succeed(
    committed_app: Flask, race_ground: RaceGround
) -> None:
    def add(session: Session, number: int) -> str:
        actor = session.get_one(Account, race_ground.administrator_id)
        created = create_category(
            session,
            race_ground.municipality_id,
            NewCategory(BENCHES, group_id=race_ground.group_id),
            actor=actor,
            scope=load_scope(session, actor),
        )
        return created.code

    outcome = run_together(committed_app, 3, add)
    assert outcome.errors == []
    assert len(set(outcome.results)) == 3
    with committed_app.app_context():
        codes = db.session.scalars(
            select(Category.code).where(
                Category.municipality_id == race_ground.municipality_id,
                Category.parent_id == race_ground.group_id,
                Category.code.startswith("CAT."),
            )
        ).all()
        assert sorted(outcome.results) == sorted(c for c in codes if "BROKEN_BENCHES" in c)
