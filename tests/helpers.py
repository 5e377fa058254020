"""Helpers the tests of this folder import: plain functions and classes, no fixtures."""

from __future__ import annotations

import contextlib
import dataclasses
import gettext
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from dialogue import create_app
from dialogue.accounts.models import Role
from dialogue.accounts.services import NewAccount, create_account
from dialogue.config import Settings
from dialogue.extensions import db
from dialogue.resources import resource_path

TEST_SECRET = "test-secret-key-not-for-production"

# Every absolute link (e-mails, QR codes, links shown to staff) starts with this.
PUBLIC_URL = "http://127.0.0.1:5000"


def _test_database_url(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    url = os.environ.get("DIALOGUE_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp(name) / 'test.sqlite3'}"
    return recreate_postgres_database(url, name)


_CREATED_DATABASES: list[tuple[str, str]] = []


def _admin_execute(url: str, statement: str) -> None:
    engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def recreate_postgres_database(url: str, name: str) -> str:
    """A fresh, empty database beside the one ``url`` names, for this test run only.

    The name carries the process id, so runs side by side do not drop each other's
    databases; each is dropped when the run ends.
    """
    base = make_url(url)
    target = f"{base.database}_{name}_{os.getpid()}"
    _admin_execute(url, f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    _admin_execute(url, f'CREATE DATABASE "{target}"')
    _CREATED_DATABASES.append((url, target))
    return base.set(database=target).render_as_string(hide_password=False)


def make_settings(database_url: str, instance_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "instance_path": str(instance_path),
        "secret_key": TEST_SECRET,
        "testing": True,
        "ratelimit_enabled": False,
        "reference_cache_seconds": 0.0,
        "public_url": PUBLIC_URL,
        # The test client's requests carry "Host: localhost"; links use the public URL.
        "trusted_hosts": ("localhost",),
    }
    values.update(overrides)
    return Settings(**values)


_APPS: list[Flask] = []


def migrated_app(settings: Settings) -> Flask:
    """An app on a migrated database; its connections are closed after every test."""
    app = create_app(settings)
    with app.app_context():
        flask_migrate.upgrade()
    _APPS.append(app)
    return app


_HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|form_token)"[^>]*value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The CSRF and form tokens of a rendered form."""
    return dict(_HIDDEN.findall(html))


STAFF_PASSWORD = "blå cykel under gammal ek"


def make_staff(session: Session, email: str, role: str, **scope: int) -> Any:
    """An account with one role: ``municipality_id=…`` or, for analysts, ``police_area_id=…``."""
    return create_account(
        session,
        NewAccount(
            email=email,
            name=email.split("@", maxsplit=1)[0].title(),
            role=Role(role),
            password=STAFF_PASSWORD,
            **scope,
        ),
    )


def sign_in(client: FlaskClient, email: str, password: str = STAFF_PASSWORD) -> Any:
    """Sign in through the real form; returns the last response."""
    tokens = hidden_fields(client.get("/staff/login").get_data(as_text=True))
    return client.post("/staff/login", data={**tokens, "email": email, "password": password})


def translator(locale: str) -> Callable[[str], str]:
    """The app's own catalogue for ``locale``: tests read the labels people actually see."""
    translations = gettext.translation(
        "messages", localedir=str(resource_path("translations")), languages=[locale], fallback=True
    )
    return translations.gettext


@contextlib.contextmanager
def writes_refused(session: Session) -> Iterator[None]:
    """The database answers reads but refuses every write, as with a full disk or a read-only
    fail-over: SQLite's ``query_only`` (SQLITE_READONLY), PostgreSQL's read-only transaction
    (SQLSTATE 25006, until the session's transaction or savepoint is rolled back)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")
        try:
            yield
        finally:
            connection.exec_driver_sql("PRAGMA query_only = OFF")
    else:
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        yield


@dataclasses.dataclass
class Outcome:
    results: list[Any]
    errors: list[BaseException]


def run_together(app: Flask, count: int, work: Callable[[Session, int], Any]) -> Outcome:
    """Run ``work(session, n)`` in ``count`` threads at once, each with its own session.

    A barrier releases them together so their transactions overlap; each result or raised
    exception is collected.
    """
    barrier = threading.Barrier(count)
    outcome = Outcome([], [])
    lock = threading.Lock()

    def run(number: int) -> None:
        with app.app_context(), Session(db.engine) as session:
            barrier.wait(timeout=30)
            try:
                result = work(session, number)
            except BaseException as error:
                with lock:
                    outcome.errors.append(error)
            else:
                with lock:
                    outcome.results.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcome


@dataclasses.dataclass(frozen=True)
class RaceGround:
    """Committed ids: a municipality with a category group and a category, a moderator and
    an administrator of it."""

    municipality_id: int
    group_id: int
    category_id: int
    moderator_id: int
    administrator_id: int
