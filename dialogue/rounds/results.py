"""What a round brought in: who answered (by organisation type), each response, verifying an
answer given through the open link, and the aggregated results.

Only submitted responses count. Answers through the open link count as soon as they are
submitted, and are also reported as ``unverified`` until a moderator confirms them. An
organisation counts as invited if it got its own link, or if it answered through the open
link, so that the response rate never goes above one.

Free-text answers are staff-only: the round's results page shows them with likely personal
data highlighted, and the shape the lägesbild report and its snapshots take (``to_json``) holds
only how many there are. No automatic masking of them is published.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope, require_reader
from dialogue.accounts.context import Context
from dialogue.audit.services import Target, record
from dialogue.categories.models import Category
from dialogue.db import DbSession, Localized
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.organisations.labels import TYPE_LABELS
from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.rounds.models import (
    Answer,
    InputRound,
    Invitation,
    Question,
    QuestionKind,
    RoundResponse,
)
from dialogue.rounds.queries import counted_invitations, find_round
from dialogue.rounds.scale import SCALE, SCALE_KINDS
from dialogue.rounds.texts import every_locale_filled, in_every_language

MEAN_DECIMALS = 2


def type_label(kind: OrganisationType) -> Localized:
    return in_every_language(lambda locale: str(TYPE_LABELS[kind]))


# Values


@dataclasses.dataclass(frozen=True)
class TypeCount:
    type: OrganisationType
    label: Localized
    invited: int
    responded: int

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "label": dict(self.label),
            "invited": self.invited,
            "responded": self.responded,
        }


@dataclasses.dataclass(frozen=True)
class ResponseRate:
    invited: int
    responded: int
    unverified: int
    by_type: tuple[TypeCount, ...]

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None


@dataclasses.dataclass(frozen=True)
class TypeMean:
    type: OrganisationType
    label: Localized
    answered: int
    mean: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "label": dict(self.label),
            "answered": self.answered,
            "mean": _rounded(self.mean),
        }


@dataclasses.dataclass(frozen=True)
class ChoiceCount:
    key: str  # the category's code
    label: Localized
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": dict(self.label), "count": self.count}


@dataclasses.dataclass(frozen=True)
class QuestionResult:
    id: int
    kind: QuestionKind
    text: Localized
    answered: int
    dont_know: int
    mean: float | None
    distribution: tuple[int, ...]  # answers 1 to 5, for the scale kinds
    mean_by_type: tuple[TypeMean, ...]
    choices: tuple[ChoiceCount, ...]  # top categories, most chosen first
    texts: tuple[str, ...]  # free-text answers as written: staff pages only, highlighted

    @property
    def is_scale(self) -> bool:
        return self.kind in SCALE_KINDS

    @property
    def largest(self) -> int:
        """The largest count of the distribution or the choices, to scale bars by."""
        return max((*self.distribution, *(c.count for c in self.choices)), default=0)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "text": dict(self.text),
            "answered": self.answered,
            "dont_know": self.dont_know,
            "mean": _rounded(self.mean),
            "distribution": list(self.distribution),
            "mean_by_type": [m.to_json() for m in self.mean_by_type],
            "choices": [c.to_json() for c in self.choices],
            "text_count": len(self.texts),
        }


@dataclasses.dataclass(frozen=True)
class RoundResults:
    round_id: int
    title: Localized
    opens_on: dt.date
    closes_on: dt.date
    invited: int
    responded: int
    unverified: int
    by_type: tuple[TypeCount, ...]
    questions: tuple[QuestionResult, ...]

    def to_json(self) -> dict[str, Any]:
        """The shape the lägesbild report embeds and snapshots freeze: the number of free-text
        answers, never their texts (nobody has reviewed them for publication)."""
        return {
            "round_id": self.round_id,
            "title": dict(self.title),
            "opens_on": self.opens_on.isoformat(),
            "closes_on": self.closes_on.isoformat(),
            "invited": self.invited,
            "responded": self.responded,
            "unverified": self.unverified,
            "by_type": [t.to_json() for t in self.by_type],
            "questions": [q.to_json() for q in self.questions],
        }


@dataclasses.dataclass(frozen=True)
class AnswerRow:
    """A question of the round with one response's answer to it (None if skipped)."""

    question: Question
    answer: Answer | None
    choices: tuple[Category, ...] = ()


@dataclasses.dataclass(frozen=True)
class ResponseDetail:
    round: InputRound
    response: RoundResponse
    rows: tuple[AnswerRow, ...]


def _rounded(mean: float | None) -> float | None:
    return None if mean is None else round(mean, MEAN_DECIMALS)


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


# Response rate and responses


def response_rate(
    session: DbSession, municipality_id: int, round_id: int, *, scope: Scope
) -> ResponseRate:
    """Invited and answered, overall and by organisation type."""
    require_reader(scope, municipality_id)
    input_round = find_round(session, municipality_id, round_id)
    return _response_rate(session, input_round)


def _response_rate(session: DbSession, input_round: InputRound) -> ResponseRate:
    rows = session.execute(
        select(Organisation.type, RoundResponse.submitted_at, RoundResponse.is_verified)
        .select_from(Invitation)
        .join(Organisation, Organisation.id == Invitation.organisation_id)
        .outerjoin(RoundResponse, RoundResponse.invitation_id == Invitation.id)
        .where(Invitation.round_id == input_round.id, counted_invitations())
    ).all()
    invited: Counter[OrganisationType] = Counter()
    responded: Counter[OrganisationType] = Counter()
    unverified = 0
    for kind, submitted_at, is_verified in rows:
        invited[kind] += 1
        if submitted_at is not None:
            responded[kind] += 1
            unverified += 0 if is_verified else 1
    by_type = tuple(
        TypeCount(kind, type_label(kind), invited[kind], responded[kind])
        for kind in OrganisationType
    )
    return ResponseRate(
        invited=sum(invited.values()),
        responded=sum(responded.values()),
        unverified=unverified,
        by_type=by_type,
    )


def list_responses(
    session: DbSession, municipality_id: int, round_id: int, *, scope: Scope
) -> list[RoundResponse]:
    """Every response of a round, submitted or still in progress, by organisation name."""
    require_reader(scope, municipality_id)
    input_round = find_round(session, municipality_id, round_id)
    return list(
        session.scalars(
            select(RoundResponse)
            .join(Organisation, Organisation.id == RoundResponse.organisation_id)
            .where(RoundResponse.round_id == input_round.id)
            .options(selectinload(RoundResponse.organisation))
            .order_by(Organisation.name, RoundResponse.id)
        )
    )


def get_response(
    session: DbSession, municipality_id: int, round_id: int, response_id: int, *, scope: Scope
) -> ResponseDetail:
    """One response with an answer (or none) to every question of its round."""
    require_reader(scope, municipality_id)
    input_round = find_round(session, municipality_id, round_id)
    response = session.scalar(
        select(RoundResponse)
        .where(RoundResponse.id == response_id, RoundResponse.round_id == input_round.id)
        .options(
            selectinload(RoundResponse.organisation),
            selectinload(RoundResponse.answers),
            selectinload(RoundResponse.invitation),
        )
    )
    if response is None:
        raise NotFoundError(response_id)
    by_question = {a.question_id: a for a in response.answers}
    chosen = {i for a in response.answers for i in a.choices or []}
    categories = _categories(session, input_round.municipality_id, chosen)
    rows = []
    for question in input_round.questions:
        answer = by_question.get(question.id)
        picked = tuple(
            categories[i] for i in (answer.choices or [] if answer else []) if i in categories
        )
        rows.append(AnswerRow(question, answer, picked))
    return ResponseDetail(input_round, response, tuple(rows))


def verify_response(
    session: DbSession, ctx: Context, round_id: int, response_id: int
) -> RoundResponse:
    """Confirm an answer given through the open link, and the organisation that gave it."""
    ctx.require_moderator()
    municipality_id = ctx.municipality_id
    input_round = find_round(session, municipality_id, round_id)
    response = session.scalar(
        select(RoundResponse)
        .where(RoundResponse.id == response_id, RoundResponse.round_id == input_round.id)
        .options(selectinload(RoundResponse.organisation))
    )
    if response is None:
        raise NotFoundError(response_id)
    if response.is_verified:
        raise InvalidInputError({"verified": _l("This response is already verified.")})
    response.is_verified = True
    response.verified_by_id = ctx.actor.id
    response.verified_at = ctx.now
    organisation_was_verified = response.organisation.is_verified
    response.organisation.is_verified = True
    record(
        session,
        ctx.actor.id,
        "round_response.verified",
        Target("round_response", response.id, municipality_id),
        round_id=input_round.id,
        organisation_id=response.organisation_id,
        organisation_verified=not organisation_was_verified,
    )
    session.commit()
    return response


# Aggregated results


def round_results(session: DbSession, municipality_id: int, round_id: int) -> RoundResults:
    """The round's aggregated answers: see the shape of :meth:`RoundResults.to_json`.

    No scope: callers check who may read (the workspace pages and the lägesbild report).
    """
    input_round = find_round(session, municipality_id, round_id)
    rate = _response_rate(session, input_round)
    responses = list(
        session.scalars(
            select(RoundResponse)
            .where(
                RoundResponse.round_id == input_round.id, RoundResponse.submitted_at.is_not(None)
            )
            .options(selectinload(RoundResponse.answers), selectinload(RoundResponse.organisation))
            .order_by(RoundResponse.submitted_at, RoundResponse.id)
        )
    )
    answers: dict[int, list[tuple[OrganisationType, Answer]]] = {}
    for response in responses:
        for answer in response.answers:
            answers.setdefault(answer.question_id, []).append((response.organisation.type, answer))
    chosen = {
        i for found in answers.values() for _kind, answer in found for i in answer.choices or []
    }
    categories = _categories(session, municipality_id, chosen)
    questions = tuple(
        _question_result(question, answers.get(question.id, []), categories)
        for question in input_round.questions
    )
    return RoundResults(
        round_id=input_round.id,
        title=every_locale_filled(input_round.title),
        opens_on=input_round.opens_on,
        closes_on=input_round.closes_on,
        invited=rate.invited,
        responded=rate.responded,
        unverified=rate.unverified,
        by_type=rate.by_type,
        questions=questions,
    )


def rounds_closing_in(
    session: DbSession, municipality_ids: Sequence[int], start: dt.date, end: dt.date
) -> list[InputRound]:
    """Published rounds of these municipalities whose closing date is within start..end."""
    return list(
        session.scalars(
            select(InputRound)
            .where(
                InputRound.municipality_id.in_(list(municipality_ids)),
                InputRound.published_at.is_not(None),
                InputRound.closes_on >= start,
                InputRound.closes_on <= end,
            )
            .order_by(InputRound.closes_on, InputRound.id)
        )
    )


def _question_result(
    question: Question,
    found: list[tuple[OrganisationType, Answer]],
    categories: dict[int, Category],
) -> QuestionResult:
    common: dict[str, Any] = {
        "id": question.id,
        "kind": question.kind,
        "text": every_locale_filled(question.text),
    }
    if question.kind in SCALE_KINDS:
        values = [(kind, a.value) for kind, a in found if a.value in SCALE and not a.dont_know]
        dont_know = sum(1 for _kind, a in found if a.dont_know)
        plain = [value for _kind, value in values if value is not None]
        by_type = tuple(
            _type_mean(kind, [v for k, v in values if k == kind and v is not None])
            for kind in OrganisationType
        )
        return QuestionResult(
            **common,
            answered=len(plain),
            dont_know=dont_know,
            mean=_mean(plain),
            distribution=tuple(plain.count(value) for value in SCALE),
            mean_by_type=by_type,
            choices=(),
            texts=(),
        )
    if question.kind == QuestionKind.TOP_CATEGORIES:
        counts: Counter[int] = Counter()
        answered = 0
        for _kind, answer in found:
            picked = [i for i in dict.fromkeys(answer.choices or []) if i in categories]
            answered += 1 if picked else 0
            counts.update(picked)
        choices = sorted(
            (
                ChoiceCount(categories[i].code, every_locale_filled(categories[i].label), count)
                for i, count in counts.items()
            ),
            key=lambda c: (-c.count, c.key),
        )
        return QuestionResult(
            **common,
            answered=answered,
            dont_know=0,
            mean=None,
            distribution=(),
            mean_by_type=(),
            choices=tuple(choices),
            texts=(),
        )
    texts = tuple(a.text.strip() for _kind, a in found if a.text and a.text.strip())
    return QuestionResult(
        **common,
        answered=len(texts),
        dont_know=0,
        mean=None,
        distribution=(),
        mean_by_type=(),
        choices=(),
        texts=texts,
    )


def _type_mean(kind: OrganisationType, values: list[int]) -> TypeMean:
    return TypeMean(kind, type_label(kind), len(values), _mean(values))


def _categories(session: DbSession, municipality_id: int, ids: set[int]) -> dict[int, Category]:
    if not ids:
        return {}
    return {
        c.id: c
        for c in session.scalars(
            select(Category).where(
                Category.id.in_(ids), Category.municipality_id == municipality_id
            )
        )
    }
