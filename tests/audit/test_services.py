"""The one recorder: an event by an account about a target, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account
from dialogue.audit.models import AuditEvent
from dialogue.audit.services import Target, record, record_changes
from dialogue.models import Municipality
from tests.factories import CategoryFactory


def test_an_event_names_its_actor_target_and_municipality(
    db_session: Session, demo: Municipality, moderator: Account
) -> None:
    category = CategoryFactory(municipality_id=demo.id)
    record(db_session, moderator, "category.updated", Target.of("category", category), code="x")
    db_session.commit()
    event = db_session.scalars(select(AuditEvent).filter_by(action="category.updated")).one()
    assert (event.actor_id, event.municipality_id) == (moderator.id, demo.id)
    assert (event.object_type, event.object_id, event.details) == (
        "category",
        category.id,
        {"code": "x"},
    )


def test_the_system_and_an_account_id_may_act(db_session: Session, moderator: Account) -> None:
    record(db_session, None, "x.by_system", Target("account", moderator.id, None))
    record(db_session, moderator.id, "x.by_id", Target("account", moderator.id, None))
    db_session.commit()
    wanted = AuditEvent.action.in_(["x.by_system", "x.by_id"])
    events = db_session.scalars(select(AuditEvent).where(wanted).order_by(AuditEvent.id)).all()
    assert [e.actor_id for e in events] == [None, moderator.id]


def test_changes_are_recorded_only_when_there_are_some(
    db_session: Session, demo: Municipality, moderator: Account
) -> None:
    target = Target("municipality", demo.id, demo.id)
    assert (
        record_changes(db_session, moderator, "municipality.settings_updated", target, {}) is None
    )
    changed = {"name": ["A", "B"]}
    event = record_changes(db_session, moderator, "municipality.settings_updated", target, changed)
    assert event is not None and event.details == {"changes": changed}
