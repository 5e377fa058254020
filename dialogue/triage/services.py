"""Moderators' changes to submissions: status, category, place, assignment, tags.

Every change is checked against the acting account's scope and written together with a
StatusEvent or AuditEvent in one transaction. The submitter's own choices
(``submitted_*``) are never changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import select

from dialogue.accounts.access import Scope, require_moderator
from dialogue.accounts.models import Account, Membership, Role
from dialogue.audit.services import Target, record, record_changes
from dialogue.categories.models import Category
from dialogue.db import DbSession, commit_retrying, insert_missing
from dialogue.errors import DialogueError, InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.places.models import Place
from dialogue.pledges.models import Commitment
from dialogue.sanitize import clean_line, clean_text
from dialogue.submissions.models import ActorKind, Priority, Status, StatusEvent, Submission
from dialogue.triage.models import Tag

# Which status may follow which; "withdrawn" is the submitter's alone.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset(
        {
            Status.IN_REVIEW,
            Status.ACCEPTED,
            Status.FORWARDED,
            Status.DUPLICATE,
            Status.REJECTED,
            Status.SPAM,
        }
    ),
    Status.IN_REVIEW: frozenset(
        {Status.ACCEPTED, Status.FORWARDED, Status.DUPLICATE, Status.REJECTED, Status.SPAM}
    ),
    Status.ACCEPTED: frozenset({Status.IN_REVIEW, Status.FORWARDED}),
    Status.FORWARDED: frozenset({Status.IN_REVIEW, Status.ACCEPTED}),
    Status.DUPLICATE: frozenset({Status.IN_REVIEW}),
    Status.REJECTED: frozenset({Status.IN_REVIEW}),
    Status.SPAM: frozenset({Status.IN_REVIEW}),
    Status.WITHDRAWN: frozenset(),
}
MAX_TAGS = 10
MAX_TAG_LENGTH = 64


def get_submission(
    session: DbSession, scope: Scope, municipality_id: int, submission_id: int
) -> Submission:
    """A submission of this municipality the account may read; NotFoundError otherwise."""
    submission = session.get(Submission, submission_id)
    if (
        submission is None
        or submission.municipality_id != municipality_id
        or not scope.can_read(municipality_id)
    ):
        raise NotFoundError(submission_id)
    return submission


@dataclasses.dataclass(frozen=True)
class StatusChange:
    to: Status
    reason: str | None = None
    forwarded_to: str | None = None
    duplicate_of_id: int | None = None


def change_status(
    session: DbSession,
    submission: Submission,
    change: StatusChange,
    *,
    actor: Account,
    scope: Scope,
) -> StatusEvent:
    """Move a submission through the state machine; refuses transitions that make no sense."""
    require_moderator(scope, submission.municipality_id)
    _apply_status(session, submission, change, actor)
    session.commit()
    return submission.status_events[-1]


def _apply_status(
    session: DbSession, submission: Submission, change: StatusChange, actor: Account
) -> None:
    if change.to not in TRANSITIONS[submission.status]:
        raise InvalidInputError(
            {"status": _l("A submission with this status cannot be given that status.")}
        )
    reason = clean_text(change.reason or "") or None
    if change.to == Status.REJECTED and not reason:
        raise InvalidInputError({"reason": _l("Give a reason for rejecting the submission.")})
    if change.to == Status.FORWARDED:
        recipient = clean_line(change.forwarded_to or "")
        if not recipient:
            raise InvalidInputError({"forwarded_to": _l("Say who the submission is forwarded to.")})
        submission.forwarded_to = recipient
    if change.to == Status.DUPLICATE:
        submission.duplicate_of_id = _original_for(session, submission, change.duplicate_of_id)
    elif submission.status == Status.DUPLICATE:
        submission.duplicate_of_id = None
    submission.status_events.append(
        StatusEvent(
            municipality_id=submission.municipality_id,
            actor_kind=ActorKind.STAFF,
            actor_id=actor.id,
            from_status=submission.status,
            to_status=change.to,
            reason=reason or (submission.forwarded_to if change.to == Status.FORWARDED else None),
        )
    )
    submission.status = change.to


def _original_for(session: DbSession, submission: Submission, original_id: int | None) -> int:
    original = session.get(Submission, original_id) if original_id else None
    if (
        original is None
        or original.id == submission.id
        or original.municipality_id != submission.municipality_id
    ):
        raise InvalidInputError(
            {"duplicate_of": _l("Give the case reference of the original submission.")}
        )
    return original.id


@dataclasses.dataclass(frozen=True)
class Classification:
    """The moderator's working copy; None leaves a field as it is."""

    category_id: int | None = None
    place_id: int | None = None
    clear_place: bool = False
    commitment_id: int | None = None
    clear_commitment: bool = False
    priority: Priority | None = None
    is_sensitive: bool | None = None


def classify(
    session: DbSession,
    submission: Submission,
    change: Classification,
    *,
    actor: Account,
    scope: Scope,
) -> None:
    """Set category, place, commitment, priority or sensitivity, each change audited."""
    require_moderator(scope, submission.municipality_id)
    _apply_classification(session, submission, change, actor)
    session.commit()


def _apply_classification(
    session: DbSession, submission: Submission, change: Classification, actor: Account
) -> None:
    updates: dict[str, object] = {}
    if change.category_id is not None:
        _owned(session, Category, change.category_id, submission, "category")
        updates["category_id"] = change.category_id
    if change.clear_place or change.place_id is not None:
        if change.place_id is not None:
            _owned(session, Place, change.place_id, submission, "place")
        updates["place_id"] = None if change.clear_place else change.place_id
    if change.clear_commitment or change.commitment_id is not None:
        if change.commitment_id is not None:
            _owned(session, Commitment, change.commitment_id, submission, "commitment")
        updates["commitment_id"] = None if change.clear_commitment else change.commitment_id
    if change.priority is not None:
        updates["priority"] = int(change.priority)
    if change.is_sensitive is not None:
        updates["is_sensitive"] = change.is_sensitive
    _set_audited(session, submission, updates, actor)


def _owned(
    session: DbSession, model: type, object_id: int, submission: Submission, field: str
) -> None:
    found = session.get(model, object_id)
    if found is None or found.municipality_id != submission.municipality_id:
        raise InvalidInputError({field: _l("Choose a value from the list.")})


def _set_audited(
    session: DbSession, submission: Submission, updates: dict[str, object], actor: Account
) -> None:
    changed = {
        name: [getattr(submission, name), value]
        for name, value in updates.items()
        if getattr(submission, name) != value
    }
    for name, (_old, value) in changed.items():
        setattr(submission, name, value)
    record_changes(
        session, actor, "submission.updated", Target.of("submission", submission), changed
    )


def assign_submission(
    session: DbSession,
    submission: Submission,
    assignee_id: int | None,
    *,
    actor: Account,
    scope: Scope,
) -> None:
    """Give the submission to a moderator of its municipality, or to nobody."""
    require_moderator(scope, submission.municipality_id)
    _apply_assignee(session, submission, assignee_id, actor)
    session.commit()


def _apply_assignee(
    session: DbSession, submission: Submission, assignee_id: int | None, actor: Account
) -> None:
    if assignee_id is not None and assignee_id not in {
        a.id for a in list_moderators(session, submission.municipality_id)
    }:
        raise InvalidInputError({"assignee": _l("Choose a moderator of this municipality.")})
    _set_audited(session, submission, {"assignee_id": assignee_id}, actor)


def list_moderators(session: DbSession, municipality_id: int) -> list[Account]:
    """Active accounts that may moderate this municipality, by name."""
    query = (
        select(Account)
        .join(Membership)
        .where(
            Membership.municipality_id == municipality_id,
            Membership.role.in_([Role.MODERATOR, Role.ADMIN]),
            Account.is_active,
        )
        .distinct()
        .order_by(Account.name)
    )
    return list(session.scalars(query))


def set_tags(
    session: DbSession,
    submission: Submission,
    names: Iterable[str],
    *,
    actor: Account,
    scope: Scope,
) -> None:
    """Replace the submission's tags; new tag names are created in its municipality."""
    require_moderator(scope, submission.municipality_id)
    wanted = tuple(names)
    # Another moderator tagging the same submission at the same moment: redo on their result.
    commit_retrying(session, lambda: _apply_tags(session, submission, wanted, actor, replace=True))


def _apply_tags(
    session: DbSession,
    submission: Submission,
    names: Iterable[str],
    actor: Account,
    *,
    replace: bool,
) -> None:
    wanted = sorted({clean_line(n).lower()[:MAX_TAG_LENGTH] for n in names if clean_line(n)})
    if not replace:
        wanted = sorted(set(wanted) | {t.name for t in submission.tags})
    if len(wanted) > MAX_TAGS:
        raise InvalidInputError({"tags": _l("Use at most %(count)d tags.", count=MAX_TAGS)})
    tags = _get_or_create_tags(session, submission.municipality_id, wanted)
    before = [t.name for t in submission.tags]
    if before != wanted:
        submission.tags = tags
        target = Target.of("submission", submission)
        record(session, actor, "submission.tagged", target, before=before, after=wanted)


def _get_or_create_tags(session: DbSession, municipality_id: int, names: list[str]) -> list[Tag]:
    """The tags named, in order; missing ones are created even if another moderator creates the
    same tag at the same moment (that one is used)."""

    def find() -> dict[str, Tag]:
        query = select(Tag).where(Tag.municipality_id == municipality_id, Tag.name.in_(names))
        return {tag.name: tag for tag in session.scalars(query)}

    found = find()
    missing = [name for name in names if name not in found]
    if missing:
        rows = [{"municipality_id": municipality_id, "name": name} for name in missing]
        insert_missing(session, Tag, rows, unique=("municipality_id", "name"))
        found = find()
    return [found[name] for name in names]


@dataclasses.dataclass(frozen=True)
class BulkAction:
    """One action for many submissions: exactly one of the fields is set."""

    status: StatusChange | None = None
    assignee_id: int | None = None
    unassign: bool = False
    add_tags: tuple[str, ...] = ()
    category_id: int | None = None


def apply_bulk(
    session: DbSession,
    municipality_id: int,
    submission_ids: Iterable[int],
    action: BulkAction,
    *,
    actor: Account,
    scope: Scope,
) -> int:
    """Apply one action to every chosen submission, all or nothing; returns how many."""
    ids = sorted(set(submission_ids))
    if not ids:
        raise InvalidInputError({"selection": _l("Choose at least one submission.")})
    submissions = list(
        session.scalars(
            select(Submission).where(
                Submission.id.in_(ids), Submission.municipality_id == municipality_id
            )
        )
    )
    if len(submissions) != len(ids):
        raise NotFoundError(ids)

    def attempt() -> None:
        for submission in submissions:
            require_moderator(scope, submission.municipality_id)
            _apply_bulk_one(session, submission, action, actor)

    try:
        commit_retrying(session, attempt)
    except DialogueError:
        session.rollback()  # the ones already changed in memory are undone too
        raise
    return len(submissions)


def _apply_bulk_one(
    session: DbSession, submission: Submission, action: BulkAction, actor: Account
) -> None:
    if action.status is not None:
        _apply_status(session, submission, action.status, actor)
    elif action.unassign or action.assignee_id is not None:
        _apply_assignee(session, submission, None if action.unassign else action.assignee_id, actor)
    elif action.add_tags:
        _apply_tags(session, submission, action.add_tags, actor, replace=False)
    elif action.category_id is not None:
        _apply_classification(
            session, submission, Classification(category_id=action.category_id), actor
        )
    else:
        raise InvalidInputError({"action": _l("Choose what to do with the chosen submissions.")})
