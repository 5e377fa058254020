"""The ``dialogue`` command: every operator task, each calling a service."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup

from dialogue import create_app, resource_path


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False, load_dotenv=False)
def cli() -> None:
    """Dialogue (Trygghetsdialog): run, migrate and manage the service."""


demo = AppGroup("demo", help="The Falköping demo data.")
translations = AppGroup("translations", help="Extract, update and compile the catalogues.")
retention = AppGroup("retention", help="Delete personal data that is no longer needed.")


@retention.command("run")
@click.option(
    "--days", type=click.IntRange(min=0), help="Override DIALOGUE_CONTACT_RETENTION_DAYS."
)
def retention_run(days: int | None) -> None:
    """Delete contact details of cases handled longer ago than the retention period."""
    from flask import current_app

    from dialogue.db import utcnow
    from dialogue.extensions import db
    from dialogue.submissions.services import purge_expired_contacts

    settings = current_app.extensions["dialogue.settings"]
    period = settings.contact_retention_days if days is None else days
    deleted = purge_expired_contacts(db.session, utcnow(), period)
    click.echo(f"Deleted {deleted} contact details of cases handled more than {period} days ago.")


@demo.command("load")
def demo_load() -> None:
    """Load the Falköping demo and the default categories (safe to run again)."""
    from dialogue.demo.services import load_demo
    from dialogue.extensions import db

    municipality = load_demo(db.session)
    click.echo(f"Loaded the demo municipality {municipality.name} ({municipality.slug}).")


@translations.command("extract")
def translations_extract() -> None:
    """Rebuild translations/messages.pot from the code and templates."""
    from dialogue.catalogues import extract

    path = extract(resource_path("translations"))
    click.echo(f"wrote {path}")


@translations.command("update")
def translations_update() -> None:
    """Extract, then merge new strings into every catalogue (English copies the source)."""
    from dialogue.catalogues import extract, update

    directory = resource_path("translations")
    extract(directory)
    for path in update(directory):
        click.echo(f"updated {path}")


@translations.command("compile")
def translations_compile() -> None:
    """Compile every catalogue to the .mo files the service reads."""
    from dialogue.catalogues import compile_all

    for path in compile_all(resource_path("translations")):
        click.echo(f"compiled {path}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(translations)
    app.cli.add_command(retention)
