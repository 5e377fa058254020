"""Saving an organisation's answers step by step, and sending them.

A step is saved all or nothing (see ``answer_checks``). Sending marks the response sent and
queues a copy of the answers to the address known for it (``answer_mail``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from dialogue.db import DbSession, utcnow
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.outbox.services import enqueue
from dialogue.rounds.answer_checks import ANSWER_REQUIRED, Given, validate_step
from dialogue.rounds.answer_mail import CONFIRMATION_MAIL, confirmation_mail
from dialogue.rounds.models import Answer, Invitation, ResponseVia, RoundResponse
from dialogue.rounds.visits import AnswerSite, RoundNotOpenError, Step, Visit, field_name

NOTHING_ANSWERED = _l("Answer at least one question before you send your answers.")


class Move(StrEnum):
    """Which button saved a step: where the person goes next."""

    NEXT = "next"
    BACK = "back"
    LATER = "later"


@dataclasses.dataclass(frozen=True)
class Submitted:
    first_time: bool  # False when sent before: the answers were only saved again
    mailed: bool  # a confirmation was queued by e-mail


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


def submit_response(session: DbSession, visit: Visit, site: AnswerSite) -> Submitted:
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
        mail = confirmation_mail(visit, site)
        enqueue(
            session,
            municipality_id=response.municipality_id,
            to_address=address,
            mail=mail,
            kind=CONFIRMATION_MAIL,
        )
    session.commit()
    return Submitted(first_time=True, mailed=bool(address))
