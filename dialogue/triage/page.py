"""Everything the submission page shows, loaded by one call so its template runs no queries."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from dialogue.accounts.access import Scope
from dialogue.accounts.models import Account
from dialogue.audit.models import AuditEvent
from dialogue.auditlog.describe import LogEntry, load_names, merge_entries
from dialogue.categories.models import Category
from dialogue.categories.services import category_groups
from dialogue.db import DbSession, Localized
from dialogue.errors import NotFoundError
from dialogue.outbox.models import OutboxMessage
from dialogue.places.models import Place
from dialogue.pledges.models import Commitment, Pledge
from dialogue.submissions.models import Reply, Status, Submission
from dialogue.triage.clusters import Suggestion, list_cluster_members, suggest_similar
from dialogue.triage.models import Cluster, Note, ResponseTemplate
from dialogue.triage.replies import get_response_template, list_response_templates
from dialogue.triage.services import TRANSITIONS, list_moderators
from dialogue.triage.summaries import SummarySuggestion, suggest_summary

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class CategoryGroup:
    label: Localized
    options: list[Category]


@dataclasses.dataclass(frozen=True)
class Options:
    """The choices the page's forms offer."""

    categories: list[CategoryGroup]
    places: list[Place]
    commitments: list[Commitment]
    moderators: list[Account]
    transitions: list[Status]
    templates: list[ResponseTemplate]


@dataclasses.dataclass(frozen=True)
class SubmissionPage:
    submission: Submission
    can_moderate: bool
    submitted_category: Category | None
    submitted_place: Place | None
    submitted_commitment: Commitment | None
    duplicate_of: Submission | None
    history: list[LogEntry]
    notes: list[Note]
    replies: list[Reply]
    cluster: Cluster | None
    cluster_members: list[Submission]
    suggestions: list[Suggestion]
    summary_suggestion: SummarySuggestion
    options: Options
    reply_template: ResponseTemplate | None
    names: dict[tuple[str, int], object]
    # The e-mail notices about replies, so the moderator sees whether each one went.
    notices: list[OutboxMessage] = dataclasses.field(default_factory=list)

    def name(self, kind: str, object_id: int | None) -> object:
        """A loaded name: ``name("account", note.author_id)``."""
        return self.names.get((kind, object_id)) if object_id is not None else None


def load_submission_page(
    session: DbSession,
    scope: Scope,
    municipality_id: int,
    submission_id: int,
    *,
    template_id: int | None = None,
) -> SubmissionPage:
    """The page of one submission; NotFoundError outside the account's municipalities."""
    submission = _load_submission(session, scope, municipality_id, submission_id)
    history = merge_entries(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.municipality_id == municipality_id,
                AuditEvent.object_type == "submission",
                AuditEvent.object_id == submission.id,
            )
            .order_by(AuditEvent.id)
        ),
        submission.status_events,
    )
    cluster = session.get(Cluster, submission.cluster_id) if submission.cluster_id else None
    return SubmissionPage(
        submission=submission,
        can_moderate=scope.can_moderate(municipality_id),
        submitted_category=session.get(Category, submission.submitted_category_id),
        submitted_place=_get(session, Place, submission.submitted_place_id),
        submitted_commitment=_get(session, Commitment, submission.submitted_commitment_id),
        duplicate_of=_get(session, Submission, submission.duplicate_of_id),
        history=history,
        notes=list(submission.notes),
        replies=list(submission.replies),
        cluster=cluster,
        cluster_members=[
            s
            for s in (list_cluster_members(session, cluster.id) if cluster else [])
            if s.id != submission.id
        ],
        suggestions=suggest_similar(session, submission),
        summary_suggestion=suggest_summary(session, submission),
        options=_options(session, submission),
        reply_template=(
            get_response_template(session, municipality_id, template_id) if template_id else None
        ),
        names=load_names(session, history, also={"account": _people(submission)}),
        notices=list(
            session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.municipality_id == municipality_id,
                    OutboxMessage.submission_id == submission.id,
                )
                .order_by(OutboxMessage.id)
            )
        ),
    )


def _load_submission(
    session: DbSession, scope: Scope, municipality_id: int, submission_id: int
) -> Submission:
    submission = session.scalar(
        select(Submission)
        .where(Submission.id == submission_id, Submission.municipality_id == municipality_id)
        .options(
            joinedload(Submission.category).joinedload(Category.parent),
            joinedload(Submission.place),
            joinedload(Submission.commitment),
            joinedload(Submission.contact),
            selectinload(Submission.status_events),
            selectinload(Submission.replies),
            selectinload(Submission.addenda),
            selectinload(Submission.notes),
            selectinload(Submission.tags),
        )
    )
    if submission is None or not scope.can_read(municipality_id):
        raise NotFoundError(submission_id)
    return submission


def _get(session: DbSession, model: type[T], object_id: int | None) -> T | None:
    return session.get(model, object_id) if object_id is not None else None


def _people(submission: Submission) -> set[int]:
    """Accounts the page names besides those in the history: authors, the assignee and the
    summary's reviewer."""
    authors = {n.author_id for n in submission.notes} | {r.author_id for r in submission.replies}
    people = (*authors, submission.assignee_id, submission.summary_reviewed_by_id)
    return {i for i in people if i is not None}


def _options(session: DbSession, submission: Submission) -> Options:
    municipality_id = submission.municipality_id
    return Options(
        categories=_category_groups(session, submission),
        places=list(
            session.scalars(
                select(Place).where(Place.municipality_id == municipality_id).order_by(Place.name)
            )
        ),
        commitments=list(
            session.scalars(
                select(Commitment)
                .join(Pledge)
                .where(Commitment.municipality_id == municipality_id)
                .order_by(Pledge.valid_from.desc(), Commitment.position, Commitment.id)
            )
        ),
        moderators=list_moderators(session, municipality_id),
        transitions=sorted(TRANSITIONS[submission.status], key=list(Status).index),
        templates=list_response_templates(
            session, municipality_id, submission.category_id, submission.status, submission.locale
        ),
    )


def _category_groups(session: DbSession, submission: Submission) -> list[CategoryGroup]:
    """Active categories under their parents, and the current one even if no longer offered."""
    current = submission.category_id
    groups = [
        CategoryGroup(g.group.label, shown)
        for g in category_groups(session, submission.municipality_id)
        if (shown := [c for c in g.categories if c.is_active or c.id == current])
    ]
    if submission.category.parent_id is None:  # a top-level category, set before this page
        groups.append(CategoryGroup(submission.category.label, [submission.category]))
    return groups
