from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.auditlog.log import Cursor, LogFilter, list_log
from dialogue.models import ActorKind, Category, Municipality, Status, StatusEvent, Submission
from dialogue.triage.notes import add_note
from dialogue.triage.services import StatusChange, assign_submission, change_status
from tests.factories import CategoryFactory, MunicipalityFactory, SubmissionFactory
from tests.helpers import make_staff, sign_in

LOG = "/staff/falkoping/audit"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def submission(db_session: Session, demo: Municipality) -> Submission:
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    return SubmissionFactory(category=category, receipt_key=b"k")


@pytest.fixture
def admin_client(client: FlaskClient, administrator: Account) -> FlaskClient:
    sign_in(client, administrator.email)
    client.get("/language/en")
    return client


def work(session: Session, submission: Submission, account: Account) -> None:
    """A moderator's day: a status change, an assignment and a note."""
    scope = load_scope(session, account)
    change_status(session, submission, StatusChange(Status.IN_REVIEW), actor=account, scope=scope)
    assign_submission(session, submission, account.id, actor=account, scope=scope)
    add_note(session, submission, "Hemligt", actor=account, scope=scope)


def rows(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")] if "<tbody>" in html else ""
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def test_only_administrators_read_the_log(
    client: FlaskClient, db_session: Session, demo: Municipality, moderator: Account
) -> None:
    sign_in(client, moderator.email)
    assert client.get(LOG).status_code == 403
    analyst = make_staff(
        db_session, "ana@polisen.example", "analyst", police_area_id=demo.police_area_id
    )
    other = client.application.test_client()
    sign_in(other, analyst.email)
    assert other.get(LOG).status_code == 403


def test_the_log_names_accounts_and_actions_and_links_the_submission(
    admin_client: FlaskClient, db_session: Session, submission: Submission, moderator: Account
) -> None:
    work(db_session, submission, moderator)
    response = admin_client.get(LOG)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Changed the status" in html and "New → In review" in html
    assert "Wrote an internal note" in html and "Hemligt" not in html
    assert f"– → {moderator.name}" in html
    assert f">{submission.reference}</a>" in html
    assert html.count('method="post"') == 1  # signing out; nothing here changes anything


def test_events_of_other_municipalities_are_not_shown(
    admin_client: FlaskClient, db_session: Session, submission: Submission
) -> None:
    other = MunicipalityFactory()
    stranger = make_staff(db_session, "xavier@annan.example", "moderator", municipality_id=other.id)
    foreign = SubmissionFactory(
        category=CategoryFactory(
            municipality_id=other.id, parent=CategoryFactory(municipality_id=other.id)
        ),
        receipt_key=b"k",
    )
    work(db_session, foreign, stranger)
    html = admin_client.get(LOG).get_data(as_text=True)
    assert foreign.reference not in html
    assert stranger.name not in html


def test_filtering_by_account_shows_only_that_accounts_changes(
    admin_client: FlaskClient,
    db_session: Session,
    demo: Municipality,
    submission: Submission,
    moderator: Account,
) -> None:
    colleague = make_staff(
        db_session, "kim@falkoping.example", "moderator", municipality_id=demo.id
    )
    work(db_session, submission, moderator)
    second = SubmissionFactory(category=submission.category, receipt_key=b"k")
    work(db_session, second, colleague)
    html = admin_client.get(LOG).get_data(as_text=True)
    assert f'<option value="{colleague.id}">{colleague.name}</option>' in html
    filtered = admin_client.get(f"{LOG}?account={colleague.id}").get_data(as_text=True)
    assert len(rows(filtered)) == 3
    assert second.reference in filtered and f">{submission.reference}<" not in filtered


def test_filtering_by_case_reference(
    admin_client: FlaskClient, db_session: Session, submission: Submission, moderator: Account
) -> None:
    work(db_session, submission, moderator)
    second = SubmissionFactory(category=submission.category, receipt_key=b"k")
    work(db_session, second, moderator)
    typed = second.reference.lower()
    html = admin_client.get(f"{LOG}?reference={typed}").get_data(as_text=True)
    assert len(rows(html)) == 4  # received, status, assignment, note
    assert f">{submission.reference}<" not in html


def test_an_unknown_reference_or_date_is_explained(admin_client: FlaskClient) -> None:
    response = admin_client.get(f"{LOG}?reference=QQQQ-QQQQ")
    assert response.status_code == 422
    assert "No submission of this municipality has that case reference." in response.get_data(
        as_text=True
    )
    response = admin_client.get(f"{LOG}?since=31/31/2024")
    assert response.status_code == 422
    assert "Enter the date as year-month-day" in response.get_data(as_text=True)
    response = admin_client.get(f"{LOG}?since=2024-05-02&until=2024-05-01")
    assert "The end date must be on or after the start date." in response.get_data(as_text=True)


def _event_at(session: Session, municipality: Municipality, at: dt.datetime, action: str) -> None:
    event = record(session, None, action, Target(None, None, municipality.id))
    event.created_at = at
    session.commit()


def test_dates_are_local_days_of_the_municipality(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    late_evening = dt.datetime(2024, 5, 1, 23, 30, tzinfo=STOCKHOLM)
    after_midnight = dt.datetime(2024, 5, 2, 0, 30, tzinfo=STOCKHOLM)  # still 1 May in UTC
    _event_at(db_session, demo, late_evening.astimezone(dt.UTC), "account.totp_enabled")
    _event_at(db_session, demo, after_midnight.astimezone(dt.UTC), "account.password_changed")
    html = admin_client.get(f"{LOG}?since=2024-05-01&until=2024-05-01").get_data(as_text=True)
    assert "Turned on two-factor sign-in" in html
    assert "Changed the password" not in html
    html = admin_client.get(f"{LOG}?since=2024-05-02").get_data(as_text=True)
    assert "Changed the password" in html and "Turned on two-factor" not in html


def test_older_events_are_reached_page_by_page_with_the_filters_kept(
    admin_client: FlaskClient,
    db_session: Session,
    submission: Submission,
    moderator: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("dialogue.auditlog.log.PAGE_SIZE", 2)
    work(db_session, submission, moderator)
    url: str | None = f"{LOG}?account={moderator.id}"
    seen: list[str] = []
    while url:
        html = admin_client.get(url).get_data(as_text=True)
        seen += rows(html)
        found = re.search(r'<a href="([^"]+)" rel="next">Older events</a>', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            assert f"account={moderator.id}" in url
    assert len(seen) == 3 == len(set(seen))


def test_paging_never_skips_or_repeats_events_that_share_a_timestamp(
    db_session: Session, submission: Submission, demo: Municipality
) -> None:
    at = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
    for action in ("a.one", "a.two", "a.three"):
        _event_at(db_session, demo, at, action)
    for _ in range(2):
        db_session.add(
            StatusEvent(
                municipality_id=demo.id,
                submission_id=submission.id,
                actor_kind=ActorKind.SYSTEM,
                to_status=Status.NEW,
                created_at=at,
            )
        )
    db_session.commit()
    wanted = LogFilter(municipality_id=demo.id, until=at + dt.timedelta(seconds=1))
    seen: list[tuple[str, int]] = []
    cursor: Cursor | None = None
    while True:
        page = list_log(db_session, LogFilter(**{**wanted.__dict__, "before": cursor}), 2)
        seen += [(type(e.event).__name__, e.event.id) for e in page.entries]
        if page.older is None:
            break
        cursor = Cursor.decode(page.older.encode())
    assert len(seen) == 5 == len(set(seen))


def test_a_malformed_cursor_shows_the_first_page() -> None:
    assert Cursor.decode("nonsense") is None
    assert Cursor.decode("2024-05-01T12:00:00~audit~1") is None  # no time zone
    assert Cursor.decode("2024-05-01T12:00:00+00:00~other~1") is None
    decoded = Cursor.decode("2024-05-01T14:00:00+02:00~status~7")
    assert decoded == Cursor(dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC), "status", 7)
