"""Test harness: one database per run built by ``alembic upgrade head``, one rolled-back
transaction per test. ``DIALOGUE_TEST_DATABASE_URL`` selects PostgreSQL; SQLite otherwise."""

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
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from dialogue import create_app
from dialogue.cache import clear_process_caches
from dialogue.config import Settings
from dialogue.extensions import db
from dialogue.municipalities.models import Municipality

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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for built in _APPS:
        with built.app_context():
            db.engine.dispose()
    for url, target in _CREATED_DATABASES:
        _admin_execute(url, f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


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


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    # Pools of apps a test built would otherwise be closed by the garbage collector, which
    # warns (ResourceWarning); an engine opens new connections when used again.
    yield
    for built in _APPS:
        with built.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _test_database_url(tmp_path_factory, "suite")


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return migrated_app(make_settings(database_url, tmp_path_factory.mktemp("instance")))


def _savepoints_for_pysqlite(engine: Any) -> None:
    # pysqlite's own transaction handling defeats SAVEPOINT; let SQLAlchemy drive it.
    if engine.dialect.name != "sqlite" or getattr(engine, "_savepoint_fix", False):
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    engine.pool.dispose()
    engine._savepoint_fix = True


class _TestSession(scoped_session[Session]):
    """The test and the requests it makes share one session, as in pypi/warehouse's tests.

    Flask-SQLAlchemy removes the session after each request; here that only expires what
    was loaded, so the next request reads afresh while the test's objects stay attached.
    """

    def remove(self) -> None:
        self.registry().expire_all()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session whose commits are savepoints inside a transaction rolled back afterwards.

    No application context stays pushed during the test: requests made by the test client
    must each get their own (Flask reuses a pushed one, and ``g`` would leak between them).
    """
    with app.app_context():
        _savepoints_for_pysqlite(db.engine)
        connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    # A plain SQLAlchemy session: Flask-SQLAlchemy's would pick the engine, not this bind.
    session = _TestSession(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
    db.session = session
    with app.app_context():
        clear_process_caches()
    try:
        yield session()
    finally:
        session.registry().close()
        transaction.rollback()
        connection.close()
        db.session = original


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def demo(db_session: Session) -> Municipality:
    """The Falköping demo: police area, municipality, categories, places and the 2023 pledge."""
    from dialogue.demo.services import load_demo

    return load_demo(db_session)


_HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|form_token)"[^>]*value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The CSRF and form tokens of a rendered form."""
    return dict(_HIDDEN.findall(html))


STAFF_PASSWORD = "blå cykel under gammal ek"


def make_staff(session: Session, email: str, role: str, **scope: int) -> Any:
    """An account with one role: ``municipality_id=…`` or, for analysts, ``police_area_id=…``."""
    from dialogue.accounts.models import Role
    from dialogue.accounts.services import create_account

    return create_account(
        session,
        email=email,
        name=email.split("@", maxsplit=1)[0].title(),
        role=Role(role),
        password=STAFF_PASSWORD,
        **scope,
    )


@pytest.fixture
def moderator(db_session: Session, demo: Municipality) -> Any:
    return make_staff(db_session, "moa@falkoping.example", "moderator", municipality_id=demo.id)


@pytest.fixture
def administrator(db_session: Session, demo: Municipality) -> Any:
    return make_staff(db_session, "ada@falkoping.example", "admin", municipality_id=demo.id)


def sign_in(client: FlaskClient, email: str, password: str = STAFF_PASSWORD) -> Any:
    """Sign in through the real form; returns the last response."""
    tokens = hidden_fields(client.get("/staff/login").get_data(as_text=True))
    return client.post("/staff/login", data={**tokens, "email": email, "password": password})


def translator(locale: str) -> Callable[[str], str]:
    """The app's own catalogue for ``locale``: tests read the labels people actually see."""
    from dialogue import resource_path

    translations = gettext.translation(
        "messages", localedir=str(resource_path("translations")), languages=[locale], fallback=True
    )
    return translations.gettext


@pytest.fixture(scope="session")
def sv() -> Callable[[str], str]:
    return translator("sv")


@pytest.fixture(scope="session")
def en() -> Callable[[str], str]:
    return translator("en")


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


# Races: threads with their own sessions on committed data


@pytest.fixture(scope="session")
def committed_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """An app on a database of its own, where tests commit for real (nothing is rolled back),
    so that threads with their own sessions see each other's work as in production."""
    url = _test_database_url(tmp_path_factory, "races")
    return migrated_app(make_settings(url, tmp_path_factory.mktemp("races")))


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


@pytest.fixture
def race_ground(committed_app: Flask) -> RaceGround:
    from tests.factories import CategoryFactory, MunicipalityFactory

    with committed_app.app_context():
        municipality = MunicipalityFactory()
        group = CategoryFactory(municipality_id=municipality.id)
        category = CategoryFactory(parent=group)
        tag = municipality.slug
        moderator = make_staff(
            db.session, f"mod-{tag}@example.org", "moderator", municipality_id=municipality.id
        )
        administrator = make_staff(
            db.session, f"adm-{tag}@example.org", "admin", municipality_id=municipality.id
        )
        return RaceGround(municipality.id, group.id, category.id, moderator.id, administrator.id)
