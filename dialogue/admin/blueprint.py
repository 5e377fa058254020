"""The administration blueprint and what its pages share: answers, errors, cache clearing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import DBAPIError
from werkzeug import Response

from dialogue.accounts.workspace import staff_blueprint
from dialogue.cache import clear_process_caches
from dialogue.errors import DatabaseUnavailableError, InvalidInputError, database_fault_status
from dialogue.extensions import db

bp = staff_blueprint("admin", __name__)


def page(template: str, status: int = 200, **context: Any) -> Response:
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def form_status(form: Any) -> int:
    """422 for a form sent with problems, 200 for a form shown for the first time."""
    return 422 if form.is_submitted() else 200


def done(message: str, endpoint: str, **values: Any) -> Response:
    """After a change: say what happened, and show the next page with a GET (PRG)."""
    flash(message, "success")
    return redirect(url_for(endpoint, **values), code=303)


def refused(error: InvalidInputError, endpoint: str, **values: Any) -> Response:
    """A button that could not do its work: say why on the page it came from."""
    db.session.rollback()
    for message in error.errors.values():
        flash(str(message), "warning")
    return redirect(url_for(endpoint, **values), code=303)


def show_errors(form: Any, error: InvalidInputError) -> None:
    """Put a service's errors on the form's fields (unknown names on the first field).

    The services raise before they change anything, so nothing needs rolling back.
    """
    first = next(field for field in form if field.type not in {"CSRFTokenField", "HiddenField"})
    for name, message in error.errors.items():
        field = form._fields.get(name, first)
        field.errors = [*field.errors, str(message)] if field is first else [str(message)]


clear_reference_caches = clear_process_caches


T = TypeVar("T")


def save(form: Any, template: str, action: Callable[[], T], **context: Any) -> T | Response:
    """Validate ``form`` and run ``action``; on any problem show the form again, as typed.

    422 for input to correct; 503 if the database is unavailable (500 for any other database
    fault), with the form as typed either way, so nothing typed is lost.
    """
    if not form.validate_on_submit():
        return page(template, form_status(form), form=form, **context)
    try:
        return action()
    except InvalidInputError as error:
        show_errors(form, error)
        return page(template, 422, form=form, **context)
    except (DatabaseUnavailableError, DBAPIError) as error:
        status = database_fault_status(error, request.endpoint or "admin form")
        # Render from what is loaded before rolling back, which would expire it.
        response = page(template, status, form=form, unavailable=True, **context)
        db.session.rollback()
        return response
