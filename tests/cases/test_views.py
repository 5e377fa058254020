from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.db import utcnow
from dialogue.models import Category, Contact, Municipality, Reply, Status, Submission
from tests.factories import CategoryFactory, MunicipalityFactory, SubmissionFactory
from tests.helpers import hidden_fields
from tests.intake.test_views import FORM, valid_form

CASE = "/falkoping/case"


@pytest.fixture
def submission(app, db_session: Session, demo: Municipality) -> Submission:  # type: ignore[no-untyped-def]
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    return SubmissionFactory(
        category=category,
        code="1234567890123456",
        receipt_key=app.extensions["dialogue.keys"].receipt,
        text="Trasig belysning vid <b>Ranten</b>",
    )


def tokens(client: FlaskClient, url: str) -> dict[str, str]:
    return hidden_fields(client.get(url).get_data(as_text=True))


def open_case(client: FlaskClient, code: str) -> FlaskClient:
    client.post(CASE, data={**tokens(client, CASE), "code": code})
    return client


def test_lookup_page_asks_for_the_code(client: FlaskClient, demo: Municipality) -> None:
    html = client.get(CASE).get_data(as_text=True)
    assert 'name="code"' in html


@pytest.mark.parametrize(
    "typed", ["1234567890123456", "1234 5678 9012 3456", "1234-5678-9012-3456"]
)
def test_right_code_opens_the_case_however_it_is_grouped(
    client: FlaskClient, submission: Submission, typed: str
) -> None:
    response = client.post(CASE, data={**tokens(client, CASE), "code": typed})
    assert response.status_code == 303
    html = client.get(CASE).get_data(as_text=True)
    assert submission.reference in html
    assert "Trasig belysning vid &lt;b&gt;Ranten&lt;/b&gt;" in html


@pytest.mark.parametrize("typed", ["1234567890123457", "12345", "abcd efgh ijkl mnop", ""])
def test_wrong_or_malformed_codes_get_the_same_answer(
    client: FlaskClient, submission: Submission, typed: str
) -> None:
    response = client.post(CASE, data={**tokens(client, CASE), "code": typed})
    assert response.status_code == 422
    assert submission.reference not in response.get_data(as_text=True)


def test_a_code_does_not_open_a_case_of_another_municipality(
    app, client: FlaskClient, db_session: Session, demo: Municipality
) -> None:  # type: ignore[no-untyped-def]
    other = MunicipalityFactory()
    category = CategoryFactory(
        municipality_id=other.id, parent=CategoryFactory(municipality_id=other.id)
    )
    SubmissionFactory(
        category=category,
        code="9999888877776666",
        receipt_key=app.extensions["dialogue.keys"].receipt,
    )
    response = client.post(CASE, data={**tokens(client, CASE), "code": "9999888877776666"})
    assert response.status_code == 422


def test_replies_appear_on_the_case_page(
    client: FlaskClient, db_session: Session, submission: Submission
) -> None:
    db_session.add(
        Reply(
            municipality_id=submission.municipality_id,
            submission_id=submission.id,
            body="Vi har anmält felet.",
        )
    )
    db_session.flush()
    html = open_case(client, "1234567890123456").get(CASE).get_data(as_text=True)
    assert "Vi har anmält felet." in html


def test_adding_information_appends_to_the_case(
    client: FlaskClient, db_session: Session, submission: Submission
) -> None:
    open_case(client, "1234567890123456")
    response = client.post(
        f"{CASE}/information", data={**tokens(client, CASE), "text": "Det gäller även gångvägen."}
    )
    assert response.status_code == 303
    db_session.refresh(submission)
    assert [a.text for a in submission.addenda] == ["Det gäller även gångvägen."]
    assert "Det gäller även gångvägen." in client.get(CASE).get_data(as_text=True)


def test_empty_addition_is_refused_and_nothing_is_added(
    client: FlaskClient, db_session: Session, submission: Submission
) -> None:
    open_case(client, "1234567890123456")
    response = client.post(f"{CASE}/information", data={**tokens(client, CASE), "text": "  "})
    assert response.status_code == 422
    db_session.refresh(submission)
    assert submission.addenda == []


def test_withdrawing_needs_confirmation(
    client: FlaskClient, db_session: Session, submission: Submission
) -> None:
    open_case(client, "1234567890123456")
    response = client.post(f"{CASE}/withdraw", data=tokens(client, f"{CASE}/withdraw"))
    assert response.status_code == 422
    db_session.refresh(submission)
    assert submission.status == Status.NEW


def test_withdrawing_records_the_event_and_deletes_contact_details(
    client: FlaskClient, db_session: Session, submission: Submission
) -> None:
    submission.contact = Contact(
        municipality_id=submission.municipality_id, email="a@example.se", consent_at=utcnow()
    )
    db_session.flush()
    open_case(client, "1234567890123456")
    response = client.post(
        f"{CASE}/withdraw", data={**tokens(client, f"{CASE}/withdraw"), "confirm": "y"}
    )
    assert response.status_code == 303
    db_session.expire_all()
    stored = db_session.get(Submission, submission.id)
    assert stored is not None and stored.status == Status.WITHDRAWN
    assert [e.to_status for e in stored.status_events][-1] == Status.WITHDRAWN
    assert db_session.scalars(select(Contact)).all() == []


def test_withdrawn_case_takes_no_more_information(
    client: FlaskClient, db_session: Session, submission: Submission
) -> None:
    submission.status = Status.WITHDRAWN
    db_session.flush()
    open_case(client, "1234567890123456")
    response = client.post(f"{CASE}/information", data={**tokens(client, CASE), "text": "Mer"})
    assert response.status_code == 422


def test_closing_forgets_the_case_in_this_browser(
    client: FlaskClient, submission: Submission
) -> None:
    open_case(client, "1234567890123456")
    client.post(f"{CASE}/close", data=tokens(client, CASE))
    assert submission.reference not in client.get(CASE).get_data(as_text=True)


def test_case_actions_without_an_open_case_go_to_the_lookup(
    client: FlaskClient, demo: Municipality
) -> None:
    response = client.get(f"{CASE}/withdraw")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(CASE)


def test_case_page_is_not_cached(client: FlaskClient, submission: Submission) -> None:
    open_case(client, "1234567890123456")
    assert client.get(CASE).headers["Cache-Control"] == "no-store"


def test_receipt_code_from_the_form_opens_the_case(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    html = client.post(FORM, data=valid_form(client, db_session)).get_data(as_text=True)
    code = re.search(r'class="receipt-code"[^>]*>([\d ]+)<', html)
    assert code
    fresh = client.application.test_client()
    response = fresh.post(CASE, data={**tokens(fresh, CASE), "code": code.group(1)})
    assert response.status_code == 303


def test_the_code_field_asks_for_digits_and_is_never_remembered(
    client: FlaskClient, demo: Municipality
) -> None:
    client.get("/language/en")
    html = client.get(CASE).get_data(as_text=True)
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", html)
    assert field
    assert 'inputmode="numeric"' in field.group(0)
    assert 'autocomplete="off"' in field.group(0)
    assert "not the case reference" in html
    assert '<span aria-current="page">Follow your case</span>' in html
