"""Named errors raised by services, and the HTML/JSON answers for every failure."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

log = logging.getLogger(__name__)


class DialogueError(Exception):
    """Base of every error a service raises on purpose; nothing is committed when it is raised."""

    status_code = 400


class NotFoundError(DialogueError):
    status_code = 404


class InvalidInputError(DialogueError):
    """Input that failed a rule: ``errors`` maps a form field to a translated message."""

    status_code = 422

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("invalid: " + ", ".join(errors))
        self.errors = dict(errors)


class DatabaseUnavailableError(DialogueError):
    status_code = 503


ERROR_CODES = (400, 403, 404, 405, 413, 429, 500, 503)


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/healthz")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def render_error(error: HTTPException) -> tuple[Response | str, int]:
    code = error.code or 500
    if wants_json():
        return jsonify(error=error.name, status=code), code
    return render_template("errors/error.html", code=code), code


def handle_http_error(error: HTTPException) -> Response:
    body, code = render_error(error)
    response = error.get_response() if code == 405 else None
    rendered = Response(body, status=code) if isinstance(body, str) else body
    rendered.status_code = code
    if response is not None and "Allow" in response.headers:
        rendered.headers["Allow"] = response.headers["Allow"]
    retry_after = getattr(error, "retry_after", None)
    if code == 429:
        rendered.headers["Retry-After"] = str(retry_after or 60)
    return rendered


def handle_database_error(error: DBAPIError) -> Response:
    log.exception("database unavailable", exc_info=error)
    return handle_http_error(ServiceUnavailable())


def handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return handle_http_error(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(DatabaseUnavailableError, handle_database_error_named)
    app.register_error_handler(Exception, handle_unexpected)


def handle_database_error_named(error: DatabaseUnavailableError) -> Response:
    return handle_http_error(ServiceUnavailable())
