"""Internal notes on a submission.

A note is for colleagues only: it never reaches the submitter or a public export. The public
summary, the one text that may, lives in :mod:`dialogue.triage.summaries`.
"""

from __future__ import annotations

from dialogue.accounts.access import Scope, require_moderator
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.sanitize import clean_text
from dialogue.submissions.models import Submission
from dialogue.triage.models import Note

MAX_NOTE_LENGTH = 4000


def add_note(
    session: DbSession, submission: Submission, body: str, *, actor: Account, scope: Scope
) -> Note:
    """Add an internal note to the submission."""
    require_moderator(scope, submission.municipality_id)
    cleaned = clean_text(body)
    if not cleaned:
        raise InvalidInputError({"body": _l("Write the note.")})
    if len(cleaned) > MAX_NOTE_LENGTH:
        raise InvalidInputError(
            {"body": _l("Use at most %(limit)d characters.", limit=MAX_NOTE_LENGTH)}
        )
    note = Note(municipality_id=submission.municipality_id, author_id=actor.id, body=cleaned)
    submission.notes.append(note)
    session.flush()  # the note's id, for the audit event
    record(
        session,
        actor,
        "submission.note_added",
        Target.of("submission", submission),
        note_id=note.id,
    )
    session.commit()
    return note
