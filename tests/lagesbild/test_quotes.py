"""Quotes for the lägesbild: only accepted input's public summary, chosen by moderators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.lagesbild import quotes
from dialogue.lagesbild.data import Period
from dialogue.models import AuditEvent, Quote, Status
from dialogue.triage.summaries import set_public_summary
from tests.helpers import hidden_fields, make_staff, sign_in
from tests.lagesbild.public_fixtures import RAW_MARKER, SUMMARY, Seeded, live_report, seed

YEAR_2024 = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))


@pytest.fixture
def seeded(app: Flask, db_session: Session) -> Seeded:
    return seed(app, db_session)


def moderator(session: Session, seeded: Seeded) -> Any:
    return make_staff(
        session, "moa@lagesby.example", "moderator", municipality_id=seeded.municipality.id
    )


def test_moderator_chooses_a_quote_and_the_report_shows_its_summary(
    db_session: Session, seeded: Seeded
) -> None:
    account = moderator(db_session, seeded)
    quoted = seeded.submissions[0]
    quotes.choose_quote(
        db_session,
        seeded.municipality.id,
        quoted.id,
        actor=account,
        scope=load_scope(db_session, account),
    )
    chosen = quotes.list_quotes(
        db_session, seeded.municipality.id, scope=load_scope(db_session, account)
    )
    assert [c.submission.id for c in chosen] == [quoted.id]
    report = live_report(db_session, seeded, YEAR_2024)
    assert [q.text for q in report.quotes] == [SUMMARY]
    assert RAW_MARKER not in repr(report.quotes)
    event = db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "lagesbild.quote_chosen")
    )
    assert event is not None and event.object_id == quoted.id


def test_input_without_a_public_summary_cannot_be_quoted(
    db_session: Session, seeded: Seeded
) -> None:
    account = moderator(db_session, seeded)
    with pytest.raises(InvalidInputError):
        quotes.choose_quote(
            db_session,
            seeded.municipality.id,
            seeded.submissions[1].id,
            actor=account,
            scope=load_scope(db_session, account),
        )
    assert db_session.scalar(select(Quote)) is None


def test_input_not_accepted_cannot_be_quoted(db_session: Session, seeded: Seeded) -> None:
    account = moderator(db_session, seeded)
    submission = seeded.submissions[0]
    submission.status = Status.REJECTED
    db_session.commit()
    with pytest.raises(InvalidInputError):
        quotes.choose_quote(
            db_session,
            seeded.municipality.id,
            submission.id,
            actor=account,
            scope=load_scope(db_session, account),
        )


def test_input_of_another_municipality_is_not_found(
    app: Flask, db_session: Session, seeded: Seeded
) -> None:
    other = seed(app, db_session, "annanby")
    account = moderator(db_session, seeded)
    with pytest.raises(NotFoundError):
        quotes.choose_quote(
            db_session,
            seeded.municipality.id,
            other.submissions[0].id,
            actor=account,
            scope=load_scope(db_session, account),
        )


def test_analyst_may_not_choose_quotes(db_session: Session, seeded: Seeded) -> None:
    analyst = make_staff(
        db_session,
        "ana@polisen.example",
        "analyst",
        police_area_id=seeded.municipality.police_area_id,
    )
    with pytest.raises(PermissionDeniedError):
        quotes.choose_quote(
            db_session,
            seeded.municipality.id,
            seeded.submissions[0].id,
            actor=analyst,
            scope=load_scope(db_session, analyst),
        )


def test_removing_a_quote_is_audited(db_session: Session, seeded: Seeded) -> None:
    account = moderator(db_session, seeded)
    scope = load_scope(db_session, account)
    submission_id = seeded.submissions[0].id
    quotes.choose_quote(
        db_session, seeded.municipality.id, submission_id, actor=account, scope=scope
    )
    quotes.unchoose_quote(
        db_session, seeded.municipality.id, submission_id, actor=account, scope=scope
    )
    assert db_session.scalar(select(Quote)) is None
    assert db_session.scalar(
        select(AuditEvent).where(AuditEvent.action == "lagesbild.quote_removed")
    )
    with pytest.raises(InvalidInputError):
        quotes.unchoose_quote(
            db_session, seeded.municipality.id, submission_id, actor=account, scope=scope
        )


def test_candidates_are_accepted_input_of_the_period_with_a_summary(
    db_session: Session, seeded: Seeded
) -> None:
    account = moderator(db_session, seeded)
    seeded.submissions[2].public_summary = "Fler lampor behövs i parken."
    seeded.submissions[2].summary_reviewed_at = dt.datetime(2024, 12, 1, tzinfo=dt.UTC)
    db_session.commit()
    scope = load_scope(db_session, account)
    quotes.choose_quote(
        db_session, seeded.municipality.id, seeded.submissions[2].id, actor=account, scope=scope
    )
    found = quotes.list_candidates(db_session, seeded.municipality, YEAR_2024, scope=scope)
    assert [c.submission.id for c in found] == [seeded.submissions[2].id, seeded.submissions[0].id]
    assert [c.is_chosen for c in found] == [True, False]
    earlier = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert quotes.list_candidates(db_session, seeded.municipality, earlier, scope=scope) == []


def test_quotes_page_adds_and_removes_a_quote(
    client: FlaskClient, db_session: Session, seeded: Seeded, sv: Callable[[str], str]
) -> None:
    moderator(db_session, seeded)
    sign_in(client, "moa@lagesby.example")
    page_url = f"/staff/{seeded.municipality.slug}/lagesbild/quotes?start=2024-01-01&end=2024-12-31"
    page = client.get(page_url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert SUMMARY in html and RAW_MARKER not in html
    submission_id = seeded.submissions[0].id
    base = f"/staff/{seeded.municipality.slug}/lagesbild/quotes/{submission_id}"
    response = client.post(base, data=hidden_fields(html))
    assert response.status_code == 303
    assert db_session.scalar(select(Quote.submission_id)) == submission_id
    html = client.get(page_url).get_data(as_text=True)
    assert sv("Remove the quote") in html
    assert client.post(f"{base}/remove", data=hidden_fields(html)).status_code == 303
    assert db_session.scalar(select(Quote)) is None


def test_analyst_sees_quotes_page_but_cannot_post(
    client: FlaskClient, db_session: Session, seeded: Seeded
) -> None:
    make_staff(
        db_session,
        "ana@polisen.example",
        "analyst",
        police_area_id=seeded.municipality.police_area_id,
    )
    sign_in(client, "ana@polisen.example")
    page = client.get(f"/staff/{seeded.municipality.slug}/lagesbild/quotes")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Quote it" not in html
    url = f"/staff/{seeded.municipality.slug}/lagesbild/quotes/{seeded.submissions[0].id}"
    assert client.post(url, data=hidden_fields(html)).status_code == 403


# Only reviewed summaries


def unreviewed(session: Session, seeded: Seeded, text: str) -> Any:
    """The second submission with a public summary that nobody reviewed."""
    submission = seeded.submissions[1]
    submission.public_summary = text
    session.commit()
    return submission


def test_an_unreviewed_summary_cannot_be_quoted(db_session: Session, seeded: Seeded) -> None:
    account = moderator(db_session, seeded)
    submission = unreviewed(db_session, seeded, "Kalle Andersson säljer knark.")
    with pytest.raises(InvalidInputError) as error:
        quotes.choose_quote(
            db_session,
            seeded.municipality.id,
            submission.id,
            actor=account,
            scope=load_scope(db_session, account),
        )
    assert "is not reviewed, so it cannot be quoted" in str(error.value.errors["submission"])
    assert submission.reference in str(error.value.errors["submission"])
    assert db_session.scalar(select(Quote)) is None


def test_the_quotes_page_refuses_an_unreviewed_summary_with_a_translated_message(
    client: FlaskClient, db_session: Session, seeded: Seeded, sv: Callable[[str], str]
) -> None:
    moderator(db_session, seeded)
    submission = unreviewed(db_session, seeded, "Kalle Andersson säljer knark.")
    sign_in(client, "moa@lagesby.example")
    page_url = f"/staff/{seeded.municipality.slug}/lagesbild/quotes?start=2024-01-01&end=2024-12-31"
    html = client.get(page_url).get_data(as_text=True)
    row = html[html.index(submission.reference) :].split("</tr>", 1)[0]
    assert sv("Not reviewed") in row and sv("Review the summary") in row
    assert sv("Quote it") not in row  # no button to press
    base = f"/staff/{seeded.municipality.slug}/lagesbild/quotes/{submission.id}"
    response = client.post(base, data=hidden_fields(html), follow_redirects=True)
    assert response.status_code == 200
    message = sv(
        "The public summary of %(reference)s is not reviewed, so it cannot be quoted. Read it "
        "on the submission's page and mark it as reviewed first."
    ) % {"reference": submission.reference}
    assert str(escape(message)) in response.get_data(as_text=True)
    assert db_session.scalar(select(Quote)) is None


def test_a_quote_edited_after_it_was_chosen_is_left_out_until_reviewed_again(
    client: FlaskClient, db_session: Session, seeded: Seeded, sv: Callable[[str], str]
) -> None:
    account = moderator(db_session, seeded)
    scope = load_scope(db_session, account)
    quoted = seeded.submissions[0]
    quotes.choose_quote(db_session, seeded.municipality.id, quoted.id, actor=account, scope=scope)
    edited = "Det säljs knark i trapphuset på kvällarna."
    set_public_summary(db_session, quoted, edited, actor=account, scope=scope)

    report = live_report(db_session, seeded, YEAR_2024)
    assert report.quotes == ()
    assert report.quotes_awaiting_review == (quoted.reference,)
    assert quotes.list_quotes(db_session, seeded.municipality.id, scope=scope) == []
    [candidate] = [
        c
        for c in quotes.list_candidates(db_session, seeded.municipality, YEAR_2024, scope=scope)
        if c.submission.id == quoted.id
    ]
    assert candidate.is_chosen and not candidate.is_reviewed

    # The staff report says which chosen quote is left out, and why.
    sign_in(client, "moa@lagesby.example")
    url = f"/staff/{seeded.municipality.slug}/lagesbild?from=2024-01-01&to=2024-12-31"
    html = client.get(url).get_data(as_text=True)
    section = html[html.index('id="quotes"') :].split("</section>", 1)[0]
    assert quoted.reference in section and edited not in section
    assert sv("Review the summary on the submission's page to show the quote again.") in section

    set_public_summary(db_session, quoted, edited, review=True, actor=account, scope=scope)
    report = live_report(db_session, seeded, YEAR_2024)
    assert [q.text for q in report.quotes] == [edited]
    assert report.quotes[0].reviewed_at is not None
    assert report.quotes_awaiting_review == ()
