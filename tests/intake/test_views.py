from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dialogue.intake import receipt_display
from dialogue.models import Category, Municipality, Place, Submission
from tests.factories import CategoryFactory, MunicipalityFactory
from tests.helpers import hidden_fields, make_settings, migrated_app, writes_refused
from tests.test_units import XSS_CORPUS

FORM = "/falkoping/submit"
CODE = re.compile(r'class="receipt-code"[^>]*>(\d{4} \d{4} \d{4} \d{4})<')


def category_id(session: Session, code: str = "MILJO.LIGHT") -> str:
    return str(session.scalars(select(Category.id).filter_by(code=code)).one())


def open_form(client: FlaskClient, url: str = FORM) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return hidden_fields(response.get_data(as_text=True))


def valid_form(client: FlaskClient, session: Session, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        **open_form(client),
        "kind": "concern",
        "category": category_id(session),
        "text": "Det är mörkt vid busshållplatsen på kvällarna.",
        "submitter_type": "resident",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Submission)) or 0


def test_form_states_emergency_notice_and_public_records(
    client: FlaskClient, demo: Municipality
) -> None:
    html = client.get(FORM).get_data(as_text=True)
    assert "112" in html and "114 14" in html and "polisen.se" in html
    assert "allmän handling" in html
    assert 'href="/privacy"' in html


def test_form_preselects_the_place_of_a_poster_link(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    ranten = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    html = client.get(f"{FORM}?place=ranten").get_data(as_text=True)
    assert f'<option selected value="{ranten.id}">Ranten</option>' in html


def test_form_preselects_a_commitment(client: FlaskClient, demo: Municipality) -> None:
    html = client.get("/falkoping/pledge").get_data(as_text=True)
    link = re.search(r'href="/falkoping/submit\?commitment=(\d+)"', html)
    assert link
    form = client.get(f"{FORM}?commitment={link.group(1)}").get_data(as_text=True)
    assert re.search(
        rf'checked[^>]*value="{link.group(1)}"|value="{link.group(1)}"[^>]*checked', form
    )


def test_valid_submission_shows_the_receipt_code_once_stored(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    response = client.post(FORM, data=valid_form(client, db_session))
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert CODE.search(html)
    assert response.headers["Cache-Control"] == "no-store"
    assert count(db_session) == 1


def test_double_post_of_the_same_form_stores_one_and_shows_the_same_code(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    data = valid_form(client, db_session)
    first = CODE.search(client.post(FORM, data=data).get_data(as_text=True))
    second = CODE.search(client.post(FORM, data=data).get_data(as_text=True))
    assert first and second and first.group(1) == second.group(1)
    assert count(db_session) == 1


def later(monkeypatch: pytest.MonkeyPatch, minutes: float) -> None:
    """Let ``minutes`` pass for the receipt's re-display window."""
    start = time.time()
    monkeypatch.setattr(receipt_display, "clock", lambda: start + minutes * 60)


def test_reloading_the_receipt_within_minutes_shows_the_code_again(
    client: FlaskClient, db_session: Session, demo: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = valid_form(client, db_session)
    first = CODE.search(client.post(FORM, data=data).get_data(as_text=True))
    later(monkeypatch, receipt_display.REDISPLAY_MINUTES - 1)
    again = CODE.search(client.post(FORM, data=data).get_data(as_text=True))
    assert first and again and first.group(1) == again.group(1)


def test_reloading_the_receipt_later_shows_the_reference_but_not_the_code(
    client: FlaskClient,
    db_session: Session,
    demo: Municipality,
    monkeypatch: pytest.MonkeyPatch,
    sv: Callable[[str], str],
) -> None:
    data = valid_form(client, db_session)
    client.post(FORM, data=data)
    later(monkeypatch, receipt_display.REDISPLAY_MINUTES + 1)
    response = client.post(FORM, data=data)
    html = response.get_data(as_text=True)
    submission = db_session.scalars(select(Submission)).one()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert not CODE.search(html)
    assert not re.search(r"\d{4} \d{4} \d{4} \d{4}", html)
    assert sv("The code was shown once") in html
    assert submission.reference in html
    assert count(db_session) == 1


def test_the_receipt_code_is_not_shown_to_another_browser_session(
    client: FlaskClient, db_session: Session, demo: Municipality, app: Flask
) -> None:
    data = valid_form(client, db_session)
    assert CODE.search(client.post(FORM, data=data).get_data(as_text=True))
    other = app.test_client()  # the next person, or a copied form, without this session
    html = other.post(FORM, data=data).get_data(as_text=True)
    assert not CODE.search(html)
    assert count(db_session) == 1


def test_a_double_click_whose_first_answer_was_lost_still_shows_the_code(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    data = valid_form(client, db_session)
    before = client.get_cookie("dialogue_session")
    assert before is not None
    first = CODE.search(client.post(FORM, data=data).get_data(as_text=True))
    # The browser dropped the first answer (and its cookie) and shows the second one.
    client.set_cookie("dialogue_session", before.value)
    second = CODE.search(client.post(FORM, data=data).get_data(as_text=True))
    assert first and second and first.group(1) == second.group(1)
    assert count(db_session) == 1


def test_a_lost_first_answer_does_not_reopen_the_code_after_it_was_shown(
    client: FlaskClient, db_session: Session, demo: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = valid_form(client, db_session)
    before = client.get_cookie("dialogue_session")
    assert before is not None
    client.post(FORM, data=data)
    client.set_cookie("dialogue_session", before.value)
    assert CODE.search(client.post(FORM, data=data).get_data(as_text=True))
    later(monkeypatch, receipt_display.REDISPLAY_MINUTES + 1)
    assert not CODE.search(client.post(FORM, data=data).get_data(as_text=True))


def test_switching_the_receipts_language_later_does_not_show_the_code(
    client: FlaskClient, db_session: Session, demo: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = client.post(FORM, data=valid_form(client, db_session)).get_data(as_text=True)
    tokens = hidden_fields(html)
    later(monkeypatch, receipt_display.REDISPLAY_MINUTES + 1)
    switched = client.post(f"{FORM}/receipt", data={**tokens, "language": "en"})
    page = switched.get_data(as_text=True)
    assert switched.status_code == 200
    assert '<html lang="en"' in page
    assert "The code was shown once" in page
    assert not CODE.search(page)


def test_missing_fields_keep_every_value_and_list_errors(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    data = valid_form(client, db_session, kind=None, category="", location_text="Vid kiosken")
    response = client.post(FORM, data=data)
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert 'class="error-summary"' in html
    assert 'href="#kind"' in html and 'href="#category"' in html
    assert "Det är mörkt vid busshållplatsen på kvällarna." in html
    assert 'value="Vid kiosken"' in html
    assert count(db_session) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("category", "999999", "Välj en kategori i listan."),
        ("category", "abc", "Välj en kategori i listan."),
        ("place", "999999", "Välj en plats i listan."),
        ("commitment", "999999", "Välj ett av löftets åtaganden."),
        ("text", "x" * 4001, "Använd högst 4000 tecken. Du har skrivit 4001."),
        (
            "email",
            "inte-en-adress",
            "Skriv e-postadressen i rätt format, till exempel namn@exempel.se.",
        ),
        ("occurred_on", "2999-01-01", "Datumet kan vara högst ett år fram i tiden."),
        ("occurred_on", "17 maj", "Skriv datumet som år-månad-dag, till exempel 2024-05-17."),
        (
            "text",
            "Hej\x00där",
            "Texten innehåller tecken som inte kan sparas. Ta bort dem och försök igen.",
        ),
        ("safety_rating", "9", "Not a valid choice."),
    ],
)
def test_invalid_values_answer_422_with_a_message_and_store_nothing(
    client: FlaskClient,
    db_session: Session,
    demo: Municipality,
    field: str,
    value: str,
    message: str,
) -> None:
    response = client.post(FORM, data=valid_form(client, db_session, **{field: value}))
    assert response.status_code == 422
    if message != "Not a valid choice.":
        assert message in response.get_data(as_text=True)
    assert count(db_session) == 0


def test_category_of_another_municipality_is_refused(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    other = MunicipalityFactory()
    foreign = CategoryFactory(
        municipality_id=other.id, parent=CategoryFactory(municipality_id=other.id)
    )
    response = client.post(FORM, data=valid_form(client, db_session, category=str(foreign.id)))
    assert response.status_code == 422
    assert count(db_session) == 0


def test_email_without_consent_is_refused(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    response = client.post(FORM, data=valid_form(client, db_session, email="anna@example.se"))
    assert response.status_code == 422
    assert "Kryssa i rutan" in response.get_data(as_text=True)


def test_invalid_utf8_is_refused(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    data = valid_form(client, db_session)
    body = (
        "&".join(f"{k}={v}" for k, v in data.items() if k != "text").encode() + b"&text=%FF%FEhej"
    )
    response = client.post(FORM, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert count(db_session) == 0


def test_honeypot_filled_stores_nothing(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    response = client.post(FORM, data=valid_form(client, db_session, website="http://spam.example"))
    assert response.status_code == 422
    assert count(db_session) == 0


def test_missing_csrf_token_keeps_the_text(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    data = valid_form(client, db_session, csrf_token=None)
    response = client.post(FORM, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Det är mörkt vid busshållplatsen på kvällarna." in html
    assert count(db_session) == 0


def test_forged_form_token_keeps_the_text_and_gives_a_new_token(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    data = valid_form(client, db_session, form_token="forged")
    response = client.post(FORM, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert hidden_fields(html)["form_token"] != "forged"
    assert "Det är mörkt vid busshållplatsen på kvällarna." in html


def test_too_large_request_answers_413(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    response = client.post(FORM, data=valid_form(client, db_session, text="x" * 300_000))
    assert response.status_code == 413
    assert "för stort" in response.get_data(as_text=True)


def test_database_fault_answers_503_with_the_text_still_in_the_form(
    client: FlaskClient, db_session: Session, demo: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = valid_form(client, db_session)

    def broken_commit() -> None:
        raise OperationalError("INSERT", {}, Exception("database is down"))

    # Each request gets its own session from the registry, so break them all.
    monkeypatch.setattr(Session, "commit", lambda self: broken_commit())
    response = client.post(FORM, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Det är mörkt vid busshållplatsen på kvällarna." in html
    assert 'role="alert"' in html


def test_no_ip_address_or_user_agent_is_stored(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    agent = "Mozilla/5.0 (X11; Linux) DistinctiveAgent/1.0"
    data = valid_form(client, db_session)
    client.post(
        FORM, data=data, headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": "203.0.113.77"}
    )
    submission = db_session.scalars(select(Submission)).one()
    values = [str(getattr(submission, c.key)) for c in inspect(Submission).columns]
    assert not any("203.0.113.77" in v or "DistinctiveAgent" in v for v in values)


def test_english_form_has_english_labels_and_errors(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    client.get("/language/en?next=/falkoping/submit")
    response = client.post(FORM, data=valid_form(client, db_session, kind=None))
    html = response.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "Choose what you want to tell us." in html


def test_language_button_keeps_what_was_typed(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    data = valid_form(client, db_session, language="en", kind=None)
    response = client.post(FORM, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert "Det är mörkt vid busshållplatsen på kvällarna." in html
    assert 'class="error-summary"' not in html
    assert count(db_session) == 0


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_xss_payloads_are_stored_harmlessly_and_shown_escaped(
    client: FlaskClient, db_session: Session, demo: Municipality, payload: str
) -> None:
    text = f"Före {payload} efter"
    html = client.post(FORM, data=valid_form(client, db_session, text=text, location_text=payload))
    code = CODE.search(html.get_data(as_text=True))
    assert code
    stored = db_session.scalars(select(Submission)).one()
    assert "<" not in stored.text.replace("< ", "") or "<script" not in stored.text.lower()
    tokens = hidden_fields(client.get("/falkoping/case").get_data(as_text=True))
    client.post("/falkoping/case", data={**tokens, "code": code.group(1)})
    page = client.get("/falkoping/case").get_data(as_text=True)
    body = page.split('<main id="main"', 1)[1]
    for marker in ("<script>alert", "onerror=alert", "onload=alert", "<iframe", 'href="javascript'):
        assert marker not in body


def test_receipt_can_switch_language_and_keep_the_code(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    html = client.post(FORM, data=valid_form(client, db_session)).get_data(as_text=True)
    code = CODE.search(html)
    assert code
    assert 'form="receipt-language" name="language" value="en"' in html
    tokens = hidden_fields(html)
    switched = client.post(f"{FORM}/receipt", data={**tokens, "language": "en"})
    page = switched.get_data(as_text=True)
    assert switched.status_code == 200
    assert '<html lang="en"' in page
    assert code.group(1) in page
    assert count(db_session) == 1


def test_receipt_switch_with_a_forged_token_reveals_nothing(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    tokens = open_form(client)
    response = client.post(f"{FORM}/receipt", data={**tokens, "language": "en"})
    assert response.status_code == 404
    response = client.post(f"{FORM}/receipt", data={**tokens, "form_token": "x", "language": "en"})
    assert response.status_code == 400


@pytest.fixture
def caching_client(
    database_url: str, tmp_path, db_session: Session, demo: Municipality
) -> FlaskClient:  # type: ignore[no-untyped-def]

    app = migrated_app(make_settings(database_url, tmp_path, reference_cache_seconds=60.0))
    return app.test_client()


def test_cached_form_page_still_gets_fresh_tokens_for_each_visitor(
    caching_client: FlaskClient, db_session: Session
) -> None:
    other = caching_client.application.test_client()
    first = hidden_fields(caching_client.get(FORM).get_data(as_text=True))
    second = hidden_fields(other.get(FORM).get_data(as_text=True))
    assert first["form_token"] != second["form_token"]
    assert first["csrf_token"] != second["csrf_token"]
    assert "PAGECACHE" not in caching_client.get(FORM).get_data(as_text=True)
    data = {**second, "kind": "concern", "category": category_id(db_session)}
    data |= {"text": "Mörkt vid stationen.", "submitter_type": "resident"}
    assert other.post(FORM, data=data).status_code == 200


def test_cached_form_page_keeps_the_preselected_place_and_language(
    caching_client: FlaskClient, demo: Municipality
) -> None:
    caching_client.get(FORM)
    html = caching_client.get(f"{FORM}?place=ranten").get_data(as_text=True)
    assert "selected" in html.split('id="place"')[1].split("</select>")[0]
    caching_client.get("/language/en")
    assert '<html lang="en"' in caching_client.get(FORM).get_data(as_text=True)


def test_a_submission_refused_by_the_database_is_logged_without_its_text(
    client: FlaskClient,
    db_session: Session,
    demo: Municipality,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A full disk or a read-only database: 503 with the text kept, and one log line each."""
    secret = "Grannen på nummer sju kör för fort."
    first, second = valid_form(client, db_session, text=secret), valid_form(client, db_session)
    responses = []
    for data in (first, second):
        with writes_refused(db_session):  # a rollback to a savepoint ends it on PostgreSQL
            responses.append(client.post(FORM, data=data))
    assert [r.status_code for r in responses] == [503, 503]
    assert secret in responses[0].get_data(as_text=True)
    refusals = [r for r in caplog.records if r.getMessage().startswith("refused submission")]
    assert len(refusals) == 2
    assert all(r.levelname == "WARNING" for r in refusals)
    counts = [int(re.search(r"\((\d+) refused", r.getMessage()).group(1)) for r in refusals]  # type: ignore[union-attr]
    assert counts[1] == counts[0] + 1
    assert secret not in caplog.text and "Det är mörkt" not in caplog.text


def in_english(client: FlaskClient) -> None:
    client.get("/language/en")


def test_the_description_comes_before_the_place_and_the_optional_questions(
    client: FlaskClient, demo: Municipality
) -> None:
    in_english(client)
    html = client.get(FORM).get_data(as_text=True)
    text, place = html.index('name="text"'), html.index('name="place"')
    category = html.index('name="category"')
    optional = html.index("If you want to, tell us more")
    assert html.index('name="kind"') < text < place < category < optional
    assert optional < html.index('name="commitment"') < html.index('name="email"')


def test_commitments_are_short_choices_with_their_full_text_on_demand(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    html = client.get(FORM).get_data(as_text=True)
    labels = re.findall(r'<label class="radio-label" for="commitment-\d+">([^<]*)</label>', html)
    commitments = labels[1:]
    assert commitments and all(len(label) <= 70 for label in commitments)
    assert commitments[0].startswith("1. ")
    details = html[html.index('<details class="details commitment-texts">') :]
    details = details[: details.index("</details>")]
    assert details.count("<li>") == len(commitments)
    assert all(len(item) > 70 for item in re.findall(r"<li>([^<]*)</li>", details)[:1])


def test_no_staff_words_on_the_residents_pages(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    form = client.get(FORM, headers={"Accept-Language": "sv"}).get_data(as_text=True)
    receipt = client.post(FORM, data=valid_form(client, db_session)).get_data(as_text=True)
    for html in (form, receipt):
        assert "moderator" not in html.lower()


def test_a_poster_link_names_the_place_at_the_top_with_a_way_to_change_it(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    in_english(client)
    ranten = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    html = client.get(f"{FORM}?place=ranten").get_data(as_text=True)
    banner = html.index("You are telling us about Ranten")
    assert banner < html.index("<form")
    assert 'href="#place"' in html
    # An error keeps the place, and the banner says so again.
    data = valid_form(client, db_session, place=str(ranten.id), text="")
    again = client.post(FORM, data=data).get_data(as_text=True)
    assert "You are telling us about Ranten" in again
    assert "You are telling us about" not in client.get(FORM).get_data(as_text=True)


def test_the_form_has_breadcrumbs_from_the_municipalitys_start(
    client: FlaskClient, demo: Municipality
) -> None:
    in_english(client)
    html = client.get(FORM).get_data(as_text=True)
    crumbs = html[html.index('<nav class="breadcrumbs"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert 'href="/falkoping/"' in crumbs and demo.name in crumbs
    assert '<span aria-current="page">Give feedback</span>' in crumbs


def test_a_receipt_with_an_email_address_says_the_code_is_not_mailed_for_privacy(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    in_english(client)
    data = valid_form(client, db_session, email="anna@example.se", consent="y")
    html = client.post(FORM, data=data).get_data(as_text=True)
    assert CODE.search(html)
    assert "because we do not know who you are" not in html
    assert "For your privacy it is not sent by e-mail" in html
    assert "When we reply, we send you an e-mail" in html


def test_an_anonymous_receipt_says_the_code_cannot_be_sent(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    in_english(client)
    html = client.post(FORM, data=valid_form(client, db_session)).get_data(as_text=True)
    assert "because we do not know who you are" in html
    assert "For your privacy" not in html


def test_the_receipt_tells_the_code_from_the_reference_and_can_be_saved(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    in_english(client)
    html = client.post(FORM, data=valid_form(client, db_session)).get_data(as_text=True)
    match = CODE.search(html)
    assert match
    submission = db_session.scalars(select(Submission)).one()
    assert "Secret, like a password" in html and "Not secret. Quote it" in html
    assert "data-print" in html
    link = re.search(r'href="data:text/plain;charset=utf-8,([^"]*)" download="([^"]*)"', html)
    assert link
    saved = unquote(link.group(1).replace("&amp;", "&"))
    assert match.group(1) in saved and submission.reference in saved
    assert "http://127.0.0.1:5000/falkoping/case" in saved or "/falkoping/case" in saved
    assert link.group(2) == f"receipt-{submission.reference}.txt"
