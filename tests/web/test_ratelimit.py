from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dialogue.models import Municipality
from dialogue.web.ratelimit import client_bucket, limiter
from tests.helpers import hidden_fields, make_settings, migrated_app
from tests.intake.test_views import FORM, count, valid_form

REDIS_URL = "redis://127.0.0.1:6379/0"


def limited_app(database_url: str, tmp_path, **limits: str) -> Flask:  # type: ignore[no-untyped-def]
    return migrated_app(make_settings(database_url, tmp_path, ratelimit_enabled=True, **limits))


@pytest.fixture(autouse=True)
def restore_limiter(app: Flask) -> Iterator[None]:
    """The limiter object is shared by every app in the process: give it back to the suite's."""
    yield
    limiter.init_app(app)


@pytest.fixture
def limited_client(
    database_url: str, tmp_path, db_session: Session, demo: Municipality
) -> FlaskClient:  # type: ignore[no-untyped-def]
    app = limited_app(
        database_url, tmp_path, ratelimit_submit="2 per hour", ratelimit_case_lookup="2 per hour"
    )
    return app.test_client()


def test_submitting_too_often_answers_429_with_retry_after(
    limited_client: FlaskClient, db_session: Session
) -> None:
    statuses = [
        limited_client.post(FORM, data=valid_form(limited_client, db_session)).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    response = limited_client.post(FORM, data=valid_form(limited_client, db_session))
    assert int(response.headers["Retry-After"]) > 0
    assert "För många försök" in response.get_data(as_text=True)


def test_language_switch_on_the_form_is_not_counted(
    limited_client: FlaskClient, db_session: Session
) -> None:
    for _ in range(3):
        data = valid_form(limited_client, db_session, language="en")
        assert limited_client.post(FORM, data=data).status_code == 200


def test_wrong_codes_are_limited_and_the_limit_page_reveals_nothing(
    limited_client: FlaskClient,
) -> None:
    def attempt() -> int:
        tokens = hidden_fields(limited_client.get("/falkoping/case").get_data(as_text=True))
        return limited_client.post(
            "/falkoping/case", data={**tokens, "code": "0000 0000 0000 0000"}
        ).status_code

    assert [attempt() for _ in range(3)] == [422, 422, 429]


def test_limits_are_kept_per_client(limited_client: FlaskClient, db_session: Session) -> None:
    other = {"REMOTE_ADDR": "198.51.100.9"}
    for _ in range(2):
        limited_client.post(FORM, data=valid_form(limited_client, db_session))
    data = valid_form(limited_client, db_session)
    assert limited_client.post(FORM, data=data, environ_base=other).status_code == 200


def test_limiter_storage_holds_no_ip_address(
    database_url: str, tmp_path, db_session: Session, demo: Municipality
) -> None:  # type: ignore[no-untyped-def]
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.fail("Redis must run at 127.0.0.1:6379 for the scale-out tests")
    app = limited_app(
        database_url,
        tmp_path,
        ratelimit_storage_uri=REDIS_URL,
        ratelimit_submit="1 per hour",
        secret_key=uuid.uuid4().hex,  # a fresh key space, whatever earlier runs left in Redis
    )
    before = set(server.scan_iter("*"))
    client = app.test_client()
    env = {"REMOTE_ADDR": "203.0.113.45"}
    first = client.post(FORM, data=valid_form(client, db_session), environ_base=env)
    second = client.post(FORM, data=valid_form(client, db_session), environ_base=env)
    written = set(server.scan_iter("*")) - before
    keys = [key.decode() for key in written]
    try:
        assert (first.status_code, second.status_code) == (200, 429)
        assert keys, "the limiter wrote nothing to Redis"
        assert not any("203.0.113.45" in key for key in keys)
    finally:
        for key in written:
            server.delete(key)


def test_a_municipality_can_set_its_own_submit_limit(
    limited_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    demo.submit_rate_limit = "1 per hour"
    db_session.commit()
    statuses = [
        limited_client.post(FORM, data=valid_form(limited_client, db_session)).status_code
        for _ in range(2)
    ]
    assert statuses == [200, 429]


# Buckets per client ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "bucket"),
    [
        ("203.0.113.45", "203.0.113.45"),
        ("::ffff:203.0.113.45", "203.0.113.45"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        (None, "unknown"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_ipv4_clients_are_limited_per_address_and_ipv6_clients_per_64(
    address: str | None, bucket: str
) -> None:
    assert client_bucket(address) == bucket


def test_addresses_of_one_ipv6_64_share_their_limit(
    limited_client: FlaskClient, db_session: Session
) -> None:
    def submit(address: str) -> int:
        data = valid_form(limited_client, db_session)
        return limited_client.post(
            FORM, data=data, environ_base={"REMOTE_ADDR": address}
        ).status_code

    assert submit("2001:db8:1:2::1") == 200
    assert submit("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == 200
    assert submit("2001:db8:1:2::ffff") == 429
    assert submit("2001:db8:1:3::1") == 200  # the next /64 is another subscriber


# Redis unreachable -------------------------------------------------------------------------

CLOSED_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on port 9: refused at once


@pytest.fixture
def revive_limiter() -> Iterator[None]:
    yield
    # The shared limiter remembers a dead storage; the next app in this process has its own.
    limiter._storage_dead = False


def test_an_unreachable_redis_falls_back_to_memory_and_healthz_says_so(
    database_url: str,
    tmp_path,  # type: ignore[no-untyped-def]
    db_session: Session,
    demo: Municipality,
    caplog: pytest.LogCaptureFixture,
    revive_limiter: None,
) -> None:
    app = limited_app(
        database_url, tmp_path, ratelimit_storage_uri=CLOSED_REDIS, ratelimit_submit="1 per hour"
    )
    client = app.test_client()
    assert client.get("/healthz").json == {
        "status": "degraded",
        "database": "ok",
        "ratelimit": "memory-fallback",
    }

    first = client.post(FORM, data=valid_form(client, db_session))
    second = client.post(FORM, data=valid_form(client, db_session))

    assert first.status_code == 200
    assert count(db_session) == 1  # the resident's submission is stored
    assert second.status_code == 429  # the limit still holds, in this process's memory
    assert "falling back to in-memory storage" in caplog.text
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json["status"] == "degraded"


def test_healthz_reports_a_reachable_limiter_storage(
    database_url: str,
    tmp_path,  # type: ignore[no-untyped-def]
    db_session: Session,
) -> None:
    app = limited_app(database_url, tmp_path, ratelimit_storage_uri=REDIS_URL)
    assert app.test_client().get("/healthz").json == {
        "status": "ok",
        "database": "ok",
        "ratelimit": "ok",
    }
