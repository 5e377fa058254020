"""What every administration service shares: the permission check, ownership and change lists."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask_babel import get_locale

from dialogue.catalogues import SOURCE_LOCALE
from dialogue.db import DbSession, Localized
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import PlainLazyString, _l
from dialogue.sanitize import clean_line, clean_text


class Owned(Protocol):
    """A record that belongs to exactly one municipality."""

    @property
    def municipality_id(self) -> int: ...


M = TypeVar("M", bound=Owned)
T = TypeVar("T")


def get_owned(session: DbSession, model: type[M], municipality_id: int, object_id: int) -> M:
    """The record with this id in this municipality; NotFoundError for any other."""
    found = session.get(model, object_id)
    if found is None or found.municipality_id != municipality_id:
        raise NotFoundError(object_id)
    return found


def localized_line(value: Mapping[str, str]) -> Localized:
    """One-line text per language, cleaned; languages left empty are dropped."""
    cleaned = {locale: clean_line(text) for locale, text in value.items()}
    return {locale: text for locale, text in cleaned.items() if text}


def localized_text(value: Mapping[str, str]) -> Localized:
    """Like :func:`localized_line`, keeping line breaks."""
    cleaned = {locale: clean_text(text) for locale, text in value.items()}
    return {locale: text for locale, text in cleaned.items() if text}


def missing_locales(value: Mapping[str, str] | None, wanted: Iterable[str]) -> list[str]:
    """The languages of ``wanted`` that ``value`` has no text in."""
    return [locale for locale in wanted if not (value or {}).get(locale)]


def _name_for_reader(locale: str) -> str:
    # Outside any app (a service called from a script) the catalogues' source language reads it.
    reader = get_locale() or Locale.parse(SOURCE_LOCALE)
    return Locale.parse(locale).get_display_name(reader) or locale


def language_for_reader(locale: str) -> PlainLazyString:
    """The name of ``locale``'s language in the reader's language, when the message is read.

    For sentences such as "Give the title in %(language)s." ("svenska", "English").
    """
    return PlainLazyString(_name_for_reader, locale)


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value differs, for the audit trail."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


def assign(
    target: T, values: Mapping[str, Any], snapshot: Callable[[T], Mapping[str, Any]]
) -> dict[str, list[Any]]:
    """Set ``values`` on ``target``; what changed, as ``snapshot`` sees it, for the audit."""
    before = snapshot(target)
    for name, value in values.items():
        setattr(target, name, value)
    return changes(before, snapshot(target))


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """``Stora torget`` → ``stora-torget``: ASCII letters and digits joined by hyphens."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_SLUG.sub("-", ascii_only).strip("-")


def normalize_email(raw: str) -> str:
    """The address as stored: validated, domain lower-cased; InvalidInputError if malformed."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise InvalidInputError({"email": _l("Enter a valid e-mail address.")}) from error
