from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient
from psycopg import errors as pg
from sqlalchemy import select, text
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, ProgrammingError

from dialogue.errors import DatabaseUnavailableError, is_outage
from dialogue.extensions import db
from dialogue.models import Municipality, PoliceArea, Tag
from tests.helpers import make_settings, migrated_app

TITLES = {
    "sv": {
        400: "Vi kunde inte tolka förfrågan",
        403: "Du har inte behörighet till den här sidan",
        404: "Sidan kunde inte hittas",
        413: "Det du skickade är för stort",
        429: "För många försök",
        500: "Tyvärr gick något fel",
        503: "Tjänsten är inte tillgänglig just nu",
    },
    "en": {
        400: "The request could not be understood",
        403: "You do not have access to this page",
        404: "Page not found",
        413: "What you sent is too large",
        429: "Too many attempts",
        500: "Sorry, something went wrong",
        503: "The service is unavailable right now",
    },
}


@pytest.fixture(scope="module")
def faulty_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = migrated_app(make_settings(database_url, tmp_path_factory.mktemp("errors")))

    @app.get("/_test/<int:code>")
    def fail(code: int) -> str:
        if code == 500:
            raise RuntimeError("boom")
        if code == 503:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        abort(code)

    return app


@pytest.mark.parametrize("locale", ["sv", "en"])
@pytest.mark.parametrize("code", [400, 403, 404, 413, 429, 500, 503])
def test_error_pages_are_translated_and_show_no_trace(
    faulty_app: Flask, locale: str, code: int
) -> None:
    client = faulty_app.test_client()
    client.get(f"/language/{locale}")
    response = client.get(f"/_test/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert TITLES[locale][code] in html
    assert f'<html lang="{locale}"' in html
    assert "Traceback" not in html and "boom" not in html and "server closed" not in html


def test_json_clients_get_json_errors(faulty_app: Flask) -> None:
    response = faulty_app.test_client().get("/_test/404", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json == {"error": "Not Found", "status": 404}


def test_wrong_method_answers_405_with_allow_header(client: FlaskClient) -> None:
    response = client.delete("/accessibility")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


# Only outages are 503; other database errors are 500 with a reference, races 409


@pytest.fixture(scope="module")
def database_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """Routes that fail in the database the way real requests did."""
    app = migrated_app(make_settings(database_url, tmp_path_factory.mktemp("database-errors")))

    @app.context_processor
    def reads_the_database() -> dict[str, object]:
        # Like a page that loads the signed-in account: on PostgreSQL this fails after a failed
        # statement unless the error handler rolled the transaction back first.
        return {"answer": db.session.scalar(select(1))}

    @app.get("/_test/missing-table")
    def missing_table() -> str:
        db.session.execute(text("SELECT * FROM no_such_table"))
        return "not reached"

    @app.get("/_test/duplicate/<name>")
    def duplicate(name: str) -> str:
        municipality = db.session.scalars(select(Municipality)).first()
        assert municipality is not None
        db.session.add_all([Tag(municipality_id=municipality.id, name=name) for _ in range(2)])
        db.session.flush()
        return "not reached"

    @app.get("/_test/typed/<value>")
    def typed(value: str) -> str:
        db.session.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": value})
        return "not reached"

    with app.app_context():
        area = PoliceArea(slug="errors-area", name="Errors")
        db.session.add(Municipality(slug="errors", name="Errors", police_area=area))
        db.session.commit()
    return app


def test_a_database_error_that_is_no_outage_answers_500_with_a_logged_reference(
    database_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    response = database_app.test_client().get("/_test/missing-table")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    reference = re.search(r"\b([0-9a-f]{12})\b", html)
    assert reference is not None
    assert reference.group(1) in caplog.text
    assert "no_such_table" not in html


def test_the_error_page_can_read_the_database_after_a_failed_statement(
    database_app: Flask,
) -> None:
    response = database_app.test_client().get("/_test/missing-table")
    assert response.status_code == 500
    assert TITLES["sv"][500] in response.get_data(as_text=True)


def test_a_write_that_lost_a_race_answers_409(database_app: Flask) -> None:
    response = database_app.test_client().get("/_test/duplicate/samma")
    assert response.status_code == 409
    assert "Någon annan" in response.get_data(as_text=True)


def test_what_was_typed_never_reaches_the_log(
    database_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = database_app.test_client()
    client.get("/_test/duplicate/hemligt-skrivet-ord")
    client.get("/_test/typed/hemligt-skrivet-ord")
    assert caplog.records
    assert "hemligt-skrivet-ord" not in caplog.text


def test_sql_parameters_are_hidden_by_the_engine(database_app: Flask) -> None:
    with database_app.app_context():
        assert db.engine.hide_parameters


def _wrapped(orig: Exception, kind: type[DBAPIError] = OperationalError) -> DBAPIError:
    return kind("SELECT 1", {}, orig)


def test_postgresql_outages_are_told_from_defects_by_their_sqlstate() -> None:
    outages = [
        pg.AdminShutdown(),
        pg.CannotConnectNow(),
        pg.DiskFull(),
        pg.OutOfMemory(),
        pg.TooManyConnections(),
        pg.QueryCanceled(),
        pg.LockNotAvailable(),
        pg.ReadOnlySqlTransaction(),
        pg.DeadlockDetected(),
        pg.ConnectionFailure(),
    ]
    defects = [
        pg.UniqueViolation(),
        pg.NumericValueOutOfRange(),
        pg.UndefinedTable(),
        pg.InvalidTextRepresentation(),
        pg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"),
    ]
    for orig in outages:
        assert is_outage(_wrapped(orig)), type(orig).__name__
    for orig in defects:
        assert not is_outage(_wrapped(orig, DataError)), type(orig).__name__
    # A connection refused before the server said anything has no SQLSTATE.
    assert is_outage(_wrapped(Exception("connection refused")))
    assert not is_outage(_wrapped(Exception("bad"), ProgrammingError))


def test_sqlite_outages_are_told_from_defects_by_their_result_code(tmp_path: Path) -> None:
    full = sqlite3.connect(tmp_path / "full.sqlite3")
    full.execute("CREATE TABLE t (x TEXT)")
    full.execute(f"PRAGMA max_page_count = {full.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(sqlite3.OperationalError) as disk_full:
        full.executemany("INSERT INTO t VALUES (?)", [("x" * 2000,)] * 50)
    with pytest.raises(sqlite3.OperationalError) as no_table:
        full.execute("SELECT * FROM missing")
    full.close()
    assert is_outage(_wrapped(disk_full.value))
    assert not is_outage(_wrapped(no_table.value))
    assert is_outage(DatabaseUnavailableError())
    assert not is_outage(RuntimeError("boom"))
