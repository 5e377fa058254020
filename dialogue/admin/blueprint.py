"""What is left of the old form helper, for the organisations and rounds pages only.

The administration pages answer with :mod:`dialogue.web.responses` and ``form.add_errors``.
``save`` and ``show_errors`` stay until the organisations and rounds views stop importing
them (helper B's branch); delete this module then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from werkzeug import Response

from dialogue.errors import InvalidInputError
from dialogue.web.responses import FormPage

T = TypeVar("T")


def show_errors(form: Any, error: InvalidInputError) -> None:
    """Put a service's errors on the form's fields (unknown names on the first field)."""
    first = next(field for field in form if field.type not in {"CSRFTokenField", "HiddenField"})
    for name, message in error.errors.items():
        field = form._fields.get(name, first)
        field.errors = [*field.errors, str(message)] if field is first else [str(message)]


def save(form: Any, template: str, action: Callable[[], T], **context: Any) -> T | Response:
    """Validate ``form`` and run ``action``; on any problem show the form again, as typed."""
    shown = FormPage(template, form, **context)
    if not form.validate_on_submit():
        return shown.render()
    try:
        return action()
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
