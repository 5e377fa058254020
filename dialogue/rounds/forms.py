"""Forms of the input round pages. Text in several languages is one field per language
(``*_sv``, ``*_en``); the services check every rule again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from wtforms import Field, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from dialogue.db import Localized
from dialogue.i18n import _l
from dialogue.organisations.labels import TYPE_LABELS
from dialogue.organisations.models import OrganisationType
from dialogue.rounds.models import InputRound, Question, QuestionKind, TimeOfDay
from dialogue.web.forms import (
    DateText,
    DialogueForm,
    MaxChars,
    choice_values,
    localized,
    localized_data,
    plain_text,
)
from dialogue.web.inputs import id_or_none

NONE = ""
BOTH = "both"
MAX_TITLE = 200
MAX_INTRODUCTION = 5000
MAX_QUESTION = 500
MAX_HINT = 1000

KIND_LABELS = {
    QuestionKind.IMPORTANCE: _l("How important a commitment is (1 to 5)"),
    QuestionKind.PROGRESS: _l("How well a commitment is going (1 to 5, or don't know)"),
    QuestionKind.PLACE_SAFETY: _l("How safe a place feels (1 to 5)"),
    QuestionKind.TOP_CATEGORIES: _l("The top three categories of concern"),
    QuestionKind.SCALE: _l("A question of your own, answered from 1 to 5"),
    QuestionKind.FREE_TEXT: _l("A question of your own, answered in their own words"),
}
# The order the kinds are offered in when adding a question.
KIND_ORDER = (
    QuestionKind.SCALE,
    QuestionKind.FREE_TEXT,
    QuestionKind.IMPORTANCE,
    QuestionKind.PROGRESS,
    QuestionKind.PLACE_SAFETY,
    QuestionKind.TOP_CATEGORIES,
)
TIME_LABELS = {
    BOTH: _l("Both in the daytime and in the evening and at night (two questions)"),
    TimeOfDay.DAY.value: _l("In the daytime"),
    TimeOfDay.NIGHT.value: _l("In the evening and at night"),
}
WHO_ALL = "all"
WHO_TYPES = "types"
WHO_CHOSEN = "chosen"


def _line(label: Any, *, required: Any = None, limit: int = MAX_TITLE) -> StringField:
    first = InputRequired(required) if required else Optional()
    return StringField(label, validators=[first, plain_text, MaxChars(limit)])


def _text(label: Any, *, required: Any = None, limit: int = MAX_INTRODUCTION) -> TextAreaField:
    first = InputRequired(required) if required else Optional()
    return TextAreaField(label, validators=[first, plain_text, MaxChars(limit)])


def _date(label: Any, required: Any) -> StringField:
    # DateText first, so that ``field.date`` is set even when a later validator stops the chain.
    return StringField(label, validators=[DateText(), InputRequired(required)])


def _ids(values: list[Any] | None) -> tuple[int, ...]:
    return tuple(found for value in values or [] if (found := id_or_none(value)) is not None)


class RoundForm(DialogueForm):
    title_sv = _line(_l("Title in Swedish"), required=_l("Give the title in Swedish."))
    title_en = _line(_l("Title in English (optional)"))
    introduction_sv = _text(
        _l("Introduction in Swedish"), required=_l("Write the introduction in Swedish.")
    )
    introduction_en = _text(_l("Introduction in English (optional)"))
    opens_on = _date(_l("Opens on"), _l("Give the date the round opens."))
    closes_on = _date(_l("Closes on"), _l("Give the date the round closes."))

    def validate_closes_on(self, field: Field) -> None:
        start = getattr(self.opens_on, "date", None)
        end = getattr(field, "date", None)
        if start and end and end < start:
            raise ValidationError(
                _l("The closing date must be the same as or after the opening date.")
            )

    def title(self) -> Localized:
        return localized(self, "title")

    def introduction(self) -> Localized:
        return localized(self, "introduction")

    def dates(self) -> tuple[dt.date, dt.date]:
        opens_on: dt.date = self.opens_on.date
        closes_on: dt.date = self.closes_on.date
        return opens_on, closes_on

    @staticmethod
    def initial(input_round: InputRound) -> dict[str, Any]:
        return {
            **localized_data("title", input_round.title),
            **localized_data("introduction", input_round.introduction),
            "opens_on": input_round.opens_on.isoformat(),
            "closes_on": input_round.closes_on.isoformat(),
        }


class NewRoundForm(RoundForm):
    """A new round also chooses the pledge and the places its questions are made from."""

    pledge = SelectField(_l("Pledge the questions are made from"), validate_choice=False)
    places = SelectMultipleField(_l("Places to ask about"), coerce=str, validate_choice=False)

    def set_choices(self, pledges: list[Any], places: list[Any], label: Any) -> None:
        """``label(pledge)`` names a pledge in the list."""
        self.pledge.choices = [
            SelectChoice(NONE, _l("No pledge: only the general questions")),
            *(SelectChoice(str(p.id), label(p)) for p in pledges),
        ]
        self.places.choices = [SelectChoice(str(p.id), p.name) for p in places]

    def validate_pledge(self, field: Field) -> None:
        if field.data and str(field.data) not in choice_values(field):
            raise ValidationError(_l("Choose a published pledge from the list."))

    def validate_places(self, field: Field) -> None:
        if any(str(value) not in choice_values(field) for value in field.data or []):
            raise ValidationError(_l("Choose places from the list."))

    def pledge_id(self) -> int | None:
        value = str(self.pledge.data or "")
        return id_or_none(value)

    def place_ids(self) -> tuple[int, ...]:
        return _ids(self.places.data)


class QuestionTextForm(DialogueForm):
    text_sv = _line(
        _l("Question in Swedish"), required=_l("Write the question in Swedish."), limit=MAX_QUESTION
    )
    text_en = _line(_l("Question in English (optional)"), limit=MAX_QUESTION)
    hint_sv = _text(_l("Hint in Swedish (optional)"), limit=MAX_HINT)
    hint_en = _text(_l("Hint in English (optional)"), limit=MAX_HINT)

    def text(self) -> Localized:
        return localized(self, "text")

    def hint(self) -> Localized:
        return localized(self, "hint")

    @staticmethod
    def initial(question: Question) -> dict[str, Any]:
        return {**localized_data("text", question.text), **localized_data("hint", question.hint)}


class QuestionForm(DialogueForm):
    """A question to add: its kind, then what that kind needs (the others are ignored)."""

    kind = RadioField(
        _l("Kind of question"),
        choices=[SelectChoice(kind.value, KIND_LABELS[kind]) for kind in KIND_ORDER],
        validators=[InputRequired(_l("Choose the kind of question."))],
    )
    text_sv = _line(_l("Question in Swedish"), limit=MAX_QUESTION)
    text_en = _line(_l("Question in English (optional)"), limit=MAX_QUESTION)
    hint_sv = _text(_l("Hint in Swedish (optional)"), limit=MAX_HINT)
    hint_en = _text(_l("Hint in English (optional)"), limit=MAX_HINT)
    commitment = SelectField(_l("Commitment"), validate_choice=False)
    place = SelectField(_l("Place"), validate_choice=False)
    time_of_day = RadioField(
        _l("When"),
        choices=[SelectChoice(value, label) for value, label in TIME_LABELS.items()],
        default=BOTH,
        validate_choice=False,
    )

    def set_choices(self, commitments: list[Any], places: list[Any], label: Any) -> None:
        """``label(commitment)`` names a commitment in the list."""
        self.commitment.choices = [
            SelectChoice(NONE, _l("Choose a commitment")),
            *(SelectChoice(str(c.id), label(c)) for c in commitments),
        ]
        self.place.choices = [
            SelectChoice(NONE, _l("Choose a place")),
            *(SelectChoice(str(p.id), p.name) for p in places),
        ]

    def chosen_kind(self) -> QuestionKind | None:
        value = self.kind.data or ""
        return QuestionKind(value) if value in set(QuestionKind) else None

    def validate_kind(self, field: Field) -> None:
        if field.data and self.chosen_kind() is None:
            raise ValidationError(_l("Choose the kind of question."))

    def validate_text_sv(self, field: Field) -> None:
        if (
            self.chosen_kind() in (QuestionKind.SCALE, QuestionKind.FREE_TEXT)
            and not (field.data or "").strip()
        ):
            raise ValidationError(_l("Write the question in Swedish."))

    def validate_commitment(self, field: Field) -> None:
        if self.chosen_kind() not in (QuestionKind.IMPORTANCE, QuestionKind.PROGRESS):
            return
        if not field.data or str(field.data) not in choice_values(field):
            raise ValidationError(_l("Choose a commitment from the list."))

    def validate_place(self, field: Field) -> None:
        if self.chosen_kind() != QuestionKind.PLACE_SAFETY:
            return
        if not field.data or str(field.data) not in choice_values(field):
            raise ValidationError(_l("Choose a place from the list."))

    def validate_time_of_day(self, field: Field) -> None:
        if self.chosen_kind() == QuestionKind.PLACE_SAFETY and field.data not in TIME_LABELS:
            raise ValidationError(_l("Choose when to ask about the place."))

    def text(self) -> Localized:
        return localized(self, "text")

    def hint(self) -> Localized:
        return localized(self, "hint")

    def commitment_id(self) -> int | None:
        value = str(self.commitment.data or "")
        return id_or_none(value)

    def place_id(self) -> int | None:
        value = str(self.place.data or "")
        return id_or_none(value)

    def chosen_time(self) -> TimeOfDay | None:
        value = self.time_of_day.data or BOTH
        return TimeOfDay(value) if value in set(TimeOfDay) else None


class InviteForm(DialogueForm):
    who = RadioField(
        _l("Whom to invite"),
        choices=[
            SelectChoice(WHO_ALL, _l("Every verified organisation of the register")),
            SelectChoice(WHO_TYPES, _l("Verified organisations of the types chosen below")),
            SelectChoice(WHO_CHOSEN, _l("The organisations chosen below")),
        ],
        default=WHO_ALL,
        validators=[InputRequired(_l("Choose whom to invite."))],
    )
    types = SelectMultipleField(
        _l("Types of organisation"),
        choices=[SelectChoice(kind.value, label) for kind, label in TYPE_LABELS.items()],
        coerce=str,
        validate_choice=False,
    )
    organisations = SelectMultipleField(_l("Organisations"), coerce=str, validate_choice=False)

    def set_organisations(self, organisations: list[Any]) -> None:
        self.organisations.choices = [SelectChoice(str(o.id), o.name) for o in organisations]

    def validate_who(self, field: Field) -> None:
        if field.data and field.data not in {WHO_ALL, WHO_TYPES, WHO_CHOSEN}:
            raise ValidationError(_l("Choose whom to invite."))

    def validate_types(self, field: Field) -> None:
        values = set(field.data or [])
        if values - {kind.value for kind in OrganisationType}:
            raise ValidationError(_l("Choose types from the list."))
        if self.who.data == WHO_TYPES and not values:
            raise ValidationError(_l("Choose at least one type of organisation."))

    def validate_organisations(self, field: Field) -> None:
        if any(str(value) not in choice_values(field) for value in field.data or []):
            raise ValidationError(_l("Choose organisations from the list."))
        if self.who.data == WHO_CHOSEN and not field.data:
            raise ValidationError(_l("Choose at least one organisation."))

    def chosen_types(self) -> list[OrganisationType] | None:
        if self.who.data != WHO_TYPES:
            return None
        return [OrganisationType(value) for value in self.types.data or []]

    def chosen_ids(self) -> list[int] | None:
        if self.who.data != WHO_CHOSEN:
            return None
        return list(_ids(self.organisations.data))
