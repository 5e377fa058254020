"""How a view answers: a page, a page with a form, a redirect after a change.

Every page that shows a form or a person's data is ``no-store``: the back button after sign-out
and a shared computer's cache must not show it again. :func:`no_store` is the one place that
says so.

A view that saves a form reads like this (parse, call one service, respond)::

    form = PlaceForm()
    shown = FormPage("places/form.html", form, place=place)
    if not form.validate_on_submit():
        return shown.render()
    try:
        place = places.update_place(db.session, acting(), place.id, form.data_for_service())
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return done(_("The place is saved."), ".place", place_id=place.id)

A database fault while saving reaches the application's error handler, which shows the
registered :class:`FormPage` again as typed (503 for an outage), so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, make_response, redirect, render_template, request, url_for
from werkzeug import Response

from dialogue.errors import InvalidInputError, database_fault_status
from dialogue.extensions import db

__all__ = ["FormPage", "Response", "done", "form_status", "no_store", "page", "refused"]


def no_store(response: Response) -> Response:
    """Keep this answer out of every cache: it shows a form or someone's data."""
    response.headers["Cache-Control"] = "no-store"
    return response


def page(template: str, status: int = 200, **context: Any) -> Response:
    """A rendered page that no cache keeps."""
    return no_store(make_response(render_template(template, **context), status))


def form_status(form: Any) -> int:
    """422 for a form sent with problems, 200 for a form shown for the first time."""
    return 422 if form.is_submitted() else 200


class FormPage:
    """The page a form lives on, ready to be shown again as typed.

    Creating one registers it for the request: if saving meets a database fault, the error
    handler renders it with ``unavailable=True`` and the fault's status instead of an error page.
    """

    def __init__(
        self, template: str, form: Any, *, what: str | None = None, **context: Any
    ) -> None:
        self.template = template
        self.form = form
        self.what = what  # names the refused write in the log; the endpoint by default
        self.context = context
        g.form_page = self

    def render(self, status: int | None = None, **extra: Any) -> Response:
        """The page with the form; 422 if it was sent with problems, 200 if shown first."""
        code = form_status(self.form) if status is None else status
        return page(self.template, code, form=self.form, **self.context, **extra)

    def fault(self, error: Exception) -> Response:
        """A database fault while saving: the form again as typed, then the rollback."""
        status = database_fault_status(error, self.what or request.endpoint or "form")
        # Render from what is loaded before rolling back, which would expire it.
        response = self.render(status, unavailable=True)
        db.session.rollback()
        return response


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
