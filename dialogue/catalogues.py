"""The gettext catalogues: extract from code and templates, merge, compile.

English is the source language, so its catalogue copies each message id; Swedish and any
further language are translated by people. The template and the catalogues live in the
top-level ``translations/`` folder, the extraction rules in ``babel.cfg`` beside it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

TEMPLATE = "messages.pot"
SOURCE_LOCALE = "en"
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
COMMENT_TAGS = ["Translators:"]


def build_template(root: Path) -> Catalog:
    """A catalogue of every translatable string in ``dialogue/`` and ``templates/``."""
    with (root / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    catalog = Catalog(project="dialogue", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        root,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def extract(directory: Path) -> Path:
    path = directory / TEMPLATE
    with path.open("wb") as handle:
        write_po(handle, build_template(directory.parent), omit_header=False, sort_output=True)
    return path


def update(directory: Path) -> Iterator[Path]:
    """Merge the template into each catalogue; the source language copies message ids."""
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        locale = po_path.parent.parent.name
        # Read afresh each time: Catalog.update shares message objects with the template.
        with (directory / TEMPLATE).open("rb") as handle:
            template = read_po(handle)
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == SOURCE_LOCALE:
            _copy_ids(catalog)
        with po_path.open("wb") as handle:
            write_po(handle, catalog, sort_output=True, ignore_obsolete=True)
        yield po_path


def _copy_ids(catalog: Catalog) -> None:
    for message in catalog:
        if message.pluralizable and not all(message.string or ("",)):
            message.string = tuple(message.id)
        elif message.id and not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")


def compile_all(directory: Path) -> Iterator[Path]:
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        mo_path = po_path.with_suffix(".mo")
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        mo_path.write_bytes(buffer.getvalue())
        yield mo_path


def untranslated(po_path: Path) -> list[str]:
    """Message ids with an empty or fuzzy translation."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    return [
        str(m.id)
        for m in catalog
        if m.id and (not m.string or m.fuzzy or (isinstance(m.string, tuple) and not all(m.string)))
    ]
