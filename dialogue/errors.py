"""Named errors raised by services, and the HTML/JSON answers for every failure."""

from __future__ import annotations

import itertools
import logging
import secrets
import traceback
from collections.abc import Mapping

from flask import Flask, g, jsonify, make_response, render_template, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug import Response
from werkzeug.exceptions import (
    Conflict,
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
    default_exceptions,
)

from dialogue.db import is_write_conflict
from dialogue.extensions import db

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


# PostgreSQL SQLSTATEs that mean the server cannot serve now, whatever the statement was:
# connection exceptions (08…), insufficient resources (53…: disk full, out of memory, too many
# connections), operator intervention (57P…: shutting down, starting up), a statement or lock
# timeout, a server that only reads (a standby after a fail-over) and the transient conflicts
# that a retry resolves (serialization failure, deadlock).
_OUTAGE_SQLSTATE_CLASSES = ("08", "53", "57P")
_OUTAGE_SQLSTATES = frozenset({"57014", "55P03", "25006", "40001", "40P01"})
# SQLite's equivalents (Python's sqlite3 names the primary result code of an error).
_OUTAGE_SQLITE_CODES = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
    "SQLITE_NOMEM",
    "SQLITE_READONLY",
)


def is_outage(error: BaseException) -> bool:
    """True if ``error`` says the database cannot serve now (503), not that a statement is wrong.

    Only these answer "unavailable": a lost or refused connection, a full disk, a timeout, a
    lock that could not be had. Any other database error is a defect and answers 500.
    """
    if isinstance(error, DatabaseUnavailableError | PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate:
        return bool(sqlstate.startswith(_OUTAGE_SQLSTATE_CLASSES) or sqlstate in _OUTAGE_SQLSTATES)
    name = getattr(error.orig, "sqlite_errorname", None)
    if name:
        return bool(name.startswith(_OUTAGE_SQLITE_CODES))
    # No code at all: the driver failed before the server answered (refused, reset, closed).
    return isinstance(error, OperationalError | InterfaceError)


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/healthz")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def handle_http_error(
    error: HTTPException, start_page: str | None = None, *, error_id: str | None = None
) -> Response:
    """A translated page (or JSON) for the error, keeping the headers it carries.

    ``start_page`` replaces the page's link to the start page (by default this host's "/");
    ``error_id`` is the reference of a logged defect, shown so a report can name it.
    """
    code = error.code or 500
    if wants_json():
        body: dict[str, object] = {"error": error.name, "status": code}
        if error_id:
            body["error_id"] = error_id
        response = jsonify(body)
    else:
        page = render_template(
            "errors/error.html", code=code, start_page=start_page, error_id=error_id
        )
        response = make_response(page)
    response.status_code = code
    for name in ("Allow", "Retry-After"):
        value = error.get_response().headers.get(name)
        if value:
            response.headers[name] = value
    if code == 429:
        response.headers.setdefault("Retry-After", str(DEFAULT_RETRY_AFTER))
    return response


def rollback_session() -> None:
    """End the request's failed transaction, so the error page can still read the database."""
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the error page needs no database
        log.warning("rollback before an error page failed", exc_info=True)


def handle_database_error(error: Exception) -> Response:
    """503 for an outage, 409 for a race no service retried (said, not hidden in a 500), and
    any other database error is a defect: 500 with a logged error id.

    A POST whose view registered the page of its form (``g.form_page``, see
    ``dialogue.web.responses.FormPage``) gets that page back as typed, with the same status.
    """
    form_page = g.get("form_page")
    if form_page is not None and request.method == "POST":
        response: Response = form_page.fault(error)
        return response
    rollback_session()
    if is_outage(error):
        cause = error.__cause__ if isinstance(error, DatabaseUnavailableError) else error
        if request.method == "GET":
            log.error("database unavailable: %s", describe_fault(cause))
        else:
            log_refusal(request.endpoint or request.path, cause)
        return handle_http_error(ServiceUnavailable())
    if is_write_conflict(error):
        log.warning("write conflict on %s: %s", request.endpoint, describe_fault(error))
        return handle_http_error(Conflict())
    return handle_unexpected(error)


_refusals = itertools.count(1)  # next() on a count is atomic: no lock needed between threads


def log_refusal(what: str, cause: BaseException | None) -> None:
    """One WARNING per refused write: what was refused, the cause's class and a running count.

    Never what was typed: the text stays in the person's form, not in a log.
    """
    log.warning(
        "refused %s: %s (%d refused by this process since it started)",
        what,
        describe_fault(cause),
        next(_refusals),
    )


def database_fault_status(error: Exception, what: str) -> int:
    """For a view that keeps the typed form on a database fault: log it and choose the status.

    503 and a refusal line for an outage; 409 for a concurrent write that got there first;
    for any other fault 500 and a logged error id.
    """
    if is_outage(error):
        log_refusal(what, error.__cause__ if isinstance(error, DatabaseUnavailableError) else error)
        return 503
    if is_write_conflict(error):
        log.warning("write conflict on %s: %s", what, describe_fault(error))
        return 409
    error_id = secrets.token_hex(6)
    log.error("refused %s: unexpected database error %s", what, error_id)
    log_defect(error_id, error)
    return 500


def describe_fault(error: BaseException | None) -> str:
    """The class of an outage or a conflict and the driver's first line.

    Parameters are hidden by the engine (``hide_parameters``), and the first line of these
    errors names a server, a constraint or a lock, never a value (PostgreSQL puts the values of
    a duplicate key on its DETAIL line). Other errors are logged by :func:`log_defect`.
    """
    if error is None:
        return "unknown cause"
    orig = getattr(error, "orig", None)
    first_line = str(orig if orig is not None else error).strip().splitlines()[:1]
    return f"{type(error).__name__}: {first_line[0] if first_line else ''}".rstrip(": ")


def handle_unexpected(error: Exception) -> Response:
    """500 with an id that is both logged and shown, so a report can be matched to the log."""
    rollback_session()
    error_id = secrets.token_hex(6)
    log_defect(error_id, error)
    return handle_http_error(InternalServerError(), error_id=error_id)


def log_defect(error_id: str, error: BaseException) -> None:
    """Log an unexpected error with its traceback; for a database error without its message,
    which can quote what someone typed (``invalid input syntax for type integer: "…"``)."""
    if not isinstance(error, DBAPIError):
        log.error("unhandled error %s", error_id, exc_info=error)
        return
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None) or "-"
    stack = "".join(traceback.format_tb(error.__traceback__))
    log.error(
        "unhandled database error %s: %s (%s, code %s)\n%s",
        error_id,
        type(error).__name__,
        type(orig).__name__,
        code,
        stack,
    )


def handle_named_error(error: DialogueError) -> Response:
    """A named error no view caught answers its status code (404 for NotFoundError, …)."""
    return handle_http_error(default_exceptions[error.status_code]())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(SQLAlchemyError, handle_database_error)
    app.register_error_handler(DatabaseUnavailableError, handle_database_error)
    app.register_error_handler(DialogueError, handle_named_error)
    app.register_error_handler(Exception, handle_unexpected)
