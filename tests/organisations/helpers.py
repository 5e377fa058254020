"""Helpers the tests of this folder import: plain functions and classes, no fixtures."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.audit.models import AuditEvent
from dialogue.models import Municipality, Place


def place_id(session: Session, municipality: Municipality, slug: str) -> int:
    found = session.scalar(
        select(Place.id).where(Place.municipality_id == municipality.id, Place.slug == slug)
    )
    assert found is not None, slug
    return found


def actions(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "organisation")
            .order_by(AuditEvent.id)
        )
    )
