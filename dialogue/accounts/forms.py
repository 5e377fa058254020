"""Sign-in, two-factor and password forms."""

from __future__ import annotations

from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired

from dialogue.i18n import _l
from dialogue.web.forms import DialogueForm, MaxChars


class LoginForm(DialogueForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Enter your e-mail address.")), MaxChars(254)],
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Enter your password.")), MaxChars(200)]
    )
    next = HiddenField()


class CodeForm(DialogueForm):
    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(_l("Enter the code from your app or a recovery code.")),
            MaxChars(20),
        ],
    )


class EnrolForm(DialogueForm):
    code = StringField(
        _l("Code from the app"),
        validators=[InputRequired(_l("Enter the 6-digit code the app shows.")), MaxChars(10)],
    )


class SetPasswordForm(DialogueForm):
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Enter a new password.")), MaxChars(200)],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            InputRequired(_l("Repeat the new password.")),
            EqualTo("password", _l("The passwords are not the same.")),
        ],
    )


class LogoutForm(DialogueForm):
    """Signing out is a POST with a CSRF token, so no link can sign anyone out."""


class ResetRequestForm(DialogueForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Enter your e-mail address.")), MaxChars(254)],
    )
