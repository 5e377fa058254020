"""Inviting organisations with their own links, sending invitations and reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.errors import InvalidInputError, PermissionDeniedError
from dialogue.models import Municipality
from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.outbox.models import OutboxMessage
from dialogue.rounds import invitations, tokens
from dialogue.rounds.invitations import InvitationStatus
from dialogue.rounds.models import InputRound, Invitation
from tests.factories import InputRoundFactory, MunicipalityFactory, OrganisationFactory
from tests.rounds.staff_fixtures import (  # noqa: F401 (fixtures)
    CLOSES,
    DURING,
    NOW,
    acting_as,
    analyst_fixture,
    as_moderator_fixture,
    audit_actions,
    ctx_fixture,
    ctx_for,
    invitation_key_fixture,
    publish,
    respond,
)

pytestmark = pytest.mark.usefixtures("ctx")


def link(token: str) -> str:
    return f"https://dialog.example/falkoping/rounds/{token}"


@pytest.fixture
def published(db_session: Session, demo: Municipality) -> InputRound:
    return publish(db_session, InputRoundFactory(municipality_id=demo.id))


@pytest.fixture
def register(db_session: Session, demo: Municipality) -> dict[str, Organisation]:
    return {
        "shop": OrganisationFactory(
            municipality_id=demo.id, name="Affären", type=OrganisationType.BUSINESS
        ),
        "club": OrganisationFactory(municipality_id=demo.id, name="Bollklubben"),
        "silent": OrganisationFactory(
            municipality_id=demo.id, name="Cykelföreningen", contact_email=None
        ),
        "unverified": OrganisationFactory(
            municipality_id=demo.id, name="Den okända", is_verified=False
        ),
    }


def invite(
    session: Session, input_round: InputRound, key: bytes, acting: dict[str, Any], **kwargs: Any
) -> list[Invitation]:
    return invitations.invite_organisations(
        session,
        ctx_for(acting, input_round.municipality_id),
        input_round.id,
        invitations.Invitees(**kwargs),
        key=key,
        today=DURING,
    )


def send(
    session: Session, input_round: InputRound, key: bytes, acting: dict[str, Any], now: dt.datetime
) -> invitations.SendOutcome:
    return invitations.send_invitations(
        session,
        ctx_for(acting, input_round.municipality_id, now=now),
        input_round.id,
        key=key,
        today=DURING,
    )


def remind(
    session: Session, input_round: InputRound, key: bytes, acting: dict[str, Any], now: dt.datetime
) -> invitations.SendOutcome:
    return invitations.send_reminders(
        session,
        ctx_for(acting, input_round.municipality_id, now=now),
        input_round.id,
        key=key,
        today=DURING,
    )


def outbox(session: Session, kind: str) -> list[OutboxMessage]:
    return list(
        session.scalars(select(OutboxMessage).filter_by(kind=kind).order_by(OutboxMessage.id))
    )


def test_inviting_all_gives_each_verified_organisation_one_unique_link(
    db_session: Session,
    published: InputRound,
    register: dict[str, Organisation],
    invitation_key: bytes,
    as_moderator: dict[str, Any],
) -> None:
    made = invite(db_session, published, invitation_key, as_moderator)
    assert {i.organisation_id for i in made} == {
        register[name].id for name in ("shop", "club", "silent")
    }
    hashes = {i.token_hash for i in made}
    assert len(hashes) == len(made)
    rows = invitations.list_invitations(
        db_session,
        published.municipality_id,
        published.id,
        key=invitation_key,
        scope=as_moderator["scope"],
    )
    for row in rows:
        assert tokens.is_well_formed(row.token)
        assert tokens.lookup_hash(invitation_key, row.token) == row.invitation.token_hash
        assert row.status == InvitationStatus.NOT_SENT
    assert len({row.token for row in rows}) == 3
    # A second time: everyone is already invited, nothing is added.
    with pytest.raises(InvalidInputError):
        invite(db_session, published, invitation_key, as_moderator)
    assert len(db_session.scalars(select(Invitation)).all()) == 3
    assert audit_actions(db_session).count("round.invited") == 1


def test_inviting_by_type_or_by_choice(
    db_session: Session,
    published: InputRound,
    register: dict[str, Organisation],
    invitation_key: bytes,
    as_moderator: dict[str, Any],
) -> None:
    made = invite(
        db_session, published, invitation_key, as_moderator, types=[OrganisationType.BUSINESS]
    )
    assert [i.organisation_id for i in made] == [register["shop"].id]
    made = invite(
        db_session,
        published,
        invitation_key,
        as_moderator,
        organisation_ids=[register["unverified"].id, register["shop"].id],
    )
    assert [i.organisation_id for i in made] == [register["unverified"].id]


def test_another_municipalitys_organisation_cannot_be_invited(
    db_session: Session, published: InputRound, invitation_key: bytes, as_moderator: dict[str, Any]
) -> None:
    foreign = OrganisationFactory(municipality_id=MunicipalityFactory().id)
    with pytest.raises(InvalidInputError):
        invite(db_session, published, invitation_key, as_moderator, organisation_ids=[foreign.id])
    assert db_session.scalars(select(Invitation)).first() is None


def test_draft_and_closed_rounds_send_nothing(
    db_session: Session,
    demo: Municipality,
    register: dict[str, Organisation],
    invitation_key: bytes,
    as_moderator: dict[str, Any],
) -> None:
    draft = InputRoundFactory(municipality_id=demo.id)
    with pytest.raises(InvalidInputError):
        invite(db_session, draft, invitation_key, as_moderator)
    closed = publish(
        db_session, InputRoundFactory(municipality_id=demo.id, closes_on=dt.date(2024, 9, 10))
    )
    with pytest.raises(InvalidInputError):
        invite(db_session, closed, invitation_key, as_moderator)
    assert db_session.scalars(select(Invitation)).first() is None


def test_sending_queues_one_message_with_the_link_per_organisation_with_an_address(
    db_session: Session,
    published: InputRound,
    register: dict[str, Organisation],
    invitation_key: bytes,
    as_moderator: dict[str, Any],
) -> None:
    invite(db_session, published, invitation_key, as_moderator)
    outcome = send(db_session, published, invitation_key, as_moderator, NOW)
    assert outcome.sent == 2
    assert [o.name for o in outcome.without_email] == ["Cykelföreningen"]
    messages = outbox(db_session, "round_invitation")
    rows = {
        row.organisation.name: row
        for row in invitations.list_invitations(
            db_session,
            published.municipality_id,
            published.id,
            key=invitation_key,
            scope=as_moderator["scope"],
        )
    }
    assert {m.to_address for m in messages} == {
        register["shop"].contact_email,
        register["club"].contact_email,
    }
    for message in messages:
        name = "Affären" if message.to_address == register["shop"].contact_email else "Bollklubben"
        assert link(rows[name].token) in message.body
        assert message.municipality_id == published.municipality_id
    assert rows["Affären"].status == InvitationStatus.SENT
    assert rows["Cykelföreningen"].status == InvitationStatus.NOT_SENT
    # Sending again sends nothing new.
    assert send(db_session, published, invitation_key, as_moderator, NOW).sent == 0
    assert len(outbox(db_session, "round_invitation")) == 2
    assert audit_actions(db_session).count("round.invitations_sent") == 1


def test_reminders_go_only_to_those_who_have_not_answered_and_not_twice_a_day(
    db_session: Session,
    published: InputRound,
    register: dict[str, Organisation],
    invitation_key: bytes,
    as_moderator: dict[str, Any],
) -> None:
    invite(db_session, published, invitation_key, as_moderator)
    send(db_session, published, invitation_key, as_moderator, NOW)
    respond(db_session, published, register["shop"], {})
    # Within a day of the invitation nobody is reminded.
    early = remind(db_session, published, invitation_key, as_moderator, NOW + dt.timedelta(hours=3))
    assert (early.sent, early.too_recent) == (0, 1)
    later = NOW + dt.timedelta(days=1, hours=1)
    outcome = remind(db_session, published, invitation_key, as_moderator, later)
    assert outcome.sent == 1
    assert [o.name for o in outcome.without_email] == ["Cykelföreningen"]
    [message] = outbox(db_session, "round_reminder")
    assert message.to_address == register["club"].contact_email
    club = db_session.scalars(
        select(Invitation).filter_by(organisation_id=register["club"].id)
    ).one()
    assert (club.reminder_count, club.reminded_at) == (1, later)
    again = remind(
        db_session, published, invitation_key, as_moderator, later + dt.timedelta(hours=23)
    )
    assert again.sent == 0
    assert len(outbox(db_session, "round_reminder")) == 1
    third = remind(
        db_session, published, invitation_key, as_moderator, later + dt.timedelta(hours=25)
    )
    assert third.sent == 1 and club.reminder_count == 2


def test_a_started_but_unsubmitted_answer_is_still_reminded(
    db_session: Session,
    published: InputRound,
    register: dict[str, Organisation],
    invitation_key: bytes,
    as_moderator: dict[str, Any],
) -> None:
    invite(
        db_session, published, invitation_key, as_moderator, organisation_ids=[register["club"].id]
    )
    send(db_session, published, invitation_key, as_moderator, NOW)
    respond(db_session, published, register["club"], {}, submitted=False)
    assert (
        remind(db_session, published, invitation_key, as_moderator, NOW + dt.timedelta(days=2)).sent
        == 1
    )


def test_analysts_may_not_invite(
    db_session: Session,
    published: InputRound,
    register: dict[str, Organisation],
    invitation_key: bytes,
    analyst: Any,
) -> None:
    with pytest.raises(PermissionDeniedError):
        invite(db_session, published, invitation_key, acting_as(db_session, analyst))
