"""Form helpers shared by every feature: validators with translated messages."""

from __future__ import annotations

from typing import Any

from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError

from dialogue.i18n import _l
from dialogue.sanitize import has_forbidden_characters


def plain_text(form: Form, field: Field) -> None:
    """Refuse control characters and bytes that were not valid UTF-8."""
    if isinstance(field.data, str) and has_forbidden_characters(field.data):
        raise StopValidation(
            str(_l("The text contains characters that cannot be saved. Remove them and try again."))
        )


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
