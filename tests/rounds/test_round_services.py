"""Creating, changing, publishing and deleting rounds, and their open link."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.models import Municipality
from dialogue.rounds import services, tokens
from dialogue.rounds.models import InputRound, Question
from dialogue.rounds.services import RoundInput
from tests.admin.helpers import last_event
from tests.factories import (
    InputRoundFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PlaceFactory,
    PledgeFactory,
)
from tests.helpers import make_staff
from tests.rounds.staff_fixtures import (  # noqa: F401 (fixtures)
    CLOSES,
    DURING,
    OPENS,
    acting_as,
    analyst_fixture,
    as_moderator_fixture,
    audit_actions,
    ctx_fixture,
    ctx_for,
    demo_pledge,
    invitation_key_fixture,
    respond,
)

pytestmark = pytest.mark.usefixtures("ctx")

ROUND = RoundInput(
    title={"sv": "  Dialog med näringslivet ", "en": ""},
    introduction={"sv": "Berätta <b>hur</b> det går.", "en": "Tell us."},
    opens_on=OPENS,
    closes_on=CLOSES,
)


@pytest.fixture
def draft(db_session: Session, demo: Municipality, as_moderator: dict[str, Any]) -> InputRound:
    return services.create_round(db_session, ctx_for(as_moderator, demo.id), ROUND, today=DURING)


def test_a_new_round_is_a_cleaned_draft_from_the_current_pledge(
    db_session: Session, demo: Municipality, draft: InputRound, moderator: Account
) -> None:
    assert draft.published_at is None
    assert draft.title == {"sv": "Dialog med näringslivet"}
    assert draft.introduction == {"sv": "Berätta hur det går.", "en": "Tell us."}
    assert draft.pledge_id == demo_pledge(db_session, demo).id
    assert draft.created_by_id == moderator.id
    assert audit_actions(db_session)[-1] == "round.created"


def test_a_round_needs_a_swedish_title_and_introduction_and_ordered_dates(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    bad = RoundInput(
        title={"sv": " ", "en": "Only English"},
        introduction={"sv": "", "en": ""},
        opens_on=CLOSES,
        closes_on=OPENS,
    )
    with pytest.raises(InvalidInputError) as raised:
        services.create_round(db_session, ctx_for(as_moderator, demo.id), bad, today=DURING)
    assert set(raised.value.errors) == {"title_sv", "introduction_sv", "closes_on"}
    assert db_session.scalars(select(InputRound)).first() is None


def test_a_draft_pledge_or_a_foreign_place_is_refused(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    draft_pledge = PledgeFactory(municipality_id=demo.id, status="draft")
    with pytest.raises(InvalidInputError) as raised:
        services.create_round(
            db_session,
            ctx_for(as_moderator, demo.id),
            ROUND,
            services.RoundSource(pledge_id=draft_pledge.id),
            today=DURING,
        )
    assert "pledge" in raised.value.errors
    foreign = PlaceFactory(municipality_id=MunicipalityFactory().id)
    with pytest.raises(InvalidInputError) as raised:
        services.create_round(
            db_session,
            ctx_for(as_moderator, demo.id),
            ROUND,
            services.RoundSource(place_ids=[foreign.id]),
            today=DURING,
        )
    assert "places" in raised.value.errors


def test_updating_keeps_the_old_values_in_the_audit(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any]
) -> None:
    changed = dataclasses.replace(ROUND, title={"sv": "Ny titel", "en": "New title"})
    services.update_round(
        db_session, ctx_for(as_moderator, draft.municipality_id), draft.id, changed
    )
    assert draft.title == {"sv": "Ny titel", "en": "New title"}

    event = last_event(db_session, "round.updated")
    assert event.details["changes"]["title"][0] == {"sv": "Dialog med näringslivet"}


def test_publishing_freezes_the_round_and_is_audited(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any]
) -> None:
    services.publish_round(db_session, ctx_for(as_moderator, draft.municipality_id), draft.id)
    assert draft.published_at is not None
    assert audit_actions(db_session)[-1] == "round.published"
    with pytest.raises(InvalidInputError):
        services.publish_round(db_session, ctx_for(as_moderator, draft.municipality_id), draft.id)


def test_a_round_without_questions_cannot_be_published(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    empty = InputRoundFactory(municipality_id=demo.id)
    with pytest.raises(InvalidInputError) as raised:
        services.publish_round(db_session, ctx_for(as_moderator, demo.id), empty.id)
    assert "questions" in raised.value.errors
    assert empty.published_at is None


def test_the_open_link_is_turned_on_renewed_and_off(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any], invitation_key: bytes
) -> None:
    first = services.enable_open_link(
        db_session, ctx_for(as_moderator, draft.municipality_id), draft.id, key=invitation_key
    )
    assert tokens.is_well_formed(first)
    assert draft.open_token_hash == tokens.lookup_hash(invitation_key, first)
    assert services.open_link_token(draft, invitation_key) == first
    second = services.enable_open_link(
        db_session, ctx_for(as_moderator, draft.municipality_id), draft.id, key=invitation_key
    )
    assert second != first
    assert draft.open_token_hash == tokens.lookup_hash(invitation_key, second)
    services.disable_open_link(db_session, ctx_for(as_moderator, draft.municipality_id), draft.id)
    assert draft.open_token_salt is None and draft.open_token_hash is None
    assert services.open_link_token(draft, invitation_key) is None
    assert audit_actions(db_session)[-3:] == [
        "round.open_link_enabled",
        "round.open_link_renewed",
        "round.open_link_disabled",
    ]


def test_only_a_draft_is_deleted(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any], demo: Municipality
) -> None:
    published = services.create_round(
        db_session, ctx_for(as_moderator, demo.id), ROUND, today=DURING
    )
    services.publish_round(db_session, ctx_for(as_moderator, demo.id), published.id)
    with pytest.raises(InvalidInputError):
        services.delete_round(db_session, ctx_for(as_moderator, demo.id), published.id)
    draft_id = draft.id
    services.delete_round(db_session, ctx_for(as_moderator, demo.id), draft_id)
    assert db_session.get(InputRound, draft_id) is None
    assert not db_session.scalars(select(Question).filter_by(round_id=draft_id)).all()
    assert audit_actions(db_session)[-1] == "round.deleted"


def test_analysts_read_but_may_not_change(
    db_session: Session, draft: InputRound, analyst: Account
) -> None:
    acting = acting_as(db_session, analyst)
    assert (
        services.get_round(db_session, draft.municipality_id, draft.id, scope=acting["scope"])
        is draft
    )
    with pytest.raises(PermissionDeniedError):
        services.publish_round(db_session, ctx_for(acting, draft.municipality_id), draft.id)
    with pytest.raises(PermissionDeniedError):
        services.create_round(
            db_session, ctx_for(acting, draft.municipality_id), ROUND, today=DURING
        )


def test_another_municipalitys_round_is_not_found(
    db_session: Session, draft: InputRound, demo: Municipality
) -> None:
    other = MunicipalityFactory()
    stranger = make_staff(db_session, "s@annan.example", "moderator", municipality_id=other.id)
    acting = acting_as(db_session, stranger)
    with pytest.raises(NotFoundError):
        services.get_round(db_session, demo.id, draft.id, scope=acting["scope"])
    with pytest.raises(NotFoundError):
        services.publish_round(db_session, ctx_for(acting, other.id), draft.id)
    assert draft.published_at is None


def test_the_list_counts_invited_and_answered(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any], demo: Municipality
) -> None:
    answered = OrganisationFactory(municipality_id=demo.id)
    respond(db_session, draft, answered, {})
    started = OrganisationFactory(municipality_id=demo.id)
    respond(db_session, draft, started, {}, submitted=False)
    [row] = services.list_rounds(db_session, demo.id, scope=as_moderator["scope"])
    assert (row.invited, row.responded, row.rate) == (2, 1, 0.5)
