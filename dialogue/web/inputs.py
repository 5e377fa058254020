"""Input the service refuses before any view or query sees it.

- Integers in URLs are database ids: the ``int`` converter is bounded to the range of an
  ``INTEGER`` column, so a larger number answers 404 instead of reaching the database (where
  SQLite overflows and PostgreSQL compares out of range).
- Control characters and bytes that are not valid UTF-8 have no place in a path or a query
  string: such a request answers 400 before the municipality is even looked up. Form bodies
  are checked by :class:`dialogue.web.forms.DialogueForm`, which answers with a form error so
  that what was typed stays in the form.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

from dialogue.db import MAX_ID, id_or_none, parse_id

__all__ = ["MAX_ID", "IdConverter", "has_control_characters", "id_or_none", "init_app", "parse_id"]


# Every C0 and C1 control character (tab, CR and LF included: no URL part holds them) and the
# replacement character Werkzeug puts where percent-escapes were not UTF-8.
_URL_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffd]")


class IdConverter(IntegerConverter):
    """``<int:…>``: a non-negative integer no larger than an id column holds; else 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def has_control_characters(value: str) -> bool:
    """True if ``value`` holds a character no path or query string may hold."""
    return bool(_URL_FORBIDDEN.search(value))


def refuse_control_characters(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """400 for a path or query string with control characters, before any lookup by them."""
    if has_control_characters(request.path) or not _is_utf8(request.query_string):
        abort(400)
    for name, value in request.args.items(multi=True):
        if has_control_characters(name) or has_control_characters(value):
            abort(400)


def _is_utf8(query_string: bytes) -> bool:
    # Werkzeug keeps an undecodable escape in a query string as literal text ("%FF").
    try:
        unquote_to_bytes(query_string.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def init_app(app: Flask) -> None:
    """Called before any blueprint is registered, so every ``<int:…>`` route is bounded."""
    app.url_map.converters["int"] = IdConverter
    # App-level URL preprocessors run before the blueprints' (which load the municipality).
    app.url_value_preprocessor(refuse_control_characters)
