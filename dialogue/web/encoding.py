"""Form bodies must be UTF-8: anything else is refused with 400 before a view reads it.

Werkzeug would otherwise keep undecodable percent-escapes as literal text or drop the field.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def require_utf8_forms() -> None:
    if request.method not in {"POST", "PUT", "PATCH"} or request.mimetype not in FORM_TYPES:
        return
    body = request.get_data(cache=True)
    if request.mimetype == FORM_TYPES[0]:
        body = unquote_to_bytes(body.replace(b"+", b" "))
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        abort(400)


def init_app(app: Flask) -> None:
    app.before_request(require_utf8_forms)
