from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.models import Category, Municipality, ResponseTemplate, Status
from dialogue.triage.response_templates import (
    TemplateInput,
    create_response_template,
    delete_response_template,
    list_response_templates,
    update_response_template,
)
from tests.admin.helpers import context_of, last_event
from tests.factories import CategoryFactory, MunicipalityFactory

LOCALES = ("sv", "en")
THANKS = TemplateInput(
    title="Tack", body="Tack för ditt meddelande.\n\nVi återkommer.", locale="sv"
)


def test_templates_are_created_listed_edited_and_deleted(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    light = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    made = create_response_template(db_session, demo.id, THANKS, locales=LOCALES, **as_admin)
    assert made.body == "Tack för ditt meddelande.\n\nVi återkommer."
    assert last_event(db_session, "response_template.created").object_id == made.id
    update_response_template(
        db_session,
        context_of(as_admin, demo.id),
        made.id,
        TemplateInput("Belysning", "Vi har skickat det vidare.", "sv", light.id, Status.FORWARDED),
        locales=LOCALES,
    )
    rows = list_response_templates(db_session, demo.id, scope=as_admin["scope"])
    assert [(r.template.title, r.category) for r in rows] == [("Belysning", light)]
    changes = last_event(db_session, "response_template.updated").details["changes"]
    assert changes["status"] == [None, "forwarded"]
    made_id = made.id
    delete_response_template(db_session, demo.id, made_id, **as_admin)
    assert db_session.get(ResponseTemplate, made_id) is None
    assert last_event(db_session, "response_template.deleted").details["values"]["title"] == (
        "Belysning"
    )


def test_a_template_needs_a_title_a_text_and_a_known_language(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        create_response_template(
            db_session, demo.id, TemplateInput(" ", "<p></p>", "de"), locales=LOCALES, **as_admin
        )
    assert set(raised.value.errors) == {"title", "body", "locale"}


def test_the_category_must_be_one_of_the_municipality(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    foreign = CategoryFactory(municipality_id=MunicipalityFactory().id)
    with pytest.raises(InvalidInputError) as raised:
        create_response_template(
            db_session,
            demo.id,
            TemplateInput("Tack", "Tack.", "sv", category_id=foreign.id),
            locales=LOCALES,
            **as_admin,
        )
    assert list(raised.value.errors) == ["category"]


def test_templates_of_another_municipality_are_not_found(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    other = MunicipalityFactory()
    foreign = ResponseTemplate(municipality_id=other.id, locale="sv", title="Tack", body="Tack.")
    db_session.add(foreign)
    db_session.commit()
    with pytest.raises(NotFoundError):
        update_response_template(
            db_session, context_of(as_admin, demo.id), foreign.id, THANKS, locales=LOCALES
        )
    with pytest.raises(NotFoundError):
        delete_response_template(db_session, demo.id, foreign.id, **as_admin)


def test_moderators_may_not_write_templates(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDeniedError):
        create_response_template(db_session, demo.id, THANKS, locales=LOCALES, **as_moderator)
