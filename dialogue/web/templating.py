"""What every template may use: language, direction, localised content, dates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, request, url_for
from flask_babel import format_date, format_datetime, format_decimal

from dialogue.i18n import (
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


def init_app(app: Flask, filters: Mapping[str, Callable[..., Any]]) -> None:
    """Register the template helpers: these of web/, and ``filters`` the features offer."""
    app.context_processor(_context)
    app.jinja_env.filters.update(
        loc=localized,
        label=label,
        date=format_date,
        datetime=format_datetime,
        decimal=one_decimal,
    )
    app.jinja_env.filters.update(filters)
    app.jinja_env.globals.update(accent_colors=accent_colors, field_attrs=field_attrs)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
