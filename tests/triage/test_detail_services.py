from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialogue.accounts.access import Scope, load_scope
from dialogue.accounts.models import Account
from dialogue.audit.models import AuditEvent
from dialogue.db import utcnow
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.models import (
    Category,
    Cluster,
    Contact,
    Municipality,
    Place,
    ResponseTemplate,
    Status,
    Submission,
)
from dialogue.outbox.models import OutboxMessage
from dialogue.submissions.references import normalize_reference
from dialogue.triage.clusters import (
    cluster_title,
    link_to_cluster,
    significant_words,
    suggest_similar,
    text_similarity,
    unlink_from_cluster,
)
from dialogue.triage.notes import MAX_NOTE_LENGTH, add_note
from dialogue.triage.page import load_submission_page
from dialogue.triage.references import StatusRequest, change_status_by_reference
from dialogue.triage.replies import (
    get_response_template,
    list_response_templates,
    reply_to_submitter,
)
from tests.factories import CategoryFactory, MunicipalityFactory, SubmissionFactory
from tests.helpers import make_staff

CASE_LINK = "https://dialog.falkoping.example/falkoping/case"


@pytest.fixture
def light(db_session: Session, demo: Municipality) -> Category:
    return db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()


@pytest.fixture
def ranten(db_session: Session, demo: Municipality) -> Place:
    return db_session.scalars(select(Place).filter_by(slug="ranten")).one()


@pytest.fixture
def submission(light: Category, ranten: Place) -> Submission:
    return SubmissionFactory(
        category=light,
        place_id=ranten.id,
        receipt_key=b"k",
        text="Mörkt i gångtunneln vid Ranten på kvällarna. Ring 070-123 45 67.",
    )


@pytest.fixture
def scope(db_session: Session, moderator: Account) -> Scope:
    return load_scope(db_session, moderator)


def actions(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).filter_by(action=action)))


def analyst_of(session: Session, demo: Municipality) -> tuple[Account, Scope]:
    analyst = make_staff(
        session, "ana@polisen.example", "analyst", police_area_id=demo.police_area_id
    )
    return analyst, load_scope(session, analyst)


def foreign_submission() -> Submission:
    other = MunicipalityFactory()
    category = CategoryFactory(
        municipality_id=other.id, parent=CategoryFactory(municipality_id=other.id)
    )
    return SubmissionFactory(category=category, receipt_key=b"k")


# Notes


def test_a_note_is_stored_cleaned_and_audited(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    note = add_note(
        db_session, submission, " <b>Ring</b> fastighetsägaren ", actor=moderator, scope=scope
    )
    assert (note.body, note.author_id) == ("Ring fastighetsägaren", moderator.id)
    [event] = actions(db_session, "submission.note_added")
    assert (event.object_id, event.details["note_id"]) == (submission.id, note.id)
    assert "Ring" not in str(event.details)


@pytest.mark.parametrize("body", ["", "  \n ", "x" * (MAX_NOTE_LENGTH + 1)])
def test_empty_or_too_long_notes_are_refused(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope, body: str
) -> None:
    with pytest.raises(InvalidInputError, match="body"):
        add_note(db_session, submission, body, actor=moderator, scope=scope)
    assert submission.notes == []


def test_analysts_cannot_write_notes_or_replies(
    db_session: Session, submission: Submission, demo: Municipality
) -> None:
    analyst, scope = analyst_of(db_session, demo)
    with pytest.raises(PermissionDeniedError):
        add_note(db_session, submission, "Hej", actor=analyst, scope=scope)
    with pytest.raises(PermissionDeniedError):
        reply_to_submitter(
            db_session, submission, "Hej", actor=analyst, scope=scope, case_link=CASE_LINK
        )


# Replies


def test_a_reply_without_contact_details_is_stored_and_audited_without_email(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    reply = reply_to_submitter(
        db_session, submission, "Tack!", actor=moderator, scope=scope, case_link=CASE_LINK
    )
    assert [r.body for r in submission.replies] == ["Tack!"] and reply.author_id == moderator.id
    assert db_session.scalars(select(OutboxMessage)).all() == []
    [event] = actions(db_session, "submission.replied")
    assert event.details == {"reply_id": reply.id, "notified": False}


def test_a_reply_queues_a_notice_with_the_case_page_link_and_never_the_code(
    app: Flask, db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    submission.contact = Contact(
        municipality_id=submission.municipality_id, email="anna@example.se", consent_at=utcnow()
    )
    db_session.commit()
    with app.app_context():  # the notice is rendered from templates/mail/reply_notice.txt
        reply_to_submitter(
            db_session,
            submission,
            "Vi har anmält felet.",
            actor=moderator,
            scope=scope,
            case_link=CASE_LINK,
        )
    message = db_session.scalars(select(OutboxMessage)).one()
    assert (message.to_address, message.kind) == ("anna@example.se", "reply_notice")
    assert message.municipality_id == submission.municipality_id
    assert submission.reference in message.subject
    assert CASE_LINK in message.body
    assert "Vi har anmält felet." not in message.body
    assert submission.receipt_hash not in message.body
    assert actions(db_session, "submission.replied")[0].details["notified"] is True


def test_the_notice_is_written_in_the_submissions_language(
    app: Flask, db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    submission.locale = "en"
    submission.contact = Contact(
        municipality_id=submission.municipality_id, email="anna@example.se", consent_at=utcnow()
    )
    db_session.commit()
    with app.test_request_context():
        reply_to_submitter(
            db_session, submission, "Thanks", actor=moderator, scope=scope, case_link=CASE_LINK
        )
    message = db_session.scalars(select(OutboxMessage)).one()
    assert message.subject.startswith("New reply in your case")


def test_an_empty_reply_is_refused(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    with pytest.raises(InvalidInputError, match="body"):
        reply_to_submitter(
            db_session, submission, " ", actor=moderator, scope=scope, case_link=CASE_LINK
        )


def _template(session: Session, municipality_id: int, **fields: object) -> ResponseTemplate:
    values: dict[str, object] = {"locale": "sv", "title": "Mall", "body": "Text"} | fields
    template = ResponseTemplate(municipality_id=municipality_id, **values)
    session.add(template)
    session.commit()
    return template


def test_response_templates_fit_category_status_and_language_most_specific_first(
    db_session: Session, demo: Municipality, light: Category
) -> None:
    general = _template(db_session, demo.id, title="A general")
    for_status = _template(db_session, demo.id, title="B status", status=Status.ACCEPTED)
    for_parent = _template(db_session, demo.id, title="C parent", category_id=light.parent_id)
    exact = _template(
        db_session, demo.id, title="D exact", category_id=light.id, status=Status.ACCEPTED
    )
    _template(db_session, demo.id, title="English", locale="en")
    _template(db_session, demo.id, title="Other status", status=Status.REJECTED)
    graffiti = db_session.scalars(select(Category).filter_by(code="MILJO.GRAFFITI")).one()
    _template(db_session, demo.id, title="Other category", category_id=graffiti.id)
    _template(db_session, MunicipalityFactory().id, title="Other municipality")
    found = list_response_templates(db_session, demo.id, light.id, Status.ACCEPTED, "sv")
    assert found == [exact, for_parent, for_status, general]


def test_a_template_of_another_municipality_is_not_found(
    db_session: Session, demo: Municipality
) -> None:
    foreign = _template(db_session, MunicipalityFactory().id)
    with pytest.raises(NotFoundError):
        get_response_template(db_session, demo.id, foreign.id)


# Status by case reference


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("k7qm-2xhd", "K7QM-2XHD"), (" K7QM 2XHD ", "K7QM-2XHD"), ("K7QM2XHD", "K7QM-2XHD")],
)
def test_references_are_read_however_they_are_typed(typed: str, expected: str) -> None:
    assert normalize_reference(typed) == expected


@pytest.mark.parametrize("typed", ["", "K7QM", "K7QM-2XHD-1"])
def test_things_that_cannot_be_references_are_refused(typed: str) -> None:
    assert normalize_reference(typed) is None


def test_a_duplicate_of_a_submission_of_another_municipality_is_refused(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    foreign = foreign_submission()
    wanted = StatusRequest("duplicate", duplicate_of=foreign.reference)
    with pytest.raises(InvalidInputError, match="duplicate_of"):
        change_status_by_reference(db_session, submission, wanted, actor=moderator, scope=scope)


def test_an_unknown_status_is_refused(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    wanted = StatusRequest("")
    with pytest.raises(InvalidInputError, match="status"):
        change_status_by_reference(db_session, submission, wanted, actor=moderator, scope=scope)


# Similar submissions and clusters


def test_words_are_compared_by_their_stems_without_common_words() -> None:
    words = significant_words("Det är mörkt i gångtunneln och belysningen är trasig")
    assert words == {"mörkt", "gångt", "belys", "trasi"}
    assert text_similarity(words, significant_words("Trasig belysning i gångtunnel")) == 0.75
    assert text_similarity(frozenset(), words) == 0.0


def test_similar_submissions_are_suggested_by_place_category_and_text(
    db_session: Session, submission: Submission, light: Category, ranten: Place
) -> None:
    same_place = SubmissionFactory(
        category=light, place_id=ranten.id, receipt_key=b"k", text="Något helt annat här."
    )
    similar_text = SubmissionFactory(
        category=db_session.scalars(select(Category).filter_by(code="MILJO.GRAFFITI")).one(),
        receipt_key=b"k",
        text="Gångtunneln vid Ranten är mörk på kvällarna.",
    )
    SubmissionFactory(category=light, receipt_key=b"k", text="Cyklar stjäls vid stationen.")
    SubmissionFactory(
        category=light,
        place_id=ranten.id,
        receipt_key=b"k",
        created_at=submission.created_at - dt.timedelta(days=31),
    )
    SubmissionFactory(category=light, place_id=ranten.id, receipt_key=b"k", status=Status.SPAM)
    foreign_submission()
    found = suggest_similar(db_session, submission)
    assert [s.submission for s in found] == [same_place, similar_text]
    assert found[0].same_place and found[0].same_category
    assert found[1].similarity >= 0.2 and not found[1].same_place


def test_a_cluster_title_is_the_reviewed_summary_shortened(
    db_session: Session, submission: Submission
) -> None:
    submission.public_summary = "Mörkt vid Ranten på kvällarna. " * 5
    submission.summary_reviewed_at = utcnow()
    title = cluster_title(submission)
    assert title.startswith("Mörkt vid Ranten på kvällarna.") and title.endswith("…")
    assert len(title) <= 80


def test_linking_starts_a_cluster_titled_by_the_first_submissions_reference_without_review(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    submission.public_summary = "Mörkt vid Ranten, ring Kalle."  # written, not reviewed
    later = SubmissionFactory(
        category=submission.category,
        receipt_key=b"k",
        created_at=submission.created_at + dt.timedelta(hours=1),
    )
    cluster = link_to_cluster(db_session, later, submission.reference, actor=moderator, scope=scope)
    assert cluster.title == cluster_title(submission) == submission.reference
    assert submission.cluster_id == later.cluster_id == cluster.id
    events = actions(db_session, "submission.linked")
    assert sorted(e.object_id for e in events) == sorted([submission.id, later.id])


def test_a_third_submission_joins_the_existing_cluster(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    second, third = (
        SubmissionFactory(category=submission.category, receipt_key=b"k") for _ in range(2)
    )
    cluster = link_to_cluster(
        db_session, submission, second.reference, actor=moderator, scope=scope
    )
    joined = link_to_cluster(db_session, submission, third.reference, actor=moderator, scope=scope)
    assert joined.id == cluster.id == third.cluster_id
    assert db_session.scalar(select(func.count()).select_from(Cluster)) == 1


def test_linking_to_a_submission_in_another_cluster_moves_it_and_dissolves_a_lone_rest(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    a, b, c = (SubmissionFactory(category=submission.category, receipt_key=b"k") for _ in "abc")
    first = link_to_cluster(db_session, submission, a.reference, actor=moderator, scope=scope)
    second = link_to_cluster(db_session, b, c.reference, actor=moderator, scope=scope)
    link_to_cluster(db_session, submission, b.reference, actor=moderator, scope=scope)
    assert submission.cluster_id == second.id
    assert a.cluster_id is None  # left alone in the first cluster, so it was dissolved
    assert db_session.get(Cluster, first.id) is not None  # never deleted


def test_unlinking_changes_nothing_else_and_dissolves_a_pair(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    other = SubmissionFactory(
        category=submission.category, receipt_key=b"k", status=Status.ACCEPTED
    )
    link_to_cluster(db_session, submission, other.reference, actor=moderator, scope=scope)
    count = db_session.scalar(select(func.count()).select_from(Submission))
    unlink_from_cluster(db_session, submission, actor=moderator, scope=scope)
    assert (submission.cluster_id, other.cluster_id) == (None, None)
    assert (submission.status, other.status) == (Status.NEW, Status.ACCEPTED)
    assert db_session.scalar(select(func.count()).select_from(Submission)) == count
    assert sorted(e.object_id for e in actions(db_session, "submission.unlinked")) == sorted(
        [submission.id, other.id]
    )
    with pytest.raises(InvalidInputError, match="cluster"):
        unlink_from_cluster(db_session, submission, actor=moderator, scope=scope)


def test_linking_refuses_itself_foreign_submissions_and_pairs_already_linked(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    other = SubmissionFactory(category=submission.category, receipt_key=b"k")
    for bad in (submission.reference, foreign_submission().reference, "nonsense"):
        with pytest.raises(InvalidInputError, match="other"):
            link_to_cluster(db_session, submission, bad, actor=moderator, scope=scope)
    link_to_cluster(db_session, submission, other.reference, actor=moderator, scope=scope)
    with pytest.raises(InvalidInputError, match="other"):
        link_to_cluster(db_session, other, submission.reference, actor=moderator, scope=scope)


def test_analysts_cannot_link(
    db_session: Session, submission: Submission, demo: Municipality
) -> None:
    other = SubmissionFactory(category=submission.category, receipt_key=b"k")
    analyst, scope = analyst_of(db_session, demo)
    with pytest.raises(PermissionDeniedError):
        link_to_cluster(db_session, submission, other.reference, actor=analyst, scope=scope)


# The page


def test_the_page_of_another_municipality_is_not_found(
    db_session: Session, submission: Submission, scope: Scope, demo: Municipality
) -> None:
    foreign = foreign_submission()
    with pytest.raises(NotFoundError):
        load_submission_page(db_session, scope, demo.id, foreign.id)
    with pytest.raises(NotFoundError):
        load_submission_page(db_session, scope, foreign.municipality_id, foreign.id)


def test_the_page_loads_history_names_and_read_only_for_analysts(
    db_session: Session,
    submission: Submission,
    moderator: Account,
    scope: Scope,
    demo: Municipality,
) -> None:
    add_note(db_session, submission, "Internt", actor=moderator, scope=scope)
    _analyst, analyst_scope = analyst_of(db_session, demo)
    page = load_submission_page(db_session, analyst_scope, demo.id, submission.id)
    assert not page.can_moderate
    assert [e.action for e in page.history] == ["submission.received", "submission.note_added"]
    assert page.name("account", moderator.id) == moderator.name
    assert page.submitted_category == submission.category


def test_the_current_category_is_offered_even_when_it_is_no_longer_active(
    db_session: Session, submission: Submission, scope: Scope, demo: Municipality
) -> None:
    graffiti = db_session.scalars(select(Category).filter_by(code="MILJO.GRAFFITI")).one()
    submission.category.is_active = False
    graffiti.is_active = False
    db_session.commit()
    page = load_submission_page(db_session, scope, demo.id, submission.id)
    offered = {c.id for group in page.options.categories for c in group.options}
    assert submission.category_id in offered
    assert graffiti.id not in offered
