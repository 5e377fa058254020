from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account
from dialogue.models import (
    Category,
    Contact,
    Municipality,
    Place,
    Status,
    StatusEvent,
    Submission,
    Tag,
)
from dialogue.triage import queue as queue_module
from dialogue.triage import views
from tests.factories import CategoryFactory, MunicipalityFactory, SubmissionFactory
from tests.helpers import hidden_fields, make_staff, sign_in

QUEUE = "/staff/falkoping/"
BULK = "/staff/falkoping/bulk"
START = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def light(db_session: Session, demo: Municipality) -> Category:
    return db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()


@pytest.fixture
def signed_in(client: FlaskClient, moderator: Account) -> FlaskClient:
    client.get("/language/en")  # new strings read the same before and after translation
    sign_in(client, moderator.email)
    return client


def make(category: Category, minutes: int = 0, **values: Any) -> Submission:
    submission: Submission = SubmissionFactory(
        category=category,
        receipt_key=b"k",
        created_at=START + dt.timedelta(minutes=minutes),
        **values,
    )
    return submission


def page_of(client: FlaskClient, url: str = QUEUE) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def checked_ids(html: str) -> set[int]:
    found = re.findall(r'name="bulk-selected" value="(\d+)" checked', html)
    return {int(value) for value in found}


def post_bulk(client: FlaskClient, data: dict[str, Any], back: str = "") -> Any:
    token = hidden_fields(page_of(client))["csrf_token"]
    return client.post(BULK, data={"bulk-csrf_token": token, "bulk-back": back, **data})


def test_the_queue_shows_each_row_with_its_markers_and_link(
    signed_in: FlaskClient, db_session: Session, demo: Municipality, light: Category
) -> None:
    place = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    submission = make(light, place_id=place.id, is_sensitive=True, submitter_activity_at=START)
    submission.contact = Contact(municipality_id=demo.id, email="a@b.example", consent_at=START)
    submission.tags = [Tag(municipality_id=demo.id, name="belysning")]
    db_session.commit()
    response = signed_in.get(QUEUE)
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert f'href="/staff/falkoping/submissions/{submission.id}"' in html
    for text in ("Ranten", "belysning", "Sensitive", "Has contact details", "New information"):
        assert text in html
    assert light.label["en"] in html
    # Stored in UTC, shown in Stockholm's time (summer time: UTC+2).
    assert re.search(r'<time datetime="2024-05-01T12:00:00\+00:00">[^<]*\b14:00–15:00', html)
    assert 'name="bulk-selected"' in html


def test_the_page_documents_its_keyboard_shortcuts(signed_in: FlaskClient) -> None:
    html = page_of(signed_in)
    assert "Keyboard shortcuts" in html
    for key in ("j", "k", "o", "x", "/", "?"):
        assert f"<kbd>{key}</kbd>" in html
    assert "js/workspace.js" in html


def test_filters_stay_in_the_form_the_links_and_the_counts(
    signed_in: FlaskClient, light: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "list_queue", functools.partial(views.list_queue, page_size=1))
    make(light, text="Mörkt i tunneln.")
    make(light, 1, text="Mörkt vid skolan.")
    make(light, 2, text="Mörkt här med.", status=Status.ACCEPTED)
    html = page_of(signed_in, f"{QUEUE}?status=new&q=mörkt&category={light.id}")
    assert '<option value="new" selected>' in html
    assert 'value="mörkt"' in html
    next_link = re.search(r'href="([^"]*)" rel="next"', html)
    assert next_link is not None
    args = parse_qs(urlsplit(next_link.group(1).replace("&amp;", "&")).query)
    assert args["status"] == ["new"] and args["q"] == ["mörkt"] and "after" in args
    assert 'Accepted: <span class="count">1</span>' in html
    assert 'New: <span class="count">2</span>' in html
    second = page_of(signed_in, next_link.group(1).replace("&amp;", "&"))
    assert "First page" in second
    assert 'rel="next"' not in second


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(
    signed_in: FlaskClient, light: Category
) -> None:
    make(light)
    html = page_of(signed_in, f"{QUEUE}?status=spam")
    assert "No submissions match these filters." in html
    assert f'<a href="{QUEUE}">Clear all filters</a>' in html


def test_a_bad_cursor_answers_400(signed_in: FlaskClient, light: Category) -> None:
    make(light)
    assert signed_in.get(f"{QUEUE}?after=garbage").status_code == 400
    oldest = queue_module.Cursor(queue_module.Sort.OLDEST, START, 1).encode()
    assert signed_in.get(f"{QUEUE}?after={oldest}").status_code == 400


def test_bad_filter_values_are_named_and_left_out(signed_in: FlaskClient, light: Category) -> None:
    submission = make(light)
    response = signed_in.get(f"{QUEUE}?received_from=2024-99-01&status=nonsense")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#received_from"' in html and 'href="#status"' in html
    assert submission.reference in html


def test_analysts_read_the_queue_without_selection_or_bulk_actions(
    client: FlaskClient, db_session: Session, demo: Municipality, light: Category
) -> None:
    make(light)
    analyst = make_staff(db_session, "ana@x.example", "analyst", police_area_id=demo.police_area_id)
    sign_in(client, analyst.email)
    html = page_of(client)
    assert "data-queue-row" in html
    assert 'name="bulk-selected"' not in html
    assert 'action="/staff/falkoping/bulk"' not in html
    assert "<kbd>x</kbd>" not in html
    token = hidden_fields(html)["csrf_token"]
    assert client.post(BULK, data={"bulk-csrf_token": token}).status_code == 403


def test_a_status_change_returns_to_the_same_filtered_queue_and_says_how_many(
    signed_in: FlaskClient, db_session: Session, light: Category, moderator: Account
) -> None:
    chosen = [make(light, 0), make(light, 1)]
    untouched = make(light, 2)
    back = "status=new&q=m%C3%B6rkt&sort=oldest"
    response = post_bulk(
        signed_in,
        {
            "bulk-selected": [str(s.id) for s in chosen],
            "bulk-action": "status",
            "bulk-status": "rejected",
            "bulk-reason": "Utanför kommunens ansvar.",
        },
        back,
    )
    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    assert target.path == QUEUE
    assert parse_qs(target.query) == {"status": ["new"], "q": ["mörkt"], "sort": ["oldest"]}
    assert "Submissions changed: 2." in page_of(signed_in, response.headers["Location"])
    db_session.expire_all()
    assert [s.status for s in chosen] == [Status.REJECTED, Status.REJECTED]
    assert untouched.status == Status.NEW
    events = db_session.scalars(
        select(StatusEvent).where(StatusEvent.to_status == Status.REJECTED)
    ).all()
    assert {(e.submission_id, e.actor_id, e.reason) for e in events} == {
        (s.id, moderator.id, "Utanför kommunens ansvar.") for s in chosen
    }


def test_a_refused_change_shows_the_error_and_keeps_the_selection(
    signed_in: FlaskClient, db_session: Session, light: Category
) -> None:
    chosen = [make(light, 0), make(light, 1)]
    make(light, 2)
    response = post_bulk(
        signed_in,
        {
            "bulk-selected": [str(s.id) for s in chosen],
            "bulk-action": "status",
            "bulk-status": "rejected",
        },
        "sort=oldest",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#bulk-reason"' in html
    assert checked_ids(html) == {s.id for s in chosen}
    assert 'value="sort=oldest"' in html
    assert '<option value="oldest" selected>' in html
    db_session.expire_all()
    assert all(s.status == Status.NEW for s in chosen)


def test_a_bulk_form_without_a_selection_or_an_action_names_both(
    signed_in: FlaskClient, light: Category
) -> None:
    make(light)
    response = post_bulk(signed_in, {})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#bulk-selected"' in html and 'href="#bulk-action"' in html


@pytest.mark.parametrize("action", ["assign", "unassign", "tag", "category"])
def test_bulk_assign_tag_and_recategorise(
    signed_in: FlaskClient,
    db_session: Session,
    light: Category,
    moderator: Account,
    action: str,
) -> None:
    graffiti = db_session.scalars(select(Category).filter_by(code="MILJO.GRAFFITI")).one()
    chosen = [make(light, 0, assignee_id=moderator.id), make(light, 1, assignee_id=moderator.id)]
    fields = {
        "assign": {"bulk-action": "assign", "bulk-assignee": str(moderator.id)},
        "unassign": {"bulk-action": "assign", "bulk-assignee": "nobody"},
        "tag": {"bulk-action": "tag", "bulk-tags": "Belysning, trafik"},
        "category": {"bulk-action": "category", "bulk-category": str(graffiti.id)},
    }[action]
    response = post_bulk(signed_in, {"bulk-selected": [str(s.id) for s in chosen], **fields})
    assert response.status_code == 303
    db_session.expire_all()
    for submission in chosen:
        if action == "assign":
            assert submission.assignee_id == moderator.id
        elif action == "unassign":
            assert submission.assignee_id is None
        elif action == "tag":
            assert [t.name for t in submission.tags] == ["belysning", "trafik"]
        else:
            assert submission.category_id == graffiti.id
            assert submission.submitted_category_id == light.id


def test_bulk_with_a_submission_of_another_municipality_answers_404(
    signed_in: FlaskClient, db_session: Session, light: Category
) -> None:
    other = MunicipalityFactory()
    foreign = make(
        CategoryFactory(municipality_id=other.id, parent=CategoryFactory(municipality_id=other.id))
    )
    mine = make(light)
    response = post_bulk(
        signed_in,
        {
            "bulk-selected": [str(mine.id), str(foreign.id)],
            "bulk-action": "status",
            "bulk-status": "spam",
        },
    )
    assert response.status_code == 404
    db_session.expire_all()
    assert mine.status == Status.NEW and foreign.status == Status.NEW


def test_bulk_needs_the_csrf_token(signed_in: FlaskClient, light: Category) -> None:
    submission = make(light)
    response = signed_in.post(
        BULK,
        data={"bulk-selected": str(submission.id), "bulk-action": "status", "bulk-status": "spam"},
    )
    assert response.status_code == 400


@contextmanager
def counted_statements(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    connection = session.connection()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def _fill(db_session: Session, demo: Municipality, light: Category, count: int, start: int) -> None:
    places = db_session.scalars(select(Place).filter_by(municipality_id=demo.id)).all()
    staff = [
        make_staff(
            db_session, f"mod{start + n}@falkoping.example", "moderator", municipality_id=demo.id
        )
        for n in range(2)
    ]
    for n in range(start, start + count):
        submission = make(light, n, place_id=places[n % len(places)].id)
        submission.assignee_id = staff[n % 2].id
        submission.tags = [Tag(municipality_id=demo.id, name=f"tagg-{n}")]
        if n % 3 == 0:
            submission.contact = Contact(
                municipality_id=demo.id, email=f"p{n}@x.example", consent_at=START
            )
    db_session.commit()


def test_the_number_of_queries_does_not_grow_with_the_page(
    signed_in: FlaskClient, db_session: Session, demo: Municipality, light: Category
) -> None:
    _fill(db_session, demo, light, 3, 0)
    page_of(signed_in)  # warm: the first request of a session may read more
    with counted_statements(db_session) as few:
        html = page_of(signed_in)
    assert html.count("data-queue-row") == 3
    _fill(db_session, demo, light, 37, 3)
    with counted_statements(db_session) as many:
        html = page_of(signed_in)
    assert html.count("data-queue-row") == 40
    assert html.count('class="marker"') == 14  # contact markers: the eager loads were used
    assert len(few) == len(many), "\n".join(many)
    # Every workspace request also reads its server-side session and any kept draft of the page.
    assert len(many) <= 17, "\n".join(many)
