"""Texts of rounds in every configured language: made once per locale, read with a fallback.

The languages are the settings' ``locales``; a text missing in one takes the default locale's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask_babel import force_locale

from dialogue.config import current_settings
from dialogue.db import Localized


def in_every_language(make: Callable[[str], str]) -> Localized:
    """``{locale: make(locale)}`` for every configured locale, each with its translations."""
    texts = {}
    for locale in current_settings().locales:
        with force_locale(locale):
            texts[locale] = make(locale)
    return texts


def text_in(value: Mapping[str, str] | None, locale: str) -> str:
    """A stored text in ``locale``, else in the default locale, else in any language."""
    value = value or {}
    default = current_settings().default_locale
    return value.get(locale) or value.get(default) or next(iter(value.values()), "")


def every_locale_filled(value: Mapping[str, str] | None) -> Localized:
    """``{locale: text}`` for every configured locale, a missing one taking the default locale's
    text (else another configured language's, else any)."""
    value = value or {}
    settings = current_settings()
    order = (settings.default_locale, *settings.locales)
    fallback = next((value[code] for code in order if value.get(code)), "")
    fallback = fallback or next(iter(value.values()), "")
    return {locale: value.get(locale) or fallback for locale in settings.locales}
