"""A round's questions: the default questionnaire made from a pledge, and the moderator's own
changes to it (add, edit, move, remove) until the round is published.

Every question's text is stored in every language when it is made, the commitment's text or
the place's name inside, so the questionnaire stays as it was asked whatever changes later.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import select

from dialogue.accounts.context import Context
from dialogue.audit.services import Target, record
from dialogue.config import current_settings
from dialogue.db import DbSession, Localized
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _, _l
from dialogue.places.models import Place
from dialogue.pledges.models import Commitment, Pledge
from dialogue.records import changes, localized_line, localized_text
from dialogue.rounds.models import InputRound, Question, QuestionKind, TimeOfDay
from dialogue.rounds.queries import find_round
from dialogue.rounds.state import questions_frozen
from dialogue.rounds.texts import in_every_language, text_in

TOP_CATEGORIES_CHOICES = 3
MAX_TEXT = 500
MAX_HINT = 1000
# Kinds whose text the moderator writes (and may later change); the others are generated.
OWN_TEXT_KINDS = frozenset({QuestionKind.SCALE, QuestionKind.FREE_TEXT})

Direction = Literal["up", "down"]


@dataclasses.dataclass(frozen=True)
class QuestionInput:
    """A question to add. ``text`` is for scale and free-text questions; ``commitment_id`` for
    importance and progress; ``place_id`` for place safety, asked by day and by night unless
    ``time_of_day`` says which."""

    kind: QuestionKind
    text: Localized = dataclasses.field(default_factory=dict)
    hint: Localized = dataclasses.field(default_factory=dict)
    commitment_id: int | None = None
    place_id: int | None = None
    time_of_day: TimeOfDay | None = None


@dataclasses.dataclass(frozen=True)
class QuestionText:
    """New text of a moderator's own question."""

    text: Localized
    hint: Localized = dataclasses.field(default_factory=dict)


# The texts, in every language


def importance_text(commitment: Commitment) -> tuple[Localized, Localized]:
    text = in_every_language(
        lambda locale: _(
            "How important is this commitment to your organisation: %(commitment)s",
            commitment=text_in(commitment.text, locale),
        )
    )
    hint = in_every_language(
        lambda locale: _("Answer from 1, not important at all, to 5, very important.")
    )
    return text, hint


def progress_text(commitment: Commitment) -> tuple[Localized, Localized]:
    text = in_every_language(
        lambda locale: _(
            "How well is this commitment going, as your organisation sees it: %(commitment)s",
            commitment=text_in(commitment.text, locale),
        )
    )
    hint = in_every_language(
        lambda locale: _(
            "Answer from 1, very badly, to 5, very well. Choose “Don't know” if you cannot tell."
        )
    )
    return text, hint


def place_safety_text(place: Place, time_of_day: TimeOfDay) -> tuple[Localized, Localized]:
    if time_of_day == TimeOfDay.DAY:
        text = in_every_language(
            lambda locale: _(
                "How safe do the people of your organisation feel at %(place)s in the daytime?",
                place=place.name,
            )
        )
    else:
        text = in_every_language(
            lambda locale: _(
                "How safe do the people of your organisation feel at %(place)s in the evening "
                "and at night?",
                place=place.name,
            )
        )
    hint = in_every_language(lambda locale: _("Answer from 1, very unsafe, to 5, very safe."))
    return text, hint


def top_categories_text() -> tuple[Localized, Localized]:
    text = in_every_language(
        lambda locale: _("Which kinds of problems worry your organisation the most?")
    )
    hint = in_every_language(
        lambda locale: _("Choose at most %(count)d.", count=TOP_CATEGORIES_CHOICES)
    )
    return text, hint


def focus_text() -> Localized:
    return in_every_language(lambda locale: _("What should next year's pledge focus on?"))


def anything_else_text() -> Localized:
    return in_every_language(
        lambda locale: _("Is there anything else you want the municipality and the police to know?")
    )


# The default questionnaire


def default_questions(pledge: Pledge | None, places: Sequence[Place]) -> list[Question]:
    """The questions a round asks by default, not yet added to a session or a round.

    For each commitment of ``pledge``: how important it is and how well it is going; for each
    place: how safe it feels by day and by night; the top categories; two free-text questions.
    """
    questions: list[Question] = []
    for commitment in pledge.commitments if pledge else []:
        text, hint = importance_text(commitment)
        questions.append(
            Question(
                kind=QuestionKind.IMPORTANCE, text=text, hint=hint, commitment_id=commitment.id
            )
        )
        text, hint = progress_text(commitment)
        questions.append(
            Question(kind=QuestionKind.PROGRESS, text=text, hint=hint, commitment_id=commitment.id)
        )
    for place in places:
        for time_of_day in TimeOfDay:
            text, hint = place_safety_text(place, time_of_day)
            questions.append(
                Question(
                    kind=QuestionKind.PLACE_SAFETY,
                    text=text,
                    hint=hint,
                    place_id=place.id,
                    time_of_day=time_of_day,
                )
            )
    text, hint = top_categories_text()
    questions.append(
        Question(
            kind=QuestionKind.TOP_CATEGORIES,
            text=text,
            hint=hint,
            max_choices=TOP_CATEGORIES_CHOICES,
        )
    )
    questions.append(Question(kind=QuestionKind.FREE_TEXT, text=focus_text()))
    questions.append(Question(kind=QuestionKind.FREE_TEXT, text=anything_else_text()))
    return questions


def add_default_questions(
    session: DbSession, input_round: InputRound, pledge: Pledge | None, places: Sequence[Place]
) -> list[Question]:
    """Add the default questionnaire to a new round (the caller audits and commits)."""
    questions = default_questions(pledge, places)
    for position, question in enumerate(questions, start=1):
        question.municipality_id = input_round.municipality_id
        question.round = input_round
        question.position = position
        session.add(question)
    session.flush()
    return questions


# Changing the questions


def add_question(
    session: DbSession, ctx: Context, round_id: int, data: QuestionInput
) -> list[Question]:
    """Add a question at the end of a draft round (two for a place asked by day and night)."""
    input_round = _draft(session, ctx, round_id)
    made = _made(session, input_round, data)
    position = max((q.position for q in input_round.questions), default=0)
    for question in made:
        position += 1
        question.municipality_id = ctx.municipality_id
        question.round = input_round
        question.position = position
        session.add(question)
    session.flush()
    for question in made:
        record(
            session,
            ctx.actor.id,
            "round_question.added",
            Target.of("round_question", question),
            round_id=question.round_id,
            values=_audit_values(question),
        )
    session.commit()
    return made


def update_question(
    session: DbSession, ctx: Context, round_id: int, question_id: int, data: QuestionText
) -> Question:
    """Change the text of a moderator's own scale or free-text question of a draft round."""
    input_round = _draft(session, ctx, round_id)
    question = _question(input_round, question_id)
    if question.kind not in OWN_TEXT_KINDS:
        raise InvalidInputError(
            {
                _default_field("text"): _l(
                    "The text of this question is made from the pledge and cannot be changed."
                )
            }
        )
    text, hint = _own_text(data.text, data.hint)
    before = _audit_values(question)
    question.text = text
    question.hint = hint or None
    changed = changes(before, _audit_values(question))
    if changed:
        record(
            session,
            ctx.actor.id,
            "round_question.updated",
            Target.of("round_question", question),
            round_id=question.round_id,
            changes=changed,
        )
    session.commit()
    return question


def move_question(
    session: DbSession, ctx: Context, round_id: int, question_id: int, direction: Direction | str
) -> Question:
    """Swap a question with the one before (``up``) or after it (``down``)."""
    input_round = _draft(session, ctx, round_id)
    question = _question(input_round, question_id)
    if direction not in ("up", "down"):
        raise InvalidInputError({"direction": _l("Choose whether to move it up or down.")})
    ordered = sorted(input_round.questions, key=lambda q: (q.position, q.id))
    index = ordered.index(question)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(ordered):
        raise InvalidInputError(
            {
                "position": _l("The question is already first.")
                if direction == "up"
                else _l("The question is already last.")
            }
        )
    ordered[index], ordered[other_index] = ordered[other_index], ordered[index]
    _renumber(ordered)
    record(
        session,
        ctx.actor.id,
        "round_question.moved",
        Target.of("round_question", question),
        round_id=question.round_id,
        direction=direction,
        position=question.position,
    )
    session.commit()
    return question


def remove_question(session: DbSession, ctx: Context, round_id: int, question_id: int) -> None:
    """Remove a question from a draft round; the others close up."""
    input_round = _draft(session, ctx, round_id)
    question = _question(input_round, question_id)
    record(
        session,
        ctx.actor.id,
        "round_question.removed",
        Target.of("round_question", question),
        round_id=question.round_id,
        values=_audit_values(question),
    )
    remaining = [q for q in input_round.questions if q.id != question.id]
    session.delete(question)
    session.flush()
    _renumber(sorted(remaining, key=lambda q: (q.position, q.id)))
    session.commit()
    session.expire(input_round, ["questions"])


# Helpers


def _draft(session: DbSession, ctx: Context, round_id: int) -> InputRound:
    ctx.require_moderator()
    input_round = find_round(session, ctx.municipality_id, round_id)
    if questions_frozen(input_round):
        raise InvalidInputError(
            {"questions": _l("The round is published, so its questions can no longer change.")}
        )
    return input_round


def _question(input_round: InputRound, question_id: int) -> Question:
    for question in input_round.questions:
        if question.id == question_id:
            return question
    raise NotFoundError(question_id)


def _renumber(ordered: Sequence[Question]) -> None:
    for position, question in enumerate(ordered, start=1):
        question.position = position


def _own_text(text: Localized, hint: Localized) -> tuple[Localized, Localized]:
    cleaned = localized_line(text)
    cleaned_hint = localized_text(hint)
    errors: dict[str, Any] = {}
    if not cleaned.get(current_settings().default_locale):
        errors[_default_field("text")] = _l("Write the question in Swedish.")
    for locale, value in cleaned.items():
        if len(value) > MAX_TEXT:
            errors[f"text_{locale}"] = _l("Use at most %(limit)d characters.", limit=MAX_TEXT)
    for locale, value in cleaned_hint.items():
        if len(value) > MAX_HINT:
            errors[f"hint_{locale}"] = _l("Use at most %(limit)d characters.", limit=MAX_HINT)
    if errors:
        raise InvalidInputError(errors)
    return cleaned, cleaned_hint


def _made(session: DbSession, input_round: InputRound, data: QuestionInput) -> list[Question]:
    """The new questions ``data`` asks for, checked; InvalidInputError before anything is added."""
    kind = data.kind
    if kind in OWN_TEXT_KINDS:
        text, hint = _own_text(data.text, data.hint)
        return [Question(kind=kind, text=text, hint=hint or None)]
    if kind in (QuestionKind.IMPORTANCE, QuestionKind.PROGRESS):
        commitment = session.get(Commitment, data.commitment_id) if data.commitment_id else None
        if commitment is None or commitment.municipality_id != input_round.municipality_id:
            raise InvalidInputError({"commitment": _l("Choose a commitment from the list.")})
        maker = importance_text if kind == QuestionKind.IMPORTANCE else progress_text
        text, hint = maker(commitment)
        return [Question(kind=kind, text=text, hint=hint, commitment_id=commitment.id)]
    if kind == QuestionKind.PLACE_SAFETY:
        place = session.get(Place, data.place_id) if data.place_id else None
        if place is None or place.municipality_id != input_round.municipality_id:
            raise InvalidInputError({"place": _l("Choose a place from the list.")})
        times = [data.time_of_day] if data.time_of_day else list(TimeOfDay)
        made = []
        for time_of_day in times:
            text, hint = place_safety_text(place, time_of_day)
            made.append(
                Question(
                    kind=kind, text=text, hint=hint, place_id=place.id, time_of_day=time_of_day
                )
            )
        return made
    if any(q.kind == QuestionKind.TOP_CATEGORIES for q in input_round.questions):
        raise InvalidInputError(
            {"kind": _l("The round already asks for the top categories of concern.")}
        )
    text, hint = top_categories_text()
    return [Question(kind=kind, text=text, hint=hint, max_choices=TOP_CATEGORIES_CHOICES)]


def list_commitment_choices(session: DbSession, input_round: InputRound) -> list[Commitment]:
    """Commitments a question can ask about: the round's pledge's, else every one of the
    municipality's pledges."""
    query = select(Commitment).where(Commitment.municipality_id == input_round.municipality_id)
    if input_round.pledge_id is not None:
        query = query.where(Commitment.pledge_id == input_round.pledge_id)
    return list(session.scalars(query.order_by(Commitment.pledge_id.desc(), Commitment.position)))


def _audit_values(question: Question) -> dict[str, Any]:
    return {
        "kind": question.kind.value,
        "text": dict(question.text),
        "hint": dict(question.hint) if question.hint else None,
        "commitment_id": question.commitment_id,
        "place_id": question.place_id,
        "time_of_day": question.time_of_day.value if question.time_of_day else None,
        "position": question.position,
    }


def _default_field(prefix: str) -> str:
    """The form field of a text in the default locale, the one language it is required in."""
    return f"{prefix}_{current_settings().default_locale}"
