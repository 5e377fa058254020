"""Answering an input round by link: the questionnaire's steps, saving them, sending.

An organisation reaches its answers only through its own link (see ``tokens``): whoever holds
the link may answer, leave, resume and change the answers until the round closes. The steps
are derived from the round's questions every time, never stored: one per commitment
(importance and progress together), one per place (day and night), one per top-categories
question and one for the remaining questions, in the order their first question comes.

A step is saved all or nothing: every answer of the step is checked first, and nothing is
written if one of them is wrong. The round's open link lets an organisation outside the
register answer after giving its name and organisation number; such answers (and such an
organisation) stay unverified until a moderator confirms them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from dialogue.categories.services import category_groups
from dialogue.db import DbSession, Localized, utcnow
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.i18n import _, _l, pick
from dialogue.organisations import orgnr
from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.outbox.services import enqueue
from dialogue.places.models import Place
from dialogue.pledges.models import Commitment
from dialogue.rounds import tokens
from dialogue.rounds.models import (
    Answer,
    InputRound,
    Invitation,
    Question,
    QuestionKind,
    ResponseVia,
    RoundResponse,
)
from dialogue.rounds.state import RoundState, round_state
from dialogue.sanitize import clean_line, clean_text, has_forbidden_characters

MAX_TEXT_LENGTH = 2000
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
DEFAULT_MAX_CHOICES = 3
SCALE_VALUES = range(1, 6)
DONT_KNOW = "dont_know"
SCALE_KINDS = frozenset(
    {QuestionKind.IMPORTANCE, QuestionKind.PROGRESS, QuestionKind.PLACE_SAFETY, QuestionKind.SCALE}
)
COMMITMENT_KINDS = frozenset({QuestionKind.IMPORTANCE, QuestionKind.PROGRESS})
# Outbox kinds of the messages queued here.
CONFIRMATION_MAIL = "round_confirmation"
LINK_MAIL = "round_link"

# What the ends of each 1-5 scale mean, shown beside the numbers 1 and 5.
SCALE_ENDS: dict[QuestionKind, tuple[str, str]] = {
    QuestionKind.IMPORTANCE: (_l("1 – not at all important"), _l("5 – very important")),
    QuestionKind.PROGRESS: (_l("1 – very badly"), _l("5 – very well")),
    QuestionKind.PLACE_SAFETY: (_l("1 – very unsafe"), _l("5 – very safe")),
    QuestionKind.SCALE: (_l("1 – not at all"), _l("5 – very much")),
}

CHOOSE_SCALE = _l("Choose a number from 1 to 5.")
CHOOSE_SCALE_OR_DONT_KNOW = _l("Choose a number from 1 to 5, or that you don't know.")
ANSWER_REQUIRED = _l("Answer this question.")
CHOOSE_CATEGORIES = _l("Choose only from the concerns in the list.")
TEXT_FORBIDDEN = _l("The text contains characters that cannot be saved. Remove them and try again.")
NOTHING_ANSWERED = _l("Answer at least one question before you send your answers.")
ALREADY_ANSWERED = _l(
    "Your organisation has already answered this round. Use your organisation's own link to "
    "see or change the answers."
)
ALREADY_INVITED = _l(
    "Your organisation already has its own link to this round. Use that link to answer, or ask "
    "the municipality for it."
)


class StepKind(StrEnum):
    COMMITMENT = "commitment"  # importance and progress of one commitment
    PLACE = "place"  # safety at one place, by day and by night
    CATEGORIES = "categories"  # one top-categories question
    OTHER = "other"  # the round's own scale and free-text questions


class Move(StrEnum):
    """Which button saved a step: where the person goes next."""

    NEXT = "next"
    BACK = "back"
    LATER = "later"


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
class ReviewRow:
    question: Question
    answer: str | None  # None: not answered
    is_missing: bool  # required and not answered


@dataclasses.dataclass(frozen=True)
class ReviewStep:
    step: Step
    rows: tuple[ReviewRow, ...]


@dataclasses.dataclass(frozen=True)
class Submitted:
    first_time: bool  # False when sent before: the answers were only saved again
    mailed: bool  # a confirmation was queued by e-mail


@dataclasses.dataclass(frozen=True)
class OpenLinkDetails:
    """What a person types on a round's open link to answer for their organisation."""

    name: str
    type: OrganisationType
    org_number: str
    contact_name: str = ""
    contact_email: str = ""


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


# Checking and saving a step ----------------------------------------------------------------


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
    if not (value.isascii() and value.isdigit()) or int(value) not in SCALE_VALUES:
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


def save_step(
    session: DbSession,
    visit: Visit,
    number: int,
    raw: Mapping[str, Sequence[str]],
    *,
    move: Move,
) -> RoundResponse:
    """Save one step's answers, all or nothing, and remember how far the person came.

    The first save creates the organisation's response. After the answers were sent they can
    still be changed this way while the round is open; they stay sent.
    """
    if not visit.is_open:
        raise RoundNotOpenError(visit.state)
    step = visit.step(number)
    given = validate_step(visit, step, raw, complete=move is Move.NEXT)
    reached = number + 1 if move is Move.NEXT else number
    invitation_id = visit.invitation.id
    try:
        response = _apply(session, visit, step, given, reached)
        session.commit()
    except IntegrityError:
        # A double click saved the first answers at the same moment: save onto that response.
        session.rollback()
        visit.invitation = session.get_one(Invitation, invitation_id)
        session.refresh(visit.invitation)
        response = _apply(session, visit, step, given, reached)
        session.commit()
    return response


def _apply(
    session: DbSession, visit: Visit, step: Step, given: Mapping[int, Given], reached: int
) -> RoundResponse:
    response = visit.response or _new_response(session, visit.invitation)
    existing = {answer.question_id: answer for answer in response.answers}
    for question in step.questions:
        answer = existing.get(question.id)
        checked = given[question.id]
        if checked.is_empty:
            if answer is not None:
                response.answers.remove(answer)
                session.delete(answer)
            continue
        if answer is None:
            answer = Answer(municipality_id=response.municipality_id, question_id=question.id)
            response.answers.append(answer)
        answer.value = checked.value
        answer.dont_know = checked.dont_know
        answer.choices = list(checked.choices) or None
        answer.text = checked.text or None
    response.last_step = max(response.last_step, reached)
    response.updated_at = utcnow()
    session.flush()
    return response


def _new_response(session: DbSession, invitation: Invitation) -> RoundResponse:
    response = RoundResponse(
        municipality_id=invitation.municipality_id,
        round_id=invitation.round_id,
        organisation_id=invitation.organisation_id,
        invitation=invitation,
        is_verified=invitation.via is ResponseVia.INVITATION,
        last_step=0,
    )
    session.add(response)
    return response


# Review and sending ------------------------------------------------------------------------


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
        ends = SCALE_ENDS.get(question.kind)
        if ends and answer.value in (1, 5):
            return str(ends[0] if answer.value == 1 else ends[1])
        return str(answer.value)
    if answer.choices:
        return ", ".join(
            pick(category_labels.get(choice), locale, default_locale)[0] or str(choice)
            for choice in answer.choices
        )
    return answer.text


def submit_response(
    session: DbSession,
    visit: Visit,
    *,
    link: str,
    municipality_name: str,
    locale: str,
    default_locale: str,
) -> Submitted:
    """Send the answers: mark the response sent and queue a copy to the known address.

    Sending again (a double click, or after a change) keeps the first time and mails nothing.
    """
    if not visit.is_open:
        raise RoundNotOpenError(visit.state)
    response = visit.response
    if response is None or not response.answers:
        raise InvalidInputError({"answers": str(NOTHING_ANSWERED)})
    missing = visit.missing_required()
    if missing:
        raise InvalidInputError({field_name(q): str(ANSWER_REQUIRED) for q in missing})
    if response.submitted_at is not None:
        return Submitted(first_time=False, mailed=False)
    response.submitted_at = utcnow()
    address = response.respondent_email or visit.organisation.contact_email
    if address:
        enqueue(
            session,
            municipality_id=response.municipality_id,
            to_address=address,
            subject=_confirmation_subject(visit, municipality_name, locale, default_locale),
            body=_confirmation_body(visit, link, municipality_name, locale, default_locale),
            kind=CONFIRMATION_MAIL,
        )
    session.commit()
    return Submitted(first_time=True, mailed=bool(address))


def _confirmation_subject(
    visit: Visit, municipality_name: str, locale: str, default_locale: str
) -> str:
    title = pick(visit.round.title, locale, default_locale)[0]
    with force_locale(locale):
        return str(
            _(
                "Your answers to %(round)s – %(municipality)s",
                round=title,
                municipality=municipality_name,
            )
        )


def _confirmation_body(
    visit: Visit,
    link: str,
    municipality_name: str,
    locale: str,
    default_locale: str,
) -> str:
    """The confirmation's text: what was answered, and the link to change it."""
    title = pick(visit.round.title, locale, default_locale)[0]
    answers = visit.answers()
    labels = visit.category_labels
    with force_locale(locale):
        lines = []
        for question in visit.questions:
            described = describe_answer(
                question, answers.get(question.id), labels, locale, default_locale
            )
            text = pick(question.text, locale, default_locale)[0]
            lines.append(f"{text}\n{described if described is not None else _('Not answered')}")
        parts = [
            _("Hello,"),
            _(
                "Thank you for answering %(round)s for %(organisation)s. "
                "%(municipality)s has received your answers.",
                round=title,
                organisation=visit.organisation.name,
                municipality=municipality_name,
            ),
            _(
                "You can read and change your answers with your organisation's own link until "
                "%(date)s:",
                date=visit.round.closes_on.isoformat(),
            ),
            link,
            _("Your answers:"),
            *lines,
            _(
                "You get this e-mail because this address was given for your organisation. "
                "Do not reply to it: answers to this address are not read."
            ),
        ]
    return "\n\n".join(parts) + "\n"


# The open link -----------------------------------------------------------------------------


def answer_via_open_link(
    session: DbSession,
    input_round: InputRound,
    details: OpenLinkDetails,
    *,
    key: bytes,
    today: dt.date,
    link: Callable[[str], str],
    municipality_name: str,
    locale: str,
    default_locale: str,
) -> str:
    """Give an organisation that named itself on the open link its own link; the new token.

    An organisation not in the register is added unverified. Its answers are unverified
    until a moderator confirms them. An organisation that already has a link to this round
    (it was invited, or answered before) is refused: it uses the link it has.
    """
    state = round_state(input_round, today)
    if state is not RoundState.OPEN:
        raise RoundNotOpenError(state)
    name, number, contact_name, contact_email = _check_open_link(details)
    organisation = session.scalar(
        select(Organisation).where(
            Organisation.municipality_id == input_round.municipality_id,
            Organisation.org_number == number,
        )
    )
    if organisation is not None:
        _refuse_if_linked(session, input_round, organisation)
    else:
        organisation = Organisation(
            municipality_id=input_round.municipality_id,
            name=name,
            type=details.type,
            org_number=number,
            contact_name=contact_name,
            contact_email=contact_email,
            is_verified=False,
        )
        session.add(organisation)
    salt, token, token_hash = tokens.issue(key)
    invitation = Invitation(
        municipality_id=input_round.municipality_id,
        round=input_round,
        organisation=organisation,
        via=ResponseVia.OPEN_LINK,
        token_salt=salt,
        token_hash=token_hash,
        sent_at=utcnow() if contact_email else None,
    )
    session.add(invitation)
    session.add(
        RoundResponse(
            municipality_id=input_round.municipality_id,
            round_id=input_round.id,
            organisation=organisation,
            invitation=invitation,
            respondent_name=contact_name,
            respondent_email=contact_email,
            is_verified=False,
            last_step=0,
        )
    )
    if contact_email:
        own_link = link(token)
        title = pick(input_round.title, locale, default_locale)[0]
        with force_locale(locale):
            subject = _(
                "Your link to %(round)s – %(municipality)s",
                round=title,
                municipality=municipality_name,
            )
            body = "\n\n".join(
                [
                    _("Hello,"),
                    _(
                        "This is the own link of %(organisation)s to %(round)s. Use it to answer, "
                        "to continue where you left off and to change your answers until "
                        "%(date)s:",
                        organisation=name,
                        round=title,
                        date=input_round.closes_on.isoformat(),
                    ),
                    own_link,
                    _(
                        "Keep the link to yourself: anyone who has it can change your "
                        "organisation's answers. Do not reply to this e-mail: answers to this "
                        "address are not read."
                    ),
                ]
            )
        enqueue(
            session,
            municipality_id=input_round.municipality_id,
            to_address=contact_email,
            subject=subject,
            body=body + "\n",
            kind=LINK_MAIL,
        )
    try:
        session.commit()
    except IntegrityError:
        # Someone sent the same organisation number at the same moment: one of them wins.
        session.rollback()
        raise InvalidInputError({"org_number": str(ALREADY_ANSWERED)}) from None
    return token


def _check_open_link(details: OpenLinkDetails) -> tuple[str, str, str | None, str | None]:
    errors: dict[str, str] = {}
    name = clean_line(details.name)
    if not name:
        errors["name"] = str(_l("Enter the name of your organisation."))
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = _("Use at most %(limit)d characters.", limit=MAX_NAME_LENGTH)
    number = ""
    try:
        number = orgnr.normalize(details.org_number)
    except orgnr.InvalidOrgNumberError as error:
        errors["org_number"] = error.message
    contact_name = clean_line(details.contact_name)
    if len(contact_name) > MAX_NAME_LENGTH:
        errors["contact_name"] = _("Use at most %(limit)d characters.", limit=MAX_NAME_LENGTH)
    contact_email = details.contact_email.strip()
    if contact_email and (
        len(contact_email) > MAX_EMAIL_LENGTH
        or "@" not in contact_email.strip("@")
        or any(char.isspace() for char in contact_email)
    ):
        errors["contact_email"] = str(
            _l("Enter an e-mail address in the right format, like name@example.se.")
        )
    if errors:
        raise InvalidInputError(errors)
    return name, number, contact_name or None, contact_email or None


def _refuse_if_linked(
    session: DbSession, input_round: InputRound, organisation: Organisation
) -> None:
    invitation = session.scalar(
        select(Invitation).where(
            Invitation.round_id == input_round.id, Invitation.organisation_id == organisation.id
        )
    )
    if invitation is None:
        return
    answered = session.scalar(
        select(RoundResponse.id).where(
            RoundResponse.round_id == input_round.id,
            RoundResponse.organisation_id == organisation.id,
        )
    )
    raise InvalidInputError(
        {"org_number": str(ALREADY_ANSWERED if answered is not None else ALREADY_INVITED)}
    )
