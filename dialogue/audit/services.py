"""Recording the audit trail: the one way a change is written down.

An event is added to the caller's session, so it commits with the change it describes or not
at all. Nothing here reads, updates or deletes an event (reading is ``dialogue.auditlog``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from dialogue.audit.models import AuditEvent
from dialogue.db import DbSession

if TYPE_CHECKING:
    from dialogue.accounts.models import Account


class Audited(Protocol):
    """A record in one municipality that an event can be about."""

    @property
    def id(self) -> int: ...

    @property
    def municipality_id(self) -> int | None: ...


@dataclasses.dataclass(frozen=True)
class Target:
    """What an event is about: a kind of object and its id, in a municipality (None: none)."""

    kind: str | None
    id: int | None
    municipality_id: int | None

    @classmethod
    def of(cls, kind: str, row: Audited) -> Target:
        """``row`` (a place, a pledge, a submission…) as the object of an event."""
        return cls(kind, row.id, row.municipality_id)


def record(
    session: DbSession,
    actor: Account | int | None,
    action: str,
    target: Target,
    **details: Any,
) -> AuditEvent:
    """Add an event by ``actor`` (an account, its id, or None for the system) to the session."""
    event = AuditEvent(
        action=action,
        actor_id=actor if actor is None or isinstance(actor, int) else actor.id,
        municipality_id=target.municipality_id,
        object_type=target.kind,
        object_id=target.id,
        details=details,
    )
    session.add(event)
    return event


def record_changes(
    session: DbSession,
    actor: Account | int | None,
    action: str,
    target: Target,
    changes: Mapping[str, list[Any]],
    **details: Any,
) -> AuditEvent | None:
    """Record ``changes`` (``{field: [old, new]}``) if there are any; None if nothing changed."""
    if not changes:
        return None
    return record(session, actor, action, target, changes=dict(changes), **details)
