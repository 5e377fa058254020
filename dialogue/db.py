"""Declarative base, constraint naming convention and shared column types."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, TypeAlias, TypeVar

from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Enum,
    MetaData,
    String,
    Table,
    TypeDecorator,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, registry, scoped_session
from sqlalchemy.orm.exc import StaleDataError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use datetime.now(UTC)")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            dt.datetime: UTCDateTime(),
            dict[str, str]: JSON(),
            list[str]: JSON(),
            list[dict[str, Any]]: JSON(),
            # Enums are stored by value in a plain string column: a new value needs no DDL.
            enum.Enum: Enum(
                enum.Enum,
                native_enum=False,
                length=32,
                values_callable=lambda members: [member.value for member in members],
            ),
        },
    )


intpk = Annotated[int, mapped_column(primary_key=True)]
MAX_ID = 2**31 - 1  # the largest value of an INTEGER column (PostgreSQL), so of every id

_ID = re.compile(r"[0-9]{1,10}")


def parse_id(value: str) -> int:
    """An id typed into a form or a query string; ValueError for anything an id column cannot hold.

    Use as ``request.args.get(name, type=parse_id)``: Werkzeug turns the ValueError into None.
    """
    if not _ID.fullmatch(value) or int(value) > MAX_ID:
        raise ValueError(f"not an id: {value[:20]!r}")
    return int(value)


def id_or_none(value: object) -> int | None:
    """The id in ``value``, or None if it is not one."""
    try:
        return parse_id(str(value))
    except ValueError:
        return None


created_at = Annotated[dt.datetime, mapped_column(default=utcnow)]
slug = Annotated[str, mapped_column(String(64))]
# Text in several languages: {"sv": "...", "en": "..."}; the structure admits any locale.
Localized = dict[str, str]

# What services take first: a session, or Flask-SQLAlchemy's scoped proxy for one.
DbSession: TypeAlias = Session | scoped_session[Any]


# Search structures the migrations keep per dialect, outside the models' metadata.
UNMANAGED_PREFIXES = ("submissions_fts", "ix_submissions_search")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's filter: leave the per-dialect search structures alone."""
    return not (reflected and name is not None and name.startswith(UNMANAGED_PREFIXES))


# Writing when another transaction writes the same thing at the same moment


T = TypeVar("T")
_UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock


def insert_missing(
    session: DbSession, model: type[Base], rows: Sequence[Mapping[str, Any]], unique: Sequence[str]
) -> None:
    """Insert the rows whose ``unique`` columns match no row yet (INSERT … ON CONFLICT DO NOTHING).

    A row another transaction inserts at the same moment is skipped rather than an error: on
    PostgreSQL the statement waits for that transaction and then does nothing.
    """
    if not rows:
        return
    dialect = session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values([dict(row) for row in rows])
    session.execute(statement.on_conflict_do_nothing(index_elements=list(unique)))


def lock_rows(session: DbSession, model: type[Base], *where: ColumnElement[bool]) -> int:
    """Take the write lock on the matching rows now; how many there are.

    A no-op UPDATE: on PostgreSQL it locks the rows (a second transaction waits here and then
    sees the first one's result), on SQLite it takes the database's write lock before anything
    is read, so what the transaction reads next is current. Run it before reading what a
    change depends on.
    """
    table: Table = model.__table__  # type: ignore[assignment]
    key = next(iter(table.primary_key.columns))
    result = session.execute(update(table).where(*where).values({key.name: key}))
    return int(result.rowcount)  # type: ignore[attr-defined]


def is_write_conflict(error: BaseException) -> bool:
    """True if a concurrent transaction made this write fail: a retry on fresh data will do."""
    if isinstance(error, StaleDataError):  # the row was updated or deleted meanwhile
        return True
    orig = getattr(error, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(error, IntegrityError):
        return sqlstate == _UNIQUE_VIOLATION or "UNIQUE constraint failed" in str(orig)
    if isinstance(error, OperationalError):
        name = getattr(orig, "sqlite_errorname", "") or ""
        return sqlstate in _TRANSIENT_SQLSTATES or name.startswith("SQLITE_BUSY")
    return False


def commit_retrying(session: DbSession, attempt: Callable[[], T], *, attempts: int = 3) -> T:
    """Run ``attempt`` and commit; if a concurrent write got there first, roll back and run it
    again on what is committed now. ``attempt`` must load what it changes itself."""
    for number in range(1, attempts + 1):
        try:
            result = attempt()
            session.commit()
        except (IntegrityError, OperationalError, StaleDataError) as error:
            session.rollback()
            if number == attempts or not is_write_conflict(error):
                raise
        else:
            return result
    raise AssertionError("unreachable")  # pragma: no cover
