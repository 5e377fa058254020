"""What an organisation's link opens: the round, its state and the questionnaire's steps.

An organisation reaches its answers only through its own link (see ``tokens``): whoever holds
the link may answer, leave, resume and change the answers until the round closes. The steps
are derived from the round's questions every time, never stored: one per commitment
(importance and progress together), one per place (day and night), one per top-categories
question and one for the remaining questions, in the order their first question comes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from dialogue.categories.services import category_groups
from dialogue.db import DbSession, Localized
from dialogue.errors import NotFoundError, PermissionDeniedError
from dialogue.organisations.models import Organisation
from dialogue.places.models import Place
from dialogue.pledges.models import Commitment
from dialogue.rounds import tokens
from dialogue.rounds.models import (
    Answer,
    InputRound,
    Invitation,
    Question,
    QuestionKind,
    RoundResponse,
)
from dialogue.rounds.state import RoundState, round_state

DEFAULT_MAX_CHOICES = 3
COMMITMENT_KINDS = frozenset({QuestionKind.IMPORTANCE, QuestionKind.PROGRESS})


class StepKind(StrEnum):
    COMMITMENT = "commitment"  # importance and progress of one commitment
    PLACE = "place"  # safety at one place, by day and by night
    CATEGORIES = "categories"  # one top-categories question
    OTHER = "other"  # the round's own scale and free-text questions


class RoundNotOpenError(PermissionDeniedError):
    """The round is a draft, not open yet or closed: answers cannot be given or changed."""

    def __init__(self, state: RoundState) -> None:
        super().__init__(state.value)
        self.state = state


@dataclasses.dataclass(frozen=True)
class CategoryChoice:
    id: int
    label: Localized


@dataclasses.dataclass(frozen=True)
class CategoryGroup:
    label: Localized
    choices: tuple[CategoryChoice, ...]


@dataclasses.dataclass(frozen=True)
class Step:
    number: int  # 1-based
    kind: StepKind
    questions: tuple[Question, ...]
    ordinal: int = 1  # among the steps of the same kind, for "Commitment 2"
    commitment: Commitment | None = None
    place: Place | None = None


@dataclasses.dataclass
class Visit:
    """What an organisation's link opens: its invitation, the round's state and the steps."""

    invitation: Invitation
    token: str
    state: RoundState
    steps: tuple[Step, ...]
    category_groups: tuple[CategoryGroup, ...]

    @property
    def round(self) -> InputRound:
        return self.invitation.round

    @property
    def organisation(self) -> Organisation:
        return self.invitation.organisation

    @property
    def response(self) -> RoundResponse | None:
        return self.invitation.response

    @property
    def is_open(self) -> bool:
        return self.state is RoundState.OPEN

    @property
    def is_submitted(self) -> bool:
        return self.response is not None and self.response.submitted_at is not None

    @property
    def questions(self) -> list[Question]:
        return [question for step in self.steps for question in step.questions]

    @property
    def category_labels(self) -> dict[int, Localized]:
        return {c.id: c.label for group in self.category_groups for c in group.choices}

    def step(self, number: int) -> Step:
        """The step with this number; NotFoundError outside 1..len(steps)."""
        if not 1 <= number <= len(self.steps):
            raise NotFoundError(number)
        return self.steps[number - 1]

    def answers(self) -> dict[int, Answer]:
        """The stored answers by question id."""
        return {a.question_id: a for a in self.response.answers} if self.response else {}

    def answered_count(self) -> int:
        answers = self.answers()
        return sum(1 for q in self.questions if q.id in answers)

    def resume_step(self) -> int | None:
        """The step to continue at, or None for the review page (everything seen or sent)."""
        if not self.steps:
            return None
        if self.response is None:
            return 1
        if self.is_submitted or self.response.last_step > len(self.steps):
            return None
        return max(self.response.last_step, 1)

    def missing_required(self) -> list[Question]:
        answers = self.answers()
        return [q for q in self.questions if q.is_required and q.id not in answers]


@dataclasses.dataclass(frozen=True)
class AnswerSite:
    """What the public pages give the answering services besides the answers: the invitation
    key, the municipality's name and local date, the visitor's language, and how an
    organisation's own link reads (its token to the address on the public URL)."""

    key: bytes
    today: dt.date
    municipality_name: str
    locale: str
    default_locale: str
    link: Callable[[str], str]


def field_name(question: Question) -> str:
    """The form field (and error key) that carries a question's answer."""
    return f"q{question.id}"


# Finding the link ------------------------------------------------------------------------


def find_invitation(
    session: DbSession, municipality_id: int, token: str, *, key: bytes
) -> Invitation:
    """The invitation a link token belongs to; NotFoundError for a forged or unknown token."""
    if not tokens.is_well_formed(token):
        raise NotFoundError("link")
    invitation = session.scalar(
        select(Invitation)
        .where(
            Invitation.municipality_id == municipality_id,
            Invitation.token_hash == tokens.lookup_hash(key, token),
        )
        .options(
            joinedload(Invitation.round).selectinload(InputRound.questions),
            joinedload(Invitation.organisation),
            selectinload(Invitation.response).selectinload(RoundResponse.answers),
        )
    )
    if invitation is None:
        raise NotFoundError("link")
    return invitation


def load_visit(
    session: DbSession, municipality_id: int, token: str, *, key: bytes, today: dt.date
) -> Visit:
    """Everything an organisation's pages show; NotFoundError for a forged or unknown link."""
    invitation = find_invitation(session, municipality_id, token, key=key)
    steps = list_steps(session, invitation.round)
    needs_categories = any(step.kind is StepKind.CATEGORIES for step in steps)
    return Visit(
        invitation=invitation,
        token=token,
        state=round_state(invitation.round, today),
        steps=steps,
        category_groups=list_category_groups(session, municipality_id) if needs_categories else (),
    )


def find_open_round(
    session: DbSession, municipality_id: int, token: str, *, key: bytes
) -> InputRound:
    """The round whose open link this is; NotFoundError for a forged or unknown token."""
    if not tokens.is_well_formed(token):
        raise NotFoundError("link")
    input_round = session.scalar(
        select(InputRound).where(
            InputRound.municipality_id == municipality_id,
            InputRound.open_token_hash == tokens.lookup_hash(key, token),
        )
    )
    if input_round is None:
        raise NotFoundError("link")
    return input_round


# The questionnaire's steps -----------------------------------------------------------------


def list_steps(session: DbSession, input_round: InputRound) -> tuple[Step, ...]:
    """The round's questions grouped into steps, in the order of each step's first question."""
    questions = sorted(input_round.questions, key=lambda q: (q.position, q.id))
    groups: dict[tuple[StepKind, int], list[Question]] = {}
    for question in questions:
        groups.setdefault(_group_key(question), []).append(question)
    commitment_ids = {k[1] for k in groups if k[0] is StepKind.COMMITMENT}
    place_ids = {k[1] for k in groups if k[0] is StepKind.PLACE}
    commitments = (
        {
            c.id: c
            for c in session.scalars(select(Commitment).where(Commitment.id.in_(commitment_ids)))
        }
        if commitment_ids
        else {}
    )
    places = (
        {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(place_ids)))}
        if place_ids
        else {}
    )
    steps: list[Step] = []
    ordinals: dict[StepKind, int] = {}
    for (kind, ref), members in groups.items():
        ordinals[kind] = ordinals.get(kind, 0) + 1
        steps.append(
            Step(
                number=len(steps) + 1,
                kind=kind,
                questions=tuple(members),
                ordinal=ordinals[kind],
                commitment=commitments.get(ref) if kind is StepKind.COMMITMENT else None,
                place=places.get(ref) if kind is StepKind.PLACE else None,
            )
        )
    return tuple(steps)


def _group_key(question: Question) -> tuple[StepKind, int]:
    if question.kind in COMMITMENT_KINDS and question.commitment_id is not None:
        return StepKind.COMMITMENT, question.commitment_id
    if question.kind is QuestionKind.PLACE_SAFETY and question.place_id is not None:
        return StepKind.PLACE, question.place_id
    if question.kind is QuestionKind.TOP_CATEGORIES:
        return StepKind.CATEGORIES, question.id
    return StepKind.OTHER, 0


def list_category_groups(session: DbSession, municipality_id: int) -> tuple[CategoryGroup, ...]:
    """The municipality's active categories a top-categories question offers, by parent."""
    return tuple(
        CategoryGroup(g.group.label, tuple(CategoryChoice(c.id, c.label) for c in g.categories))
        for g in category_groups(session, municipality_id, offered_only=True)
    )


def allows_dont_know(question: Question) -> bool:
    return question.kind is QuestionKind.PROGRESS


def max_choices(question: Question) -> int:
    return question.max_choices or DEFAULT_MAX_CHOICES
