"""Reading the audit log: audit and status events of one municipality, newest first.

The two tables are read as one stream, paged by a keyset cursor of (time, table, id) so a
page boundary never skips or repeats an event, however many share a timestamp.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select

from dialogue.accounts.models import Account, Membership
from dialogue.audit.models import AuditEvent
from dialogue.auditlog.describe import LogEntry, load_names
from dialogue.db import DbSession, id_or_none
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.submissions.models import StatusEvent
from dialogue.submissions.references import find_by_reference

PAGE_SIZE = 100
# The order of the two tables among events with the same timestamp (newest first: higher).
_RANK = {"audit": 1, "status": 0}


@dataclasses.dataclass(frozen=True)
class Cursor:
    """Where a page ended: the next page holds only events older than this one."""

    at: dt.datetime
    table: str
    id: int

    def encode(self) -> str:
        return f"{self.at.isoformat()}~{self.table}~{self.id}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        """The cursor in ``raw``, or None if it is not one (the first page is shown)."""
        parts = (raw or "").split("~")
        row_id = id_or_none(parts[2]) if len(parts) == 3 else None
        if row_id is None or parts[1] not in _RANK:
            return None
        try:
            at = dt.datetime.fromisoformat(parts[0])
        except ValueError:
            return None
        if at.tzinfo is None:
            return None
        try:
            return cls(at.astimezone(dt.UTC), parts[1], row_id)
        except OverflowError:  # a moment near year 1 or 9999 that UTC cannot hold
            return None


@dataclasses.dataclass(frozen=True)
class LogFilter:
    municipality_id: int
    actor_id: int | None = None
    submission_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    before: Cursor | None = None


@dataclasses.dataclass(frozen=True)
class LogPage:
    entries: list[LogEntry]
    older: Cursor | None  # None on the last page


def list_log(session: DbSession, wanted: LogFilter, page_size: int | None = None) -> LogPage:
    """One page of the municipality's audit log, newest first."""
    page_size = page_size or PAGE_SIZE
    audit = session.scalars(_audit_query(wanted).limit(page_size + 1)).all()
    status = session.scalars(_status_query(wanted).limit(page_size + 1)).all()
    entries = sorted(
        [LogEntry(e) for e in audit] + [LogEntry(e) for e in status], key=_key, reverse=True
    )
    shown = entries[:page_size]
    older = _cursor(shown[-1]) if len(entries) > page_size else None
    return LogPage(shown, older)


def _key(entry: LogEntry) -> tuple[dt.datetime, int, int]:
    table = "audit" if isinstance(entry.event, AuditEvent) else "status"
    return (entry.at, _RANK[table], entry.event.id)


def _cursor(entry: LogEntry) -> Cursor:
    table = "audit" if isinstance(entry.event, AuditEvent) else "status"
    return Cursor(entry.at, table, entry.event.id)


def _audit_query(wanted: LogFilter) -> Any:
    query = select(AuditEvent).where(AuditEvent.municipality_id == wanted.municipality_id)
    if wanted.submission_id is not None:
        query = query.where(
            AuditEvent.object_type == "submission", AuditEvent.object_id == wanted.submission_id
        )
    return _common(query, AuditEvent, "audit", wanted)


def _status_query(wanted: LogFilter) -> Any:
    query = select(StatusEvent).where(StatusEvent.municipality_id == wanted.municipality_id)
    if wanted.submission_id is not None:
        query = query.where(StatusEvent.submission_id == wanted.submission_id)
    return _common(query, StatusEvent, "status", wanted)


def _common(query: Any, model: Any, table: str, wanted: LogFilter) -> Any:
    if wanted.actor_id is not None:
        query = query.where(model.actor_id == wanted.actor_id)
    if wanted.since is not None:
        query = query.where(model.created_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(model.created_at < wanted.until)
    if wanted.before is not None:
        query = query.where(_older_than(model, table, wanted.before))
    return query.order_by(model.created_at.desc(), model.id.desc())


def _older_than(model: Any, table: str, cursor: Cursor) -> Any:
    if _RANK[table] < _RANK[cursor.table]:
        return model.created_at <= cursor.at
    if _RANK[table] > _RANK[cursor.table]:
        return model.created_at < cursor.at
    return or_(
        model.created_at < cursor.at, and_(model.created_at == cursor.at, model.id < cursor.id)
    )


def list_log_accounts(session: DbSession, municipality_id: int) -> list[Account]:
    """Accounts with a role in the municipality, by name, for the log's account filter."""
    query = (
        select(Account)
        .join(Membership)
        .where(Membership.municipality_id == municipality_id)
        .distinct()
        .order_by(Account.name, Account.id)
    )
    return list(session.scalars(query))


@dataclasses.dataclass(frozen=True)
class LogQuery:
    """The log's filters as typed: local dates, a case reference."""

    municipality_id: int
    timezone: str
    actor_id: int | None = None
    reference: str = ""
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive
    before: str | None = None


@dataclasses.dataclass(frozen=True)
class LogView:
    page: LogPage
    names: dict[tuple[str, int], Any]


def read_log(session: DbSession, query: LogQuery) -> LogView:
    """A page of the log with the names it refers to; InvalidInputError for a bad filter."""
    submission_id = None
    if query.reference.strip():
        found = find_by_reference(session, query.municipality_id, query.reference)
        if found is None:
            raise InvalidInputError(
                {"reference": _l("No submission of this municipality has that case reference.")}
            )
        submission_id = found.id
    if query.since and query.until and query.since > query.until:
        raise InvalidInputError({"until": _l("The end date must be on or after the start date.")})
    zone = ZoneInfo(query.timezone)
    page = list_log(
        session,
        LogFilter(
            municipality_id=query.municipality_id,
            actor_id=query.actor_id,
            submission_id=submission_id,
            since=_start_of(query.since, zone),
            until=_start_of(query.until + dt.timedelta(days=1), zone) if query.until else None,
            before=Cursor.decode(query.before),
        ),
    )
    return LogView(page, load_names(session, page.entries))


def _start_of(day: dt.date | None, zone: ZoneInfo) -> dt.datetime | None:
    """Local midnight at the start of ``day``, in UTC."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
