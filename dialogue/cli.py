"""The ``dialogue`` command: every operator task, each calling a service."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from dialogue import create_app, resource_path


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False, load_dotenv=False)
def cli() -> None:
    """Dialogue (Trygghetsdialog): run, migrate and manage the service."""


demo = click.Group("demo", help="The Falköping demo data.")
translations = click.Group("translations", help="Extract, update and compile the catalogues.")


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
