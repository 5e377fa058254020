from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dialogue import create_app
from tests.helpers import make_settings, writes_refused


def test_healthz_reports_the_database_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "ratelimit": "off"}


def test_healthz_answers_503_when_the_database_is_down(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Nothing listens on port 9 of the loopback: the connection is refused at once.
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"
    app = create_app(make_settings(url, tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unavailable", "ratelimit": "off"}


def test_pages_answer_503_when_the_database_is_down(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"
    app = create_app(make_settings(url, tmp_path))
    response = app.test_client().get("/falkoping/submit")
    assert response.status_code == 503


def test_healthz_answers_503_naming_the_database_when_it_takes_no_writes(
    client: FlaskClient, db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    with writes_refused(db_session):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json is not None
    assert (response.json["status"], response.json["database"]) == ("unavailable", "not_writable")
    assert "not writable" in caplog.text
