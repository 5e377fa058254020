"""The throwaway database each benchmark runs on: a SQLite file, or a fresh PostgreSQL database."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa


def _drop(admin: sa.Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def postgres_database(admin_url: str, name: str) -> Iterator[str | None]:
    """A fresh database ``name`` beside the admin one, dropped afterwards; None if unreachable."""
    admin = sa.create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        _drop(admin, name)
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(f"PostgreSQL unreachable at {admin_url} ({reason}): skipping it.")
        yield None
        return
    try:
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(admin, name)
        admin.dispose()


@contextlib.contextmanager
def backend_database(
    backend: str, sqlite_file: Path, admin_url: str, pg_name: str
) -> Iterator[str | None]:
    """The database URL for ``backend`` ("sqlite" or "postgresql"), None if unavailable."""
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_file}"
    else:
        with postgres_database(admin_url, pg_name) as url:
            yield url
