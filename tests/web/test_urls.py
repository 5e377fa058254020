"""Every absolute link comes from DIALOGUE_PUBLIC_URL, and a forged Host header gets nowhere.

Each route that queues an e-mail is posted twice: once claiming ``Host: evil.example`` (with
the client's own session cookie and CSRF token, as an attacker asking a reset link for someone
else would), which answers 400 and queues nothing, and once as it should be, whose mail links
to the public URL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account
from dialogue.db import utcnow
from dialogue.models import Category, Municipality
from dialogue.outbox.models import OutboxMessage
from dialogue.rounds import tokens
from dialogue.rounds.models import Invitation
from dialogue.submissions.models import Contact, Submission
from dialogue.web.ratelimit import limiter
from dialogue.web.urls import external_url
from tests.factories import OrganisationFactory, SubmissionFactory, valid_org_number
from tests.helpers import PUBLIC_URL, hidden_fields, make_settings, migrated_app, sign_in
from tests.rounds.helpers import Questionnaire, give_open_link, make_questionnaire

FORGED = "evil.example"
PREFIXED_URL = "https://dialog.kommun.example:8443/trygghet"


def forged(client: FlaskClient) -> dict[str, str]:
    """Headers claiming another host, carrying the client's own session cookie."""
    headers = {"Host": FORGED}
    cookie = client.get_cookie("dialogue_session")
    if cookie is not None:
        headers["Cookie"] = f"dialogue_session={cookie.value}"
    return headers


def queued(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def assert_refused(response: Any, session: Session) -> None:
    """400 on the service's own error page, and nothing queued."""
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<h1>" in html and "400" in html
    assert FORGED not in html
    assert queued(session) == []


def csrf(client: FlaskClient, url: str) -> dict[str, str]:
    return hidden_fields(client.get(url).get_data(as_text=True))


@pytest.fixture
def staff_client(client: FlaskClient, moderator: Account) -> FlaskClient:
    sign_in(client, moderator.email)
    return client


@pytest.fixture
def admin_client(client: FlaskClient, administrator: Account) -> FlaskClient:
    sign_in(client, administrator.email)
    return client


# The links themselves ------------------------------------------------------------------------


def test_links_outside_a_request_start_with_the_public_url(app: Flask) -> None:
    with app.app_context():
        link = external_url("accounts.set_password", token="abc")
    assert link == f"{PUBLIC_URL}/staff/set-password/abc"


def test_links_in_a_request_ignore_the_requests_host(app: Flask) -> None:
    with app.test_request_context("/falkoping/places", headers={"Host": "localhost:8080"}):
        link = external_url("intake.new", municipality="falkoping", place="ranten")
    assert link == f"{PUBLIC_URL}/falkoping/submit?place=ranten"


def test_links_keep_a_port_and_a_path_prefix(database_url: str, tmp_path: Path) -> None:
    app = migrated_app(make_settings(database_url, tmp_path, public_url=PREFIXED_URL + "/"))
    with app.app_context():
        link = external_url("answer.start", municipality="falkoping", token="t", _anchor="x")
    assert link == f"{PREFIXED_URL}/falkoping/rounds/t#x"


# Forged hosts -------------------------------------------------------------------------------


def test_a_forged_host_answers_400_on_every_page(
    client: FlaskClient, demo: Municipality, sv: Callable[[str], str]
) -> None:
    notice = sv("This service does not answer at the address you used. Its address is %(address)s.")
    for path in ("/", "/falkoping/submit", "/staff/login", "/no/such/page"):
        response = client.get(path, headers={"Host": FORGED})
        assert response.status_code == 400, path
        html = response.get_data(as_text=True)
        assert "Felkod: 400" in html
        assert notice % {"address": f"{PUBLIC_URL}/"} in html
        assert f'<a href="{PUBLIC_URL}/">' in html  # the way to the right address
    assert client.get("/healthz", headers={"Host": FORGED}).json == {
        "error": "Bad Request",
        "status": 400,
    }


def test_hosts_of_the_public_url_and_the_setting_are_answered(client: FlaskClient) -> None:
    assert client.get("/privacy", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert client.get("/privacy", headers={"Host": "localhost"}).status_code == 200  # trusted


def test_password_reset_with_a_forged_host_queues_nothing(
    client: FlaskClient, db_session: Session, moderator: Account
) -> None:
    data = {**csrf(client, "/staff/password-reset"), "email": moderator.email}

    assert_refused(
        client.post("/staff/password-reset", data=data, headers=forged(client)), db_session
    )

    assert client.post("/staff/password-reset", data=data).status_code == 200
    [mail] = queued(db_session)
    [link] = links_in(mail.body)
    assert link.startswith(f"{PUBLIC_URL}/staff/set-password/")


def test_a_new_account_with_a_forged_host_is_not_made(
    admin_client: FlaskClient, db_session: Session
) -> None:
    url = "/staff/falkoping/admin/accounts/new"
    data = {
        **csrf(admin_client, url),
        "name": "Nils",
        "email": "nils@x.example",
        "role": "moderator",
    }

    assert_refused(admin_client.post(url, data=data, headers=forged(admin_client)), db_session)
    assert db_session.scalar(select(Account).filter_by(email="nils@x.example")) is None

    html = admin_client.post(url, data=data).get_data(as_text=True)
    assert f'value="{PUBLIC_URL}/staff/set-password/' in html


@pytest.fixture
def invited(db_session: Session, demo: Municipality, app: Flask) -> tuple[Questionnaire, str]:
    """An open round with one organisation invited, and the organisation's token."""
    questionnaire = make_questionnaire(db_session, demo)
    salt, token, token_hash = tokens.issue(app.extensions["dialogue.keys"].invitation)
    db_session.add(
        Invitation(
            municipality_id=demo.id,
            round=questionnaire.round,
            organisation=OrganisationFactory(municipality_id=demo.id),
            token_salt=salt,
            token_hash=token_hash,
        )
    )
    db_session.commit()
    return questionnaire, token


@pytest.mark.parametrize("action", ["send", "remind"])
def test_invitations_and_reminders_with_a_forged_host_queue_nothing(
    staff_client: FlaskClient,
    db_session: Session,
    invited: tuple[Questionnaire, str],
    action: str,
) -> None:
    questionnaire, token = invited
    url = f"/staff/falkoping/rounds/{questionnaire.round.id}/invitations"
    data = csrf(staff_client, url)
    if action == "remind":
        staff_client.post(f"{url}/send", data=data)
        invitation = db_session.scalars(select(Invitation)).one()
        invitation.sent_at = utcnow() - dt.timedelta(days=2)  # due for a reminder
        invitation.message_id = None  # the invitation's mail is forgotten below
        db_session.flush()
        db_session.execute(delete(OutboxMessage))
        db_session.commit()

    response = staff_client.post(f"{url}/{action}", data=data, headers=forged(staff_client))
    assert_refused(response, db_session)

    assert staff_client.post(f"{url}/{action}", data=data).status_code == 303
    [mail] = queued(db_session)
    assert links_in(mail.body) == [f"{PUBLIC_URL}/falkoping/rounds/{token}"]


def test_a_reply_with_a_forged_host_queues_no_notice(
    staff_client: FlaskClient, db_session: Session, demo: Municipality, app: Flask
) -> None:
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    receipt_key = app.extensions["dialogue.keys"].receipt
    submission: Submission = SubmissionFactory(category=category, receipt_key=receipt_key)
    submission.contact = Contact(
        municipality_id=demo.id, email="anna@x.example", consent_at=utcnow()
    )
    db_session.commit()
    page = f"/staff/falkoping/submissions/{submission.id}"
    token = csrf(staff_client, page)["csrf_token"]
    data = {"reply-csrf_token": token, "reply-body": "Vi har anmält felet."}

    response = staff_client.post(f"{page}/replies", data=data, headers=forged(staff_client))
    assert_refused(response, db_session)
    assert submission.replies == []

    assert staff_client.post(f"{page}/replies", data=data).status_code == 303
    [mail] = queued(db_session)
    assert links_in(mail.body) == [f"{PUBLIC_URL}/falkoping/case"]


def test_sending_round_answers_with_a_forged_host_queues_no_copy(
    client: FlaskClient, db_session: Session, invited: tuple[Questionnaire, str]
) -> None:
    questionnaire, token = invited
    base = f"/falkoping/rounds/{token}"
    last = f"{base}/step/{questionnaire.steps()}"
    required = {f"q{questionnaire.scale.id}": "5", "move": "next"}
    assert client.post(last, data={**csrf(client, last), **required}).status_code == 303
    data = csrf(client, f"{base}/review")

    assert_refused(client.post(f"{base}/review", data=data, headers=forged(client)), db_session)

    assert client.post(f"{base}/review", data=data).status_code == 303
    [mail] = queued(db_session)
    assert links_in(mail.body) == [f"{PUBLIC_URL}{base}"]


def test_registering_on_the_open_link_with_a_forged_host_queues_nothing(
    client: FlaskClient, db_session: Session, demo: Municipality, app: Flask
) -> None:
    questionnaire = make_questionnaire(db_session, demo)
    key = app.extensions["dialogue.keys"].invitation
    url = f"/falkoping/rounds/open/{give_open_link(db_session, key, questionnaire.round)}"
    data = {
        **csrf(client, url),
        "name": "Caféet vid torget",
        "type": "business",
        "org_number": valid_org_number(556100001),
        "contact_name": "Cia",
        "contact_email": "cia@cafe.example",
    }

    assert_refused(client.post(url, data=data, headers=forged(client)), db_session)
    assert db_session.scalars(select(Invitation)).all() == []

    response = client.post(url, data=data)
    assert response.status_code == 303
    [mail] = queued(db_session)
    assert links_in(mail.body) == [PUBLIC_URL + response.headers["Location"]]


# A public URL with a port and a path prefix -------------------------------------------------


@pytest.fixture
def restore_limiter(app: Flask) -> Iterator[None]:
    """The limiter object is shared by every app in the process: give it back to the suite's."""
    yield
    limiter.init_app(app)


def test_mail_links_keep_the_public_urls_port_and_prefix(
    database_url: str,
    tmp_path: Path,
    db_session: Session,
    moderator: Account,
    restore_limiter: None,
) -> None:
    app = migrated_app(
        make_settings(database_url, tmp_path, public_url=PREFIXED_URL, trusted_hosts=())
    )
    client = app.test_client()
    host = {"Host": "dialog.kommun.example:8443"}
    html = client.get("/staff/password-reset", headers=host).get_data(as_text=True)
    data = {**hidden_fields(html), "email": moderator.email}
    assert (
        client.post("/staff/password-reset", data=data, headers={"Host": "localhost"}).status_code
        == 400
    )
    assert queued(db_session) == []

    assert client.post("/staff/password-reset", data=data, headers=host).status_code == 200
    [mail] = queued(db_session)
    [link] = links_in(mail.body)
    assert link.startswith(f"{PREFIXED_URL}/staff/set-password/")
