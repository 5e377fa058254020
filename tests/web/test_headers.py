from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from dialogue.models import Municipality
from tests.helpers import make_settings, migrated_app


@pytest.mark.parametrize("url", ["/", "/falkoping/", "/falkoping/submit", "/nowhere/", "/healthz"])
def test_every_response_carries_strict_security_headers(
    client: FlaskClient, demo: Municipality, url: str
) -> None:
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_load_nothing_from_other_hosts(client: FlaskClient, demo: Municipality) -> None:
    for url in ("/", "/falkoping/", "/falkoping/pledge", "/falkoping/submit", "/falkoping/case"):
        html = client.get(url).get_data(as_text=True)
        assert 'src="http' not in html and 'href="http' not in html.replace(
            'href="http://localhost', ""
        )
        assert "style=" not in html  # the CSP forbids inline styles


def test_cookies_are_secure_and_hsts_sent_when_served_over_https(
    tmp_path, database_url: str
) -> None:  # type: ignore[no-untyped-def]
    app = migrated_app(make_settings(database_url, tmp_path, session_cookie_secure=True))
    client = app.test_client()
    response = client.get("/language/en")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_favicon_points_at_the_served_icon(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/static/favicon.svg")
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200
