"""Settings: every DIALOGUE_* value is parsed and checked at start-up, or refused in one line."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from dialogue import create_app
from dialogue.app import warn_if_limits_unshared
from dialogue.config import _CHECKS, EXPECTED, ConfigError, Settings
from dialogue.extensions import db


def refusal(**variables: str) -> str:
    environ = {f"DIALOGUE_{name.upper()}": value for name, value in variables.items()}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ)
    return str(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ratelimit_submit", "lots", "rate limits"),
        ("ratelimit_submit", "", "rate limits"),
        ("ratelimit_login", "0 per hour", "amounts above 0"),
        ("ratelimit_case_lookup", "10 per fortnight", "rate limits"),
        ("staff_idle_minutes", "thirty", "whole number of minutes"),
        ("staff_idle_minutes", "0", "at least 1"),
        ("staff_idle_minutes", "-5", "at least 1"),
        ("max_content_length", "1e6", "whole number of bytes"),
        ("max_text_length", "0", "at least 1"),
        ("contact_retention_days", "-1", "0 or more"),
        ("proxy_fix_x_for", "one", "0 or more"),
        ("reference_cache_seconds", "soon", "seconds"),
        ("reference_cache_seconds", "nan", "seconds"),
        ("reference_cache_seconds", "-1", "seconds"),
        ("smtp_port", "0", "1 to 65535"),
        ("smtp_port", "70000", "1 to 65535"),
        ("smtp_port", "smtp", "1 to 65535"),
        ("smtp_host", "smtp://mail.example", "host name"),
        ("smtp_starttls", "maybe", "true or false"),
        ("session_cookie_secure", "ja", "true or false"),
        ("default_timezone", "Europe/Falkoping", "time zone"),
        ("default_timezone", "", "time zone"),
        ("locales", "sv,xx", "language codes"),
        ("locales", "sv,sv", "each once"),
        ("locales", "sv,ar", "catalogue"),
        ("locales", " , ", "language codes"),
        ("default_locale", "klingon", "language code"),
        ("public_url", "dialog.kommun.se", "absolute http or https URL"),
        ("public_url", "ftp://dialog.kommun.se", "absolute http or https URL"),
        ("public_url", "https://dialog.kommun.se:99999", "absolute http or https URL"),
        ("public_url", "https://dialog.kommun.se/?x=1", "without query"),
        ("trusted_hosts", "https://dialog.kommun.se", "host names"),
        ("trusted_hosts", "dialog.kommun.se:443", "no port"),
        ("mail_sender", "trygghetsdialog", "e-mail address"),
        ("database_url", "not a url", "database URL"),
        ("database_url", "nosuchdb://host/db", "database URL"),
        ("ratelimit_storage_uri", "redis-server:6379", "storage URI"),
        ("ratelimit_storage_uri", "carrier-pigeon://loft", "storage URI"),
        ("ratelimit_enabled", "maybe", "true or false"),
    ],
)
def test_a_bad_value_is_refused_naming_variable_value_and_expectation(
    name: str, value: str, expected: str
) -> None:
    message = refusal(**{name: value})
    assert message.startswith(f"DIALOGUE_{name.upper()}={value!r} is not valid: expected ")
    assert expected in message
    assert "\n" not in message


def test_the_default_locale_must_be_one_of_the_locales() -> None:
    message = refusal(locales="en", default_locale="sv")
    assert message == (
        "DIALOGUE_DEFAULT_LOCALE='sv' is not valid: expected one of DIALOGUE_LOCALES (en)"
    )


def test_secrets_are_never_printed() -> None:
    message = refusal(secret_key="kort")
    assert "kort" not in message and "<hidden, 4 characters>" in message
    message = refusal(ratelimit_storage_uri="carrier://user:hemligt@loft:1/0")
    assert "hemligt" not in message and "user:***@loft" in message
    message = refusal(public_url="https://user:hemligt@dialog.kommun.se")
    assert "hemligt" not in message and "DIALOGUE_PUBLIC_URL='https://user:***@dialog" in message


def test_good_values_are_parsed_to_their_types() -> None:
    settings = Settings.from_env(
        {
            "DIALOGUE_RATELIMIT_SUBMIT": "5/minute; 100 per day",
            "DIALOGUE_STAFF_IDLE_MINUTES": " 45 ",
            "DIALOGUE_REFERENCE_CACHE_SECONDS": "2.5",
            "DIALOGUE_SESSION_COOKIE_SECURE": "yes",
            "DIALOGUE_DEFAULT_TIMEZONE": "Europe/Helsinki",
            "DIALOGUE_LOCALES": "en,sv",
            "DIALOGUE_DEFAULT_LOCALE": "en",
            "DIALOGUE_PUBLIC_URL": "https://kommun.example:8443/dialog/",
            "DIALOGUE_TRUSTED_HOSTS": "10.0.0.5, .kommun.example, [::1]",
            "DIALOGUE_SMTP_PORT": "587",
            "DIALOGUE_MAIL_SENDER": "Trygghetsdialog <dialog@kommun.example>",
            "DIALOGUE_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "DIALOGUE_DATABASE_URL": "",  # empty: not set, SQLite in the instance folder
        }
    )
    assert settings.ratelimit_submit == "5/minute; 100 per day"
    assert settings.staff_idle_minutes == 45
    assert settings.reference_cache_seconds == 2.5
    assert settings.session_cookie_secure is True
    assert settings.default_locale == "en"
    assert settings.public_url == "https://kommun.example:8443/dialog"
    assert settings.database_url is None
    assert settings.allowed_hosts() == ["kommun.example", "10.0.0.5", ".kommun.example", "[::1]"]


def test_the_defaults_are_valid_and_trust_only_the_public_urls_host() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.allowed_hosts() == ["127.0.0.1"]


def test_settings_made_in_code_are_checked_too() -> None:
    with pytest.raises(ConfigError, match="DIALOGUE_STAFF_IDLE_MINUTES"):
        Settings(staff_idle_minutes=0)


def test_every_setting_has_a_check_and_an_expectation() -> None:
    names = {field.name for field in dataclasses.fields(Settings)}
    assert names == set(_CHECKS) == set(EXPECTED)


def test_unknown_dialogue_variables_are_warned_about_and_ignored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="dialogue.config"):
        settings = Settings.from_env(
            {"DIALOGUE_RATELIMIT_SUMBIT": "1 per hour", "DIALOGUE_PORT": "tcp://10.0.0.1:80"}
        )
    assert settings.ratelimit_submit == Settings().ratelimit_submit
    assert caplog.messages == [
        "DIALOGUE_PORT is not a setting of Dialogue and is ignored",
        "DIALOGUE_RATELIMIT_SUMBIT is not a setting of Dialogue and is ignored",
    ]


def test_production_refuses_rate_limits_counted_per_process() -> None:
    line = refusal(environment="production")
    assert line.startswith("DIALOGUE_RATELIMIT_STORAGE_URI='memory://' is not valid")
    assert "every process shares" in line


def test_production_accepts_a_shared_storage_or_limits_turned_off() -> None:
    shared = Settings.from_env(
        {
            "DIALOGUE_ENVIRONMENT": "production",
            "DIALOGUE_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        }
    )
    assert not shared.limits_unshared
    off = Settings.from_env(
        {"DIALOGUE_ENVIRONMENT": "production", "DIALOGUE_RATELIMIT_ENABLED": "false"}
    )
    assert not off.limits_unshared


def test_an_unknown_environment_is_refused() -> None:
    assert "development or production" in refusal(environment="prod")


def test_start_up_warns_when_limits_are_counted_per_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="dialogue"):
        warn_if_limits_unshared(Settings())
        warn_if_limits_unshared(Settings(ratelimit_storage_uri="redis://127.0.0.1:6379/0"))
    [record] = caplog.records
    assert "DIALOGUE_RATELIMIT_STORAGE_URI=memory://" in record.getMessage()


def test_the_first_request_says_that_limits_are_counted_per_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = dataclasses.replace(
        Settings(), testing=False, instance_path=str(tmp_path), secret_key="x" * 32
    )
    app = create_app(settings)
    with caplog.at_level(logging.WARNING, logger="dialogue"):
        app.test_client().get("/healthz", base_url="http://127.0.0.1:5000")
        app.test_client().get("/healthz", base_url="http://127.0.0.1:5000")
    with app.app_context():
        db.engine.dispose()
    said = [r for r in caplog.records if "DIALOGUE_RATELIMIT_STORAGE_URI" in r.getMessage()]
    assert len(said) == 1
