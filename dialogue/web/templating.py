"""What every template may use: language, direction, localised content, dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, request, url_for
from flask_babel import format_date, format_decimal, format_time, to_user_timezone

from dialogue.i18n import (
    _,
    current_locale,
    language_name,
    localized,
    supported_locales,
    text_direction,
)
from dialogue.web.theme import accent_colors


def label(value: Any) -> str:
    """Plain text of localised content, for places markup cannot go (options, titles)."""
    if isinstance(value, str):
        return value
    return localized(value).striptags()


def field_attrs(field: Any, hint: Any = None, **attrs: Any) -> dict[str, Any]:
    """HTML attributes for a form control: its classes, hint and error references."""
    described = [f"{field.id}-hint"] if hint else []
    if field.errors:
        described.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
        attrs["class_"] = f"{attrs.get('class_', '')} input-error".strip()
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


def _here() -> str:
    """Where the language switch returns to: this page, or for a posted form the page it was on."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("pages.index")


def _context() -> dict[str, Any]:
    locale = current_locale()
    here = _here()
    return {
        "locale": locale,
        "text_dir": text_direction(locale),
        "tenant": g.get("tenant"),
        "languages": [
            (code, language_name(code), url_for("pages.set_language", code=code, next=here))
            for code in supported_locales()
            if code != locale
        ],
    }


def one_decimal(value: float) -> str:
    """A mean such as 3.25 as the visitor's language writes it: "3,3" in Swedish."""
    return str(format_decimal(value, format="0.0"))


# Dates: one style per kind, the same in every language (docs/contributing.md, "Dates").
# In running text: day, month written out, year ("19 april 2023", "19 April 2023"); with a time
# the 24-hour clock joined by the language's word ("19 april 2023 kl. 20:58"). In tables and
# lists that are scanned or sorted: ISO 8601 ("2023-04-19", "2023-04-19 20:58"). Times show in
# the municipality's time zone (Flask-Babel's timezone selector); dates are calendar dates.
LONG_DATE = "d MMMM y"
SHORT_DATE = "yyyy-MM-dd"
TIME = "HH:mm"
STYLES = ("long", "short")


def _style(style: str | None) -> str:
    chosen = style or "long"
    if chosen not in STYLES:
        raise ValueError(f"date style {style!r}: use one of {STYLES}")
    return chosen


def _as_date(value: dt.date) -> dt.date:
    """A datetime's calendar day where the reader is; a date as it is."""
    if isinstance(value, dt.datetime):
        local: dt.datetime = to_user_timezone(value)
        return local.date()
    return value


def date(value: dt.date | None, style: str | None = None) -> str:
    """A date in running text ("19 april 2023"), or ``"short"`` in tables ("2023-04-19")."""
    if value is None:
        return ""
    pattern = SHORT_DATE if _style(style) == "short" else LONG_DATE
    return str(format_date(_as_date(value), pattern))


def short_date(value: dt.date | None) -> str:
    """A date in a table or list: "2023-04-19"."""
    return date(value, "short")


def clock(value: dt.datetime) -> str:
    """The time of day on the 24-hour clock: "20:58"."""
    return str(format_time(value, TIME))


def datetime(value: dt.datetime | None, style: str | None = None) -> str:
    """A moment in running text ("19 april 2023 kl. 20:58"), or ``"short"`` in tables."""
    if value is None:
        return ""
    if _style(style) == "short":
        return f"{date(value, 'short')} {clock(value)}"
    # Translators: a date and a time of day, e.g. "19 April 2023 at 20:58"; Swedish "kl.".
    return _("%(date)s at %(time)s", date=date(value), time=clock(value))


def short_datetime(value: dt.datetime | None) -> str:
    """A moment in a table or list: "2023-04-19 20:58"."""
    return datetime(value, "short")


DATE_FILTERS: dict[str, Callable[..., Any]] = {
    "date": date,
    "datetime": datetime,
    "short_date": short_date,
    "short_datetime": short_datetime,
    "clock": clock,
}


def init_app(app: Flask, filters: Mapping[str, Callable[..., Any]]) -> None:
    """Register the template helpers: these of web/, and ``filters`` the features offer."""
    app.context_processor(_context)
    app.jinja_env.filters.update(
        loc=localized,
        label=label,
        decimal=one_decimal,
        **DATE_FILTERS,
    )
    app.jinja_env.filters.update(filters)
    app.jinja_env.globals.update(accent_colors=accent_colors, field_attrs=field_attrs)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
