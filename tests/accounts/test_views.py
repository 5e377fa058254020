from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account, StaffSession
from dialogue.accounts.services import account_for_password_link, enable_totp, password_link_token
from dialogue.db import utcnow
from dialogue.errors import NotFoundError
from dialogue.models import Municipality, OutboxMessage
from tests.factories import MunicipalityFactory
from tests.helpers import hidden_fields, make_staff, sign_in


def test_workspace_needs_sign_in(client: FlaskClient, demo: Municipality) -> None:
    response = client.get("/staff/falkoping/")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_sign_in_and_out(client: FlaskClient, moderator: Account) -> None:
    response = sign_in(client, moderator.email)
    assert response.status_code == 303
    assert client.get("/staff/", follow_redirects=True).status_code == 200
    assert client.get("/staff/falkoping/").status_code == 200
    tokens = hidden_fields(client.get("/staff/", follow_redirects=True).get_data(as_text=True))
    client.post("/staff/logout", data=tokens)
    assert client.get("/staff/falkoping/").status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_answer(
    client: FlaskClient, moderator: Account
) -> None:
    wrong = sign_in(client, moderator.email, "fel lösenord igen")
    unknown = sign_in(client, "ingen@falkoping.example")
    assert wrong.status_code == unknown.status_code == 422
    assert "E-postadressen eller lösenordet är fel." in wrong.get_data(as_text=True)
    assert wrong.get_data(as_text=True).count("är fel") == unknown.get_data(as_text=True).count(
        "är fel"
    )


def test_the_session_changes_at_sign_in(client: FlaskClient, moderator: Account) -> None:
    client.get("/staff/login")
    before = client.get_cookie("dialogue_session")
    sign_in(client, moderator.email)
    after = client.get_cookie("dialogue_session")
    assert before is not None and after is not None and before.value != after.value


def test_totp_is_asked_for_when_enabled(
    app: Flask, client: FlaskClient, db_session: Session, moderator: Account
) -> None:
    secret = pyotp.random_base32()
    enable_totp(
        db_session,
        moderator,
        secret,
        pyotp.TOTP(secret).at(time.time() - 30),  # the current code signs in
        app.extensions["dialogue.keys"].recovery,
    )
    response = sign_in(client, moderator.email)
    assert response.headers["Location"].endswith("/staff/login/code")
    assert client.get("/staff/").status_code == 302, "not signed in before the code"
    tokens = hidden_fields(client.get("/staff/login/code").get_data(as_text=True))
    assert client.post("/staff/login/code", data={**tokens, "code": "000000"}).status_code == 422
    done = client.post("/staff/login/code", data={**tokens, "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 303
    assert client.get("/staff/", follow_redirects=True).status_code == 200


def test_municipality_can_require_two_factor(
    client: FlaskClient, db_session: Session, demo: Municipality, moderator: Account
) -> None:
    demo.require_totp = True
    db_session.commit()
    sign_in(client, moderator.email)
    response = client.get("/staff/")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/account/two-factor")
    page = client.get("/staff/account/two-factor").get_data(as_text=True)
    assert "data:image/svg+xml;base64," in page


def test_other_municipalities_answer_404(client: FlaskClient, moderator: Account) -> None:
    other = MunicipalityFactory()
    sign_in(client, moderator.email)
    assert client.get(f"/staff/{other.slug}/").status_code == 404
    assert client.get("/staff/ingen-sadan/").status_code == 404


def test_moderators_cannot_open_administration(client: FlaskClient, moderator: Account) -> None:
    sign_in(client, moderator.email)
    assert client.get("/staff/falkoping/admin/").status_code == 403
    assert client.get("/staff/falkoping/audit").status_code == 403


def test_administrators_can(client: FlaskClient, administrator: Account) -> None:
    sign_in(client, administrator.email)
    assert client.get("/staff/falkoping/admin/").status_code == 200
    assert client.get("/staff/falkoping/audit").status_code == 200


def test_idle_sessions_end(
    app: Flask, client: FlaskClient, db_session: Session, moderator: Account
) -> None:

    sign_in(client, moderator.email)
    long_ago = utcnow() - dt.timedelta(days=1)
    db_session.execute(update(StaffSession).values(last_seen_at=long_ago))
    db_session.commit()
    response = client.get("/staff/falkoping/")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_set_password_link(
    app: Flask, client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "accounts",
            "create",
            "--email",
            "ny@falkoping.example",
            "--role",
            "moderator",
            "--municipality",
            "falkoping",
        ]
    )
    assert result.exit_code == 0, result.output
    link = result.output.strip().split()[-1]
    path = link.replace("http://localhost", "")
    tokens = hidden_fields(client.get(path).get_data(as_text=True))
    new = "ett långt och ovanligt lösenord"
    assert client.post(path, data={**tokens, "password": new, "confirm": new}).status_code == 303
    assert client.get(path).status_code == 404, "the link is spent"
    assert sign_in(client, "ny@falkoping.example", new).status_code == 303


def test_accounts_create_reads_the_password_from_stdin(
    app: Flask, db_session: Session, demo: Municipality
) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "accounts",
            "create",
            "--email",
            "an@polisen.example",
            "--role",
            "analyst",
            "--police-area",
            "ostra-skaraborg",
            "--password-stdin",
        ],
        input="ett långt och ovanligt lösenord\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created an@polisen.example (analyst)." in result.output
    bad = app.test_cli_runner().invoke(
        args=[
            "accounts",
            "create",
            "--email",
            "x@polisen.example",
            "--role",
            "analyst",
            "--police-area",
            "ostra-skaraborg",
            "--password-stdin",
        ],
        input="password123\n",
    )
    assert bad.exit_code != 0


def test_two_factor_requirement_holds_on_every_workspace_page(
    client: FlaskClient, db_session: Session, demo: Municipality, moderator: Account
) -> None:
    demo.require_totp = True
    db_session.commit()
    sign_in(client, moderator.email)
    response = client.get("/staff/falkoping/")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/account/two-factor")


def test_password_reset_mails_a_one_hour_link_and_answers_alike_for_unknown_addresses(
    client: FlaskClient, db_session: Session, moderator: Account, sv: Callable[[str], str]
) -> None:

    tokens = hidden_fields(client.get("/staff/password-reset").get_data(as_text=True))
    known = client.post("/staff/password-reset", data={**tokens, "email": moderator.email})
    unknown = client.post("/staff/password-reset", data={**tokens, "email": "ingen@x.example"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert sv(
        "If there is an account with that address, we will e-mail it a link for setting a new "
        "password. The link works for one hour."
    ) in known.get_data(as_text=True)
    message = db_session.scalars(select(OutboxMessage)).one()
    assert message.to_address == moderator.email and message.municipality_id is None
    link = next(word for word in message.body.split() if "/staff/set-password/" in word)
    path = link.replace("http://localhost", "")
    tokens = hidden_fields(client.get(path).get_data(as_text=True))
    new = "ännu ett långt och ovanligt lösenord"
    assert client.post(path, data={**tokens, "password": new, "confirm": new}).status_code == 303
    assert sign_in(client, moderator.email, new).status_code == 303


def test_reset_links_expire_after_an_hour(db_session: Session, moderator: Account) -> None:

    key = b"k" * 32
    token = password_link_token(key, moderator, reset=True)
    assert account_for_password_link(db_session, key, token) == moderator
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    with pytest.raises(NotFoundError):
        account_for_password_link(db_session, key, token, now=later)


def test_an_analyst_finds_the_report_of_their_police_area_on_the_dashboard(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    make_staff(db_session, "analys@x.example", "analyst", police_area_id=demo.police_area_id)
    sign_in(client, "analys@x.example")
    html = client.get("/staff/", follow_redirects=True).get_data(as_text=True)
    assert f'href="/staff/area/{demo.police_area.slug}/lagesbild"' in html


def test_a_moderator_sees_no_police_area_report(
    client: FlaskClient, db_session: Session, moderator: Account
) -> None:
    sign_in(client, moderator.email)
    assert "/staff/area/" not in client.get("/staff/", follow_redirects=True).get_data(as_text=True)


def _keep_alive(client: FlaskClient, token: str | None) -> Any:
    headers = {"X-CSRFToken": token} if token else {}
    return client.post("/staff/session", headers=headers)


def _csrf(client: FlaskClient) -> str:
    return hidden_fields(client.get("/staff/", follow_redirects=True).get_data(as_text=True))[
        "csrf_token"
    ]


def _seen_ago(db_session: Session, minutes: float) -> dt.datetime:
    """Put the last request of every staff session ``minutes`` back (on the server)."""
    seen = utcnow() - dt.timedelta(minutes=minutes)
    db_session.execute(update(StaffSession).values(last_seen_at=seen))
    db_session.commit()
    return seen


def test_staying_signed_in_starts_the_idle_limit_again(
    client: FlaskClient, db_session: Session, moderator: Account
) -> None:
    sign_in(client, moderator.email)
    token = _csrf(client)
    almost = _seen_ago(db_session, 29)
    response = _keep_alive(client, token)
    assert response.status_code == 200
    assert response.get_json() == {"signed_in": True, "idle_seconds": 30 * 60}
    assert response.headers["Cache-Control"] == "no-store"
    db_session.expire_all()
    seen = db_session.scalars(select(StaffSession.last_seen_at)).one()
    assert seen > almost + dt.timedelta(minutes=1)
    assert client.get("/staff/falkoping/").status_code == 200


def test_staying_signed_in_needs_the_csrf_token(client: FlaskClient, moderator: Account) -> None:
    sign_in(client, moderator.email)
    _csrf(client)
    response = _keep_alive(client, None)
    assert response.status_code == 400
    assert "signed_in" not in response.get_data(as_text=True)


def test_an_ended_session_cannot_be_extended(
    client: FlaskClient, db_session: Session, moderator: Account
) -> None:
    sign_in(client, moderator.email)
    token = _csrf(client)
    _seen_ago(db_session, 60 * 24)
    response = _keep_alive(client, token)
    assert response.status_code == 401
    assert response.get_json() == {"signed_in": False}
    assert client.get("/staff/falkoping/").status_code == 302


def test_workspace_pages_carry_the_idle_warning_and_its_script(
    client: FlaskClient, moderator: Account, sv: Any
) -> None:
    sign_in(client, moderator.email)
    html = client.get("/staff/falkoping/").get_data(as_text=True)
    assert 'role="alertdialog"' in html
    assert 'data-idle-seconds="1800"' in html
    assert 'data-keep-alive-url="/staff/session"' in html
    assert sv("Stay signed in") in html
    assert "js/session.js" in html
    script = client.get("/static/js/session.js")
    assert script.status_code == 200
    assert "X-CSRFToken" in script.get_data(as_text=True)
    script.close()
