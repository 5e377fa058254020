from __future__ import annotations

import dataclasses
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account
from dialogue.db import utcnow
from dialogue.models import (
    Category,
    Contact,
    Municipality,
    Note,
    Place,
    Reply,
    ResponseTemplate,
    Status,
    Submission,
)
from dialogue.outbox.models import OutboxMessage
from dialogue.outbox.services import send_pending
from tests.factories import CategoryFactory, MunicipalityFactory, SubmissionFactory
from tests.helpers import hidden_fields, make_staff, sign_in
from tests.smtp import Mailbox, smtp_server

__all__ = ["smtp_server"]  # the fixture, imported for the tests below

CODE = "1234567890123456"
TEXT = "Mörkt vid <b>Ranten</b>. Ring mig på 070-123 45 67 eller 811218-9876."


@pytest.fixture
def submission(app: Flask, db_session: Session, demo: Municipality) -> Submission:
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    ranten = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    return SubmissionFactory(
        category=category,
        place_id=ranten.id,
        submitted_place_id=ranten.id,
        code=CODE,
        receipt_key=app.extensions["dialogue.keys"].receipt,
        text=TEXT,
    )


def page_url(submission: Submission) -> str:
    return f"/staff/falkoping/submissions/{submission.id}"


def as_staff(client: FlaskClient, account: Account) -> FlaskClient:
    """Signed in, reading English (whose catalogue copies the source strings)."""
    sign_in(client, account.email)
    client.get("/language/en")
    return client


@pytest.fixture
def staff(client: FlaskClient, moderator: Account) -> FlaskClient:
    return as_staff(client, moderator)


def post(
    client: FlaskClient, submission: Submission, action: str, prefix: str, **fields: str
) -> object:
    token = hidden_fields(client.get(page_url(submission)).get_data(as_text=True))["csrf_token"]
    data = {f"{prefix}-csrf_token": token} | {f"{prefix}-{k}": v for k, v in fields.items()}
    return client.post(f"{page_url(submission)}/{action}", data=data)


ACTIONS = [
    ("status", "move", {"status": "accepted"}),
    ("classification", "classify", {"category": "1", "priority": "1"}),
    ("assignee", "assign", {"assignee": ""}),
    ("tags", "tags", {"tags": "kväll"}),
    ("summary", "summary", {"summary": "Mörkt"}),
    ("summary", "summary", {"summary": "Mörkt", "review": "y"}),
    ("summary/review/withdraw", "review", {}),
    ("notes", "note", {"body": "Internt"}),
    ("replies", "reply", {"body": "Hej"}),
    ("cluster", "link", {"other": "ABCD-EFGH"}),
    ("cluster/remove", "unlink", {}),
]


def test_the_page_shows_the_text_escaped_with_personal_data_marked(
    staff: FlaskClient, submission: Submission
) -> None:
    response = staff.get(page_url(submission))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Mörkt vid &lt;b&gt;Ranten&lt;/b&gt;" in html
    assert '<mark class="pii" data-kind="phone">070-123 45 67' in html
    assert "(possible personal identity number)" in html


def test_the_page_shows_the_submitters_choice_beside_the_current_value(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    graffiti = db_session.scalars(select(Category).filter_by(code="MILJO.GRAFFITI")).one()
    submission.category_id = graffiti.id
    db_session.commit()
    html = staff.get(page_url(submission)).get_data(as_text=True)
    choices = html[html.index('id="choices-section"') : html.index('id="actions-section"')]
    assert "Poor lighting or dark areas" in choices
    assert "Graffiti" in choices
    assert "changed by a moderator" in choices


def test_a_submission_of_another_municipality_answers_not_found(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    other = MunicipalityFactory()
    foreign = SubmissionFactory(
        category=CategoryFactory(
            municipality_id=other.id, parent=CategoryFactory(municipality_id=other.id)
        ),
        receipt_key=b"k",
    )
    assert staff.get(page_url(foreign)).status_code == 404
    assert staff.get(f"{page_url(submission)}9999").status_code == 404
    token = hidden_fields(staff.get(page_url(submission)).get_data(as_text=True))["csrf_token"]
    for action, prefix, fields in ACTIONS:
        data = {f"{prefix}-csrf_token": token} | {f"{prefix}-{k}": v for k, v in fields.items()}
        assert staff.post(f"{page_url(foreign)}/{action}", data=data).status_code == 404


def test_analysts_read_the_page_but_every_change_is_forbidden(
    client: FlaskClient, db_session: Session, demo: Municipality, submission: Submission
) -> None:
    analyst = make_staff(
        db_session, "ana@polisen.example", "analyst", police_area_id=demo.police_area_id
    )
    as_staff(client, analyst)
    html = client.get(page_url(submission)).get_data(as_text=True)
    assert submission.reference in html
    assert 'action="/staff/falkoping/submissions' not in html
    for action, prefix, fields in ACTIONS:
        response = post(client, submission, action, prefix, **fields)
        assert response.status_code == 403, action  # type: ignore[attr-defined]
    db_session.refresh(submission)
    assert submission.status == Status.NEW


def test_a_change_without_a_csrf_token_is_refused(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    response = staff.post(f"{page_url(submission)}/status", data={"move-status": "accepted"})
    assert response.status_code == 400
    db_session.refresh(submission)
    assert submission.status == Status.NEW


def test_changing_the_status_goes_back_to_the_page(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    response = post(staff, submission, "status", "move", status="accepted")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["Location"].endswith(  # type: ignore[attr-defined]
        f"{page_url(submission)}#status-section"
    )
    db_session.refresh(submission)
    assert submission.status == Status.ACCEPTED
    html = staff.get(page_url(submission)).get_data(as_text=True)
    assert "The status has been changed." in html
    assert "New → Accepted" in html


def test_a_refused_status_change_says_why_and_keeps_what_was_typed(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    response = post(
        staff, submission, "status", "move", status="rejected", reason=" ", forwarded_to="Felanm"
    )
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "There is a problem" in html
    assert '<a href="#move-reason">Give a reason for rejecting the submission.</a>' in html
    assert 'value="Felanm"' in html
    db_session.refresh(submission)
    assert submission.status == Status.NEW


def test_a_transition_that_makes_no_sense_is_refused_with_a_clear_message(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    submission.status = Status.WITHDRAWN
    db_session.commit()
    html = staff.get(page_url(submission)).get_data(as_text=True)
    assert "its status can no longer change" in html
    response = post(staff, submission, "status", "move", status="in_review")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "A submission with this status cannot be given that status." in response.get_data(  # type: ignore[attr-defined]
        as_text=True
    )


def test_a_duplicate_is_marked_by_the_originals_case_reference(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    original = SubmissionFactory(category=submission.category, receipt_key=b"k")
    missing = post(staff, submission, "status", "move", status="duplicate", duplicate_of="ZZZZ")
    assert missing.status_code == 422  # type: ignore[attr-defined]
    typed = original.reference.lower().replace("-", " ")
    response = post(staff, submission, "status", "move", status="duplicate", duplicate_of=typed)
    assert response.status_code == 303  # type: ignore[attr-defined]
    db_session.refresh(submission)
    assert submission.duplicate_of_id == original.id
    assert original.reference in staff.get(page_url(submission)).get_data(as_text=True)


def test_classification_saves_category_place_commitment_priority_and_sensitivity(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    graffiti = db_session.scalars(select(Category).filter_by(code="MILJO.GRAFFITI")).one()
    response = post(
        staff,
        submission,
        "classification",
        "classify",
        category=str(graffiti.id),
        place="",
        commitment="",
        priority="3",
        is_sensitive="y",
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    db_session.refresh(submission)
    assert submission.category_id == graffiti.id
    assert submission.submitted_category_id != graffiti.id
    assert (submission.place_id, submission.priority, submission.is_sensitive) == (None, 3, True)


def test_a_category_of_another_municipality_is_refused(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    foreign = CategoryFactory(municipality_id=MunicipalityFactory().id)
    response = post(
        staff, submission, "classification", "classify", category=str(foreign.id), priority="1"
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Choose a value from the list." in response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_assigning_and_tagging(
    staff: FlaskClient, db_session: Session, submission: Submission, moderator: Account
) -> None:
    assert (
        post(staff, submission, "assignee", "assign", assignee=str(moderator.id)).status_code == 303
    )  # type: ignore[attr-defined]
    assert post(staff, submission, "tags", "tags", tags="Kväll, belysning").status_code == 303  # type: ignore[attr-defined]
    db_session.refresh(submission)
    assert submission.assignee_id == moderator.id
    assert [t.name for t in submission.tags] == ["belysning", "kväll"]
    html = staff.get(page_url(submission)).get_data(as_text=True)
    assert 'value="belysning, kväll"' in html


def test_the_public_summary_starts_masked_and_is_masked_again_on_save(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    html = staff.get(page_url(submission)).get_data(as_text=True)
    assert "Ring mig på [phone number] eller [personal identity number]." in html
    response = post(
        staff, submission, "summary", "summary", summary="Mörkt vid Ranten, ring 0701234567."
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    db_session.refresh(submission)
    assert submission.public_summary == "Mörkt vid Ranten, ring [phone number]."
    assert submission.summary_reviewed_at is None


def test_the_summary_section_shows_what_was_masked_and_why(
    staff: FlaskClient, submission: Submission
) -> None:
    html = staff.get(page_url(submission)).get_data(as_text=True)
    section = html[html.index('id="summary-section"') : html.index('id="replies-section"')]
    assert "What was masked and why" in section
    assert "<td>[phone number]</td><td>possible phone number</td>" in section
    assert '<mark class="pii pii-mask" data-kind="phone">[phone number]' in section
    assert '<mark class="pii" data-kind="phone">070-123 45 67' in section
    assert "Save and mark as reviewed" in section and "Save without review" in section


def test_save_and_mark_as_reviewed_publishes_nothing_until_pressed(
    staff: FlaskClient, db_session: Session, submission: Submission, moderator: Account
) -> None:
    post(staff, submission, "summary", "summary", summary="Mörkt vid Ranten.", draft="y")
    db_session.refresh(submission)
    assert submission.summary_reviewed_at is None
    page = staff.get(page_url(submission)).get_data(as_text=True)
    assert "It is not published anywhere" in page
    assert "Withdraw the review" not in page

    response = post(
        staff, submission, "summary", "summary", summary="Mörkt vid Ranten.", review="y"
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    db_session.refresh(submission)
    assert submission.summary_reviewed_by_id == moderator.id
    page = staff.get(page_url(submission)).get_data(as_text=True)
    assert "marked as reviewed. It may now be quoted" in page  # the flash message
    assert f"by {moderator.name} on" in page
    assert "Marked the public summary as reviewed" in page  # the history

    response = post(staff, submission, "summary/review/withdraw", "review")
    assert response.status_code == 303  # type: ignore[attr-defined]
    db_session.refresh(submission)
    assert submission.summary_reviewed_at is None
    assert submission.public_summary == "Mörkt vid Ranten."


def test_editing_a_reviewed_summary_clears_the_review(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    post(staff, submission, "summary", "summary", summary="Mörkt vid Ranten.", review="y")
    post(staff, submission, "summary", "summary", summary="Mörkt vid Ranten, sa en granne.")
    db_session.refresh(submission)
    assert submission.public_summary == "Mörkt vid Ranten, sa en granne."
    assert submission.summary_reviewed_at is None


def test_marking_an_empty_summary_reviewed_rerenders_with_the_error(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    response = post(staff, submission, "summary", "summary", summary="  ", review="y")
    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Write the public summary before you mark it as reviewed." in html
    db_session.refresh(submission)
    assert submission.summary_reviewed_at is None


def test_notes_are_marked_internal_and_never_reach_the_case_page(
    app: Flask, staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    response = post(staff, submission, "notes", "note", body="Känd adress, kolla med polisen.")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert db_session.scalars(select(Note)).one().body == "Känd adress, kolla med polisen."
    html = staff.get(page_url(submission)).get_data(as_text=True)
    notes = html[html.index('id="notes-section"') :]
    assert "Känd adress, kolla med polisen." in notes and "Internal" in notes
    resident = open_case(app)
    assert "Känd adress" not in resident.get("/falkoping/case").get_data(as_text=True)


def open_case(app: Flask) -> FlaskClient:
    resident = app.test_client()
    html = resident.get("/falkoping/case").get_data(as_text=True)
    resident.post("/falkoping/case", data={**hidden_fields(html), "code": CODE})
    return resident


def notices_on_page(client: FlaskClient, submission: Submission) -> str:
    """The list of e-mail notices on the submission's page."""
    html = client.get(page_url(submission)).get_data(as_text=True)
    return html.split("E-mail notices to the submitter")[1].split("</ul>")[0]


def test_a_reply_shows_on_the_case_page_and_reaches_the_submitter_by_email(
    app: Flask,
    staff: FlaskClient,
    db_session: Session,
    submission: Submission,
    smtp_server: tuple[Mailbox, int],
) -> None:
    submission.contact = Contact(
        municipality_id=submission.municipality_id, email="anna@example.se", consent_at=utcnow()
    )
    db_session.commit()
    body = "Tack! Vi har anmält den trasiga belysningen."
    response = post(staff, submission, "replies", "reply", body=body)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert body in open_case(app).get("/falkoping/case").get_data(as_text=True)
    notices = notices_on_page(staff, submission)
    assert ", not sent yet" in notices and "Sent " not in notices

    mailbox, port = smtp_server
    settings = dataclasses.replace(
        app.extensions["dialogue.settings"], smtp_host="127.0.0.1", smtp_port=port
    )
    assert send_pending(db_session, settings, utcnow()).sent == 1
    [message] = mailbox.messages
    text = message.get_content()
    assert message["To"] == "anna@example.se"
    assert submission.reference in message["Subject"]
    assert f"{settings.public_url}/falkoping/case" in text
    assert CODE not in text and "1234 5678" not in text
    assert body not in text
    assert db_session.scalars(select(OutboxMessage)).one().to_address is None
    notices = notices_on_page(staff, submission)
    assert "Sent " in notices and "not sent yet" not in notices


def test_a_reply_without_contact_details_queues_no_email(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    assert post(staff, submission, "replies", "reply", body="Tack!").status_code == 303  # type: ignore[attr-defined]
    assert [r.body for r in db_session.scalars(select(Reply))] == ["Tack!"]
    assert db_session.scalars(select(OutboxMessage)).all() == []


def test_an_empty_reply_is_refused_and_nothing_is_stored(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    response = post(staff, submission, "replies", "reply", body="   ")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Write the reply." in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert db_session.scalars(select(Reply)).all() == []


def test_choosing_a_response_template_fills_the_reply_text(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    template = ResponseTemplate(
        municipality_id=submission.municipality_id,
        category_id=submission.category_id,
        status=Status.NEW,
        locale="sv",
        title="Tack, belysning",
        body="Tack för att du hörde av dig om belysningen.",
    )
    other = MunicipalityFactory()
    foreign = ResponseTemplate(
        municipality_id=other.id, locale="sv", title="Annan", body="Annan kommun"
    )
    db_session.add_all([template, foreign])
    db_session.commit()
    html = staff.get(page_url(submission)).get_data(as_text=True)
    assert re.search(rf'<option value="{template.id}"[^>]*>Tack, belysning</option>', html)
    filled = staff.get(f"{page_url(submission)}?template={template.id}").get_data(as_text=True)
    reply_box = re.search(r'<textarea[^>]*name="reply-body"[^>]*>([^<]*)</textarea>', filled)
    assert reply_box and "Tack för att du hörde av dig om belysningen." in reply_box.group(1)
    assert staff.get(f"{page_url(submission)}?template={foreign.id}").status_code == 404


def test_linking_a_suggested_submission_and_unlinking_it(
    staff: FlaskClient, db_session: Session, submission: Submission
) -> None:
    similar = SubmissionFactory(
        category=submission.category,
        place_id=submission.place_id,
        receipt_key=b"k",
        text="Också mörkt vid Ranten på kvällarna.",
    )
    html = staff.get(page_url(submission)).get_data(as_text=True)
    suggestions = html[html.index("Suggested similar submissions") :]
    assert similar.reference in suggestions and "Same place" in suggestions
    response = post(staff, submission, "cluster", "link", other=similar.reference)
    assert response.status_code == 303  # type: ignore[attr-defined]
    db_session.refresh(submission)
    db_session.refresh(similar)
    assert submission.cluster_id is not None and submission.cluster_id == similar.cluster_id
    assert "In the cluster" in staff.get(page_url(submission)).get_data(as_text=True)
    assert post(staff, submission, "cluster/remove", "unlink").status_code == 303  # type: ignore[attr-defined]
    db_session.refresh(submission)
    db_session.refresh(similar)
    assert (submission.cluster_id, similar.cluster_id) == (None, None)
    assert db_session.get(Submission, similar.id) is not None


def test_linking_to_an_unknown_reference_keeps_it_in_the_field(
    staff: FlaskClient, submission: Submission
) -> None:
    response = post(staff, submission, "cluster", "link", other="QQQQ-QQQQ")
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert 'value="QQQQ-QQQQ"' in html
    assert "Give the case reference of another submission of this municipality." in html


def test_the_history_lists_status_changes_and_audited_changes_with_names(
    staff: FlaskClient, db_session: Session, submission: Submission, moderator: Account
) -> None:
    post(staff, submission, "status", "move", status="in_review")
    post(staff, submission, "assignee", "assign", assignee=str(moderator.id))
    html = staff.get(page_url(submission)).get_data(as_text=True)
    history = html[html.index('id="history-section"') :]
    assert "The submitter" in history
    assert f"{moderator.name}</strong>: Changed the status" in history
    assert "Nobody" not in history
    assert f"– → {moderator.name}" in history
