"""Settings: read once from ``DIALOGUE_*`` environment variables, then frozen."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PREFIX = "DIALOGUE_"


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
    # The address links in e-mails point to, e.g. "https://dialog.falkoping.se".
    public_url: str = "http://127.0.0.1:5000"
    testing: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``DIALOGUE_*`` variables; the only reader of the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            raw = env.get(PREFIX + field.name.upper())
            if raw is not None:
                values[field.name] = _parse(field.type, raw, field.name)
        return cls(**values)

    def resolved_database_url(self, instance_path: Path) -> str:
        return self.database_url or f"sqlite:///{instance_path / 'dialogue.sqlite3'}"


def _parse(type_name: Any, raw: str, name: str) -> Any:
    kind = str(type_name)
    if kind == "bool":
        lowered = raw.strip().lower()
        if lowered not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            raise ValueError(f"{PREFIX}{name.upper()} must be true or false, not {raw!r}")
        return lowered in {"1", "true", "yes", "on"}
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind.startswith("tuple"):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw
