"""What residents send, and everything that happens to it afterwards."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.categories.models import Category
from dialogue.db import Base, created_at, intpk, utcnow
from dialogue.places.models import Place
from dialogue.pledges.models import Commitment

if TYPE_CHECKING:
    from dialogue.triage.models import Note, Tag


# What a resident does (sending, adding to, withdrawing a case) is stored to the hour, not to
# the microsecond, so a stored time cannot be matched against a log line of the request that
# carried it. The hour, not the day: Stockholm's offset from UTC is whole hours, so every local
# date, month and year (reports, the lägesbild, periods) stays exactly right, and the queue and
# waiting times keep a useful grain. Ties within an hour are ordered by id everywhere.
RESIDENT_TIME_GRAIN = dt.timedelta(hours=1)


def resident_time(
    moment: dt.datetime | None = None, *, not_before: dt.datetime | None = None
) -> dt.datetime:
    """When a resident's action is recorded: ``moment`` (now) truncated to the hour.

    ``not_before`` keeps a later action from sorting before what already happened to the
    case (a moderator's change earlier in the same hour); it is a time already stored.
    """
    moment = (moment or utcnow()).astimezone(dt.UTC)
    hour = moment.replace(minute=0, second=0, microsecond=0)
    return max(hour, not_before) if not_before is not None else hour


class SubmissionKind(StrEnum):
    CONCERN = "concern"
    SUGGESTION = "suggestion"
    PRAISE = "praise"


class PartOfDay(StrEnum):
    MORNING = "morning"
    DAYTIME = "daytime"
    EVENING = "evening"
    NIGHT = "night"


class SubmitterType(StrEnum):
    RESIDENT = "resident"
    BUSINESS = "business"
    ASSOCIATION = "association"
    NOT_STATED = "not_stated"


class Status(StrEnum):
    NEW = "new"
    IN_REVIEW = "in_review"
    ACCEPTED = "accepted"
    FORWARDED = "forwarded"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    SPAM = "spam"
    WITHDRAWN = "withdrawn"


# A submitter may withdraw while the case is still open or counted.
WITHDRAWABLE = frozenset({Status.NEW, Status.IN_REVIEW, Status.ACCEPTED, Status.FORWARDED})


class Priority(IntEnum):
    """Stored as a number so the queue can sort by it."""

    LOW = 0
    NORMAL = 1
    HIGH = 2
    URGENT = 3


class ActorKind(StrEnum):
    SUBMITTER = "submitter"
    STAFF = "staff"
    SYSTEM = "system"


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        # The queue pages by (created_at, id) within a municipality, optionally by priority.
        Index("ix_submissions_queue", "municipality_id", "created_at", "id"),
        Index("ix_submissions_queue_priority", "municipality_id", "priority", "created_at", "id"),
        # The queue's counts per status read this index alone (see bench/triage_queue.py).
        Index("ix_submissions_status_counts", "municipality_id", "status"),
        # The lägesbild report's GROUP BY queries read a range of this index alone
        # (see dialogue/lagesbild/report.py and bench/report.py).
        Index(
            "ix_submissions_report",
            "municipality_id",
            "status",
            "created_at",
            "category_id",
            "place_id",
            "safety_rating",
            "commitment_id",
            "kind",
            "submitter_type",
            "part_of_day",
            "occurred_on",
            "cluster_id",
        ),
    )

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    # A short, non-secret reference for talking about the case; the receipt code is the secret.
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    # Keyed hash of the 16-digit receipt code; the code itself is never stored.
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Hash of the form's one-time token, so a resubmitted form stores one submission.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[SubmissionKind]
    status: Mapped[Status] = mapped_column(default=Status.NEW, index=True)

    # What the submitter chose stays as it was; moderators change the working copies below.
    submitted_category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    submitted_place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    submitted_commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), index=True)

    location_text: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    occurred_on: Mapped[dt.date | None]
    part_of_day: Mapped[PartOfDay | None]
    is_recurring: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    safety_rating: Mapped[int | None] = mapped_column(SmallInteger)
    submitter_type: Mapped[SubmitterType]
    locale: Mapped[str] = mapped_column(String(8))
    is_sensitive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at] = mapped_column(index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Set by moderators.
    priority: Mapped[int] = mapped_column(
        SmallInteger, default=Priority.NORMAL, server_default=str(int(Priority.NORMAL))
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    forwarded_to: Mapped[str | None] = mapped_column(String(200))
    # A redacted text moderators wrote, the only text public reports may quote, and only once
    # a moderator has marked it reviewed; changing the text clears the review.
    public_summary: Mapped[str | None] = mapped_column(Text)
    summary_reviewed_at: Mapped[dt.datetime | None]
    summary_reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    # When the submitter last added information, so the queue can show it.
    submitter_activity_at: Mapped[dt.datetime | None]

    category: Mapped[Category] = relationship(foreign_keys=[category_id])
    place: Mapped[Place | None] = relationship(foreign_keys=[place_id])
    commitment: Mapped[Commitment | None] = relationship(foreign_keys=[commitment_id])
    contact: Mapped[Contact | None] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )
    status_events: Mapped[list[StatusEvent]] = relationship(
        back_populates="submission", order_by="StatusEvent.id"
    )
    replies: Mapped[list[Reply]] = relationship(back_populates="submission", order_by="Reply.id")
    addenda: Mapped[list[Addendum]] = relationship(
        back_populates="submission", order_by="Addendum.id"
    )
    notes: Mapped[list[Note]] = relationship(order_by="Note.id")
    tags: Mapped[list[Tag]] = relationship(secondary="submission_tags", order_by="Tag.name")

    @property
    def is_withdrawable(self) -> bool:
        return self.status in WITHDRAWABLE

    @property
    def is_summary_reviewed(self) -> bool:
        """Whether a moderator has reviewed the public summary as it reads now."""
        return bool((self.public_summary or "").strip()) and self.summary_reviewed_at is not None


class Contact(Base):
    """How to reach a submitter who asked for replies; kept apart so it can be purged."""

    __tablename__ = "contacts"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    email: Mapped[str] = mapped_column(String(254))
    consent_at: Mapped[dt.datetime]
    created_at: Mapped[created_at]

    submission: Mapped[Submission] = relationship(back_populates="contact")


class StatusEvent(Base):
    """Append-only history of a submission's status."""

    __tablename__ = "status_events"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    actor_kind: Mapped[ActorKind]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    from_status: Mapped[Status | None]
    to_status: Mapped[Status]
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]

    submission: Mapped[Submission] = relationship(back_populates="status_events")


class Reply(Base):
    """A message from staff to the submitter, shown on the case page."""

    __tablename__ = "replies"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]

    submission: Mapped[Submission] = relationship(back_populates="replies")


class Addendum(Base):
    """More information the submitter added from the case page."""

    __tablename__ = "addenda"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]

    submission: Mapped[Submission] = relationship(back_populates="addenda")
