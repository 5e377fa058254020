"""Test harness: one database per run built by ``alembic upgrade head``, one rolled-back
transaction per test. ``DIALOGUE_TEST_DATABASE_URL`` selects PostgreSQL; SQLite otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from dialogue.cache import clear_process_caches
from dialogue.demo.services import load_demo
from dialogue.extensions import db
from dialogue.municipalities.models import Municipality
from tests.factories import CategoryFactory, MunicipalityFactory
from tests.helpers import (
    _APPS,
    _CREATED_DATABASES,
    RaceGround,
    _admin_execute,
    _test_database_url,
    make_settings,
    make_staff,
    migrated_app,
    translator,
)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for built in _APPS:
        with built.app_context():
            db.engine.dispose()
    for url, target in _CREATED_DATABASES:
        _admin_execute(url, f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


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
    return load_demo(db_session)


@pytest.fixture
def moderator(db_session: Session, demo: Municipality) -> Any:
    return make_staff(db_session, "moa@falkoping.example", "moderator", municipality_id=demo.id)


@pytest.fixture
def administrator(db_session: Session, demo: Municipality) -> Any:
    return make_staff(db_session, "ada@falkoping.example", "admin", municipality_id=demo.id)


@pytest.fixture(scope="session")
def sv() -> Callable[[str], str]:
    return translator("sv")


@pytest.fixture(scope="session")
def en() -> Callable[[str], str]:
    return translator("en")


# Races: threads with their own sessions on committed data


@pytest.fixture(scope="session")
def committed_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """An app on a database of its own, where tests commit for real (nothing is rolled back),
    so that threads with their own sessions see each other's work as in production."""
    url = _test_database_url(tmp_path_factory, "races")
    return migrated_app(make_settings(url, tmp_path_factory.mktemp("races")))


@pytest.fixture
def race_ground(committed_app: Flask) -> RaceGround:
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
