"""Settings: read once from ``DIALOGUE_*`` environment variables, checked, then frozen.

Every value is parsed and checked when the settings are made: a value the service cannot use
raises :class:`ConfigError`, whose message is one line naming the variable, the value and what
is expected. ``create_app`` turns it into that one line on standard error and a non-zero exit,
so a bad value stops the service and every command before anything runs.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import math
import os
import re
from collections.abc import Callable, Mapping
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app
from limits import parse_many
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from dialogue.resources import resource_path

log = logging.getLogger(__name__)
PRODUCTION = "production"
ENVIRONMENTS = frozenset({"development", PRODUCTION})

PREFIX = "DIALOGUE_"
# Exit status of a process stopped by a bad value. 3 is also what gunicorn's arbiter reads as
# "a worker failed to boot": it stops instead of starting new workers that fail the same way.
CONFIG_ERROR_EXIT = 3


class ConfigError(ValueError):
    """A ``DIALOGUE_*`` value the service cannot use."""

    def __init__(self, name: str, value: Any, expected: str) -> None:
        self.name = name
        self.variable = PREFIX + name.upper()
        self.expected = expected
        super().__init__(f"{self.variable}={_shown(name, value)} is not valid: expected {expected}")


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with; see README.md for each variable."""

    database_url: str | None = None  # None: SQLite in the instance folder
    instance_path: str | None = None
    secret_key: str | None = None  # None: generated once and kept in the instance folder
    ratelimit_storage_uri: str = "memory://"
    ratelimit_enabled: bool = True
    ratelimit_submit: str = "10 per hour;30 per day"
    ratelimit_case_lookup: str = "10 per 10 minutes;50 per day"
    ratelimit_case_update: str = "20 per hour"
    ratelimit_login: str = "20 per 15 minutes"
    ratelimit_login_account: str = "8 per 15 minutes"
    ratelimit_login_account_total: str = "50 per hour;200 per day"
    ratelimit_round_answer: str = "120 per hour"
    staff_idle_minutes: int = 30
    max_content_length: int = 256 * 1024
    max_text_length: int = 4000
    default_locale: str = "sv"
    locales: tuple[str, ...] = ("sv", "en")
    default_timezone: str = "Europe/Stockholm"
    session_cookie_secure: bool = False
    proxy_fix_x_for: int = 0
    reference_cache_seconds: float = 30.0
    contact_retention_days: int = 90
    # Outgoing e-mail (replies to submitters); nothing is sent while smtp_host is empty.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_sender: str = "trygghetsdialog@localhost"
    # The one base of every absolute link the service gives out (e-mails, QR posters, the
    # links shown to staff), e.g. "https://dialog.falkoping.se" or "https://kommun.se/dialog".
    public_url: str = "http://127.0.0.1:5000"
    # Host names requests may carry besides the public URL's own (a load balancer's probe).
    trusted_hosts: tuple[str, ...] = ()
    # "production" refuses what is only safe on one process or one machine (see README.md).
    environment: str = "development"
    testing: bool = False

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            check = _CHECKS.get(field.name)
            if check is not None:
                value = getattr(self, field.name)
                if not check(value):
                    raise ConfigError(field.name, value, EXPECTED[field.name])
        # One spelling of the base, so that links never carry a double slash.
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        if self.limits_unshared and self.environment == PRODUCTION:
            raise ConfigError(
                "ratelimit_storage_uri",
                self.ratelimit_storage_uri,
                "a storage every process shares, such as redis://host:6379/0, when "
                "DIALOGUE_ENVIRONMENT is production",
            )
        if self.default_locale not in self.locales:
            raise ConfigError(
                "default_locale",
                self.default_locale,
                f"one of DIALOGUE_LOCALES ({', '.join(self.locales)})",
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``DIALOGUE_*`` variables; the only reader of the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        known = set()
        for field in dataclasses.fields(cls):
            variable = PREFIX + field.name.upper()
            known.add(variable)
            raw = env.get(variable)
            if raw is not None:
                values[field.name] = _parse(str(field.type), raw, field.name)
        for variable in sorted(set(env) - known):
            if variable.startswith(PREFIX):
                # A warning, not a refusal: platforms set variables of their own under the
                # service's name (Kubernetes adds DIALOGUE_PORT for a service "dialogue").
                log.warning("%s is not a setting of Dialogue and is ignored", variable)
        try:
            return cls(**values)
        except ConfigError as error:
            raw = env.get(error.variable)
            if raw is None:
                raise
            # Name the value as the operator wrote it, not as it was parsed.
            raise ConfigError(error.name, raw, error.expected) from None

    @property
    def limits_unshared(self) -> bool:
        """True when each process counts rate limits on its own (in-memory storage): with N
        worker processes a limit then allows N times what it says."""
        return self.ratelimit_enabled and self.ratelimit_storage_uri.startswith("memory://")

    @property
    def public_base(self) -> SplitResult:
        """The public URL's parts: scheme, host and port, and any path prefix."""
        return urlsplit(self.public_url)

    def allowed_hosts(self) -> list[str]:
        """The Host header values the service answers to: the public URL's host, then more."""
        host = self.public_base.hostname or ""
        return [host, *(name for name in self.trusted_hosts if name != host)]

    def resolved_database_url(self, instance_path: Path) -> str:
        return self.database_url or f"sqlite:///{instance_path / 'dialogue.sqlite3'}"


# What each setting expects, in the words of the error line and of README.md.
EXPECTED: dict[str, str] = {
    "database_url": "an SQLAlchemy database URL such as postgresql+psycopg://user@host/db",
    "instance_path": "a folder path",
    "secret_key": "at least 16 characters",
    "ratelimit_storage_uri": "a storage URI of the limits package, such as memory:// or "
    "redis://host:6379/0",
    "ratelimit_enabled": "true or false",
    "staff_idle_minutes": "a whole number of minutes, at least 1",
    "max_content_length": "a whole number of bytes, at least 1024",
    "max_text_length": "a whole number of characters, at least 1",
    "default_locale": "a language code Babel knows, such as sv",
    "locales": "language codes Babel knows, separated by commas, such as sv,en, each once and "
    "each with a catalogue in translations/",
    "default_timezone": "a time zone name such as Europe/Stockholm",
    "session_cookie_secure": "true or false",
    "proxy_fix_x_for": "a whole number of proxies, 0 or more",
    "reference_cache_seconds": "a number of seconds, 0 or more",
    "contact_retention_days": "a whole number of days, 0 or more",
    "smtp_host": "a host name such as smtp.example.se, or nothing",
    "smtp_port": "a port number from 1 to 65535",
    "smtp_username": "text",
    "smtp_password": "text",
    "smtp_starttls": "true or false",
    "mail_sender": "an e-mail address such as trygghetsdialog@kommun.se",
    "public_url": "an absolute http or https URL without query or fragment, such as "
    "https://dialog.kommun.se or https://kommun.se/dialog",
    "trusted_hosts": "host names separated by commas, such as dialog.kommun.se,10.0.0.5 "
    "(no scheme, no port; .kommun.se allows every subdomain)",
    "environment": "development or production",
    "testing": "true or false",
}
RATE_LIMITS = (
    "ratelimit_submit",
    "ratelimit_case_lookup",
    "ratelimit_case_update",
    "ratelimit_login",
    "ratelimit_login_account",
    "ratelimit_login_account_total",
    "ratelimit_round_answer",
)
EXPECTED.update(
    dict.fromkeys(
        RATE_LIMITS,
        "rate limits of the limits package, such as 10 per hour;30 per day (amounts above 0)",
    )
)

# Values never printed in an error line: keys and passwords.
_SECRET = {"secret_key", "smtp_password"}
_URL_PASSWORD = re.compile(r"(//[^/@:]*:)[^/@]*@")


def _shown(name: str, value: Any) -> str:
    if name in _SECRET:
        return f"<hidden, {len(str(value))} characters>"
    if isinstance(value, str):
        return repr(_URL_PASSWORD.sub(r"\1***@", value))
    if isinstance(value, tuple):
        return repr(",".join(str(part) for part in value))
    return repr(value)


# Parsing the environment's strings -----------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _parse(kind: str, raw: str, name: str) -> Any:
    text = raw.strip()
    if kind == "bool":
        if text.lower() not in _TRUE | _FALSE:
            raise ConfigError(name, raw, EXPECTED[name])
        return text.lower() in _TRUE
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise ConfigError(name, raw, EXPECTED[name]) from None
    if kind == "float":
        try:
            return float(text)
        except ValueError:
            raise ConfigError(name, raw, EXPECTED[name]) from None
    if kind.startswith("tuple"):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if kind == "str | None":
        return text or None  # an empty value means "not set": the default applies
    return text


# Checking the typed values -------------------------------------------------------------------


def _whole(low: int, high: int | None = None) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and value >= low
            and (high is None or value <= high)
        )

    return check


def _boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


def _database_url(value: Any) -> bool:
    try:
        make_url(value).get_dialect()  # an unknown dialect or a missing driver fails here
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError, TypeError):
        return False
    return True


def _storage_uri(value: Any) -> bool:
    if not isinstance(value, str) or "://" not in value:
        return False
    try:
        storage_from_string(value)  # builds a client; nothing connects until it is used
    except (ConfigurationError, ValueError, TypeError):
        return False
    return True


def _rate_limits(value: Any) -> bool:
    try:
        limits = parse_many(value)
    except ValueError:
        return False
    return bool(limits) and all(limit.amount > 0 for limit in limits)


def _locale(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        Locale.parse(value)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def _locales(value: Any) -> bool:
    if not isinstance(value, tuple) or not value or len(set(value)) != len(value):
        return False
    return all(_locale(code) and _has_catalogue(code) for code in value)


def _has_catalogue(code: str) -> bool:

    folder = resource_path("translations") / code / "LC_MESSAGES"
    return (folder / "messages.po").is_file() or (folder / "messages.mo").is_file()


def _timezone(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _seconds(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


_HOST_NAME = re.compile(r"\.?(?!-)[a-z0-9-]+(?<!-)(\.(?!-)[a-z0-9-]+(?<!-))*\.?", re.IGNORECASE)


def _host_name(value: Any) -> bool:
    """A DNS name, an IPv4 address or a bracketed IPv6 address, without scheme or port."""
    if not isinstance(value, str) or not value:
        return False
    if value.startswith("[") and value.endswith("]"):
        try:
            ipaddress.IPv6Address(value[1:-1])
        except ValueError:
            return False
        return True
    return _HOST_NAME.fullmatch(value) is not None


def _hosts(value: Any) -> bool:
    return isinstance(value, tuple) and all(_host_name(name) for name in value)


def _smtp_host(value: Any) -> bool:
    return isinstance(value, str) and (value == "" or _host_name(value))


def _public_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return False
    return (
        parts.scheme in {"http", "https"}
        and bool(parts.hostname)
        and _host_name(_bracketed(parts.hostname or ""))
        and not parts.username
        and not parts.password
        and not parts.query
        and not parts.fragment
        and "?" not in value
        and "#" not in value
    )


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _mail_address(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    _display, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain and " " not in address)


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "database_url": _optional(_database_url),
    "instance_path": _optional(lambda value: isinstance(value, str) and bool(value)),
    "secret_key": _optional(lambda value: isinstance(value, str) and len(value) >= 16),
    "ratelimit_storage_uri": _storage_uri,
    "ratelimit_enabled": _boolean,
    "staff_idle_minutes": _whole(1),
    "max_content_length": _whole(1024),
    "max_text_length": _whole(1),
    "default_locale": _locale,
    "locales": _locales,
    "default_timezone": _timezone,
    "session_cookie_secure": _boolean,
    "proxy_fix_x_for": _whole(0),
    "reference_cache_seconds": _seconds,
    "contact_retention_days": _whole(0),
    "smtp_host": _smtp_host,
    "smtp_port": _whole(1, 65535),
    "smtp_username": _text,
    "smtp_password": _text,
    "smtp_starttls": _boolean,
    "mail_sender": _mail_address,
    "public_url": _public_url,
    "trusted_hosts": _hosts,
    "environment": lambda value: value in ENVIRONMENTS,
    "testing": _boolean,
    **dict.fromkeys(RATE_LIMITS, _rate_limits),
}


EXTENSION_KEY = "dialogue.settings"


def install_settings(app: Flask, settings: Settings) -> None:
    """Make ``settings`` the application's: :func:`current_settings` returns them."""
    app.extensions[EXTENSION_KEY] = settings


def settings_of(app: Flask) -> Settings:
    """The settings ``app`` was made with."""
    settings: Settings = app.extensions[EXTENSION_KEY]
    return settings


def current_settings() -> Settings:
    """The settings of the application handling this request or command."""
    return settings_of(current_app)
