"""Writing and reading the audit trail. Nothing here updates or deletes an event."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select

from dialogue.audit.models import AuditEvent
from dialogue.db import DbSession

PAGE_SIZE = 100


def record(
    session: DbSession,
    action: str,
    *,
    actor_id: int | None,
    municipality_id: int | None,
    object_type: str | None = None,
    object_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an event to the session: it commits with the change it describes, or not at all."""
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        municipality_id=municipality_id,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
    session.add(event)
    return event


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    municipality_ids: frozenset[int]
    actor_id: int | None = None
    object_type: str | None = None
    object_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    before_id: int | None = None  # keyset pagination: events older than this one


def list_events(session: DbSession, wanted: AuditFilter) -> list[AuditEvent]:
    """Newest first, within the municipalities the reader may see."""
    query = select(AuditEvent).where(AuditEvent.municipality_id.in_(wanted.municipality_ids))
    if wanted.actor_id is not None:
        query = query.where(AuditEvent.actor_id == wanted.actor_id)
    if wanted.object_type is not None:
        query = query.where(AuditEvent.object_type == wanted.object_type)
    if wanted.object_id is not None:
        query = query.where(AuditEvent.object_id == wanted.object_id)
    if wanted.since is not None:
        query = query.where(AuditEvent.created_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEvent.created_at < wanted.until)
    if wanted.before_id is not None:
        query = query.where(AuditEvent.id < wanted.before_id)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)))
