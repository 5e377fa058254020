from __future__ import annotations

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from tests.conftest import make_settings, migrated_app

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
