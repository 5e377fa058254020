"""Forms of the organisation register. The services check every rule again."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    Form,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from dialogue.i18n import _l
from dialogue.organisations import orgnr
from dialogue.organisations.labels import TYPE_LABELS
from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.organisations.services import EMAIL_MESSAGE
from dialogue.web.forms import DialogueForm, MaxChars, choice_values, plain_text
from dialogue.web.inputs import id_or_none

ANY = ""


class OrgNumber:
    """A valid organisation number (format and check digit), said the way the service says it."""

    def __call__(self, form: Form, field: Field) -> None:
        if not (field.data or "").strip():
            return
        try:
            orgnr.normalize(field.data)
        except orgnr.InvalidOrgNumberError as error:
            raise ValidationError(orgnr.PROBLEM_MESSAGES[error.problem]) from None


class ContactEmail:
    """An e-mail address that looks deliverable in form (no look-up is made)."""

    def __call__(self, form: Form, field: Field) -> None:
        if not (field.data or "").strip():
            return
        try:
            validate_email(field.data.strip(), check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(EMAIL_MESSAGE) from None


def type_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, label) for kind, label in TYPE_LABELS.items()]


class OrganisationForm(DialogueForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter the organisation's name.")), plain_text, MaxChars(200)],
    )
    type = RadioField(
        _l("Type of organisation"),
        choices=type_choices(),
        validators=[InputRequired(_l("Choose the type of organisation."))],
    )
    org_number = StringField(
        _l("Organisation number"),
        validators=[
            InputRequired(str(orgnr.PROBLEM_MESSAGES[orgnr.OrgNumberProblem.EMPTY])),
            plain_text,
            MaxChars(20),
            OrgNumber(),
        ],
    )
    contact_name = StringField(
        _l("Contact person (optional)"), validators=[Optional(), plain_text, MaxChars(200)]
    )
    contact_email = EmailField(
        _l("Contact person's e-mail address (optional)"),
        validators=[Optional(), plain_text, MaxChars(254), ContactEmail()],
    )
    places = SelectMultipleField(_l("Where it operates"), coerce=str, validate_choice=False)

    def validate_type(self, field: Field) -> None:
        if field.data and field.data not in {kind.value for kind in OrganisationType}:
            raise ValidationError(_l("Choose the type of organisation."))

    def validate_places(self, field: Field) -> None:
        if any(str(value) not in choice_values(field) for value in field.data or []):
            raise ValidationError(_l("Choose places from the list."))

    def set_places(self, places: list[Any]) -> None:
        self.places.choices = [SelectChoice(str(place.id), place.name) for place in places]

    def place_ids(self) -> tuple[int, ...]:
        places = self.places.data or []
        return tuple(found for value in places if (found := id_or_none(value)) is not None)

    @staticmethod
    def initial(organisation: Organisation) -> dict[str, Any]:
        return {
            "name": organisation.name,
            "type": OrganisationType(organisation.type).value,
            "org_number": organisation.org_number,
            "contact_name": organisation.contact_name or "",
            "contact_email": organisation.contact_email or "",
            "places": [str(place.id) for place in organisation.places],
        }


class OrganisationFilterForm(Form):
    """The list's filters, read from the query string (no CSRF: it changes nothing)."""

    q = SearchField(
        _l("Search"),
        description=_l("Name, organisation number, contact person or e-mail address."),
        validators=[Optional(), MaxChars(100)],
    )
    type = SelectField(
        _l("Type"),
        choices=[SelectChoice(ANY, _l("All types")), *type_choices()],
        default=ANY,
        validate_choice=False,
    )
    unverified = BooleanField(_l("Only organisations not yet verified"))

    def chosen_type(self) -> OrganisationType | None:
        value = self.type.data or ANY
        return OrganisationType(value) if value in set(OrganisationType) else None


class ImportForm(DialogueForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file to import."))],
    )


class ConfirmImportForm(DialogueForm):
    upload = HiddenField()
