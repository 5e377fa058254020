"""Translated sentences are plain text: a value from outside never becomes markup.

The first tests render ``_`` and ``_l`` with markup in their values through every path a
sentence takes to a page. The static checks fail when code builds markup from anything but a
literal, or builds a lazy string that bypasses ``dialogue.i18n``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from markupsafe import Markup, escape
from wtforms import Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from dialogue.i18n import _, _l
from dialogue.triage.forms import QuickSelect

HOSTILE = (
    '<meta http-equiv=refresh content="0;url=http://127.0.0.1:9/">',
    "<script><!--",
    '<form action="http://127.0.0.1:9/"><input name=password></form>',
    "</option></select><img src=x onerror=window.__x=1>",
    "\"'><svg onload=alert(1)>",
)
DIALOGUE = Path(__file__).resolve().parent.parent / "dialogue"


def _renderings(value: object) -> list[str]:
    """``value`` as it reaches HTML: template output, escape(), Markup interpolation, a form."""

    class Filter(Form):
        choice = SelectField(choices=[SelectChoice("1", value)])
        quick = SelectField(choices=[SelectChoice("1", value)], widget=QuickSelect())
        text = StringField(value)

    form = Filter()
    return [
        render_template_string("{{ value }}", value=value),
        render_template_string("{{ _('%(x)s', x=value) }}", value=value),
        str(escape(value)),
        str(Markup("<b>%s</b>") % value),
        str(Markup("<b>{}</b>").format(value)),
        str(form.choice()),
        str(form.quick()),
        str(form.text.label),
    ]


@pytest.mark.parametrize("value", HOSTILE)
def test_lazy_sentence_escapes_an_interpolated_value(app: Flask, value: str) -> None:
    with app.test_request_context():
        sentence = _l("All in %(group)s", group=value)
        for html in _renderings(sentence):
            assert value not in html
            assert "<" + value[1:] not in html
            assert str(escape(value)) in html or str(escape(escape(value))) in html


@pytest.mark.parametrize("value", HOSTILE)
def test_sentence_escapes_an_interpolated_value(app: Flask, value: str) -> None:
    with app.test_request_context():
        sentence = _("All in %(group)s", group=value)
        assert type(sentence) is str
        for html in _renderings(sentence):
            assert value not in html


def test_lazy_sentence_is_translated_when_used(app: Flask) -> None:
    sentence = _l("All in %(group)s", group="<b>")
    with app.test_request_context():
        assert str(sentence) == "Alla i <b>"
        assert sentence.__html__() == "Alla i &lt;b&gt;"


def test_lazy_sentence_without_values_renders_as_before(app: Flask) -> None:
    with app.test_request_context():
        html = render_template_string("{{ value }}", value=_l("Category"))
    assert html == "Kategori"


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(), str(path))) for path in DIALOGUE.rglob("*.py")]


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _literal(node: ast.expr) -> bool:
    """A string written in the source (implicitly concatenated literals are one Constant)."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


# Where code may wrap a non-literal in Markup, and why that value is safe. None today: every
# markup is a literal template whose values go through ``%`` or ``.format``, which escape them.
MARKUP_ALLOWED: dict[str, str] = {}


def test_markup_is_only_built_from_literals() -> None:
    offenders = []
    for path, module in _modules():
        for node in ast.walk(module):
            if not isinstance(node, ast.Call) or _called_name(node) != "Markup":
                continue
            where = f"{path.relative_to(DIALOGUE.parent)}:{node.lineno}"
            if node.args and not _literal(node.args[0]) and where not in MARKUP_ALLOWED:
                offenders.append(where)
    assert offenders == []


def test_no_module_defines_its_own_html_representation_outside_i18n() -> None:
    offenders = [
        f"{path.relative_to(DIALOGUE.parent)}:{node.lineno}"
        for path, module in _modules()
        for node in ast.walk(module)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name == "__html__"
        and path != DIALOGUE / "i18n.py"
    ]
    assert offenders == []


LAZY_BYPASSES = {"lazy_gettext", "lazy_ngettext", "lazy_pgettext", "LazyString", "speaklater"}


def test_lazy_strings_are_only_made_in_i18n() -> None:
    offenders = []
    for path, module in _modules():
        if path == DIALOGUE / "i18n.py":
            continue
        for node in ast.walk(module):
            names: set[str] = set()
            if isinstance(node, ast.ImportFrom):
                names = {alias.name for alias in node.names} | set((node.module or "").split("."))
            elif isinstance(node, ast.Attribute):
                names = {node.attr}
            elif isinstance(node, ast.Name):
                names = {node.id}
            if names & LAZY_BYPASSES:
                offenders.append(f"{path.relative_to(DIALOGUE.parent)}:{node.lineno}")
    assert offenders == []


def test_templates_never_mark_values_safe() -> None:
    templates = DIALOGUE.parent / "templates"
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if "|safe" in path.read_text().replace(" ", "") or "autoescape false" in path.read_text()
    ]
    assert offenders == []
