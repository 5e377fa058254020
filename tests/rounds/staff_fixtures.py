"""Fixtures of the workspace pages of rounds: who acts, rounds and responses made directly.

Imported explicitly by the tests of the staff side (``tests/rounds/conftest.py`` belongs to
the tests of answering).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.accounts.context import Context
from dialogue.accounts.models import Account
from dialogue.audit.models import AuditEvent
from dialogue.db import utcnow
from dialogue.models import Municipality, Pledge
from dialogue.organisations.models import Organisation
from dialogue.rounds import tokens
from dialogue.rounds.models import (
    Answer,
    InputRound,
    Invitation,
    Question,
    ResponseVia,
    RoundResponse,
)
from tests.helpers import make_staff

OPENS = dt.date(2024, 9, 1)
CLOSES = dt.date(2024, 10, 31)
DURING = dt.date(2024, 9, 15)  # a day the round is open
NOW = dt.datetime(2024, 9, 15, 10, tzinfo=dt.UTC)


def acting_as(session: Session, account: Account) -> dict[str, Any]:
    """The ``actor`` and ``scope`` keyword arguments of a changing service."""
    return {"actor": account, "scope": load_scope(session, account)}


def round_link(endpoint: str, /, **values: Any) -> str:
    """The link builder of the tests' contexts: an organisation's own link, on a public URL."""
    return f"https://dialog.example/falkoping/rounds/{values['token']}"


def ctx_for(
    acting: dict[str, Any], municipality_id: int, *, now: dt.datetime | None = None
) -> Context:
    """The context of a changing service, for who ``acting`` names (see :func:`acting_as`)."""
    return Context(
        actor=acting["actor"],
        scope=acting["scope"],
        municipality_id=municipality_id,
        now=now or utcnow(),
        locale="sv",
        link=round_link,
    )


@pytest.fixture(name="ctx")
def ctx_fixture(app: Flask, db_session: Session) -> Iterator[None]:
    """Question texts are made in every language inside an application context."""
    with app.app_context():
        yield


@pytest.fixture(name="invitation_key")
def invitation_key_fixture(app: Flask) -> bytes:
    key: bytes = app.extensions["dialogue.keys"].invitation
    return key


@pytest.fixture(name="as_moderator")
def as_moderator_fixture(db_session: Session, moderator: Account) -> dict[str, Any]:
    return acting_as(db_session, moderator)


@pytest.fixture(name="analyst")
def analyst_fixture(db_session: Session, demo: Municipality) -> Account:
    return make_staff(
        db_session, "ana@polis.example", "analyst", police_area_id=demo.police_area_id
    )


def demo_pledge(session: Session, municipality: Municipality) -> Pledge:
    query = select(Pledge).where(Pledge.municipality_id == municipality.id)
    return session.scalars(query).one()


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def publish(session: Session, input_round: InputRound) -> InputRound:
    input_round.published_at = utcnow()
    session.commit()
    return input_round


def respond(
    session: Session,
    input_round: InputRound,
    organisation: Organisation,
    answers: dict[Question, Any],
    *,
    key: bytes = b"test-key",
    submitted: bool = True,
    via: ResponseVia = ResponseVia.INVITATION,
) -> RoundResponse:
    """An organisation's response, as the answering pages would store it.

    An answer is an int (1-5), ``"dont_know"``, a list of category ids or a text.
    """
    invitation = session.scalars(
        select(Invitation).where(
            Invitation.round_id == input_round.id, Invitation.organisation_id == organisation.id
        )
    ).first()
    if invitation is None:
        salt, _token, lookup = tokens.issue(key)
        invitation = Invitation(
            municipality_id=input_round.municipality_id,
            round_id=input_round.id,
            organisation_id=organisation.id,
            via=via,
            token_salt=salt,
            token_hash=lookup,
        )
        session.add(invitation)
        session.flush()
    response = RoundResponse(
        municipality_id=input_round.municipality_id,
        round_id=input_round.id,
        organisation_id=organisation.id,
        invitation_id=invitation.id,
        is_verified=via == ResponseVia.INVITATION,
        submitted_at=utcnow() if submitted else None,
    )
    session.add(response)
    session.flush()
    for question, given in answers.items():
        answer = Answer(
            municipality_id=input_round.municipality_id,
            response_id=response.id,
            question_id=question.id,
        )
        if given == "dont_know":
            answer.dont_know = True
        elif isinstance(given, int):
            answer.value = given
        elif isinstance(given, list):
            answer.choices = given
        else:
            answer.text = given
        session.add(answer)
    session.commit()
    return response
