from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.models import Municipality, Place, Pledge, PledgeStatus, ProgressUpdate
from dialogue.pledges.commitments import (
    ProgressUpdateInput,
    add_commitment,
    add_progress_update,
    move_commitment,
    remove_commitment,
    remove_progress_update,
    update_commitment,
)
from dialogue.pledges.initiatives import (
    InitiativeInput,
    add_initiative,
    remove_initiative,
    update_initiative,
)
from tests.admin.helpers import audit_actions, complete_draft, last_event
from tests.factories import MunicipalityFactory, PlaceFactory


def texts(pledge: Pledge) -> list[str]:
    return [c.text["sv"] for c in sorted(pledge.commitments, key=lambda c: c.position)]


def test_a_commitment_is_added_at_the_end(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    added = add_commitment(db_session, demo.id, draft.id, {"sv": " Nytt ", "en": ""}, **as_admin)
    assert added.position == 4
    assert added.text == {"sv": "Nytt"}
    assert texts(draft) == ["Löfte 1", "Löfte 2", "Löfte 3", "Nytt"]
    assert last_event(db_session, "commitment.added").details["pledge_id"] == draft.id


def test_a_commitment_needs_only_the_required_language_even_when_published(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    draft.status = PledgeStatus.PUBLISHED
    db_session.commit()
    added = add_commitment(db_session, demo.id, draft.id, {"sv": "Nytt", "en": ""}, **as_admin)
    assert added.text == {"sv": "Nytt"}
    with pytest.raises(InvalidInputError) as raised:
        add_commitment(db_session, demo.id, draft.id, {"sv": " ", "en": "New"}, **as_admin)
    assert list(raised.value.errors) == ["text_sv"]
    assert str(raised.value.errors["text_sv"]) == "Write the commitment in Swedish."


def test_moving_swaps_with_the_neighbour_and_stops_at_the_ends(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    first, second, third = sorted(draft.commitments, key=lambda c: c.position)
    move_commitment(db_session, demo.id, third.id, -1, **as_admin)
    assert texts(draft) == ["Löfte 1", "Löfte 3", "Löfte 2"]
    move_commitment(db_session, demo.id, first.id, 1, **as_admin)
    assert texts(draft) == ["Löfte 3", "Löfte 1", "Löfte 2"]
    with pytest.raises(InvalidInputError):
        move_commitment(db_session, demo.id, third.id, -1, **as_admin)
    with pytest.raises(InvalidInputError):
        move_commitment(db_session, demo.id, second.id, 1, **as_admin)
    assert audit_actions(db_session, "commitment") == ["commitment.moved", "commitment.moved"]


def test_moving_repairs_ties_in_positions(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    for commitment in draft.commitments:
        commitment.position = 0
    db_session.commit()
    last = max(draft.commitments, key=lambda c: c.id)
    move_commitment(db_session, demo.id, last.id, -1, **as_admin)
    assert sorted(c.position for c in draft.commitments) == [1, 2, 3]
    assert texts(draft) == ["Löfte 1", "Löfte 3", "Löfte 2"]


def test_commitments_are_removed_only_from_drafts_and_the_rest_close_up(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    middle = sorted(draft.commitments, key=lambda c: c.position)[1]
    remove_commitment(db_session, demo.id, middle.id, **as_admin)
    assert texts(draft) == ["Löfte 1", "Löfte 3"]
    assert [c.position for c in sorted(draft.commitments, key=lambda c: c.position)] == [1, 2]
    assert last_event(db_session, "commitment.removed").details["text"]["sv"] == "Löfte 2"
    draft.status = PledgeStatus.PUBLISHED
    db_session.commit()
    with pytest.raises(InvalidInputError):
        remove_commitment(db_session, demo.id, draft.commitments[0].id, **as_admin)
    assert len(draft.commitments) == 2


def test_editing_a_commitment_is_audited_with_the_old_text(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    commitment = draft.commitments[0]
    update_commitment(
        db_session, demo.id, commitment.id, {"sv": "Ändrat", "en": "Changed"}, **as_admin
    )
    assert last_event(db_session, "commitment.updated").details["changes"] == {
        "text": [{"sv": "Löfte 1", "en": "Promise 1"}, {"sv": "Ändrat", "en": "Changed"}]
    }


def test_a_closed_pledge_keeps_its_commitments(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    draft.status = PledgeStatus.CLOSED
    db_session.commit()
    commitment = draft.commitments[0]
    with pytest.raises(InvalidInputError):
        update_commitment(db_session, demo.id, commitment.id, {"sv": "x", "en": "x"}, **as_admin)
    with pytest.raises(InvalidInputError):
        move_commitment(db_session, demo.id, commitment.id, 1, **as_admin)
    with pytest.raises(InvalidInputError):
        add_commitment(db_session, demo.id, draft.id, {"sv": "x", "en": "x"}, **as_admin)


def test_progress_is_reported_on_published_pledges_only(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    commitment = draft.commitments[0]
    day = dt.date(2025, 3, 1)
    with pytest.raises(InvalidInputError):
        add_progress_update(
            db_session,
            demo.id,
            commitment.id,
            ProgressUpdateInput(day, {"sv": "Gjort"}),
            **as_admin,
        )
    draft.status = PledgeStatus.PUBLISHED
    db_session.commit()
    update = add_progress_update(
        db_session,
        demo.id,
        commitment.id,
        ProgressUpdateInput(day, {"sv": "Gjort", "en": ""}),
        **as_admin,
    )
    assert (update.published_on, update.text) == (day, {"sv": "Gjort"})
    assert last_event(db_session, "progress_update.added").details["commitment_id"] == (
        commitment.id
    )
    remove_progress_update(db_session, demo.id, commitment.id, update.id, **as_admin)
    assert db_session.scalars(select(ProgressUpdate)).all() == []
    assert last_event(db_session, "progress_update.removed").details["text"] == {"sv": "Gjort"}


def test_a_progress_update_is_removed_only_through_its_own_commitment(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    draft.status = PledgeStatus.PUBLISHED
    db_session.commit()
    first, second = draft.commitments[:2]
    update = add_progress_update(
        db_session,
        demo.id,
        first.id,
        ProgressUpdateInput(dt.date(2025, 3, 1), {"sv": "Gjort"}),
        **as_admin,
    )
    with pytest.raises(NotFoundError):
        remove_progress_update(db_session, demo.id, second.id, update.id, **as_admin)


def test_initiatives_link_places_of_the_municipality_only(
    db_session: Session, demo: Municipality, draft: Pledge, as_admin: dict[str, Any]
) -> None:
    ranten = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    foreign = PlaceFactory(municipality_id=MunicipalityFactory().id)
    data = InitiativeInput({"sv": "Platssamverkan"}, {}, frozenset({ranten.id}))
    initiative = add_initiative(db_session, demo.id, draft.id, data, **as_admin)
    assert [p.slug for p in initiative.places] == ["ranten"]
    assert initiative.description is None
    assert last_event(db_session, "initiative.added").details["places"] == ["ranten"]
    with pytest.raises(InvalidInputError) as raised:
        update_initiative(
            db_session,
            demo.id,
            initiative.id,
            InitiativeInput({"sv": "Platssamverkan"}, {}, frozenset({ranten.id, foreign.id})),
            **as_admin,
        )
    assert list(raised.value.errors) == ["places"]
    update_initiative(
        db_session, demo.id, initiative.id, InitiativeInput({"sv": "Ny"}, {}), **as_admin
    )
    assert initiative.places == []
    assert last_event(db_session, "initiative.updated").details["changes"]["places"] == [
        ["ranten"],
        [],
    ]


def test_initiatives_are_removed_only_from_drafts(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    published = db_session.scalars(select(Pledge)).one()
    with pytest.raises(InvalidInputError):
        remove_initiative(db_session, demo.id, published.initiatives[0].id, **as_admin)
    draft = complete_draft(demo)
    initiative = add_initiative(
        db_session, demo.id, draft.id, InitiativeInput({"sv": "Tillfällig"}, {}), **as_admin
    )
    remove_initiative(db_session, demo.id, initiative.id, **as_admin)
    assert draft.initiatives == []


def test_commitments_of_another_municipality_are_not_found(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    foreign = complete_draft(MunicipalityFactory())
    commitment = foreign.commitments[0]
    with pytest.raises(NotFoundError):
        update_commitment(db_session, demo.id, commitment.id, {"sv": "x"}, **as_admin)
    with pytest.raises(NotFoundError):
        move_commitment(db_session, demo.id, commitment.id, 1, **as_admin)
    with pytest.raises(NotFoundError):
        remove_commitment(db_session, demo.id, commitment.id, **as_admin)
    with pytest.raises(NotFoundError):
        add_commitment(db_session, demo.id, foreign.id, {"sv": "x"}, **as_admin)
    assert commitment.text["sv"] == "Löfte 1"


def test_moderators_may_not_change_commitments(
    db_session: Session, demo: Municipality, draft: Pledge, as_moderator: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDeniedError):
        move_commitment(db_session, demo.id, draft.commitments[0].id, 1, **as_moderator)
