"""Fixtures for administration: who acts, a draft pledge, and a signed-in administrator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.accounts.models import Account
from dialogue.cache import EXTENSION_KEY, TTLCache
from dialogue.models import Municipality, Pledge
from dialogue.web.pagecache import PageCache
from tests.admin.helpers import complete_draft
from tests.helpers import sign_in


def acting_as(session: Session, account: Account) -> dict[str, Any]:
    """The ``actor`` and ``scope`` keyword arguments of a changing service."""
    return {"actor": account, "scope": load_scope(session, account)}


@pytest.fixture
def as_admin(db_session: Session, administrator: Account) -> dict[str, Any]:
    return acting_as(db_session, administrator)


@pytest.fixture
def as_moderator(db_session: Session, moderator: Account) -> dict[str, Any]:
    return acting_as(db_session, moderator)


@pytest.fixture
def draft(db_session: Session, demo: Municipality) -> Pledge:
    return complete_draft(demo, commitments=3)


@pytest.fixture
def admin_client(client: FlaskClient, administrator: Account) -> FlaskClient:
    """An administrator of the demo municipality, signed in, reading English."""
    client.get("/language/en")
    sign_in(client, administrator.email)
    return client


@pytest.fixture
def caching(app: Flask) -> Iterator[None]:
    """Reference caches that keep their values (the suite's own have a TTL of 0)."""
    caches = app.extensions.setdefault(EXTENSION_KEY, {})
    original = dict(caches)
    caches.update(tenants=TTLCache(3600), intake_options=TTLCache(3600), pages=PageCache(3600))
    yield
    caches.update(original)
