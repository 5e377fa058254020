"""The translation template is current and every catalogue is complete and compiles."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from dialogue.catalogues import TEMPLATE, build_template, untranslated
from dialogue.resources import resource_path

TRANSLATIONS = resource_path("translations")
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _ids(catalog: object) -> set[str]:
    return {str(m.id) for m in catalog if m.id}  # type: ignore[attr-defined]


def test_template_is_current() -> None:
    with (TRANSLATIONS / TEMPLATE).open("rb") as handle:
        stored = _ids(read_po(handle))
    extracted = _ids(build_template(TRANSLATIONS.parent))
    assert extracted - stored == set(), "run `dialogue translations update`"
    assert stored - extracted == set(), "run `dialogue translations update`"


def test_swedish_and_english_exist() -> None:
    assert {p.parent.parent.name for p in CATALOGUES} >= {"sv", "en"}


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_catalogue_is_complete_and_compiles(po_path: Path) -> None:
    assert untranslated(po_path) == []
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    with (TRANSLATIONS / TEMPLATE).open("rb") as handle:
        assert _ids(catalog) == _ids(read_po(handle))
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
                PLACEHOLDER.findall(str(message.string))
            ), message.id
    write_mo(io.BytesIO(), catalog)
