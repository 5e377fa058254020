"""Named errors raised by services, and the HTML/JSON answers for every failure."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask.globals import request_ctx
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
    default_exceptions,
)

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 60


class DialogueError(Exception):
    """Base of every error a service raises on purpose; nothing is committed when it is raised."""

    status_code = 400


class NotFoundError(DialogueError):
    status_code = 404


class PermissionDeniedError(DialogueError):
    """The account may see the object but not do this to it."""

    status_code = 403


class InvalidInputError(DialogueError):
    """Input that failed a rule: ``errors`` maps a form field to a translated message."""

    status_code = 422

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("invalid: " + ", ".join(errors))
        self.errors = dict(errors)


class DatabaseUnavailableError(DialogueError):
    status_code = 503


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/healthz")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def handle_http_error(error: HTTPException, start_page: str | None = None) -> Response:
    """A translated page (or JSON) for the error, keeping the headers it carries.

    ``start_page`` replaces the page's link to the start page (by default this host's "/").
    """
    code = error.code or 500
    if wants_json():
        response = jsonify(error=error.name, status=code)
    else:
        page = render_template("errors/error.html", code=code, start_page=start_page)
        response = make_response(page)
    response.status_code = code
    for name in ("Allow", "Retry-After"):
        value = error.get_response().headers.get(name)
        if value:
            response.headers[name] = value
    if code == 429:
        response.headers.setdefault("Retry-After", str(DEFAULT_RETRY_AFTER))
    return response


def handle_untrusted_host(error: SecurityError) -> Response:
    """A Host header outside ``TRUSTED_HOSTS`` answers 400, on a page built on the public URL.

    Flask refuses the host before it binds the routes to the request, so there is nothing to
    build the page's links with: bind them to ``DIALOGUE_PUBLIC_URL``, the service's own name.
    """
    from dialogue.web.urls import external_url, public_url_adapter

    log.warning("refused a request for an untrusted host %r", request.environ.get("HTTP_HOST"))
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    request.host = app.extensions["dialogue.settings"].public_base.netloc
    if request_ctx.url_adapter is None:
        request_ctx.url_adapter = public_url_adapter(app)
    # Whoever came by a wrong name gets a way to the right one.
    return handle_http_error(error, start_page=external_url("pages.index"))


def handle_database_error(error: Exception) -> Response:
    log.error("database unavailable: %s", error)
    return handle_http_error(ServiceUnavailable())


def handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return handle_http_error(InternalServerError())


def handle_named_error(error: DialogueError) -> Response:
    """A named error no view caught answers its status code (404 for NotFoundError, …)."""
    return handle_http_error(default_exceptions[error.status_code]())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(DatabaseUnavailableError, handle_database_error)
    app.register_error_handler(DialogueError, handle_named_error)
    app.register_error_handler(Exception, handle_unexpected)
