from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.accounts.models import Account
from dialogue.audit.models import AuditEvent
from dialogue.db import utcnow
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.extensions import db
from dialogue.models import Municipality, Organisation, OrganisationType
from dialogue.organisations import services
from dialogue.organisations.services import OrganisationFilter, OrganisationInput
from dialogue.rounds import tokens
from dialogue.rounds.models import Invitation, RoundResponse
from tests.factories import (
    InputRoundFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PlaceFactory,
)
from tests.helpers import RaceGround, run_together
from tests.organisations.helpers import actions, place_id


def _input(**overrides: Any) -> OrganisationInput:
    values: dict[str, Any] = {
        "name": "Kiosken vid torget AB",
        "type": OrganisationType.BUSINESS,
        "org_number": "5560360793",
        "contact_name": "Kim Ek",
        "contact_email": "kim@kiosken.example",
    }
    values.update(overrides)
    return OrganisationInput(**values)


def test_create_normalises_the_number_and_audits(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    ranten = place_id(db_session, demo, "ranten")
    organisation = services.create_organisation(
        db_session, demo.id, _input(place_ids=(ranten,)), **as_moderator
    )
    assert organisation.org_number == "556036-0793"
    assert organisation.is_verified
    assert [p.slug for p in organisation.places] == ["ranten"]
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organisation.created")
    ).one()
    assert event.object_id == organisation.id
    assert event.details["values"]["org_number"] == "556036-0793"
    assert event.details["values"]["place_ids"] == [ranten]


def test_create_lists_every_problem_and_stores_nothing(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        services.create_organisation(
            db_session,
            demo.id,
            _input(name="  ", org_number="556036-0794", contact_email="not an address"),
            **as_moderator,
        )
    assert set(caught.value.errors) == {"name", "org_number", "contact_email"}
    assert "last digit" in str(caught.value.errors["org_number"])
    assert db_session.scalar(select(func.count()).select_from(Organisation)) == 0
    assert actions(db_session) == []


def test_an_organisation_number_is_unique_within_a_municipality(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    OrganisationFactory(municipality_id=demo.id, name="Första AB", org_number="556036-0793")
    with pytest.raises(InvalidInputError) as caught:
        services.create_organisation(
            db_session, demo.id, _input(org_number="16 556036-0793"), **as_moderator
        )
    assert "Första AB" in str(caught.value.errors["org_number"])


def test_the_same_number_may_be_in_another_municipality(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    other = MunicipalityFactory()
    OrganisationFactory(municipality_id=other.id, org_number="556036-0793")
    organisation = services.create_organisation(db_session, demo.id, _input(), **as_moderator)
    assert organisation.org_number == "556036-0793"


def test_update_refuses_a_number_another_organisation_has(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    OrganisationFactory(municipality_id=demo.id, org_number="556036-0793")
    mine = OrganisationFactory(municipality_id=demo.id, name="Min förening")
    with pytest.raises(InvalidInputError) as caught:
        services.update_organisation(
            db_session, demo.id, mine.id, _input(name="Min förening"), **as_moderator
        )
    assert "org_number" in caught.value.errors
    db_session.refresh(mine)
    assert mine.org_number != "556036-0793"


def test_update_keeping_its_own_number_records_only_the_changes(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    mine = OrganisationFactory(municipality_id=demo.id, org_number="556036-0793", name="Gammal")
    services.update_organisation(
        db_session,
        demo.id,
        mine.id,
        _input(
            name="Ny",
            type=OrganisationType(mine.type),
            contact_name=mine.contact_name or "",
            contact_email=mine.contact_email or "",
        ),
        **as_moderator,
    )
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organisation.updated")
    ).one()
    assert event.details["changes"] == {"name": ["Gammal", "Ny"]}


def test_places_must_be_the_municipalitys_own(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    foreign = PlaceFactory(municipality_id=MunicipalityFactory().id)
    mine = OrganisationFactory(municipality_id=demo.id)
    with pytest.raises(InvalidInputError) as caught:
        services.set_places(db_session, demo.id, mine.id, [foreign.id], **as_moderator)
    assert "places" in caught.value.errors
    ranten = place_id(db_session, demo, "ranten")
    services.set_places(db_session, demo.id, mine.id, [ranten], **as_moderator)
    assert [p.id for p in mine.places] == [ranten]
    assert actions(db_session) == ["organisation.updated"]


def test_another_municipalitys_organisation_is_not_found(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    foreign = OrganisationFactory(municipality_id=MunicipalityFactory().id)
    with pytest.raises(NotFoundError):
        services.get_organisation(db_session, demo.id, foreign.id, scope=as_moderator["scope"])
    with pytest.raises(NotFoundError):
        services.update_organisation(db_session, demo.id, foreign.id, _input(), **as_moderator)
    with pytest.raises(NotFoundError):
        services.delete_organisation(db_session, demo.id, foreign.id, **as_moderator)


def test_analysts_read_but_do_not_change(
    db_session: Session, demo: Municipality, as_analyst: dict[str, Any]
) -> None:
    mine = OrganisationFactory(municipality_id=demo.id)
    listed = services.list_organisations(db_session, demo.id, scope=as_analyst["scope"])
    assert [row.organisation.id for row in listed.rows] == [mine.id]
    with pytest.raises(PermissionDeniedError):
        services.create_organisation(db_session, demo.id, _input(), **as_analyst)
    with pytest.raises(PermissionDeniedError):
        services.verify_organisation(db_session, demo.id, mine.id, **as_analyst)


def test_list_filters_searches_and_counts(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    scope = as_moderator["scope"]
    OrganisationFactory(
        municipality_id=demo.id,
        name="Bageriet AB",
        type=OrganisationType.BUSINESS,
        org_number="556036-0793",
    )
    OrganisationFactory(municipality_id=demo.id, name="Fotbollsklubben", is_verified=False)
    OrganisationFactory(
        municipality_id=demo.id, name="Bostäder i Falköping", type=OrganisationType.HOUSING_COMPANY
    )
    OrganisationFactory(municipality_id=MunicipalityFactory().id, name="Bageriet i Skövde")

    everything = services.list_organisations(db_session, demo.id, scope=scope)
    assert [r.organisation.name for r in everything.rows] == [
        "Bageriet AB",
        "Bostäder i Falköping",
        "Fotbollsklubben",
    ]
    assert everything.total == 3
    assert everything.by_type[OrganisationType.BUSINESS] == 1
    assert everything.by_type[OrganisationType.OTHER] == 0
    assert everything.unverified == 1

    def names(**wanted: Any) -> list[str]:
        found = services.list_organisations(
            db_session, demo.id, OrganisationFilter(**wanted), scope=scope
        )
        return [r.organisation.name for r in found.rows]

    assert names(type=OrganisationType.HOUSING_COMPANY) == ["Bostäder i Falköping"]
    assert names(search="bager") == ["Bageriet AB"]
    assert names(search="5560360793") == ["Bageriet AB"]
    assert names(search="556036-07") == ["Bageriet AB"]
    assert names(unverified_only=True) == ["Fotbollsklubben"]
    assert names(search="100%_") == []


def test_list_counts_submitted_responses(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    organisation = OrganisationFactory(municipality_id=demo.id)
    _respond(db_session, demo, organisation, submitted=True)
    listed = services.list_organisations(db_session, demo.id, scope=as_moderator["scope"])
    assert listed.rows[0].responses == 1


def _respond(
    session: Session, demo: Municipality, organisation: Organisation, *, submitted: bool
) -> None:
    round_ = InputRoundFactory(municipality_id=demo.id)
    salt, _token, lookup = tokens.issue(b"k" * 32)
    invitation = Invitation(
        municipality_id=demo.id,
        round_id=round_.id,
        organisation_id=organisation.id,
        token_salt=salt,
        token_hash=lookup,
    )
    session.add(invitation)
    session.flush()
    if submitted:
        session.add(
            RoundResponse(
                municipality_id=demo.id,
                round_id=round_.id,
                organisation_id=organisation.id,
                invitation_id=invitation.id,
                submitted_at=utcnow(),
            )
        )
    session.commit()


def test_delete_is_refused_once_invited_or_answered(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    invited = OrganisationFactory(municipality_id=demo.id)
    _respond(db_session, demo, invited, submitted=False)
    with pytest.raises(InvalidInputError) as caught:
        services.delete_organisation(db_session, demo.id, invited.id, **as_moderator)
    assert "invited" in str(caught.value.errors["invitations"])
    answered = OrganisationFactory(municipality_id=demo.id)
    _respond(db_session, demo, answered, submitted=True)
    with pytest.raises(InvalidInputError) as caught:
        services.delete_organisation(db_session, demo.id, answered.id, **as_moderator)
    assert "answered" in str(caught.value.errors["responses"])
    assert db_session.get(Organisation, answered.id) is not None


def test_delete_removes_the_organisation_and_its_places(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any], moderator: Account
) -> None:
    organisation = OrganisationFactory(municipality_id=demo.id)
    services.set_places(
        db_session,
        demo.id,
        organisation.id,
        [place_id(db_session, demo, "ranten")],
        **as_moderator,
    )
    organisation_id = organisation.id
    services.delete_organisation(db_session, demo.id, organisation_id, **as_moderator)
    assert db_session.get(Organisation, organisation_id) is None
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organisation.deleted")
    ).one()
    assert event.actor_id == moderator.id
    assert event.object_id == organisation_id


def test_verify_marks_and_audits_once(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    organisation = OrganisationFactory(municipality_id=demo.id, is_verified=False)
    services.verify_organisation(db_session, demo.id, organisation.id, **as_moderator)
    services.verify_organisation(db_session, demo.id, organisation.id, **as_moderator)
    assert organisation.is_verified
    assert actions(db_session) == ["organisation.verified"]


def test_two_deletes_of_one_organisation_at_once_delete_it_once(
    committed_app: Flask, race_ground: RaceGround
) -> None:
    with committed_app.app_context():
        organisation_id = OrganisationFactory(municipality_id=race_ground.municipality_id).id

    def delete(session: Session, number: int) -> None:
        actor = session.get_one(Account, race_ground.moderator_id)
        services.delete_organisation(
            session,
            race_ground.municipality_id,
            organisation_id,
            actor=actor,
            scope=load_scope(session, actor),
        )

    outcome = run_together(committed_app, 2, delete)
    assert len(outcome.results) == 1
    assert [type(error) for error in outcome.errors] == [NotFoundError]
    with committed_app.app_context():
        assert db.session.get(Organisation, organisation_id) is None
        deleted = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "organisation.deleted",
                AuditEvent.object_id == organisation_id,
            )
        )
        assert deleted == 1
