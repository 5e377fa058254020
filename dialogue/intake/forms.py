"""The resident's form: one question per fieldset, every value kept on error."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Optional, ValidationError

from dialogue.i18n import _l
from dialogue.intake.options import IntakeOptions
from dialogue.submissions.models import PartOfDay, SubmissionKind, SubmitterType
from dialogue.web.forms import DialogueForm, MaxChars, choice_values, parse_date, plain_text

MAX_LOCATION_CHARS = 300
MAX_DAYS_AHEAD = 366
EARLIEST_DATE = dt.date(2000, 1, 1)
NO_PLACE = ""
NO_COMMITMENT = ""
# A commitment's radio shows its first words; the full texts are one click away.
COMMITMENT_LABEL_CHARS = 60

KIND_CHOICES = [
    SelectChoice(SubmissionKind.CONCERN.value, _l("Something that makes me feel unsafe")),
    SelectChoice(SubmissionKind.SUGGESTION.value, _l("A suggestion")),
    SelectChoice(SubmissionKind.PRAISE.value, _l("Something that works well")),
]
PART_OF_DAY_CHOICES = [
    SelectChoice(PartOfDay.MORNING.value, _l("Morning")),
    SelectChoice(PartOfDay.DAYTIME.value, _l("Daytime")),
    SelectChoice(PartOfDay.EVENING.value, _l("Evening")),
    SelectChoice(PartOfDay.NIGHT.value, _l("Night")),
]
SAFETY_CHOICES = [
    SelectChoice("1", _l("1 – very unsafe")),
    SelectChoice("2", _l("2 – rather unsafe")),
    SelectChoice("3", _l("3 – neither safe nor unsafe")),
    SelectChoice("4", _l("4 – rather safe")),
    SelectChoice("5", _l("5 – very safe")),
]
SUBMITTER_CHOICES = [
    SelectChoice(SubmitterType.RESIDENT.value, _l("A resident")),
    SelectChoice(SubmitterType.BUSINESS.value, _l("A business")),
    SelectChoice(SubmitterType.ASSOCIATION.value, _l("An association")),
    SelectChoice(SubmitterType.NOT_STATED.value, _l("I would rather not say")),
]


class SubmissionForm(DialogueForm):
    kind = RadioField(
        _l("What do you want to tell us?"),
        choices=KIND_CHOICES,
        validators=[InputRequired(_l("Choose what you want to tell us."))],
    )
    category = SelectField(
        _l("What is it about?"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose what it is about."))],
    )
    place = SelectField(_l("Place"), validate_choice=False, validators=[Optional()])
    location_text = StringField(
        _l("Or describe the location in your own words"),
        validators=[Optional(), plain_text, MaxChars(MAX_LOCATION_CHARS)],
    )
    commitment = RadioField(
        _l("Is it about one of the pledge's commitments?"), validate_choice=False
    )
    occurred_on = StringField(_l("Date"), validators=[Optional()])
    part_of_day = RadioField(
        _l("Part of the day"), choices=PART_OF_DAY_CHOICES, validators=[Optional()]
    )
    is_recurring = BooleanField(_l("It happens again and again"))
    text = TextAreaField(
        _l("Describe what you want to tell us"),
        validators=[InputRequired(_l("Write what you want to tell us.")), plain_text],
    )
    safety_rating = RadioField(
        _l("How safe do you feel there?"), choices=SAFETY_CHOICES, validators=[Optional()]
    )
    submitter_type = RadioField(
        _l("Who are you?"),
        choices=SUBMITTER_CHOICES,
        default=SubmitterType.NOT_STATED.value,
        validators=[InputRequired(_l("Choose who you are, or that you would rather not say."))],
    )
    email = EmailField(
        _l("E-mail address (optional)"),
        validators=[
            Optional(),
            plain_text,
            MaxChars(254),
            Email(_l("Enter an e-mail address in the right format, like name@example.se.")),
        ],
    )
    consent = BooleanField(
        _l("I agree that my e-mail address is stored so that I can get replies about this case.")
    )
    # A field people never see; automated senders fill it in.
    website = StringField(_l("Leave this field empty"))
    form_token = HiddenField()

    def __init__(
        self, options: IntakeOptions, max_text_length: int, today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.options = options
        self.today = today
        self.text.validators = [*self.text.validators, MaxChars(max_text_length)]
        self.text.flags.maxlength = max_text_length
        self.max_text_length = max_text_length

    def set_choices(self, label: Any) -> None:
        """Fill the select and radio choices in the current language (``label`` renders one)."""
        # The template renders the groups as optgroups behind an empty "choose" option.
        self.category_groups = [
            (label(group.label), [(str(opt.id), label(opt.label)) for opt in group.options])
            for group in self.options.category_groups
        ]
        self.category.choices = [
            SelectChoice(value, text, optgroup=group)
            for group, options in self.category_groups
            for value, text in options
        ]
        self.place.choices = [
            SelectChoice(NO_PLACE, _l("No specific place, or not in the list"))
        ] + [SelectChoice(str(place.id), label(place.label)) for place in self.options.places]
        self.commitment_texts = [label(c.label) for c in self.options.commitments]
        self.commitment.choices = [SelectChoice(NO_COMMITMENT, _l("No, or I don't know"))] + [
            SelectChoice(str(c.id), f"{number}. {first_words(text)}")
            for number, (c, text) in enumerate(
                zip(self.options.commitments, self.commitment_texts, strict=True), start=1
            )
        ]

    @property
    def chosen_place(self) -> str | None:
        """The name of the place chosen (or given by a poster's link), if any."""
        if not self.place.data:
            return None
        chosen = (c.label for c in self.place.choices if c.value == str(self.place.data))
        return next((str(name) for name in chosen), None)

    def validate_category(self, field: Field) -> None:
        _require_offered(field, _l("Choose a category from the list."))

    def validate_place(self, field: Field) -> None:
        _require_offered(field, _l("Choose a place from the list."))

    def validate_commitment(self, field: Field) -> None:
        _require_offered(field, _l("Choose one of the pledge's commitments."))

    def validate_occurred_on(self, field: Field) -> None:
        field.parsed = parse_date(field.data)
        if field.parsed is None:
            raise ValidationError(_l("Enter the date as year-month-day, like 2024-05-17."))
        if field.parsed < EARLIEST_DATE:
            raise ValidationError(_l("The date is too far back. Check the year."))
        if field.parsed > self.today + dt.timedelta(days=MAX_DAYS_AHEAD):
            raise ValidationError(_l("The date can be at most one year from today."))

    def validate_consent(self, field: Field) -> None:
        if self.email.data and not field.data:
            raise ValidationError(
                _l("Tick the box to agree, or remove your e-mail address to stay anonymous.")
            )

    def validate_website(self, field: Field) -> None:
        if field.data:
            raise ValidationError(_l("Leave this field empty."))

    @property
    def occurred_on_date(self) -> dt.date | None:
        return getattr(self.occurred_on, "parsed", None)


def first_words(text: str, width: int = COMMITMENT_LABEL_CHARS) -> str:
    """The beginning of a long text, cut between words: "Vi ska öka tryggheten i …"."""
    return textwrap.shorten(text, width, placeholder=" …")


def _require_offered(field: Field, message: Any) -> None:
    if field.data and str(field.data) not in choice_values(field):
        raise ValidationError(message)


class ReceiptLanguageForm(DialogueForm):
    """Carries the form token from the receipt, so the receipt can be shown in another language."""

    form_token = HiddenField(validators=[InputRequired()])
