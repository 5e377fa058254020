"""Dialogue (Trygghetsdialog): citizen feedback around the yearly citizen pledge.

``dialogue:create_app()`` is the WSGI entry point; the factory itself is ``dialogue.app``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogue.resources import resource_path

if TYPE_CHECKING:
    from flask import Flask

    from dialogue.config import Settings

__all__ = ["create_app", "resource_path"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application (see ``dialogue.app.create_app``)."""
    # Imported when called: importing any module of the package (``dialogue.config`` in a
    # migration, say) must not import every feature.
    from dialogue.app import create_app as build  # noqa: PLC0415 (see the comment above)

    return build(settings)
