"""Recording the audit trail: the one way a change is written down.

An event is added to the caller's session, so it commits with the change it describes or not
at all. Nothing here reads, updates or deletes an event (reading is ``dialogue.auditlog``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, overload

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


@overload
def record(
    session: DbSession,
    actor: Account | int | None,
    action: str,
    target: Target,
    **details: Any,
) -> AuditEvent: ...


@overload
def record(  # the keyword form callers used before Target; see _record_keywords
    session: DbSession,
    actor: str,
    *,
    actor_id: int | None,
    municipality_id: int | None,
    object_type: str | None = None,
    object_id: int | None = None,
    **details: Any,
) -> AuditEvent: ...


def record(
    session: DbSession,
    actor: Account | int | str | None,
    action: str | None = None,
    target: Target | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an event by ``actor`` (an account, its id, or None for the system) to the session."""
    if isinstance(actor, str):
        return _record_keywords(session, actor, **details)
    if action is None or target is None:
        raise TypeError("record() needs the action and its target")
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


def _record_keywords(
    session: DbSession,
    action: str,
    *,
    actor_id: int | None,
    municipality_id: int | None,
    object_type: str | None = None,
    object_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """``record(session, action, actor_id=…, municipality_id=…, object_type=…, object_id=…)``.

    Transitional: kept only until the packages that still call it this way (rounds,
    organisations, lagesbild, admin) use ``record(session, actor, action, target)``; then
    this function and the second overload go.
    """
    target = Target(object_type, object_id, municipality_id)
    return record(session, actor_id, action, target, **details)


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
