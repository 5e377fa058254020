"""Fixtures for answering a round: an open round of every kind of question, and links to it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.models import Category, Municipality
from dialogue.organisations.models import Organisation
from dialogue.rounds import tokens
from dialogue.rounds.models import InputRound, Invitation
from tests.factories import OrganisationFactory
from tests.rounds.helpers import Questionnaire, make_questionnaire


@dataclasses.dataclass
class Link:
    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return f"/falkoping/rounds/{self.token}"


@pytest.fixture
def key(app: Flask) -> bytes:
    invitation_key: bytes = app.extensions["dialogue.keys"].invitation
    return invitation_key


@pytest.fixture
def questionnaire(db_session: Session, demo: Municipality) -> Questionnaire:
    return make_questionnaire(db_session, demo)


InviteFn = Callable[..., Link]


@pytest.fixture
def invite(db_session: Session, key: bytes) -> InviteFn:
    """A new invitation (and organisation, unless given) with its link token."""

    def make(input_round: InputRound, organisation: Organisation | None = None) -> Link:
        organisation = organisation or OrganisationFactory(
            municipality_id=input_round.municipality_id
        )
        salt, token, token_hash = tokens.issue(key)
        invitation = Invitation(
            municipality_id=input_round.municipality_id,
            round=input_round,
            organisation=organisation,
            token_salt=salt,
            token_hash=token_hash,
        )
        db_session.add(invitation)
        db_session.commit()
        return Link(invitation, token)

    return make


@pytest.fixture
def link(questionnaire: Questionnaire, invite: InviteFn) -> Link:
    return invite(questionnaire.round)


def categories(session: Session, municipality: Municipality, count: int) -> list[int]:
    """Ids of active categories a top-categories question offers (those with a parent)."""
    return list(
        session.scalars(
            select(Category.id)
            .where(
                Category.municipality_id == municipality.id,
                Category.parent_id.is_not(None),
                Category.is_active,
            )
            .order_by(Category.position, Category.id)
            .limit(count)
        )
    )


@pytest.fixture
def in_app(app: Flask) -> Iterator[None]:
    """Mails are written from templates, inside an application context; the messages the
    tests compare stay in English, as written."""
    with app.app_context(), force_locale("en"):
        yield
