"""The audit log's filters: a GET form kept in the URL, so a filtered view can be shared."""

from __future__ import annotations

import datetime as dt

from wtforms import Field, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice

from dialogue.accounts.models import Account
from dialogue.i18n import _l
from dialogue.web.forms import DialogueForm, MaxChars, parse_date, plain_text
from dialogue.web.inputs import id_or_none

ANY = ""


class AuditFilterForm(DialogueForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    account = SelectField(_l("Account"), validate_choice=False)
    reference = StringField(_l("Case reference"), validators=[plain_text, MaxChars(40)])
    since = StringField(_l("From"))
    until = StringField(_l("To"))

    def set_accounts(self, accounts: list[Account]) -> None:
        self.account.choices = [SelectChoice(ANY, _l("Any account"))] + [
            SelectChoice(str(a.id), a.name) for a in accounts
        ]

    def validate_since(self, field: Field) -> None:
        _check_date(field)

    def validate_until(self, field: Field) -> None:
        _check_date(field)

    @property
    def account_id(self) -> int | None:
        return id_or_none(self.account.data or "")

    @property
    def since_date(self) -> dt.date | None:
        return parse_date(self.since.data)

    @property
    def until_date(self) -> dt.date | None:
        return parse_date(self.until.data)


def _check_date(field: Field) -> None:
    if field.data and parse_date(field.data) is None:
        raise ValidationError(_l("Enter the date as year-month-day, like 2024-05-17."))
