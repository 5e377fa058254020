"""The server decides whether a staff cookie still opens the workspace."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.accounts.administration import deactivate_member
from dialogue.accounts.models import Account, SessionEnd, StaffSession
from dialogue.accounts.services import password_link_token
from dialogue.db import utcnow
from dialogue.models import Municipality
from tests.helpers import hidden_fields, sign_in

WORKSPACE = "/staff/falkoping/"
COOKIE = "dialogue_session"
NEW_PASSWORD = "ett nytt långt och ovanligt lösenord"


def signed_in_browser(app: Flask, account: Account) -> FlaskClient:
    browser = app.test_client()
    assert sign_in(browser, account.email).status_code == 303
    assert browser.get(WORKSPACE).status_code == 200
    return browser


def cookie_of(browser: FlaskClient) -> str:
    cookie = browser.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def sign_out(browser: FlaskClient) -> None:
    tokens = hidden_fields(browser.get("/staff/", follow_redirects=True).get_data(as_text=True))
    assert browser.post("/staff/logout", data=tokens).status_code == 303


def refused(response: object) -> bool:
    """The answer is the redirect to the sign-in page."""
    location = getattr(response, "headers", {}).get("Location", "")
    return getattr(response, "status_code", 0) == 302 and "/staff/login" in location


def replayed(app: Flask, cookie: str) -> FlaskClient:
    """Another browser that presents a copied cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie)
    return thief


def test_a_cookie_copied_before_sign_out_answers_the_sign_in_redirect_after_it(
    app: Flask, client: FlaskClient, moderator: Account
) -> None:
    browser = signed_in_browser(app, moderator)
    copied = cookie_of(browser)
    assert replayed(app, copied).get(WORKSPACE).status_code == 200, "the copy works before"
    sign_out(browser)
    assert refused(replayed(app, copied).get(WORKSPACE))
    assert refused(replayed(app, copied).get("/staff/"))


def test_two_sign_ins_are_two_independent_sessions(
    app: Flask, client: FlaskClient, db_session: Session, moderator: Account
) -> None:
    laptop, phone = signed_in_browser(app, moderator), signed_in_browser(app, moderator)
    rows = db_session.scalars(select(StaffSession).where(StaffSession.account_id == moderator.id))
    assert len({row.token_hash for row in rows}) == 2
    sign_out(laptop)
    assert refused(laptop.get(WORKSPACE))
    assert phone.get(WORKSPACE).status_code == 200, "signing out on one leaves the other"


def test_after_a_password_change_the_other_browsers_cookie_is_refused(
    app: Flask, client: FlaskClient, moderator: Account
) -> None:
    here, there = signed_in_browser(app, moderator), signed_in_browser(app, moderator)
    copied_here = cookie_of(here)
    link = password_link_token(app.extensions["dialogue.keys"].account_link, moderator)
    path = f"/staff/set-password/{link}"
    tokens = hidden_fields(here.get(path).get_data(as_text=True))
    done = here.post(path, data={**tokens, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"].endswith("/staff/")
    assert here.get(WORKSPACE).status_code == 200, "the browser that changed it stays signed in"
    assert refused(there.get(WORKSPACE))
    assert refused(replayed(app, copied_here).get(WORKSPACE)), "the cookie before the change"


def test_a_password_set_from_a_link_while_signed_out_ends_every_session(
    app: Flask, client: FlaskClient, moderator: Account
) -> None:
    browser = signed_in_browser(app, moderator)
    link = password_link_token(app.extensions["dialogue.keys"].account_link, moderator)
    path = f"/staff/set-password/{link}"
    tokens = hidden_fields(client.get(path).get_data(as_text=True))
    done = client.post(path, data={**tokens, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"].endswith("/staff/login")
    assert refused(browser.get(WORKSPACE))


def test_after_deactivation_every_cookie_is_refused(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    demo: Municipality,
    moderator: Account,
    administrator: Account,
) -> None:
    browsers = [signed_in_browser(app, moderator) for _ in range(2)]
    copies = [cookie_of(browser) for browser in browsers]
    scope = load_scope(db_session, administrator)
    deactivate_member(db_session, demo.id, moderator.id, actor=administrator, scope=scope)
    for browser, copy in zip(browsers, copies, strict=True):
        assert refused(browser.get(WORKSPACE))
        assert refused(replayed(app, copy).get(WORKSPACE))
    ends = db_session.scalars(select(StaffSession.end_reason).filter_by(account_id=moderator.id))
    assert set(ends) == {SessionEnd.DEACTIVATED}


def idle_for(session: Session, account: Account, minutes: int) -> None:
    """Move the account's sessions ``minutes`` further into the past."""
    for row in session.scalars(select(StaffSession).filter_by(account_id=account.id)):
        row.last_seen_at -= dt.timedelta(minutes=minutes)
        row.created_at -= dt.timedelta(minutes=minutes)
    session.commit()


FORGERIES: dict[str, Callable[[dict[str, object]], None]] = {
    "fresh timestamp": lambda cookie: cookie.update(staff_seen_at=time.time()),
    "timestamp in the future": lambda cookie: cookie.update(staff_seen_at=time.time() + 86400),
    "no timestamp": lambda cookie: cookie.pop("staff_seen_at", None),
    "untouched": lambda cookie: None,
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_the_idle_limit_holds_on_the_server_whatever_the_cookie_says(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    moderator: Account,
    sv: Callable[[str], str],
    forge: Callable[[dict[str, object]], None],
) -> None:
    browser = signed_in_browser(app, moderator)
    copied = cookie_of(browser)
    idle_for(db_session, moderator, app.extensions["dialogue.settings"].staff_idle_minutes + 1)
    with browser.session_transaction() as cookie:
        forge(cookie)
    response = browser.get(WORKSPACE)
    assert refused(response)
    assert "next=" in response.headers["Location"]
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert sv("You were signed out after a period of inactivity. Sign in again.") in page
    assert refused(replayed(app, copied).get(WORKSPACE)), "the session stays ended"


@pytest.mark.parametrize("path", ["/staff/", "/staff/account/two-factor"])
def test_pages_outside_a_municipality_say_an_idle_session_ended(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    moderator: Account,
    sv: Callable[[str], str],
    path: str,
) -> None:
    browser = signed_in_browser(app, moderator)
    idle_for(db_session, moderator, app.extensions["dialogue.settings"].staff_idle_minutes + 1)
    response = browser.get(path)
    assert refused(response)
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert sv("You were signed out after a period of inactivity. Sign in again.") in page


def test_a_session_used_within_the_idle_limit_goes_on(
    app: Flask, client: FlaskClient, db_session: Session, moderator: Account
) -> None:
    browser = signed_in_browser(app, moderator)
    limit = app.extensions["dialogue.settings"].staff_idle_minutes
    idle_for(db_session, moderator, limit - 1)
    assert browser.get(WORKSPACE).status_code == 200
    seen = db_session.scalars(select(StaffSession.last_seen_at)).one()
    assert utcnow() - seen < dt.timedelta(minutes=1), "the request was noted"
    idle_for(db_session, moderator, 2)
    assert browser.get(WORKSPACE).status_code == 200, "counted from the last request"
