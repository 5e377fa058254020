"""Fixtures for administration: who acts, a draft pledge, and a signed-in administrator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.accounts.models import Account
from dialogue.audit.models import AuditEvent
from dialogue.cache import EXTENSION_KEY, TTLCache
from dialogue.models import Municipality, Pledge, PledgeStatus
from dialogue.web.pagecache import PageCache
from tests.conftest import sign_in
from tests.factories import CommitmentFactory, PledgeFactory


def acting_as(session: Session, account: Account) -> dict[str, Any]:
    """The ``actor`` and ``scope`` keyword arguments of a changing service."""
    return {"actor": account, "scope": load_scope(session, account)}


@pytest.fixture
def as_admin(db_session: Session, administrator: Account) -> dict[str, Any]:
    return acting_as(db_session, administrator)


@pytest.fixture
def as_moderator(db_session: Session, moderator: Account) -> dict[str, Any]:
    return acting_as(db_session, moderator)


def complete_draft(municipality: Municipality, commitments: int = 2) -> Pledge:
    """A draft with every text in both languages, a signatory and ``commitments`` commitments."""
    pledge = PledgeFactory(
        municipality_id=municipality.id,
        status=PledgeStatus.DRAFT,
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        signatories=[{"name": "Kim Ek", "role": {"sv": "Ordförande", "en": "Chair"}}],
    )
    for position in range(1, commitments + 1):
        CommitmentFactory(
            pledge=pledge,
            position=position,
            text={"sv": f"Löfte {position}", "en": f"Promise {position}"},
        )
    return pledge


@pytest.fixture
def draft(db_session: Session, demo: Municipality) -> Pledge:
    return complete_draft(demo, commitments=3)


def audit_actions(session: Session, object_type: str | None = None) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return list(session.scalars(query))


def last_event(session: Session, action: str) -> AuditEvent:
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None, f"no {action} event"
    return event


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
