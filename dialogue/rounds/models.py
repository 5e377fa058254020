"""Input rounds, their questions, the invitations sent and the responses given."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.db import Base, Localized, created_at, intpk, utcnow
from dialogue.organisations.models import Organisation
from dialogue.outbox.models import OutboxMessage


class QuestionKind(StrEnum):
    IMPORTANCE = "importance"  # of a commitment, 1-5
    PROGRESS = "progress"  # of a commitment, 1-5 or "don't know"
    PLACE_SAFETY = "place_safety"  # at a place, by day or by night, 1-5
    TOP_CATEGORIES = "top_categories"  # up to ``max_choices`` categories of concern
    SCALE = "scale"  # a moderator's own 1-5 question
    FREE_TEXT = "free_text"


class TimeOfDay(StrEnum):
    DAY = "day"
    NIGHT = "night"


class ResponseVia(StrEnum):
    INVITATION = "invitation"
    OPEN_LINK = "open_link"


class InputRound(Base):
    """A round of the same questions to every organisation, open between two local dates.

    Questions can change while ``published_at`` is empty; publishing freezes them.
    """

    __tablename__ = "input_rounds"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("pledges.id"), index=True)
    title: Mapped[Localized]
    introduction: Mapped[Localized]
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date]
    published_at: Mapped[dt.datetime | None]
    # The open link for organisations outside the register: a keyed hash of its token.
    open_token_salt: Mapped[str | None] = mapped_column(String(32))
    open_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    questions: Mapped[list[Question]] = relationship(
        back_populates="round", order_by="Question.position"
    )


class Question(Base):
    """One question; its text is stored in every language when it is made, so it stays put."""

    __tablename__ = "round_questions"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("input_rounds.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind]
    text: Mapped[Localized]
    hint: Mapped[Localized | None]
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    time_of_day: Mapped[TimeOfDay | None]
    max_choices: Mapped[int | None] = mapped_column(SmallInteger)
    is_required: Mapped[bool] = mapped_column(default=False)

    round: Mapped[InputRound] = relationship(back_populates="questions")


class Invitation(Base):
    """An organisation's own link to a round; the token is derived from a salt and the key."""

    __tablename__ = "round_invitations"
    __table_args__ = (UniqueConstraint("round_id", "organisation_id"),)

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("input_rounds.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    via: Mapped[ResponseVia] = mapped_column(default=ResponseVia.INVITATION)
    token_salt: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # When the invitation e-mail was queued; whether it went is ``message.state``.
    sent_at: Mapped[dt.datetime | None]
    reminded_at: Mapped[dt.datetime | None]
    reminder_count: Mapped[int] = mapped_column(default=0)
    # The latest e-mail queued for this invitation (the invitation or a reminder).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))
    created_at: Mapped[created_at]

    organisation: Mapped[Organisation] = relationship()
    message: Mapped[OutboxMessage | None] = relationship()
    round: Mapped[InputRound] = relationship()
    response: Mapped[RoundResponse | None] = relationship(back_populates="invitation")


class RoundResponse(Base):
    """One organisation's answers to one round: saved step by step, submitted, editable until
    the round closes. Answers given through the open link are unverified until confirmed."""

    __tablename__ = "round_responses"
    __table_args__ = (UniqueConstraint("round_id", "organisation_id"),)

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("input_rounds.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("round_invitations.id"), unique=True)
    respondent_name: Mapped[str | None] = mapped_column(String(200))
    respondent_email: Mapped[str | None] = mapped_column(String(254))
    is_verified: Mapped[bool] = mapped_column(default=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    verified_at: Mapped[dt.datetime | None]
    # The furthest step reached, so a second visit continues there.
    last_step: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[dt.datetime | None]
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    invitation: Mapped[Invitation] = relationship(back_populates="response")
    answers: Mapped[list[Answer]] = relationship(back_populates="response")


class Answer(Base):
    __tablename__ = "round_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("round_responses.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("round_questions.id"), index=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)
    dont_know: Mapped[bool] = mapped_column(default=False)
    # Category ids, for a top-categories question, in the order chosen.
    choices: Mapped[list[int] | None] = mapped_column(JSON)
    text: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    response: Mapped[RoundResponse] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
