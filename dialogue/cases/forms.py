"""Forms on the resident's case pages."""

from __future__ import annotations

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired

from dialogue.i18n import _l
from dialogue.web.forms import DialogueForm, MaxChars, plain_text

MAX_CODE_CHARS = 40


class LookupForm(DialogueForm):
    code = StringField(
        _l("Your receipt code"),
        validators=[
            InputRequired(_l("Enter the 16-digit code from your receipt.")),
            MaxChars(MAX_CODE_CHARS),
        ],
    )


class AddInformationForm(DialogueForm):
    text = TextAreaField(
        _l("Add more information"),
        validators=[InputRequired(_l("Write what you want to add.")), plain_text],
    )

    def limit_text(self, max_length: int) -> None:
        self.text.validators = [*self.text.validators, MaxChars(max_length)]
        self.text.flags.maxlength = max_length


class WithdrawForm(DialogueForm):
    confirm = BooleanField(
        _l("Yes, withdraw my message"),
        validators=[
            InputRequired(_l("Tick the box to confirm that you want to withdraw your message."))
        ],
    )


class CloseForm(DialogueForm):
    """Forget the open case in this browser (no fields besides the CSRF token)."""
