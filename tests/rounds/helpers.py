"""Helpers the tests of this folder import: plain functions and classes, no fixtures."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.db import utcnow
from dialogue.models import Commitment, Municipality, Place, Pledge
from dialogue.rounds import tokens
from dialogue.rounds.models import InputRound, Question, QuestionKind, TimeOfDay
from tests.factories import InputRoundFactory, QuestionFactory


@dataclasses.dataclass
class Questionnaire:
    """An open round of the demo municipality with one question of every kind."""

    round: InputRound
    importance: list[Question]  # one per commitment
    progress: list[Question]
    day: Question
    night: Question
    top: Question
    scale: Question  # required
    text: Question

    def steps(self) -> int:
        return len(self.importance) + 3  # commitments, the place, top concerns, the rest


def today() -> dt.date:
    """The demo municipality's date, as the views see it."""
    return dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()


def make_questionnaire(
    session: Session,
    municipality: Municipality,
    *,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    published: bool = True,
) -> Questionnaire:
    pledge = session.scalars(
        select(Pledge).where(Pledge.municipality_id == municipality.id)
    ).first()
    assert pledge is not None
    commitments = list(
        session.scalars(
            select(Commitment)
            .where(Commitment.pledge_id == pledge.id)
            .order_by(Commitment.position)
        )
    )[:2]
    place = session.scalars(select(Place).where(Place.municipality_id == municipality.id)).first()
    assert place is not None
    input_round = InputRoundFactory(
        municipality_id=municipality.id,
        pledge_id=pledge.id,
        opens_on=opens_on or today() - dt.timedelta(days=10),
        closes_on=closes_on or today() + dt.timedelta(days=10),
        published_at=utcnow() if published else None,
    )
    importance, progress = [], []
    for commitment in commitments:
        importance.append(
            QuestionFactory(
                round=input_round,
                kind=QuestionKind.IMPORTANCE,
                commitment_id=commitment.id,
                text={"sv": "Hur viktigt är åtagandet?", "en": "How important is it?"},
            )
        )
        progress.append(
            QuestionFactory(
                round=input_round,
                kind=QuestionKind.PROGRESS,
                commitment_id=commitment.id,
                text={"sv": "Hur går det?", "en": "How is it going?"},
            )
        )
    day, night = (
        QuestionFactory(
            round=input_round,
            kind=QuestionKind.PLACE_SAFETY,
            place_id=place.id,
            time_of_day=time,
            text={"sv": f"Hur trygg känner du dig ({time})?", "en": f"How safe ({time})?"},
        )
        for time in (TimeOfDay.DAY, TimeOfDay.NIGHT)
    )
    top = QuestionFactory(
        round=input_round,
        kind=QuestionKind.TOP_CATEGORIES,
        max_choices=3,
        text={"sv": "Vad oroar er mest?", "en": "What worries you most?"},
    )
    scale = QuestionFactory(
        round=input_round,
        kind=QuestionKind.SCALE,
        is_required=True,
        text={"sv": "Hur nöjd är ni med samarbetet?", "en": "How satisfied are you?"},
    )
    text = QuestionFactory(round=input_round, kind=QuestionKind.FREE_TEXT)
    session.refresh(input_round)
    return Questionnaire(input_round, importance, progress, day, night, top, scale, text)


def give_open_link(session: Session, key: bytes, input_round: InputRound) -> str:
    """Give a round an open link; its token."""
    salt, token, token_hash = tokens.issue(key)
    input_round.open_token_salt = salt
    input_round.open_token_hash = token_hash
    session.commit()
    return token
