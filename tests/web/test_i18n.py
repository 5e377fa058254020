from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient
from flask_babel import format_datetime

from dialogue.i18n import pick, text_direction
from dialogue.models import Municipality


def test_swedish_is_the_default(client: FlaskClient, demo: Municipality) -> None:
    html = client.get("/falkoping/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in html
    assert "Lämna synpunkt" in html


def test_language_choice_sticks_across_pages(client: FlaskClient, demo: Municipality) -> None:
    response = client.get("/language/en?next=/falkoping/pledge")
    assert response.status_code == 303
    assert response.headers["Location"] == "/falkoping/pledge"
    for url in ("/falkoping/", "/falkoping/places", "/accessibility"):
        assert '<html lang="en" dir="ltr">' in client.get(url).get_data(as_text=True)


def test_switch_offers_the_other_language_and_returns_to_the_same_page(
    client: FlaskClient, demo: Municipality
) -> None:
    html = client.get("/falkoping/places").get_data(as_text=True)
    assert 'href="/language/en?next=/falkoping/places"' in html
    assert 'lang="en"' in html


def test_switch_never_redirects_off_site(client: FlaskClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.get("/language/en", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_unknown_language_answers_404(client: FlaskClient) -> None:
    assert client.get("/language/xx").status_code == 404


def test_right_to_left_languages_get_rtl() -> None:
    assert text_direction("ar") == "rtl"
    assert text_direction("sv") == "ltr"


def test_localized_text_falls_back_to_the_default_language() -> None:
    assert pick({"sv": "Hej"}, "en", "sv") == ("Hej", "sv")
    assert pick({"sv": "Hej", "en": "Hello"}, "en", "sv") == ("Hello", "en")
    assert pick({"fi": "Moi"}, "en", "sv") == ("Moi", "fi")


def test_times_show_in_europe_stockholm(app, client: FlaskClient, demo: Municipality) -> None:  # type: ignore[no-untyped-def]

    with app.test_request_context("/"):
        # 22:30 UTC on midsummer is 00:30 the next day in Sweden (summer time, UTC+2).
        shown = format_datetime(dt.datetime(2024, 6, 21, 22, 30, tzinfo=dt.UTC), "yyyy-MM-dd HH:mm")
    assert shown == "2024-06-22 00:30"
