"""Declarative base, constraint naming convention and shared column types."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, TypeAlias

from sqlalchemy import JSON, DateTime, Enum, MetaData, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, registry, scoped_session

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
