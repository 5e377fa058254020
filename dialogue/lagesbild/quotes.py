"""Quotes moderators choose for the lägesbild: only accepted input whose public summary a
moderator has marked reviewed.

The report shows a quote's redacted public summary, never the submitted text. A summary changed
after it was chosen loses its review (:mod:`dialogue.triage.summaries`): the quote stays chosen
but no report, public page, export or snapshot shows it until the summary is reviewed again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope, require_moderator, require_reader
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _
from dialogue.lagesbild.data import Period
from dialogue.lagesbild.models import Quote
from dialogue.municipalities.models import Municipality
from dialogue.submissions.models import Status, Submission

CANDIDATE_LIMIT = 200


@dataclasses.dataclass(frozen=True)
class Candidate:
    """An accepted submission with a public summary, and whether it is chosen."""

    submission: Submission
    quote: Quote | None

    @property
    def is_chosen(self) -> bool:
        return self.quote is not None

    @property
    def is_reviewed(self) -> bool:
        """Whether the summary may be published: a moderator reviewed it as it reads now."""
        return self.submission.is_summary_reviewed


def _quotable(submission: Submission | None, municipality_id: int) -> Submission:
    if submission is None or submission.municipality_id != municipality_id:
        raise NotFoundError(municipality_id)
    if submission.status != Status.ACCEPTED:
        raise InvalidInputError({"submission": _("Only accepted input can be quoted.")})
    if not (submission.public_summary or "").strip():
        raise InvalidInputError(
            {"submission": _("Write a public summary of this input before quoting it.")}
        )
    if not submission.is_summary_reviewed:
        raise InvalidInputError(
            {
                "submission": _(
                    "The public summary of %(reference)s is not reviewed, so it cannot be "
                    "quoted. Read it on the submission's page and mark it as reviewed first.",
                    reference=submission.reference,
                )
            }
        )
    return submission


def choose_quote(
    session: DbSession, municipality_id: int, submission_id: int, *, actor: Account, scope: Scope
) -> Quote:
    """Quote this submission's public summary in the lägesbild; moderators only."""
    require_moderator(scope, municipality_id)
    submission = _quotable(session.get(Submission, submission_id), municipality_id)
    existing = session.scalar(
        select(Quote).where(
            Quote.municipality_id == municipality_id, Quote.submission_id == submission.id
        )
    )
    if existing is not None:
        raise InvalidInputError({"submission": _("This input is already quoted.")})
    quote = Quote(
        municipality_id=municipality_id, submission_id=submission.id, chosen_by_id=actor.id
    )
    session.add(quote)
    session.flush()
    record(
        session,
        actor.id,
        "lagesbild.quote_chosen",
        Target("submission", submission.id, municipality_id),
        reference=submission.reference,
    )
    session.commit()
    return quote


def unchoose_quote(
    session: DbSession, municipality_id: int, submission_id: int, *, actor: Account, scope: Scope
) -> None:
    """Stop quoting this submission (snapshots already frozen keep the quote)."""
    require_moderator(scope, municipality_id)
    submission = session.get(Submission, submission_id)
    if submission is None or submission.municipality_id != municipality_id:
        raise NotFoundError(submission_id)
    quote = session.scalar(
        select(Quote).where(
            Quote.municipality_id == municipality_id, Quote.submission_id == submission_id
        )
    )
    if quote is None:
        raise InvalidInputError({"submission": _("This input is not quoted.")})
    session.delete(quote)
    record(
        session,
        actor.id,
        "lagesbild.quote_removed",
        Target("submission", submission_id, municipality_id),
    )
    session.commit()


def list_quotes(session: DbSession, municipality_id: int, *, scope: Scope) -> list[Candidate]:
    """Chosen quotes still quotable (accepted, with a reviewed summary), oldest input first."""
    require_reader(scope, municipality_id)
    query = (
        select(Submission, Quote)
        .join(Quote, Quote.submission_id == Submission.id)
        .where(
            Quote.municipality_id == municipality_id,
            Submission.municipality_id == municipality_id,
            Submission.status == Status.ACCEPTED,
            func.length(func.trim(func.coalesce(Submission.public_summary, ""))) > 0,
            Submission.summary_reviewed_at.is_not(None),
        )
        .options(selectinload(Submission.category), selectinload(Submission.place))
        .order_by(Submission.created_at, Submission.id)
    )
    return [Candidate(submission, quote) for submission, quote in session.execute(query)]


def list_candidates(
    session: DbSession, municipality: Municipality, period: Period, *, scope: Scope
) -> list[Candidate]:
    """Accepted input received in ``period`` with a public summary, reviewed or not (the page
    says which may be quoted): chosen ones first."""
    if not scope.can_read(municipality.id):
        raise NotFoundError(municipality.id)
    zone = ZoneInfo(municipality.timezone)
    start = _midnight(period.start, zone)
    end = _midnight(period.end + dt.timedelta(days=1), zone)
    query = (
        select(Submission, Quote)
        .outerjoin(
            Quote,
            (Quote.submission_id == Submission.id)
            & (Quote.municipality_id == Submission.municipality_id),
        )
        .where(
            Submission.municipality_id == municipality.id,
            Submission.status == Status.ACCEPTED,
            Submission.created_at >= start,
            Submission.created_at < end,
            func.length(func.trim(func.coalesce(Submission.public_summary, ""))) > 0,
        )
        .options(selectinload(Submission.category), selectinload(Submission.place))
        .order_by(Quote.id.is_(None), Submission.created_at, Submission.id)
        .limit(CANDIDATE_LIMIT)
    )
    return [Candidate(submission, quote) for submission, quote in session.execute(query)]


def _midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant a local calendar day begins."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
