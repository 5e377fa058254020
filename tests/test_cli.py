"""The operator commands."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialogue.accounts.sessions import KEPT_AFTER_END, start_session
from dialogue.config import CONFIG_ERROR_EXIT
from dialogue.db import utcnow
from dialogue.demo.services import CATEGORIES_FILE, DEMO_FILE, load_demo, read_data_file
from dialogue.models import (
    Account,
    Category,
    Commitment,
    Initiative,
    Municipality,
    Place,
    Pledge,
    StaffSession,
)
from tests.helpers import make_settings, migrated_app


def _counts(session: Session) -> dict[str, int]:
    """Rows of the demo municipality (other tests may have left municipalities of their own)."""
    demo = select(Municipality.id).where(Municipality.slug == "falkoping").scalar_subquery()
    counts = {"Municipality": session.scalar(select(func.count()).where(Municipality.id == demo))}
    for model in (Category, Place, Pledge, Commitment, Initiative):
        query = select(func.count()).select_from(model).where(model.municipality_id == demo)
        counts[model.__name__] = session.scalar(query) or 0
    return {name: count or 0 for name, count in counts.items()}


def test_loading_the_demo_twice_changes_nothing(db_session: Session) -> None:
    load_demo(db_session)
    first = _counts(db_session)
    load_demo(db_session)
    assert _counts(db_session) == first
    assert first == {
        "Municipality": 1,
        "Category": 31,
        "Place": 7,
        "Pledge": 1,
        "Commitment": 5,
        "Initiative": 6,
    }


def test_demo_command_reports_what_it_loaded(app: Flask, db_session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Falköpings kommun" in result.output


def test_packaged_demo_data_matches_the_shared_copy() -> None:

    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not shared.is_dir():
        return  # a clone without the shared folder beside it: nothing to compare
    for name in (DEMO_FILE, CATEGORIES_FILE):
        assert read_data_file(name) == (shared / name).read_text(encoding="utf-8"), name


# Start-up with bad configuration ---------------------------------------------------------

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


def run_with(
    tmp_path: Path, command: list[str], **variables: str
) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("DIALOGUE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["DIALOGUE_INSTANCE_PATH"] = str(tmp_path / "instance")
    env.update({f"DIALOGUE_{name.upper()}": value for name, value in variables.items()})
    return subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        [str(BIN / "dialogue"), "demo", "load"],
        [str(BIN / "dialogue"), "--help"],
        [str(BIN / "flask"), "--app", "dialogue", "routes"],
        [sys.executable, "-c", "from dialogue import create_app; create_app()"],  # WSGI servers
    ],
    ids=["dialogue-command", "dialogue-help", "flask-app-factory", "wsgi-create-app"],
)
def test_a_bad_value_stops_every_entry_with_one_line(tmp_path: Path, command: list[str]) -> None:
    result = run_with(tmp_path, command, ratelimit_submit="lots")
    assert result.returncode == CONFIG_ERROR_EXIT
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Dialogue cannot start: DIALOGUE_RATELIMIT_SUBMIT='lots' is not valid: expected rate "
        "limits of the limits package, such as 10 per hour;30 per day (amounts above 0)"
    ]


def test_a_non_numeric_idle_limit_is_named_without_a_traceback(tmp_path: Path) -> None:
    result = run_with(tmp_path, [str(BIN / "dialogue"), "demo", "load"], staff_idle_minutes="30m")
    assert result.returncode == CONFIG_ERROR_EXIT
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "Dialogue cannot start: DIALOGUE_STAFF_IDLE_MINUTES='30m' is not valid: expected a whole "
        "number of minutes, at least 1"
    )


# Links the commands print ----------------------------------------------------------------


def test_the_set_password_link_of_a_new_account_starts_with_the_public_url(
    database_url: str, tmp_path: Path, db_session: Session, demo: Municipality
) -> None:
    public_url = "https://dialog.kommun.example:8443/trygghet"
    app = migrated_app(make_settings(database_url, tmp_path, public_url=public_url))
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
    link = result.output.split("Set the password within three days: ")[1].strip()
    assert link.startswith(f"{public_url}/staff/set-password/")


def test_retention_run_deletes_staff_sessions_that_ended_more_than_a_day_ago(
    app: Flask, db_session: Session, moderator: Account
) -> None:

    key = app.extensions["dialogue.keys"].staff_session
    idle = dt.timedelta(minutes=app.extensions["dialogue.settings"].staff_idle_minutes)
    start_session(db_session, moderator, key, idle)
    start_session(db_session, moderator, key, idle, now=utcnow() - idle - KEPT_AFTER_END * 2)
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 staff sessions that ended more than a day ago." in result.output
    assert db_session.scalar(select(func.count()).select_from(StaffSession)) == 1


# The first minutes: an unmigrated database, the demo's administrator -------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["demo", "load"],
        ["demo", "admin"],
        ["accounts", "create", "--email", "a@falkoping.example", "--role", "analyst"],
        ["outbox", "send"],
        ["retention", "run"],
    ],
    ids=lambda command: " ".join(command[:2]),
)
def test_every_command_on_an_unmigrated_database_says_to_upgrade(
    tmp_path: Path, command: list[str]
) -> None:
    result = run_with(tmp_path, [str(BIN / "dialogue"), *command])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "Error: The database has no tables yet. Run `dialogue db upgrade` first, "
        "then this command again."
    )


def test_demo_admin_prints_a_set_password_link_on_the_public_url_every_time(
    database_url: str, tmp_path: Path, db_session: Session, demo: Municipality
) -> None:
    public_url = "http://127.0.0.1:8123"
    app = migrated_app(make_settings(database_url, tmp_path, public_url=public_url))
    links = []
    for _ in range(2):
        result = app.test_cli_runner().invoke(args=["demo", "admin"])
        assert result.exit_code == 0, result.output
        assert "admin@falkoping.example" in result.output
        links.append(result.output.split("within three days: ")[1].split()[0])
        assert f"Then sign in at {public_url}/staff/login" in result.output
    assert all(link.startswith(f"{public_url}/staff/set-password/") for link in links)
    admins = db_session.scalars(select(Account).where(Account.email == "admin@falkoping.example"))
    assert len(list(admins)) == 1


def test_the_cli_explains_a_password_rule_in_english(
    database_url: str, tmp_path: Path, db_session: Session, demo: Municipality
) -> None:
    app = migrated_app(make_settings(database_url, tmp_path))
    result = app.test_cli_runner().invoke(
        args=[
            *("accounts", "create", "--email", "kerstin@falkoping.example", "--role", "admin"),
            *("--municipality", "falkoping", "--password-stdin"),
        ],
        input="kerstin-is-my-name-2024\n",
    )
    assert result.exit_code == 1
    assert (
        "password: The password must not contain the part of your e-mail address before the @."
        in result.output
    )
