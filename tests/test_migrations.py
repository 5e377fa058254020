"""The schema comes only from migrations: they agree with the models and round-trip."""

from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dialogue.db import include_object
from dialogue.extensions import db
from dialogue.models import Heartbeat, Municipality, StatusEvent
from tests.helpers import _test_database_url, make_settings, migrated_app


@pytest.fixture(scope="module")
def scratch_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    url = _test_database_url(tmp_path_factory, "migrations")
    return migrated_app(make_settings(url, tmp_path_factory.mktemp("migrations")))


def _differences(app: Flask) -> list[object]:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": True, "include_object": include_object},
        )
        return list(compare_metadata(context, db.metadata))


def test_migrations_agree_with_the_models(scratch_app: Flask) -> None:
    assert _differences(scratch_app) == []


def test_downgrade_to_base_and_upgrade_again(scratch_app: Flask) -> None:
    with scratch_app.app_context():
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}, "not all dropped"
        flask_migrate.upgrade()
        assert {"submissions", "municipalities", "pledges"} <= set(
            inspect(db.engine).get_table_names()
        )
    assert _differences(scratch_app) == []


def test_migrations_have_one_head(scratch_app: Flask) -> None:
    with scratch_app.app_context():
        config = scratch_app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_full_text_triggers_survive_every_migration(scratch_app: Flask) -> None:
    """Later batch migrations of ``submissions`` must not drop the SQLite FTS triggers."""
    with scratch_app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        with db.engine.connect() as connection:
            triggers = set(
                connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master "
                    "WHERE type = 'trigger' AND tbl_name = 'submissions'"
                ).scalars()
            )
    assert {
        "submissions_fts_insert",
        "submissions_fts_delete",
        "submissions_fts_update",
    } <= triggers


TRUNCATES = [
    "TRUNCATE audit_events",
    "TRUNCATE audit_events CASCADE",
    "TRUNCATE TABLE status_events RESTART IDENTITY",
    "TRUNCATE lagesbild_snapshots CASCADE",
    # Tables whose rows the append-only ones refer to: CASCADE would empty those too.
    "TRUNCATE submissions CASCADE",
    "TRUNCATE municipalities, accounts CASCADE",
]


@pytest.mark.parametrize("statement", TRUNCATES)
def test_append_only_tables_refuse_truncate(
    db_session: Session, demo: Municipality, statement: str
) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its row triggers refuse DELETE without WHERE")
    events_before = db_session.scalar(select(func.count()).select_from(StatusEvent))
    with pytest.raises(DBAPIError, match="is append-only: TRUNCATE is refused"):
        db_session.connection().exec_driver_sql(statement)
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(StatusEvent)) == events_before


def test_other_tables_can_still_be_truncated(db_session: Session, demo: Municipality) -> None:
    """The refusal is the trigger's, not a lock or a privilege: a plain table truncates."""
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    db_session.connection().exec_driver_sql("TRUNCATE heartbeats")
    assert db_session.scalar(select(func.count()).select_from(Heartbeat)) == 0
