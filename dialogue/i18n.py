"""Locale and time zone selection, and text in several languages.

Locale precedence: the visitor's explicit choice (kept in the session by the language
switch), then the service default (``DIALOGUE_DEFAULT_LOCALE``, Swedish). Browsers' language
headers are deliberately not followed: a public service answers in its own language until the
visitor asks for another, and every page offers the switch.

Translated text from Python is plain text, never markup. ``_`` returns a ``str`` and ``_l`` a
lazy string that renders escaped, translation and interpolated values alike, so a value from a
request or the database (a CSV cell, a category group's name) cannot become HTML whichever way
the sentence reaches a template: ``{{ }}``, a WTForms label or option, ``Markup % value`` or
``escape()``. Flask-Babel's own lazy strings declare ``__html__`` and so pass as trusted
markup; nothing outside this module may build one (``tests/test_i18n.py`` checks). Sentences that
need markup around a value are written in templates, where Jinja's ``{% trans %}`` and ``_()``
escape the values they interpolate.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from babel import Locale
from flask import g, has_request_context, session
from flask_babel import get_locale, refresh
from flask_babel import gettext as _babel_gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from dialogue.config import current_settings

__all__ = ["_", "_l", "localized", "select_locale", "select_timezone", "text_direction"]

SESSION_KEY = "locale"


def _(string: str, **variables: Any) -> str:
    """``string`` translated into the current locale, ``variables`` interpolated: plain text."""
    return str(_babel_gettext(string, **variables))


class PlainLazyString(LazyString):  # type: ignore[misc]  # Flask-Babel ships no types
    """A sentence translated when used; in HTML it is text, escaped in full."""

    def __html__(self) -> Markup:
        return escape(str(self))


def _l(string: str, **variables: Any) -> PlainLazyString:
    """Like :func:`_`, translated when used (form labels, messages built outside a request)."""
    return PlainLazyString(_, string, **variables)


def supported_locales() -> tuple[str, ...]:
    locales: tuple[str, ...] = current_settings().locales
    return locales


def select_locale() -> str:
    chosen = session.get(SESSION_KEY) if has_request_context() else None
    if chosen in supported_locales():
        return str(chosen)
    default: str = current_settings().default_locale
    return default


def select_timezone() -> str:
    zone: str = g.get("timezone") or current_settings().default_timezone
    return zone


@cache
def text_direction(locale: str) -> str:
    """``rtl`` for right-to-left scripts such as Arabic, else ``ltr``."""
    order = Locale.parse(locale).character_order
    return "rtl" if order == "right-to-left" else "ltr"


@cache
def language_name(locale: str) -> str:
    """A language's name in that language, for the switch ("svenska", "English")."""
    return Locale.parse(locale).get_display_name(locale) or locale


def current_locale() -> str:
    locale = get_locale()
    return str(locale) if locale else select_locale()


def pick(value: Mapping[str, str] | None, locale: str, fallback: str) -> tuple[str, str]:
    """The text of ``value`` in ``locale``, else ``fallback``, else any: (text, its language)."""
    if not value:
        return "", locale
    for candidate in (locale, fallback):
        if value.get(candidate):
            return value[candidate], candidate
    first = next(iter(value))
    return value[first], first


def localized(value: Mapping[str, str] | None) -> Markup:
    """Render localised content, marking a fallback language with ``lang`` for screen readers."""
    locale = current_locale()
    default: str = current_settings().default_locale
    text, lang = pick(value, locale, default)
    if lang == locale:
        return escape(text)
    return Markup('<span lang="{}">{}</span>').format(lang, text)


LANGUAGE_FIELD = "language"


def apply_language_switch(form: Mapping[str, str]) -> bool:
    """Honour a language button posted with a form (so typed text survives); True if pressed."""
    code = form.get(LANGUAGE_FIELD)
    if code is None:
        return False
    if code in supported_locales():
        session[SESSION_KEY] = code
        refresh()
    return True
