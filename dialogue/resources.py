"""Where the packaged resource folders (templates, translations, migrations) are."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_path(name: str) -> Path:
    """A top-level resource folder: packaged inside ``dialogue/`` when installed, else beside it."""
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / name
