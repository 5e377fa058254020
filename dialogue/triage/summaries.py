"""The public summary of a submission: suggested with personal data masked, written by a
moderator, and published only once a moderator has marked it reviewed.

The public summary is the one text about a submission that may leave the workspace (a quote
on a public page, in a public export or in a frozen snapshot). No automatic masking is trusted
alone: a summary counts as publishable only while ``summary_reviewed_at`` is set, and saving a
changed text clears the review. Marking it reviewed, withdrawing the review and every edit are
audited in the same transaction as the change.

Every call of the personal-data finders for a summary goes through :func:`_finder_options`, so
that what the finders are given about the municipality (its place names) is set in one spot.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from markupsafe import Markup, escape

from dialogue.accounts.access import Scope, require_moderator
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.db import DbSession, utcnow
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.places.services import place_names
from dialogue.sanitize import clean_text
from dialogue.submissions.models import Submission
from dialogue.submissions.personal_data import (
    LABELS,
    MASKS,
    PersonalDataKind,
    find_personal_data,
    highlight,
    redact,
)

MAX_SUMMARY_LENGTH = 2000


@dataclasses.dataclass(frozen=True)
class MaskedHit:
    """One piece of likely personal data in the submitter's text, and what replaces it."""

    kind: PersonalDataKind
    found: str
    mask: str
    reason: str


@dataclasses.dataclass(frozen=True)
class SummarySuggestion:
    """What the moderator starts from: the original marked, and the text with masks."""

    original: Markup  # the submitter's text, each hit marked with its reason
    text: str  # the suggested summary: every hit masked
    masked: Markup  # the suggested summary, each mask marked with its reason
    hits: tuple[MaskedHit, ...]


def _finder_options(session: DbSession, municipality_id: int) -> dict[str, Any]:
    """Keyword arguments for every finder call of this module: the municipality's place names
    and aliases, which are never masked."""
    return {"places": place_names(session, municipality_id)}


def _reason(kind: PersonalDataKind) -> str:
    # The finders' labels are written to follow a highlight: "(possible phone number)".
    return str(LABELS[kind]).strip().removeprefix("(").removesuffix(")")


def suggest_summary(session: DbSession, submission: Submission) -> SummarySuggestion:
    """The submitter's text with each likely piece of personal data marked, and masked."""
    options = _finder_options(session, submission.municipality_id)
    text = submission.text
    spans = find_personal_data(text, **options)
    parts: list[Markup] = []
    hits: list[MaskedHit] = []
    position = 0
    for span in spans:
        mask, reason = str(MASKS[span.kind]), _reason(span.kind)
        hits.append(MaskedHit(span.kind, text[span.start : span.end], mask, reason))
        # An address keeps its street readable (a place of the municipality); only the
        # house number is masked.
        parts.append(escape(text[position : span.start + span.kept]))
        parts.append(
            Markup(
                '<mark class="pii pii-mask" data-kind="{kind}">{mask}'
                '<span class="visually-hidden"> ({reason})</span></mark>'
            ).format(kind=span.kind.value, mask=mask, reason=reason)
        )
        position = span.end
    parts.append(escape(text[position:]))
    return SummarySuggestion(
        original=highlight(text, **options),
        text=redact(text, **options),
        masked=Markup("").join(parts),
        hits=tuple(hits),
    )


def mask_summary(session: DbSession, submission: Submission, text: str) -> str:
    """``text`` cleaned, with everything the finders flag masked."""
    return redact(clean_text(text), **_finder_options(session, submission.municipality_id))


def set_public_summary(
    session: DbSession,
    submission: Submission,
    text: str,
    *,
    review: bool = False,
    actor: Account,
    scope: Scope,
) -> str | None:
    """Save the public summary, masked (empty text removes it), and with ``review`` mark it
    reviewed; a changed text clears an earlier review. Returns what was stored."""
    require_moderator(scope, submission.municipality_id)
    summary = mask_summary(session, submission, text) or None
    if summary is not None and len(summary) > MAX_SUMMARY_LENGTH:
        raise InvalidInputError(
            {"summary": _l("Use at most %(limit)d characters.", limit=MAX_SUMMARY_LENGTH)}
        )
    if review and summary is None:
        raise InvalidInputError(
            {"summary": _l("Write the public summary before you mark it as reviewed.")}
        )
    if summary != submission.public_summary:
        was_reviewed = submission.summary_reviewed_at is not None
        submission.public_summary = summary
        submission.summary_reviewed_at = None
        submission.summary_reviewed_by_id = None
        record(
            session,
            actor,
            "submission.summary_set",
            Target.of("submission", submission),
            summary=summary,
            review_cleared=was_reviewed,
        )
    if review and submission.summary_reviewed_at is None:
        submission.summary_reviewed_at = utcnow()
        submission.summary_reviewed_by_id = actor.id
        record(
            session,
            actor,
            "submission.summary_reviewed",
            Target.of("submission", submission),
            summary=summary,
        )
    session.commit()
    return summary


def withdraw_summary_review(
    session: DbSession, submission: Submission, *, actor: Account, scope: Scope
) -> None:
    """Take back the review: the summary stays, but nothing publishes it until reviewed."""
    require_moderator(scope, submission.municipality_id)
    if submission.summary_reviewed_at is None:
        raise InvalidInputError({"review": _l("The public summary is not marked as reviewed.")})
    submission.summary_reviewed_at = None
    submission.summary_reviewed_by_id = None
    record(
        session,
        actor,
        "submission.summary_review_withdrawn",
        Target.of("submission", submission),
    )
    session.commit()
