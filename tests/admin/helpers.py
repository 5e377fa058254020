"""Helpers the tests of this folder import: plain functions and classes, no fixtures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.context import Context
from dialogue.audit.models import AuditEvent
from dialogue.db import utcnow
from dialogue.models import Municipality, Pledge, PledgeStatus
from tests.factories import CommitmentFactory, PledgeFactory


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


def context_of(acting: dict[str, Any], municipality_id: int) -> Context:
    """The Context of ``acting`` (``actor`` and ``scope``) in this municipality, now."""
    return Context(
        actor=acting["actor"],
        scope=acting["scope"],
        municipality_id=municipality_id,
        now=utcnow(),
        locale="sv",
    )
