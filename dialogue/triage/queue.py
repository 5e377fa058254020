"""The moderators' queue: filters, free-text search, counts per status and keyset paging.

A page is a constant number of queries whatever its length: one for the rows (with the
category label, place name, assignee name and whether there is a contact, by outer joins),
one for their tags and one for the counts per status; a search on SQLite adds one that counts
its matches (see ``_in_municipality``). Paging is by keyset on the sort columns, so a page deep
in the list costs what the first one does (ix_submissions_queue, ix_submissions_queue_priority).
Free text uses the per-dialect search structure the migrations keep: the FTS5 table
``submissions_fts`` on SQLite, the GIN index ``ix_submissions_search`` on PostgreSQL.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.orm import aliased, raiseload, selectinload

from dialogue.accounts.access import Scope, require_reader
from dialogue.accounts.models import Account
from dialogue.categories.models import Category
from dialogue.categories.services import category_groups
from dialogue.db import MAX_ID, DbSession, Localized
from dialogue.errors import DialogueError
from dialogue.places.models import Place
from dialogue.pledges.models import Commitment, Pledge
from dialogue.submissions.models import Contact, Status, Submission, SubmissionKind, SubmitterType
from dialogue.triage.models import Tag, submission_tags
from dialogue.triage.services import list_moderators

PAGE_SIZE = 50
MAX_CURSOR_CHARS = 200
MAX_SMALLINT = 2**15 - 1
MAX_SEARCH_CHARS = 200
MAX_SEARCH_WORDS = 8
MAX_WORD_CHARS = 40
MIN_PREFIX_CHARS = 3  # shorter words match whole words only: "a*" would match everything
SEARCH_FIRST_LIMIT = (
    5_000  # SQLite: up to this many matches, read them first (see _in_municipality)
)
_WORDS = re.compile(r"[^\W_]+")

MINE = "mine"
UNASSIGNED = "unassigned"


class Sort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    PRIORITY = "priority"


class InvalidCursorError(DialogueError):
    """A paging cursor that was not made by this module, or for another sort order."""

    status_code = 400


@dataclasses.dataclass(frozen=True)
class QueueFilter:
    """What the moderator asked to see; every field left at its default filters nothing.

    ``assignee`` is ``"mine"``, ``"unassigned"`` or an account id. Received dates are local
    dates in ``timezone`` (the municipality's), both ends included.
    """

    status: Status | None = None
    category_id: int | None = None
    place_id: int | None = None
    commitment_id: int | None = None
    kind: SubmissionKind | None = None
    submitter_type: SubmitterType | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    timezone: str = "Europe/Stockholm"
    assignee: str | int | None = None
    sensitive_only: bool = False
    with_contact_only: bool = False
    tag: str | None = None
    search: str = ""
    sort: Sort = Sort.NEWEST

    def received_bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """UTC instants: the start of the first day and the start of the day after the last."""
        zone = ZoneInfo(self.timezone)

        def start_of(day: dt.date | None) -> dt.datetime | None:
            if day is None:
                return None
            return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)

        after_last = self.received_to + dt.timedelta(days=1) if self.received_to else None
        return start_of(self.received_from), start_of(after_last)


@dataclasses.dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the sort values of the last row shown, made opaque."""

    sort: Sort
    created_at: dt.datetime
    id: int
    priority: int = 0

    def encode(self) -> str:
        raw = json.dumps([self.sort.value, self.created_at.isoformat(), self.id, self.priority])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """The cursor in ``token``; InvalidCursorError for anything this module did not make."""
        if len(token) > MAX_CURSOR_CHARS:
            raise InvalidCursorError(token[:MAX_CURSOR_CHARS])
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            sort, created_at, row_id, priority = json.loads(raw)
            cursor = cls(
                Sort(sort), dt.datetime.fromisoformat(created_at), int(row_id), int(priority)
            )
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
            raise InvalidCursorError(token) from error
        if (
            cursor.created_at.tzinfo is None
            or not isinstance(row_id, int)
            or not isinstance(priority, int)
            # Only values the columns can hold: a larger one would fail in the database.
            or not 0 <= row_id <= MAX_ID
            or not -MAX_SMALLINT <= priority <= MAX_SMALLINT
        ):
            raise InvalidCursorError(token)
        try:
            return dataclasses.replace(cursor, created_at=cursor.created_at.astimezone(dt.UTC))
        except OverflowError as error:  # a moment near year 1 or 9999 that UTC cannot hold
            raise InvalidCursorError(token) from error

    @classmethod
    def after(cls, sort: Sort, submission: Submission) -> Cursor:
        return cls(sort, submission.created_at, submission.id, submission.priority)


@dataclasses.dataclass(frozen=True)
class QueueRow:
    """One submission of a page and what the row shows beside it; its tags are loaded."""

    submission: Submission
    category_label: Localized
    place_name: str | None
    assignee_name: str | None
    has_contact: bool


@dataclasses.dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    counts: dict[Status, int]  # for the filters other than the status
    next_cursor: Cursor | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def list_queue(
    session: DbSession,
    scope: Scope,
    municipality_id: int,
    wanted: QueueFilter,
    *,
    after: Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the municipality's submissions, and the counts per status beside it."""
    require_reader(scope, municipality_id)
    if after is not None and after.sort != wanted.sort:
        raise InvalidCursorError(after.sort)
    use_index = not _few_matches(session, wanted)
    conditions = [
        _in_municipality(municipality_id, use_index=use_index),
        *_conditions(session, scope, municipality_id, wanted),
    ]
    if wanted.status is not None:
        conditions.append(Submission.status == wanted.status)
    if after is not None:
        conditions.append(_after(after))
    found = session.execute(_page_query(conditions, wanted.sort, page_size + 1)).all()
    rows = [QueueRow(*values) for values in found[:page_size]]
    next_cursor = Cursor.after(wanted.sort, rows[-1].submission) if len(found) > page_size else None
    counts = count_by_status(session, scope, municipality_id, wanted)
    return QueuePage(rows=rows, counts=counts, next_cursor=next_cursor)


def count_by_status(
    session: DbSession, scope: Scope, municipality_id: int, wanted: QueueFilter
) -> dict[Status, int]:
    """How many submissions of each status match the filters, the status filter left out."""
    require_reader(scope, municipality_id)
    conditions = _conditions(session, scope, municipality_id, wanted)
    use_index = not (conditions and _dialect(session) == "sqlite")
    query = (
        select(Submission.status, func.count())
        .where(_in_municipality(municipality_id, use_index=use_index), *conditions)
        .group_by(Submission.status)
    )
    found = {Status(status): count for status, count in session.execute(query)}
    return {status: found.get(status, 0) for status in Status}


RowColumns = Select[Submission, Localized, str | None, str | None, bool]


def _page_query(conditions: list[ColumnElement[bool]], sort: Sort, limit: int) -> RowColumns:
    return (
        select(
            Submission,
            Category.label,
            Place.name,
            Account.name,
            Contact.id.is_not(None).label("has_contact"),
        )
        # Outer joins keep the submissions the driving table, walked in index order; each
        # joined row is found by a unique key (contacts.submission_id is unique).
        .outerjoin(Category, Category.id == Submission.category_id)
        .outerjoin(Place, Place.id == Submission.place_id)
        .outerjoin(Account, Account.id == Submission.assignee_id)
        .outerjoin(Contact, Contact.submission_id == Submission.id)
        .where(*conditions)
        .order_by(*_order(sort))
        .limit(limit)
        .options(selectinload(Submission.tags), raiseload("*"))
    )


def _order(sort: Sort) -> tuple[ColumnElement[Any], ...]:
    if sort == Sort.OLDEST:
        return Submission.created_at.asc(), Submission.id.asc()
    if sort == Sort.PRIORITY:
        return Submission.priority.desc(), Submission.created_at.desc(), Submission.id.desc()
    return Submission.created_at.desc(), Submission.id.desc()


def _after(cursor: Cursor) -> ColumnElement[bool]:
    if cursor.sort == Sort.OLDEST:
        return tuple_(Submission.created_at, Submission.id) > (cursor.created_at, cursor.id)
    if cursor.sort == Sort.PRIORITY:
        return tuple_(Submission.priority, Submission.created_at, Submission.id) < (
            cursor.priority,
            cursor.created_at,
            cursor.id,
        )
    return tuple_(Submission.created_at, Submission.id) < (cursor.created_at, cursor.id)


def _in_municipality(municipality_id: int, *, use_index: bool) -> ColumnElement[bool]:
    """The tenancy condition; ``municipality_id + 0`` keeps SQLite from starting at an index
    on the municipality (SQLite keeps no statistics, so it cannot tell when that is slow).

    - A page walks ix_submissions_queue in the sort order and stops after a page; when the
      filters match fewer rows than that, it reads the whole municipality. A search matching
      at most SEARCH_FIRST_LIMIT rows is cheaper read from the FTS index first, then sorted.
    - Counts with another filter read fewer rows through that filter's index (or, for an
      unindexed one, in table order) than through an index on the municipality, in GROUP BY
      order, with a lookup of every row of the municipality.
    """
    column = Submission.municipality_id if use_index else Submission.municipality_id + 0
    return column == municipality_id


def _conditions(
    session: DbSession, scope: Scope, municipality_id: int, wanted: QueueFilter
) -> list[ColumnElement[bool]]:
    """Every filter but the municipality and the status, as conditions on ``submissions``."""
    equal: Sequence[tuple[Any, object]] = (
        (Submission.place_id, wanted.place_id),
        (Submission.commitment_id, wanted.commitment_id),
        (Submission.kind, wanted.kind),
        (Submission.submitter_type, wanted.submitter_type),
    )
    conditions: list[ColumnElement[bool]] = [
        column == value for column, value in equal if value is not None
    ]
    if wanted.category_id is not None:
        conditions.append(_in_category(municipality_id, wanted.category_id))
    conditions += _received(wanted)
    if wanted.assignee is not None:
        conditions.append(_assigned(scope, wanted.assignee))
    if wanted.sensitive_only:
        conditions.append(Submission.is_sensitive.is_(true()))
    if wanted.with_contact_only:
        contact = aliased(Contact)  # the page query joins contacts itself
        conditions.append(exists().where(contact.submission_id == Submission.id))
    if wanted.tag:
        conditions.append(_tagged(municipality_id, wanted.tag))
    if words := search_words(wanted.search):
        conditions.append(_matches(session, words))
    return conditions


def _in_category(municipality_id: int, category_id: int) -> ColumnElement[bool]:
    """The category itself, or every category under it."""
    return Submission.category_id.in_(
        select(Category.id).where(
            Category.municipality_id == municipality_id,
            or_(Category.id == category_id, Category.parent_id == category_id),
        )
    )


def _received(wanted: QueueFilter) -> list[ColumnElement[bool]]:
    start, end = wanted.received_bounds()
    bounds = []
    if start is not None:
        bounds.append(Submission.created_at >= start)
    if end is not None:
        bounds.append(Submission.created_at < end)
    return bounds


def _assigned(scope: Scope, assignee: str | int) -> ColumnElement[bool]:
    if assignee == UNASSIGNED:
        return Submission.assignee_id.is_(None)
    if assignee == MINE:
        return Submission.assignee_id == scope.account_id
    if isinstance(assignee, int):
        return Submission.assignee_id == assignee
    return false()


def _tagged(municipality_id: int, name: str) -> ColumnElement[bool]:
    return Submission.id.in_(
        select(submission_tags.c.submission_id)
        .join(Tag, Tag.id == submission_tags.c.tag_id)
        .where(Tag.municipality_id == municipality_id, Tag.name == name)
    )


# --- free text ------------------------------------------------------------------------------

_POSTGRESQL_MATCH = text(
    # Exactly the expression of ix_submissions_search, so the GIN index answers it.
    "to_tsvector('swedish', submissions.text || ' ' || coalesce(submissions.location_text, ''))"
    " @@ websearch_to_tsquery('swedish', :search)"
)
_SQLITE_MATCH = text("SELECT rowid FROM submissions_fts WHERE submissions_fts MATCH :search")
_SQLITE_MATCH_COUNT = text(
    "SELECT count(*) FROM (SELECT rowid FROM submissions_fts WHERE submissions_fts MATCH :search"
    " LIMIT :limit)"
)


def search_words(raw: str) -> list[str]:
    """The words of a search, without punctuation or search syntax, at most a few of them."""
    words = _WORDS.findall(raw[:MAX_SEARCH_CHARS])
    return [word[:MAX_WORD_CHARS] for word in words[:MAX_SEARCH_WORDS]]


def fts5_query(words: Sequence[str]) -> str:
    """An FTS5 MATCH string that finds every word (longer ones also as a prefix).

    Each word is quoted, so nothing the user typed is read as FTS5 syntax (AND, NEAR, -, :).
    """
    return " ".join(
        f'"{word}"*' if len(word) >= MIN_PREFIX_CHARS else f'"{word}"' for word in words
    )


def _few_matches(session: DbSession, wanted: QueueFilter) -> bool:
    """Whether an SQLite search matches at most SEARCH_FIRST_LIMIT rows (of any municipality)."""
    words = search_words(wanted.search)
    if not words or _dialect(session) != "sqlite":
        return False
    found = session.scalar(
        _SQLITE_MATCH_COUNT.bindparams(search=fts5_query(words), limit=SEARCH_FIRST_LIMIT + 1)
    )
    return int(found or 0) <= SEARCH_FIRST_LIMIT


def _dialect(session: DbSession) -> str:
    return session.get_bind().dialect.name


def _matches(session: DbSession, words: Sequence[str]) -> ColumnElement[bool]:
    dialect = _dialect(session)
    if dialect == "postgresql":
        return and_(_POSTGRESQL_MATCH.bindparams(search=" ".join(words)))
    if dialect == "sqlite":
        return Submission.id.in_(_SQLITE_MATCH.bindparams(search=fts5_query(words)))
    return and_(*(Submission.text.icontains(word, autoescape=True) for word in words))


# --- what the filters offer -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Choice:
    id: int
    label: Localized | str


@dataclasses.dataclass(frozen=True)
class ChoiceGroup:
    """A group of choices; ``id`` is set when the whole group can be chosen too."""

    label: Localized | str
    choices: tuple[Choice, ...]
    id: int | None = None


@dataclasses.dataclass(frozen=True)
class QueueOptions:
    """The municipality's categories, places, commitments, moderators and tags."""

    category_groups: tuple[ChoiceGroup, ...]
    places: tuple[Choice, ...]
    commitment_groups: tuple[ChoiceGroup, ...]
    moderators: tuple[Choice, ...]
    tags: tuple[str, ...]


def load_queue_options(session: DbSession, scope: Scope, municipality_id: int) -> QueueOptions:
    """Everything the filter and bulk forms offer, inactive categories included."""
    require_reader(scope, municipality_id)
    places = session.execute(
        select(Place.id, Place.name)
        .where(Place.municipality_id == municipality_id)
        .order_by(Place.name)
    )
    tags = session.scalars(
        select(Tag.name).where(Tag.municipality_id == municipality_id).order_by(Tag.name)
    )
    return QueueOptions(
        category_groups=_category_groups(session, municipality_id),
        places=tuple(Choice(place_id, name) for place_id, name in places),
        commitment_groups=_commitment_groups(session, municipality_id),
        moderators=tuple(Choice(a.id, a.name) for a in list_moderators(session, municipality_id)),
        tags=tuple(tags),
    )


def _category_groups(session: DbSession, municipality_id: int) -> tuple[ChoiceGroup, ...]:
    return tuple(
        ChoiceGroup(g.group.label, tuple(Choice(c.id, c.label) for c in g.categories), g.group.id)
        for g in category_groups(session, municipality_id)
    )


def _commitment_groups(session: DbSession, municipality_id: int) -> tuple[ChoiceGroup, ...]:
    found = session.execute(
        select(Commitment.id, Commitment.text, Pledge.id, Pledge.title)
        .join(Pledge, Pledge.id == Commitment.pledge_id)
        .where(Commitment.municipality_id == municipality_id)
        .order_by(Pledge.valid_from.desc(), Pledge.id, Commitment.position)
    ).all()
    groups: dict[int, tuple[Localized, list[Choice]]] = {}
    for commitment_id, commitment_text, pledge_id, title in found:
        groups.setdefault(pledge_id, (title, []))[1].append(Choice(commitment_id, commitment_text))
    return tuple(ChoiceGroup(title, tuple(choices)) for title, choices in groups.values())
