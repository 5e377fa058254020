from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.models import Commitment, Municipality, Pledge, PledgeStatus
from dialogue.pledges.editing import (
    PledgeInput,
    Signatory,
    close_pledge,
    create_pledge,
    delete_draft,
    get_pledge,
    publish_pledge,
    update_pledge,
)
from tests.admin.helpers import audit_actions, complete_draft, last_event
from tests.factories import MunicipalityFactory

DRAFT = PledgeInput(
    title={"sv": " Medborgarlöfte 2025 ", "en": ""},
    focus={"sv": "Trygghet i centrum", "en": ""},
    goal={"sv": "", "en": ""},
    valid_from=dt.date(2025, 1, 1),
    valid_to=dt.date(2026, 12, 31),
)


def complete(**changes: Any) -> PledgeInput:
    values: dict[str, Any] = {
        "title": {"sv": "Löftet", "en": "The pledge"},
        "focus": {"sv": "Fokus", "en": "Focus"},
        "goal": {"sv": "Mål", "en": "Goal"},
        "signatories": (Signatory("Kim Ek", {"sv": "Ordförande", "en": "Chair"}),),
    }
    values.update(changes)
    return dataclasses.replace(DRAFT, **values)


def test_a_draft_needs_only_a_swedish_title_and_a_period(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    pledge = create_pledge(db_session, demo.id, DRAFT, **as_admin)
    assert pledge.status == PledgeStatus.DRAFT
    assert pledge.title == {"sv": "Medborgarlöfte 2025"}  # cleaned, empty languages dropped
    assert pledge.goal == {}
    event = last_event(db_session, "pledge.created")
    assert (event.object_id, event.actor_id) == (pledge.id, as_admin["actor"].id)


def test_a_pledge_cannot_end_before_it_starts(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    backwards = dataclasses.replace(DRAFT, valid_to=dt.date(2024, 12, 31))
    with pytest.raises(InvalidInputError) as raised:
        create_pledge(db_session, demo.id, backwards, **as_admin)
    assert "valid_to" in raised.value.errors
    same_day = dataclasses.replace(DRAFT, valid_to=DRAFT.valid_from)
    assert create_pledge(db_session, demo.id, same_day, **as_admin).valid_to == DRAFT.valid_from


def test_sources_and_signatories_are_stored_per_language(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    data = dataclasses.replace(
        DRAFT,
        sources=({"sv": "Polisens statistik", "en": "Police statistics"}, {"sv": "", "en": ""}),
        signatories=(
            Signatory("Kim Ek", {"sv": "Ordförande", "en": "Chair"}),
            Signatory("", {"sv": "", "en": ""}),
        ),
    )
    pledge = create_pledge(db_session, demo.id, data, **as_admin)
    assert pledge.sources == [{"sv": "Polisens statistik", "en": "Police statistics"}]
    assert pledge.signatories == [{"name": "Kim Ek", "role": {"sv": "Ordförande", "en": "Chair"}}]


def test_a_signatory_needs_a_name_and_a_swedish_role(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    data = dataclasses.replace(DRAFT, signatories=(Signatory("Kim Ek", {"en": "Chair"}),))
    with pytest.raises(InvalidInputError) as raised:
        create_pledge(db_session, demo.id, data, **as_admin)
    assert "signatories" in raised.value.errors


def test_an_incomplete_draft_is_not_published_and_says_what_is_missing(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    pledge = create_pledge(db_session, demo.id, DRAFT, **as_admin)
    with pytest.raises(InvalidInputError) as raised:
        publish_pledge(db_session, demo.id, pledge.id, **as_admin)
    # Only Swedish, the municipality's required language, is needed: the goal lacks it.
    assert set(raised.value.errors) == {"goal", "signatories", "commitments"}
    assert pledge.status == PledgeStatus.DRAFT
    assert "pledge.published" not in audit_actions(db_session)


def test_a_commitment_without_the_required_language_stops_publishing(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    draft.commitments[0].text = {"en": "Only English"}
    db_session.commit()
    with pytest.raises(InvalidInputError) as raised:
        publish_pledge(db_session, demo.id, draft.id, **as_admin)
    assert list(raised.value.errors) == ["commitments"]
    assert raised.value.errors["commitments"] == "Give every commitment in Swedish."


def test_a_pledge_only_in_the_required_language_is_published(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    for field in ("title", "focus", "goal"):
        setattr(draft, field, {"sv": getattr(draft, field)["sv"]})
    for commitment in draft.commitments:
        commitment.text = {"sv": commitment.text["sv"]}
    db_session.commit()
    publish_pledge(db_session, demo.id, draft.id, **as_admin)
    assert draft.status == PledgeStatus.PUBLISHED


def test_the_required_language_is_the_municipalitys(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    demo.default_locale = "en"
    draft.title = {"sv": "Bara svenska"}
    db_session.commit()
    with pytest.raises(InvalidInputError) as raised:
        publish_pledge(db_session, demo.id, draft.id, **as_admin)
    assert raised.value.errors == {"title": "Give the title in English."}
    with pytest.raises(InvalidInputError) as raised:
        create_pledge(db_session, demo.id, complete(title={"sv": "Löfte"}), **as_admin)
    assert list(raised.value.errors) == ["title_en"]


def test_a_complete_draft_is_published_then_closed(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    publish_pledge(db_session, demo.id, draft.id, **as_admin)
    assert draft.status == PledgeStatus.PUBLISHED
    assert last_event(db_session, "pledge.published").details == {
        "changes": {"status": ["draft", "published"]}
    }
    with pytest.raises(InvalidInputError):
        publish_pledge(db_session, demo.id, draft.id, **as_admin)
    close_pledge(db_session, demo.id, draft.id, **as_admin)
    assert draft.status == PledgeStatus.CLOSED
    assert audit_actions(db_session, "pledge")[-2:] == ["pledge.published", "pledge.closed"]


def test_only_a_published_pledge_can_be_closed(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError):
        close_pledge(db_session, demo.id, draft.id, **as_admin)
    assert draft.status == PledgeStatus.DRAFT


def test_a_published_pledge_stays_editable_and_the_audit_keeps_the_old_text(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    publish_pledge(db_session, demo.id, draft.id, **as_admin)
    update_pledge(db_session, demo.id, draft.id, complete(), **as_admin)
    event = last_event(db_session, "pledge.updated")
    assert event.details["status"] == "published"
    assert event.details["changes"]["title"] == [
        {"sv": "Medborgarlöfte", "en": "Citizen pledge"},
        {"sv": "Löftet", "en": "The pledge"},
    ]
    assert "valid_from" not in event.details["changes"]
    assert draft.title == {"sv": "Löftet", "en": "The pledge"}


def test_a_published_pledge_cannot_lose_its_required_texts(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    publish_pledge(db_session, demo.id, draft.id, **as_admin)
    with pytest.raises(InvalidInputError) as raised:
        update_pledge(
            db_session, demo.id, draft.id, complete(goal={"sv": "", "en": "Goal"}), **as_admin
        )
    assert list(raised.value.errors) == ["goal_sv"]
    update_pledge(db_session, demo.id, draft.id, complete(goal={"sv": "Mål", "en": ""}), **as_admin)
    assert draft.goal == {"sv": "Mål"}


def test_saving_unchanged_texts_writes_no_audit_event(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    pledge = create_pledge(db_session, demo.id, complete(), **as_admin)
    update_pledge(db_session, demo.id, pledge.id, complete(), **as_admin)
    assert "pledge.updated" not in audit_actions(db_session)


def test_a_closed_pledge_cannot_be_edited(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    draft.status = PledgeStatus.CLOSED
    db_session.commit()
    with pytest.raises(InvalidInputError):
        update_pledge(db_session, demo.id, draft.id, complete(), **as_admin)


def test_only_a_draft_can_be_deleted_and_its_commitments_go_with_it(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    published = db_session.scalars(
        select(Pledge).where(Pledge.status == PledgeStatus.PUBLISHED)
    ).one()
    with pytest.raises(InvalidInputError):
        delete_draft(db_session, demo.id, published.id, **as_admin)
    draft_id = draft.id
    delete_draft(db_session, demo.id, draft_id, **as_admin)
    assert db_session.get(Pledge, draft_id) is None
    assert not db_session.scalars(select(Commitment).filter_by(pledge_id=draft_id)).all()
    assert last_event(db_session, "pledge.deleted").object_id == draft_id


def test_a_pledge_of_another_municipality_is_not_found(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    foreign = complete_draft(MunicipalityFactory())
    with pytest.raises(NotFoundError):
        get_pledge(db_session, demo.id, foreign.id, scope=as_admin["scope"])
    with pytest.raises(NotFoundError):
        publish_pledge(db_session, demo.id, foreign.id, **as_admin)
    with pytest.raises(NotFoundError):
        update_pledge(db_session, demo.id, foreign.id, complete(), **as_admin)
    with pytest.raises(NotFoundError):
        create_pledge(db_session, foreign.municipality_id, complete(), **as_admin)
    assert foreign.status == PledgeStatus.DRAFT


def test_moderators_may_not_write_pledges(
    db_session: Session, demo: Municipality, draft: Pledge, as_moderator: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDeniedError):
        create_pledge(db_session, demo.id, complete(), **as_moderator)
    with pytest.raises(PermissionDeniedError):
        publish_pledge(db_session, demo.id, draft.id, **as_moderator)
