"""The ``dialogue`` command: every operator task, each calling a service."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup, ScriptInfo
from flask_babel import force_locale
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from dialogue import create_app
from dialogue.accounts.models import Role
from dialogue.accounts.services import NewAccount, create_account
from dialogue.accounts.sessions import purge_sessions
from dialogue.accounts.workspace import set_password_link
from dialogue.catalogues import SOURCE_LOCALE, compile_all, extract, update
from dialogue.config import current_settings
from dialogue.db import utcnow
from dialogue.demo.samples import load_samples
from dialogue.demo.services import (
    DEMO_ADMIN,
    ensure_demo_administrator,
    load_demo,
    load_demo_municipality,
)
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.municipalities.models import Municipality, PoliceArea
from dialogue.outbox.cli import outbox
from dialogue.resources import resource_path
from dialogue.submissions.services import purge_expired_contacts
from dialogue.web.urls import external_url


class DialogueGroup(FlaskGroup):
    """Flask's command group, which says what to do when the database has no tables yet."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as error:
            if ctx.invoked_subcommand == "db":  # the migrations themselves: their own error
                raise
            app = ctx.ensure_object(ScriptInfo).load_app()
            with app.app_context():
                if not is_migrated(db.engine):
                    raise click.ClickException(NOT_MIGRATED) from error
            raise


NOT_MIGRATED = (
    "The database has no tables yet. Run `dialogue db upgrade` first, then this command again."
)


def is_migrated(engine: Engine) -> bool:
    """Whether ``dialogue db upgrade`` has run on this database."""
    try:
        return inspect(engine).has_table("alembic_version")
    except DBAPIError:
        return True  # the database is unreachable: the original error says so


@click.group(cls=DialogueGroup, create_app=create_app, add_version_option=False, load_dotenv=False)
def cli() -> None:
    """Dialogue (Trygghetsdialog): run, migrate and manage the service."""


demo = AppGroup("demo", help="The Falköping demo data.")
translations = AppGroup("translations", help="Extract, update and compile the catalogues.")
retention = AppGroup("retention", help="Delete personal data that is no longer needed.")
accounts = AppGroup("accounts", help="Staff accounts.")


@accounts.command("create")
@click.option("--email", required=True)
@click.option("--name", default="", help="Shown to colleagues; defaults to the address.")
@click.option("--role", required=True, type=click.Choice(["moderator", "admin", "analyst"]))
@click.option("--municipality", help="Slug of the municipality (moderator, admin).")
@click.option("--police-area", help="Slug of the police area (analyst).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def accounts_create(  # noqa: PLR0917 (click passes every option)
    email: str,
    name: str,
    role: str,
    municipality: str | None,
    police_area: str | None,
    password_stdin: bool,
) -> None:
    """Create an account; without --password-stdin, print a one-time link to set the password."""

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    municipality_id = _id_by_slug(db.session, Municipality, municipality, "--municipality")
    area_id = _id_by_slug(db.session, PoliceArea, police_area, "--police-area")
    try:
        with force_locale(SOURCE_LOCALE):  # the command speaks the catalogues' source language
            account = create_account(
                db.session,
                NewAccount(
                    email=email,
                    name=name,
                    role=Role(role),
                    password=password,
                    municipality_id=municipality_id,
                    police_area_id=area_id,
                ),
            )
    except InvalidInputError as error:
        messages = "; ".join(f"{field}: {message}" for field, message in error.errors.items())
        raise click.ClickException(messages) from error
    click.echo(f"Created {account.email} ({role}).")
    if password is None:
        click.echo(f"Set the password within three days: {set_password_link(account)}")


def _id_by_slug(session: Any, model: Any, slug: str | None, option: str) -> int | None:
    if slug is None:
        return None

    found = session.scalar(select(model.id).where(model.slug == slug))
    if found is None:
        raise click.BadParameter(f"no such slug: {slug}", param_hint=option)
    return int(found)


@retention.command("run")
@click.option(
    "--days", type=click.IntRange(min=0), help="Override DIALOGUE_CONTACT_RETENTION_DAYS."
)
def retention_run(days: int | None) -> None:
    """Delete contact details of cases handled longer ago than the retention period.

    Staff sessions that stopped working more than a day ago are deleted too.
    """

    settings = current_settings()
    period = settings.contact_retention_days if days is None else days
    now = utcnow()
    deleted = purge_expired_contacts(db.session, now, period)
    click.echo(f"Deleted {deleted} contact details of cases handled more than {period} days ago.")
    idle = dt.timedelta(minutes=settings.staff_idle_minutes)
    sessions = purge_sessions(db.session, now, idle)
    click.echo(f"Deleted {sessions} staff sessions that ended more than a day ago.")


@demo.command("load")
@click.option(
    "--samples",
    is_flag=True,
    help="Also add made-up submissions and organisations, so reports have something to show.",
)
def demo_load(samples: bool) -> None:
    """Load the Falköping demo and the default categories (safe to run again).

    The demo pledge's dates move by whole years so that it is in force today.
    """
    today = dt.datetime.now(ZoneInfo(current_settings().default_timezone)).date()
    municipality = load_demo(db.session, today=today)
    click.echo(f"Loaded the demo municipality {municipality.name} ({municipality.slug}).")
    if samples:
        added = load_samples(db.session, municipality, until=today)
        click.echo(f"Added {added} made-up sample submissions." if added else "Samples present.")


@demo.command("admin")
@click.option("--email", default=DEMO_ADMIN, show_default=True, help="The administrator's address.")
def demo_admin(email: str) -> None:
    """Give the demo an administrator and print a one-time link to set its password."""
    municipality = load_demo_municipality(db.session)
    if municipality is None:
        raise click.ClickException("There is no demo yet. Run `dialogue demo load` first.")
    account = ensure_demo_administrator(db.session, municipality, email)
    click.echo(f"Sign in to the staff workspace as {account.email}, administrator of the demo.")
    click.echo(f"Set its password within three days: {set_password_link(account)}")
    click.echo(f"Then sign in at {external_url('accounts.login')}")


@translations.command("extract")
def translations_extract() -> None:
    """Rebuild translations/messages.pot from the code and templates."""
    path = extract(resource_path("translations"))
    click.echo(f"wrote {path}")


@translations.command("update")
def translations_update() -> None:
    """Extract, then merge new strings into every catalogue (English copies the source)."""
    directory = resource_path("translations")
    extract(directory)
    for path in update(directory):
        click.echo(f"updated {path}")


@translations.command("compile")
def translations_compile() -> None:
    """Compile every catalogue to the .mo files the service reads."""
    for path in compile_all(resource_path("translations")):
        click.echo(f"compiled {path}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(translations)
    app.cli.add_command(retention)
    app.cli.add_command(accounts)
    app.cli.add_command(outbox)
