"""Fixtures for the organisation register: who acts, and signed-in clients."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.accounts.models import Account
from dialogue.models import Municipality
from tests.helpers import make_staff, sign_in


def acting_as(session: Session, account: Account) -> dict[str, Any]:
    """The ``actor`` and ``scope`` keyword arguments of a changing service."""
    return {"actor": account, "scope": load_scope(session, account)}


@pytest.fixture
def as_moderator(db_session: Session, moderator: Account) -> dict[str, Any]:
    return acting_as(db_session, moderator)


@pytest.fixture
def analyst(db_session: Session, demo: Municipality) -> Account:
    return make_staff(
        db_session, "ana@polisen.example", "analyst", police_area_id=demo.police_area_id
    )


@pytest.fixture
def as_analyst(db_session: Session, analyst: Account) -> dict[str, Any]:
    return acting_as(db_session, analyst)


@pytest.fixture
def moderator_client(client: FlaskClient, moderator: Account) -> FlaskClient:
    """A moderator of the demo municipality, signed in, reading English."""
    client.get("/language/en")
    sign_in(client, moderator.email)
    return client


@pytest.fixture
def analyst_client(client: FlaskClient, analyst: Account) -> FlaskClient:
    client.get("/language/en")
    sign_in(client, analyst.email)
    return client
