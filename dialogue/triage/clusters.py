"""Clusters: submissions about the same issue, linked but never merged.

Linking only sets ``cluster_id``. Every submission stays in the queue with its own status and
keeps counting in every figure; unlinking puts it back as it was. A cluster that would be left
with a single submission is dissolved, so a cluster always links at least two.

A cluster's title is its first submission's reviewed public summary or else that submission's
case reference (:func:`cluster_title`): never unreviewed free text, since the lägesbild report
and its frozen snapshots name the largest clusters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from dialogue.accounts.access import Scope, require_moderator
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.sanitize import clean_line
from dialogue.submissions.models import Status, Submission
from dialogue.submissions.references import find_by_reference
from dialogue.triage.models import Cluster

SIMILAR_WINDOW = dt.timedelta(days=30)
MAX_CANDIDATES = 300
MAX_SUGGESTIONS = 5
MIN_TEXT_SIMILARITY = 0.2
# Words are compared by their first letters, a crude stemmer that serves Swedish well enough:
# "belysningen" and "belysning", "kvällarna" and "kvällen" meet.
STEM_LENGTH = 5
MIN_WORD_LENGTH = 4
TITLE_LENGTH = 80
# Common words of four letters or more that say nothing about the issue.
_STOP_WORDS_TEXT = """
alla allt andra bara blir bort både dags dagar denna dessa detta dock efter eftersom eller även
från hade hela helt hennes hans honom inte kommer kunde mellan mina mitt mycket många måste också
sedan sina sitt själv skulle till under utan vara varit vart vill våra vårt about after again
also been before being could does from have here into just like more most only other over same
some such than that their them then there these they this those very what when where which
while with would your
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_WORD = re.compile(r"[^\W\d_]+")


def significant_words(text: str) -> frozenset[str]:
    """The stems of the words that say something, for comparing texts."""
    return frozenset(
        word[:STEM_LENGTH]
        for word in _WORD.findall(text.lower())
        if len(word) >= MIN_WORD_LENGTH and word not in STOP_WORDS
    )


def text_similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Jaccard similarity of two sets of word stems (0: nothing shared, 1: the same)."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


@dataclasses.dataclass(frozen=True)
class Suggestion:
    submission: Submission
    same_place: bool
    same_category: bool
    similarity: float

    @property
    def score(self) -> float:
        return self.similarity + 0.5 * (self.same_place and self.same_category)


def suggest_similar(
    session: DbSession, submission: Submission, *, limit: int = MAX_SUGGESTIONS
) -> list[Suggestion]:
    """Submissions from a month either side about the same place and category or with
    similar text, best first; those already in its cluster are left out."""
    query = (
        select(Submission)
        .where(
            Submission.municipality_id == submission.municipality_id,
            Submission.id != submission.id,
            Submission.status != Status.SPAM,
            Submission.created_at >= submission.created_at - SIMILAR_WINDOW,
            Submission.created_at <= submission.created_at + SIMILAR_WINDOW,
        )
        .options(joinedload(Submission.category), joinedload(Submission.place))
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(MAX_CANDIDATES)
    )
    if submission.cluster_id is not None:
        query = query.where(
            (Submission.cluster_id != submission.cluster_id) | Submission.cluster_id.is_(None)
        )
    words = significant_words(submission.text)
    suggestions = [_compare(submission, words, candidate) for candidate in session.scalars(query)]
    wanted = [
        s
        for s in suggestions
        if (s.same_place and s.same_category) or s.similarity >= MIN_TEXT_SIMILARITY
    ]
    wanted.sort(key=lambda s: (-s.score, abs(s.submission.created_at - submission.created_at)))
    return wanted[:limit]


def _compare(submission: Submission, words: frozenset[str], other: Submission) -> Suggestion:
    return Suggestion(
        submission=other,
        same_place=submission.place_id is not None and other.place_id == submission.place_id,
        same_category=other.category_id == submission.category_id,
        similarity=text_similarity(words, significant_words(other.text)),
    )


def link_to_cluster(
    session: DbSession,
    submission: Submission,
    other_reference: str,
    *,
    actor: Account,
    scope: Scope,
) -> Cluster:
    """Link the submission with another: join its cluster, bring it into ours, or start one."""
    require_moderator(scope, submission.municipality_id)
    other = find_by_reference(session, submission.municipality_id, other_reference)
    if other is None or other.id == submission.id:
        raise InvalidInputError(
            {"other": _l("Give the case reference of another submission of this municipality.")}
        )
    if other.cluster_id is not None and other.cluster_id == submission.cluster_id:
        raise InvalidInputError({"other": _l("The two submissions are already linked.")})
    if other.cluster_id is not None:
        cluster = _cluster(session, other.cluster_id)
        _join(session, submission, cluster, other, actor)
    elif submission.cluster_id is not None:
        cluster = _cluster(session, submission.cluster_id)
        _join(session, other, cluster, submission, actor)
    else:
        first = min(submission, other, key=lambda s: (s.created_at, s.id))
        cluster = Cluster(
            municipality_id=submission.municipality_id,
            title=cluster_title(first),
            created_by_id=actor.id,
        )
        session.add(cluster)
        _join(session, submission, cluster, other, actor)
        _join(session, other, cluster, submission, actor)
    session.commit()
    return cluster


def unlink_from_cluster(
    session: DbSession, submission: Submission, *, actor: Account, scope: Scope
) -> None:
    """Take the submission out of its cluster; nothing else about it changes."""
    require_moderator(scope, submission.municipality_id)
    if submission.cluster_id is None:
        raise InvalidInputError({"cluster": _l("This submission is not linked to a cluster.")})
    _leave(session, submission, actor)
    session.commit()


def cluster_title(submission: Submission) -> str:
    """A short title: the submission's reviewed public summary, or else its case reference.

    Titles reach the lägesbild report and its snapshots, so they are never unreviewed text.
    """
    reviewed = submission.public_summary if submission.is_summary_reviewed else None
    return title_of(submission.reference, reviewed)


def title_of(reference: str, reviewed_summary: str | None) -> str:
    """:func:`cluster_title` from the values it needs, for queries that read only those."""
    text = clean_line(reviewed_summary or "")
    if not text:
        return reference
    if len(text) <= TITLE_LENGTH:
        return text
    return text[: TITLE_LENGTH - 1].rstrip() + "…"


def list_cluster_members(session: DbSession, cluster_id: int) -> list[Submission]:
    """Every submission of the cluster, oldest first."""
    return list(
        session.scalars(
            select(Submission)
            .where(Submission.cluster_id == cluster_id)
            .options(joinedload(Submission.category), joinedload(Submission.place))
            .order_by(Submission.created_at, Submission.id)
        )
    )


def _cluster(session: DbSession, cluster_id: int) -> Cluster:
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:  # pragma: no cover (a foreign key makes this impossible)
        raise InvalidInputError({"other": _l("The cluster no longer exists.")})
    return cluster


def _join(
    session: DbSession, submission: Submission, cluster: Cluster, other: Submission, actor: Account
) -> None:
    left = submission.cluster_id
    if left is not None:
        _leave(session, submission, actor)
    session.flush()  # a new cluster's id
    submission.cluster_id = cluster.id
    record(
        session,
        actor,
        "submission.linked",
        Target.of("submission", submission),
        cluster_id=cluster.id,
        cluster=cluster.title,
        linked_with=other.reference,
        left_cluster_id=left,
    )


def _leave(session: DbSession, submission: Submission, actor: Account) -> None:
    cluster_id = submission.cluster_id
    submission.cluster_id = None
    target = Target.of("submission", submission)
    record(session, actor, "submission.unlinked", target, cluster_id=cluster_id)
    session.flush()
    remaining = list(session.scalars(select(Submission).where(Submission.cluster_id == cluster_id)))
    if len(remaining) == 1:
        remaining[0].cluster_id = None
        target = Target.of("submission", remaining[0])
        record(session, actor, "submission.unlinked", target, cluster_id=cluster_id)
