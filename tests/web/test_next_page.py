from __future__ import annotations

import pytest
from flask import Flask

from dialogue.web.next_page import get_page_path, safe_next

HOST = "dialog.example"


@pytest.mark.parametrize(
    "target",
    [
        "/staff/falkoping/submissions/7",
        "/staff/falkoping/?status=new&page=2",
        "/falkoping/submit",
        "/staff/",
    ],
)
def test_same_site_get_pages_are_accepted(app: Flask, target: str) -> None:
    with app.test_request_context():
        assert get_page_path(target) == target


@pytest.mark.parametrize(
    "target",
    [
        "/staff/falkoping/submissions/7/replies",  # POST only: 405 after signing in
        "/staff/falkoping/submissions/7/notes",
        "/staff/logout",
        "/no/such/page",
        "//evil.example/staff/",
        "https://evil.example/staff/",
        "http:/staff/",
        "javascript:alert(1)",
        "staff/falkoping/",
        "/staff/\r\nSet-Cookie: x=1",
        "/staff/%0d%0a\nx",
        "/\\evil.example",
        "/static/css/dialogue.css",
        "",
        None,
    ],
)
def test_post_only_foreign_and_malformed_targets_are_refused(
    app: Flask, target: str | None
) -> None:
    with app.test_request_context():
        assert get_page_path(target, host=HOST) is None


def test_an_absolute_url_of_this_host_becomes_its_path(app: Flask) -> None:
    with app.test_request_context():
        url = f"https://{HOST}/staff/falkoping/submissions/7?x=1"
        assert get_page_path(url, host=HOST) == "/staff/falkoping/submissions/7?x=1"
        assert get_page_path(url) is None, "without the request's host nothing absolute passes"
        assert get_page_path("https://other.example/staff/", host=HOST) is None


def test_safe_next_falls_back_to_the_start_page(app: Flask) -> None:
    with app.test_request_context():
        assert safe_next("/staff/falkoping/submissions/7/replies") == "/"
        assert safe_next("https://evil.example/") == "/"
        assert safe_next("/staff/falkoping/") == "/staff/falkoping/"
        assert safe_next(None, default="/staff/") == "/staff/"
