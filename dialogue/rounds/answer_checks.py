"""Checking the answers of a step before anything is stored, and the stored answers as the
form sends them back.

A step is checked all or nothing: every answer is looked at, and every wrong one is named.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from dialogue.errors import InvalidInputError
from dialogue.i18n import _, _l
from dialogue.rounds.models import Question, QuestionKind
from dialogue.rounds.scale import SCALE, SCALE_KINDS
from dialogue.rounds.visits import Step, Visit, allows_dont_know, field_name, max_choices
from dialogue.sanitize import clean_text, has_forbidden_characters

MAX_TEXT_LENGTH = 2000
DONT_KNOW = "dont_know"

CHOOSE_SCALE = _l("Choose a number from 1 to 5.")
CHOOSE_SCALE_OR_DONT_KNOW = _l("Choose a number from 1 to 5, or that you don't know.")
ANSWER_REQUIRED = _l("Answer this question.")
CHOOSE_CATEGORIES = _l("Choose only from the concerns in the list.")
TEXT_FORBIDDEN = _l("The text contains characters that cannot be saved. Remove them and try again.")


@dataclasses.dataclass(frozen=True)
class Given:
    """One question's answer as checked, before it is stored."""

    value: int | None = None
    dont_know: bool = False
    choices: tuple[int, ...] = ()
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return self.value is None and not self.dont_know and not self.choices and not self.text


def validate_step(
    visit: Visit, step: Step, raw: Mapping[str, Sequence[str]], *, complete: bool
) -> dict[int, Given]:
    """Check every answer of a step; InvalidInputError names each wrong one.

    ``complete`` also asks for the required questions (when the person moves on); saving to
    come back later keeps what is there without insisting.
    """
    offered = frozenset(visit.category_labels)
    given: dict[int, Given] = {}
    errors: dict[str, str] = {}
    for question in step.questions:
        values = [v for v in raw.get(field_name(question), []) if v.strip()]
        try:
            given[question.id] = _check(question, values, offered)
        except ValueError as error:
            errors[field_name(question)] = str(error)
            continue
        if complete and question.is_required and given[question.id].is_empty:
            errors[field_name(question)] = str(ANSWER_REQUIRED)
    if errors:
        raise InvalidInputError(errors)
    return given


def _check(question: Question, values: list[str], offered: frozenset[int]) -> Given:
    """The answer a question was given; ValueError with the translated reason if wrong."""
    if question.kind in SCALE_KINDS:
        return _check_scale(question, values)
    if question.kind is QuestionKind.TOP_CATEGORIES:
        return _check_categories(question, values, offered)
    return _check_text(values)


def _check_scale(question: Question, values: list[str]) -> Given:
    wrong = CHOOSE_SCALE_OR_DONT_KNOW if allows_dont_know(question) else CHOOSE_SCALE
    if not values:
        return Given()
    if len(values) > 1:
        raise ValueError(str(wrong))
    value = values[0].strip()
    if value == DONT_KNOW and allows_dont_know(question):
        return Given(dont_know=True)
    if not (value.isascii() and value.isdigit()) or int(value) not in SCALE:
        raise ValueError(str(wrong))
    return Given(value=int(value))


def _check_categories(question: Question, values: list[str], offered: frozenset[int]) -> Given:
    chosen: list[int] = []
    for value in values:
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or int(text) not in offered:
            raise ValueError(str(CHOOSE_CATEGORIES))
        if int(text) not in chosen:
            chosen.append(int(text))
    limit = max_choices(question)
    if len(chosen) > limit:
        raise ValueError(
            _(
                "Choose at most %(limit)d. You have chosen %(count)d.",
                limit=limit,
                count=len(chosen),
            )
        )
    return Given(choices=tuple(chosen))


def _check_text(values: list[str]) -> Given:
    raw = "\n".join(values)
    if has_forbidden_characters(raw):
        raise ValueError(str(TEXT_FORBIDDEN))
    length = len(raw.replace("\r\n", "\n").strip())
    if length > MAX_TEXT_LENGTH:
        raise ValueError(
            _(
                "Use at most %(limit)d characters. You have written %(length)d.",
                limit=MAX_TEXT_LENGTH,
                length=length,
            )
        )
    return Given(text=clean_text(raw))


def step_values(visit: Visit, step: Step) -> dict[str, list[str]]:
    """A step's stored answers as the form sends them, to fill the form in again."""
    answers = visit.answers()
    values: dict[str, list[str]] = {}
    for question in step.questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        if answer.dont_know:
            values[field_name(question)] = [DONT_KNOW]
        elif answer.value is not None:
            values[field_name(question)] = [str(answer.value)]
        elif answer.choices:
            values[field_name(question)] = [str(choice) for choice in answer.choices]
        elif answer.text:
            values[field_name(question)] = [answer.text]
    return values
