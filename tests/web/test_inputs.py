"""Input that must never reach the database: ids beyond an INTEGER, control characters."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.db import MAX_ID, id_or_none, parse_id
from dialogue.models import Category, Municipality
from dialogue.triage.queue import Cursor, InvalidCursorError, Sort
from dialogue.web.next_page import safe_next
from tests.factories import SubmissionFactory
from tests.helpers import hidden_fields, sign_in

TOO_LARGE = [str(MAX_ID + 1), "99999999999999999999", "9" * 400]


@pytest.mark.parametrize("number", TOO_LARGE)
def test_a_pledge_id_beyond_an_integer_column_answers_404(
    client: FlaskClient, demo: Municipality, number: str
) -> None:
    assert client.get(f"/falkoping/pledges/{number}").status_code == 404


def test_the_largest_id_is_still_looked_up(client: FlaskClient, demo: Municipality) -> None:
    assert client.get(f"/falkoping/pledges/{MAX_ID}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/staff/falkoping/submissions/{n}",
        "/staff/falkoping/organisations/{n}",
        "/staff/falkoping/organisations/{n}/edit",
        "/staff/falkoping/admin/pledges/{n}",
        "/staff/falkoping/lagesbild/snapshots/{n}",
        "/staff/falkoping/rounds/{n}",
    ],
)
def test_workspace_ids_beyond_an_integer_column_answer_404(
    client: FlaskClient, moderator: object, path: str
) -> None:
    sign_in(client, "moa@falkoping.example")
    for number in TOO_LARGE:
        assert client.get(path.format(n=number)).status_code == 404, number


def test_parse_id_takes_only_what_an_id_column_holds() -> None:
    assert parse_id("0") == 0
    assert parse_id(str(MAX_ID)) == MAX_ID
    for bad in [str(MAX_ID + 1), "-1", "+1", " 1", "1_000", "١٢", "²", "", "1.0"]:
        with pytest.raises(ValueError, match="not an id"):
            parse_id(bad)
        assert id_or_none(bad) is None


@pytest.mark.parametrize(
    "url",
    [
        "/falkoping/places/ranten%00",
        "/falkoping%00/places",
        "/falkoping/places/%1b%5b31m",
        "/falkoping/submit?place=ranten%00",
        "/staff/falkoping/organisations?q=abc%00",
        "/staff/falkoping/organisations?q%00=abc",
        "/staff/falkoping/audit?reference=%00",
        "/language/en?next=/%0d%0aSet-Cookie:x=1",
        "/language/en?next=/%0aLocation:%20https://example.org",
        "/falkoping/places?x=%ff",
    ],
)
def test_control_characters_in_a_url_answer_400(
    client: FlaskClient, demo: Municipality, url: str
) -> None:
    assert client.get(url).status_code == 400


def test_a_nul_byte_in_the_sign_in_address_is_a_form_error(
    client: FlaskClient, moderator: object, sv: Callable[[str], str]
) -> None:
    tokens = hidden_fields(client.get("/staff/login").get_data(as_text=True))
    response = client.post(
        "/staff/login",
        data={**tokens, "email": "moa@falkoping.example\x00", "password": "x"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert sv("The text contains characters that cannot be saved. Remove them and try again.") in (
        html.replace("&#39;", "'")
    )


def test_control_characters_in_a_text_keep_the_rest_of_the_form(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    category = db_session.scalars(select(Category.id).filter_by(code="MILJO.LIGHT")).one()
    tokens = hidden_fields(client.get("/falkoping/submit").get_data(as_text=True))
    response = client.post(
        "/falkoping/submit",
        data={
            **tokens,
            "kind": "concern",
            "category": str(category),
            "text": "Mörkt vid tunneln\x00 på kvällarna.",
            "location_text": "Tunneln\x1b",
            "submitter_type": "resident",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mörkt vid tunneln" in html and "på kvällarna." in html


def test_the_language_switch_keeps_a_plain_return_path(client: FlaskClient) -> None:
    response = client.get("/language/en?next=/falkoping/submit")
    assert response.status_code == 303
    assert response.headers["Location"] == "/falkoping/submit"


def test_safe_next_refuses_line_breaks_and_backslashes(app: Flask) -> None:
    with app.test_request_context():
        assert safe_next("/falkoping/submit") == "/falkoping/submit"
        for target in ["/x\r\nSet-Cookie: a=b", "/x\nLocation: //evil", "/\\evil.example", "/\t"]:
            assert safe_next(target) == "/"


def _cursor_token(row_id: int, priority: int = 0) -> str:
    raw = json.dumps([Sort.NEWEST.value, "2024-05-01T12:00:00+00:00", row_id, priority])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        _cursor_token(10**20),
        _cursor_token(MAX_ID + 1),
        _cursor_token(-1),
        _cursor_token(1, priority=10**20),
    ],
)
def test_a_queue_cursor_beyond_its_columns_is_refused(token: str) -> None:
    with pytest.raises(InvalidCursorError):
        Cursor.decode(token)


def test_a_cursor_at_the_edge_of_time_is_refused() -> None:
    raw = json.dumps([Sort.NEWEST.value, "9999-12-31T23:59:59-05:00", 1, 0])
    with pytest.raises(InvalidCursorError):
        Cursor.decode(base64.urlsafe_b64encode(raw.encode()).decode())


def test_a_huge_queue_cursor_answers_400(client: FlaskClient, moderator: object) -> None:
    sign_in(client, "moa@falkoping.example")
    response = client.get(f"/staff/falkoping/?after={_cursor_token(10**20)}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "before",
    [
        "2024-05-01T12:00:00+00:00~audit~99999999999999999999",
        "2024-05-01T12:00:00+00:00~audit~²",
        "9999-12-31T23:59:59-05:00~audit~1",
    ],
)
def test_a_bad_audit_cursor_shows_the_first_page(
    client: FlaskClient, administrator: object, before: str
) -> None:
    sign_in(client, "ada@falkoping.example")
    assert client.get("/staff/falkoping/audit", query_string={"before": before}).status_code == 200


@pytest.mark.parametrize("value", ["99999999999999999999", "²"])
def test_an_id_in_a_query_string_beyond_a_column_is_ignored(
    client: FlaskClient, administrator: object, db_session: Session, value: str
) -> None:
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    submission = SubmissionFactory(category=category, receipt_key=b"k")
    sign_in(client, "ada@falkoping.example")
    url = f"/staff/falkoping/submissions/{submission.id}?template={value}"
    assert client.get(url).status_code == 200
    assert client.get(f"/staff/falkoping/admin/templates/edit?template={value}").status_code == 404
