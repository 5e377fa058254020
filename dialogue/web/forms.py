"""Form helpers shared by every feature: validators with translated messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from flask import flash, g, has_request_context, request
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import HiddenInput

from dialogue.config import current_settings
from dialogue.db import Localized
from dialogue.errors import InvalidInputError
from dialogue.i18n import _, _l
from dialogue.sanitize import has_forbidden_characters

FORBIDDEN_CHARACTERS_MESSAGE = _l(
    "The text contains characters that cannot be saved. Remove them and try again."
)


def plain_text(form: Form, field: Field) -> None:
    """Refuse control characters and bytes that were not valid UTF-8."""
    if isinstance(field.data, str) and has_forbidden_characters(field.data):
        raise StopValidation(str(FORBIDDEN_CHARACTERS_MESSAGE))


def fields_with_forbidden_characters(fields: Iterable[Field]) -> Iterator[Field]:
    """Every field, nested ones included, whose submitted text holds a forbidden character."""
    for field in fields:
        if field.type in {"FormField", "FieldList"}:
            yield from fields_with_forbidden_characters(field)
        elif any(
            isinstance(value, str) and has_forbidden_characters(value)
            for value in field.raw_data or ()
        ):
            yield field


class MaxChars:
    """A length limit that says the limit and how far over the text is."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.field_flags = {"maxlength": limit}

    def __call__(self, form: Form, field: Field) -> None:
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(
                str(
                    _l(
                        "Use at most %(limit)d characters. You have written %(length)d.",
                        limit=self.limit,
                        length=length,
                    )
                )
            )


def choice_values(field: Field) -> set[str]:
    """Every value a select or radio field offers, optgroups included."""
    choices: Any = field.choices or []
    return {str(value) for value, *_ in choices}


# The hidden field that names a form, so a draft kept at sign-out finds its way back.
FORM_NAME_FIELD = "dialogue_form"


class KeptForm(Protocol):
    """What a kept draft offers a form (``dialogue.drafts``): its form's name and fields."""

    form_name: str | None
    fields: list[tuple[str, str]]

    def names(self) -> set[str]: ...


STALE_FORM_MESSAGE = _l(
    "The form had been open too long to be sent. Check your answers and send it again."
)
HIDDEN_TYPES = frozenset({"CSRFTokenField", "HiddenField"})


class NamedCSRFInput(HiddenInput):
    """The CSRF token, and beside it which form this is, so a kept draft finds its way back."""

    def __init__(self, form_name: str) -> None:
        super().__init__()
        self.form_name = form_name

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        identity = Markup('<input type="hidden" name="{}" value="{}">').format(
            FORM_NAME_FIELD, self.form_name
        )
        token: Markup = super().__call__(field, **kwargs)
        return token + identity


class DialogueForm(FlaskForm):
    """A Flask-WTF form whose errors list themselves for the error summary.

    When the page shows again after its author was signed out in the middle of sending this
    form, the form is filled with what they had typed (``g.kept_draft``, loaded by the staff
    blueprints), not applied: they check it and send it again.

    Every field of every form refuses control characters (a NUL byte, an escape) with a form
    error, before any validator can look them up in the database: the form comes back with
    what was typed, and nothing with such characters reaches a query.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None:
            csrf_field.widget = NamedCSRFInput(type(self).__name__)
        self._restore_kept_draft()

    def _restore_kept_draft(self) -> None:
        if not has_request_context() or request.method != "GET":
            return
        draft: KeptForm | None = g.get("kept_draft")
        if draft is None or g.get("kept_draft_restored") or not self._is_form_of(draft):
            return
        self.process(MultiDict(draft.fields))
        g.kept_draft_restored = True
        flash(
            _(
                "You were signed out before this form was sent, so nothing was saved or sent. "
                "What you typed is back in the form: check it and send it again."
            ),
            "info",
        )

    def _is_form_of(self, draft: KeptForm) -> bool:
        if draft.form_name is not None:
            return draft.form_name == type(self).__name__
        names = draft.names()
        return bool(names) and names <= {field.name for field in self}

    def validate(self, extra_validators: Any = None) -> bool:
        refused = list(fields_with_forbidden_characters(self))
        for field in refused:
            field.errors = [str(FORBIDDEN_CHARACTERS_MESSAGE)]
        if refused:
            return False
        return bool(super().validate(extra_validators))

    def add_errors(self, error: InvalidInputError) -> None:
        """Put a service's errors on this form's fields: the one way views report them.

        ``error.errors`` maps a field name to a message; :meth:`field_for_error` chooses the
        field. The services raise before they change anything: there is nothing to roll back.
        """
        for name, message in error.errors.items():
            field = self.field_for_error(name)
            field.errors = [*field.errors, str(message)]

    def field_for_error(self, name: str) -> Field:
        """The field a service's error about ``name`` belongs to; the first visible one when
        no field has that name, so no message is lost."""
        field = self._fields.get(name)
        if field is not None:
            return field
        return next(field for field in self if field.type not in HIDDEN_TYPES)

    def error_items(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, in the order the fields appear."""
        items = []
        for field in self:
            if not field.errors:
                continue
            message = str(field.errors[0])
            target = field.id
            if field.type in HIDDEN_TYPES:
                # A stale CSRF or form token: say so, and link to the first question.
                message = str(STALE_FORM_MESSAGE)
                field.errors = [message]
                target = next((f.id for f in self if f.type not in HIDDEN_TYPES), field.id)
            items.append((target, message))
        return items


def parse_date(raw: str | None) -> dt.date | None:
    """``2024-05-17`` (what date inputs send) or ``17/5/2024`` and ``17.5.2024``."""
    value = (raw or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return None


# Text in several languages is one field per language (``title_sv``, ``title_en``); lists are
# one item per line. Limits of a one-line and of a longer text field.
SHORT = 200
LONG = 2000


def lines(text: str | None) -> list[str]:
    """Non-empty lines, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def localized(form: Any, prefix: str) -> Localized:
    """``{"sv": form.<prefix>_sv.data, …}`` as typed, for each language the form has a field for."""
    return {
        locale: form[f"{prefix}_{locale}"].data or ""
        for locale in current_settings().locales
        if f"{prefix}_{locale}" in form
    }


def localized_data(prefix: str, value: Localized | None) -> dict[str, str]:
    """The initial data of the ``<prefix>_<locale>`` fields, one per language."""
    return {
        f"{prefix}_{locale}": (value or {}).get(locale, "") for locale in current_settings().locales
    }


def _parse_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


class DateText:
    """A date typed as year-month-day (what date inputs send); ``field.date`` holds it."""

    def __call__(self, form: Form, field: Field) -> None:
        field.date = _parse_date(field.data)
        if field.data and field.date is None:
            raise ValidationError(_l("Enter the date as year-month-day, like 2024-05-17."))
