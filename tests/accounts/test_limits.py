"""Sign-in limits: guessing stays bounded, and no one else's failures lock the owner out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dialogue.accounts.limits import DEVICE_COOKIE
from dialogue.accounts.services import enable_totp
from dialogue.models import Municipality
from dialogue.web.ratelimit import limiter
from tests.helpers import STAFF_PASSWORD, hidden_fields, make_settings, make_staff, migrated_app

OWNER = "moa@falkoping.example"
ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER_DESK = {"REMOTE_ADDR": "198.51.100.20"}


@pytest.fixture(autouse=True)
def restore_limiter(app: Flask) -> Iterator[None]:
    """The limiter object is shared by every app in the process: give it back to the suite's."""
    yield
    limiter.init_app(app)


def limited(database_url: str, tmp_path: Any, **limits: str) -> Flask:
    values = {
        "ratelimit_login": "20 per 15 minutes",
        "ratelimit_login_account": "8 per 15 minutes",
        "ratelimit_login_account_total": "50 per hour",
        **limits,
    }
    return migrated_app(make_settings(database_url, tmp_path, ratelimit_enabled=True, **values))


@pytest.fixture
def owner(db_session: Session, demo: Municipality) -> Any:
    return make_staff(db_session, OWNER, "moderator", municipality_id=demo.id)


def attempt(client: FlaskClient, env: dict[str, str], email: str, password: str) -> int:
    tokens = hidden_fields(client.get("/staff/login").get_data(as_text=True))
    data = {**tokens, "email": email, "password": password}
    return client.post("/staff/login", data=data, environ_base=env).status_code


def test_an_attackers_failures_do_not_stop_the_owner_signing_in_elsewhere(
    database_url: str, tmp_path: Any, owner: Any
) -> None:
    app = limited(database_url, tmp_path)
    attacker, desk = app.test_client(), app.test_client()
    tries = [attempt(attacker, ATTACKER, OWNER, f"gissning {n}") for n in range(12)]
    assert tries == [422] * 8 + [429] * 4
    assert attempt(desk, OWNER_DESK, OWNER, STAFF_PASSWORD) == 303
    assert desk.get("/staff/", follow_redirects=True).status_code == 200


def test_the_guessing_client_stays_limited_even_with_the_right_password(
    database_url: str, tmp_path: Any, owner: Any
) -> None:
    app = limited(database_url, tmp_path)
    attacker = app.test_client()
    for n in range(8):
        attempt(attacker, ATTACKER, OWNER, f"gissning {n}")
    assert attempt(attacker, ATTACKER, OWNER, STAFF_PASSWORD) == 429
    assert attempt(attacker, ATTACKER, f" {OWNER.upper()} ", "x") == 429, "same address"


def test_one_client_trying_many_addresses_meets_the_per_client_limit(
    database_url: str, tmp_path: Any, owner: Any
) -> None:
    app = limited(database_url, tmp_path, ratelimit_login="5 per 15 minutes")
    attacker = app.test_client()
    tries = [attempt(attacker, ATTACKER, f"person{n}@falkoping.example", "x") for n in range(7)]
    assert tries == [422] * 5 + [429] * 2


def test_guessing_from_many_clients_is_bounded_per_account(
    database_url: str, tmp_path: Any, owner: Any
) -> None:
    app = limited(database_url, tmp_path, ratelimit_login_account_total="5 per hour")
    botnet = app.test_client()
    tries = [
        attempt(botnet, {"REMOTE_ADDR": f"192.0.2.{n}"}, OWNER, f"gissning {n}")
        for n in range(1, 30)
    ]
    assert tries.count(422) == 5, "the account got more wrong guesses than its ceiling"
    assert tries[5:] == [429] * 24
    # A browser that never signed in to the account waits too, right password or not.
    assert attempt(app.test_client(), OWNER_DESK, OWNER, STAFF_PASSWORD) == 429


def test_the_owners_own_browser_still_signs_in_when_the_account_ceiling_is_full(
    database_url: str, tmp_path: Any, owner: Any
) -> None:
    app = limited(database_url, tmp_path, ratelimit_login_account_total="5 per hour")
    desk = app.test_client()
    assert attempt(desk, OWNER_DESK, OWNER, STAFF_PASSWORD) == 303
    assert desk.get_cookie(DEVICE_COOKIE, path="/staff") is not None
    desk.post(
        "/staff/logout",
        data=hidden_fields(desk.get("/staff/", follow_redirects=True).get_data(as_text=True)),
    )
    botnet = app.test_client()
    for n in range(1, 10):
        attempt(botnet, {"REMOTE_ADDR": f"192.0.2.{n}"}, OWNER, f"gissning {n}")
    # From another address (a laptop at home), the same browser is still known.
    assert attempt(desk, {"REMOTE_ADDR": "198.51.100.77"}, OWNER, STAFF_PASSWORD) == 303


def test_a_forged_known_device_cookie_does_not_lift_the_account_ceiling(
    database_url: str, tmp_path: Any, owner: Any
) -> None:
    app = limited(database_url, tmp_path, ratelimit_login_account_total="2 per hour")
    botnet = app.test_client()
    botnet.set_cookie(DEVICE_COOKIE, "W10.forged.signature", path="/staff")
    tries = [
        attempt(botnet, {"REMOTE_ADDR": f"192.0.2.{n}"}, OWNER, f"gissning {n}")
        for n in range(1, 6)
    ]
    assert tries == [422, 422, 429, 429, 429]


def test_a_device_known_for_one_account_is_not_known_for_another(
    database_url: str, tmp_path: Any, owner: Any, db_session: Session, demo: Municipality
) -> None:
    make_staff(db_session, "ada@falkoping.example", "admin", municipality_id=demo.id)
    app = limited(database_url, tmp_path, ratelimit_login_account_total="2 per hour")
    browser = app.test_client()
    assert attempt(browser, OWNER_DESK, OWNER, STAFF_PASSWORD) == 303
    tries = [
        attempt(browser, {"REMOTE_ADDR": f"192.0.2.{n}"}, "ada@falkoping.example", "x")
        for n in range(1, 5)
    ]
    assert tries == [422, 422, 429, 429]


def test_wrong_codes_count_for_the_account_whatever_address_the_code_form_carries(
    database_url: str, tmp_path: Any, owner: Any, db_session: Session, app: Flask
) -> None:
    secret = pyotp.random_base32()
    recovery_key = app.extensions["dialogue.keys"].recovery
    enable_totp(db_session, owner, secret, pyotp.TOTP(secret).at(time.time() - 30), recovery_key)
    app = limited(database_url, tmp_path, ratelimit_login_account="3 per 15 minutes")
    thief = app.test_client()  # knows the password, guesses the code
    assert attempt(thief, ATTACKER, OWNER, STAFF_PASSWORD) == 303
    tokens = hidden_fields(thief.get("/staff/login/code").get_data(as_text=True))
    tries = [
        thief.post(
            "/staff/login/code",
            data={**tokens, "code": "000000", "email": f"annan{n}@example.org"},
            environ_base=ATTACKER,
        ).status_code
        for n in range(5)
    ]
    assert tries == [422, 422, 422, 429, 429]
    # The owner, elsewhere, passes both steps.
    desk = app.test_client()
    assert attempt(desk, OWNER_DESK, OWNER, STAFF_PASSWORD) == 303
    tokens = hidden_fields(desk.get("/staff/login/code").get_data(as_text=True))
    code = pyotp.TOTP(secret).now()
    done = desk.post("/staff/login/code", data={**tokens, "code": code}, environ_base=OWNER_DESK)
    assert done.status_code == 303
