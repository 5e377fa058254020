"""Answers in words: the review page before sending, and the copy the confirmation mails."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from dialogue.db import Localized
from dialogue.i18n import _, pick
from dialogue.rounds.models import Answer, Question
from dialogue.rounds.scale import end_label
from dialogue.rounds.visits import Step, Visit


@dataclasses.dataclass(frozen=True)
class ReviewRow:
    question: Question
    answer: str | None  # None: not answered
    is_missing: bool  # required and not answered


@dataclasses.dataclass(frozen=True)
class ReviewStep:
    step: Step
    rows: tuple[ReviewRow, ...]


def review(visit: Visit, locale: str, default_locale: str) -> tuple[ReviewStep, ...]:
    """Every step with each question and its answer in words, for the review page."""
    answers = visit.answers()
    labels = visit.category_labels
    return tuple(
        ReviewStep(
            step=step,
            rows=tuple(
                ReviewRow(
                    question=question,
                    answer=describe_answer(
                        question, answers.get(question.id), labels, locale, default_locale
                    ),
                    is_missing=question.is_required and question.id not in answers,
                )
                for question in step.questions
            ),
        )
        for step in visit.steps
    )


def describe_answer(
    question: Question,
    answer: Answer | None,
    category_labels: Mapping[int, Localized],
    locale: str,
    default_locale: str,
) -> str | None:
    """An answer in words in the current language, or None if the question has none."""
    if answer is None:
        return None
    if answer.dont_know:
        return str(_("Don't know"))
    if answer.value is not None:
        return end_label(question.kind, answer.value) or str(answer.value)
    if answer.choices:
        return ", ".join(
            pick(category_labels.get(choice), locale, default_locale)[0] or str(choice)
            for choice in answer.choices
        )
    return answer.text
