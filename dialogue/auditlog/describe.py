"""The audit trail in words: who did what, with the details a reader needs.

Status changes live in ``status_events`` and every other change in ``audit_events``; both
become :class:`LogEntry` so the audit log and a submission's history read alike. Ids in the
details are shown by name, resolved in one query per kind (:func:`load_names`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import select

from dialogue.accounts.models import Account
from dialogue.audit.models import AuditEvent
from dialogue.categories.models import Category
from dialogue.db import DbSession, Localized
from dialogue.i18n import _, _l, localized
from dialogue.places.models import Place
from dialogue.pledges.models import Commitment
from dialogue.submissions.labels import priority_label, status_label
from dialogue.submissions.models import ActorKind, StatusEvent, Submission

# (kind, id) → a name: ("category", 3) → {"sv": "Klotter", "en": "Graffiti"}.
Names = Mapping[tuple[str, int], Localized | str]

ACTION_LABELS = {
    "submission.received": _l("Sent the submission"),
    "status.changed": _l("Changed the status"),
    "submission.updated": _l("Changed the submission"),
    "submission.tagged": _l("Changed the tags"),
    "submission.note_added": _l("Wrote an internal note"),
    "submission.replied": _l("Replied to the submitter"),
    "submission.summary_set": _l("Wrote the public summary"),
    "submission.summary_reviewed": _l("Marked the public summary as reviewed"),
    "submission.summary_review_withdrawn": _l("Withdrew the review of the public summary"),
    "submission.linked": _l("Linked the submission to a cluster"),
    "submission.unlinked": _l("Took the submission out of its cluster"),
    "account.signed_in": _l("Signed in"),
    "account.signed_out": _l("Signed out"),
    "account.password_changed": _l("Changed the password"),
    "account.recovery_code_used": _l("Used a recovery code to sign in"),
    "account.role_granted": _l("Gave an account a role"),
    "account.totp_enabled": _l("Turned on two-factor sign-in"),
    "account.created": _l("Created an account"),
    "account.deactivated": _l("Deactivated an account"),
    "account.reactivated": _l("Reactivated an account"),
    "account.password_reset_requested": _l("Asked for a password reset link"),
    "account.role_removed": _l("Took a role from an account"),
    "category.created": _l("Added a category"),
    "category.updated": _l("Changed a category"),
    "category.deactivated": _l("Deactivated a category"),
    "category.reactivated": _l("Reactivated a category"),
    "commitment.added": _l("Added a commitment"),
    "commitment.updated": _l("Changed a commitment"),
    "commitment.moved": _l("Moved a commitment"),
    "commitment.removed": _l("Removed a commitment"),
    "initiative.added": _l("Added an initiative"),
    "initiative.updated": _l("Changed an initiative"),
    "initiative.removed": _l("Removed an initiative"),
    "municipality.settings_updated": _l("Changed the municipality's settings"),
    "municipality.logo_uploaded": _l("Uploaded the municipality's logo"),
    "municipality.logo_removed": _l("Removed the municipality's logo"),
    "place.created": _l("Added a place"),
    "place.updated": _l("Changed a place"),
    "place.deleted": _l("Deleted a place"),
    "pledge.created": _l("Created a pledge"),
    "pledge.updated": _l("Changed a pledge"),
    "pledge.published": _l("Published a pledge"),
    "pledge.closed": _l("Closed a pledge"),
    "pledge.deleted": _l("Deleted a pledge"),
    "progress_update.added": _l("Published a progress update"),
    "progress_update.removed": _l("Removed a progress update"),
    "response_template.created": _l("Added a response template"),
    "response_template.updated": _l("Changed a response template"),
    "response_template.deleted": _l("Deleted a response template"),
    "organisation.created": _l("Added an organisation"),
    "organisation.updated": _l("Changed an organisation"),
    "organisation.deleted": _l("Deleted an organisation"),
    "organisation.verified": _l("Verified an organisation"),
    "organisations.imported": _l("Imported organisations"),
    "round.created": _l("Created an input round"),
    "round.updated": _l("Changed an input round"),
    "round.deleted": _l("Deleted an input round"),
    "round.published": _l("Published an input round"),
    "round.invited": _l("Invited organisations to an input round"),
    "round.invitations_sent": _l("Queued the invitations of an input round for e-mail"),
    "round.reminders_sent": _l("Queued reminders for an input round for e-mail"),
    "round.open_link_enabled": _l("Turned on the open link of an input round"),
    "round.open_link_renewed": _l("Renewed the open link of an input round"),
    "round.open_link_disabled": _l("Turned off the open link of an input round"),
    "round_question.added": _l("Added a question to an input round"),
    "round_question.updated": _l("Changed a question of an input round"),
    "round_question.moved": _l("Moved a question of an input round"),
    "round_question.removed": _l("Removed a question from an input round"),
    "round_response.verified": _l("Confirmed an unverified response"),
    "lagesbild.frozen": _l("Froze a lägesbild snapshot"),
    "lagesbild.quote_chosen": _l("Chose a quote for the lägesbild"),
    "lagesbild.quote_removed": _l("Removed a quote from the lägesbild"),
    "outbox.retried": _l("Queued a failed e-mail again"),
}
FIELD_LABELS = {
    "category_id": _l("Category"),
    "place_id": _l("Place"),
    "commitment_id": _l("Commitment"),
    "priority": _l("Priority"),
    "is_sensitive": _l("Sensitive"),
    "assignee_id": _l("Assigned to"),
}
ROLE_LABELS = {
    "moderator": _l("Moderator"),
    "admin": _l("Administrator"),
    "analyst": _l("Analyst"),
}
# Which kind of name an id in ``changes`` refers to.
FIELD_KINDS = {
    "category_id": "category",
    "place_id": "place",
    "commitment_id": "commitment",
    "assignee_id": "account",
}


@dataclasses.dataclass(frozen=True)
class LogEntry:
    """One audited change, from either table."""

    event: AuditEvent | StatusEvent

    @property
    def at(self) -> dt.datetime:
        return self.event.created_at

    @property
    def actor_id(self) -> int | None:
        return self.event.actor_id

    @property
    def action(self) -> str:
        if isinstance(self.event, AuditEvent):
            return self.event.action
        return "status.changed" if self.event.from_status else "submission.received"

    @property
    def submission_id(self) -> int | None:
        """The submission the change was made to, if it was made to one."""
        if isinstance(self.event, StatusEvent):
            return self.event.submission_id
        return self.event.object_id if self.event.object_type == "submission" else None


@dataclasses.dataclass(frozen=True)
class DetailLine:
    label: str
    value: str


def merge_entries(
    audit_events: Iterable[AuditEvent], status_events: Iterable[StatusEvent]
) -> list[LogEntry]:
    """Both kinds of event in time order, oldest first."""
    entries = [LogEntry(e) for e in audit_events] + [LogEntry(e) for e in status_events]
    return sorted(entries, key=lambda e: (e.at, isinstance(e.event, AuditEvent), e.event.id))


def action_label(entry: LogEntry) -> str:
    label = ACTION_LABELS.get(entry.action)
    return str(label) if label is not None else entry.action


def actor_label(entry: LogEntry, names: Names) -> str:
    """The account's name; who else it was when no account acted."""
    if entry.actor_id is not None:
        name = _text(names.get(("account", entry.actor_id)))
        return name or str(_("Account %(id)d", id=entry.actor_id))
    if isinstance(entry.event, StatusEvent) and entry.event.actor_kind == ActorKind.SUBMITTER:
        return str(_("The submitter"))
    return str(_("The system"))


def detail_lines(entry: LogEntry, names: Names) -> list[DetailLine]:
    """What changed, in words."""
    if isinstance(entry.event, StatusEvent):
        return _status_lines(entry.event)
    details = entry.event.details or {}
    lines: list[DetailLine] = []
    for field, change in (details.get("changes") or {}).items():
        old, new = change
        lines.append(
            DetailLine(
                str(FIELD_LABELS.get(field, field)),
                f"{_value(field, old, names)} → {_value(field, new, names)}",
            )
        )
    for key, describe in _DETAIL_WRITERS.items():
        if key in details:
            lines.append(describe(details, names))
    return lines


def _status_lines(event: StatusEvent) -> list[DetailLine]:
    lines = []
    if event.from_status is not None:
        change = f"{status_label(event.from_status)} → {status_label(event.to_status)}"
        lines.append(DetailLine(_("Status"), change))
    if event.reason:
        lines.append(DetailLine(_("Reason or recipient"), event.reason))
    return lines


def _yes_no(value: object) -> str:
    return str(_("Yes") if value else _("No"))


def _text(value: Localized | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else localized(value).striptags()


def _value(field: str, value: Any, names: Names) -> str:
    if value is None:
        return "–"
    if field == "priority":
        return priority_label(value)
    if field == "is_sensitive":
        return _yes_no(value)
    kind = FIELD_KINDS.get(field)
    if kind is not None and isinstance(value, int):
        return _text(names.get((kind, value))) or f"#{value}"
    return str(value)


def _names_list(values: Any) -> str:
    return ", ".join(str(v) for v in values or []) or "–"


_DETAIL_WRITERS: dict[str, Callable[[Mapping[str, Any], Names], DetailLine]] = {
    "after": lambda d, n: DetailLine(
        _("Tags"), f"{_names_list(d.get('before'))} → {_names_list(d.get('after'))}"
    ),
    "summary": lambda d, n: DetailLine(_("Public summary"), d.get("summary") or "–"),
    "review_cleared": lambda d, n: DetailLine(
        _("Earlier review cleared"), _yes_no(d.get("review_cleared"))
    ),
    "notified": lambda d, n: DetailLine(_("E-mail notice queued"), _yes_no(d.get("notified"))),
    "cluster": lambda d, n: DetailLine(_("Cluster"), str(d.get("cluster"))),
    "linked_with": lambda d, n: DetailLine(_("Linked with"), str(d.get("linked_with"))),
    "role": lambda d, n: DetailLine(_("Role"), str(ROLE_LABELS.get(d["role"], d["role"]))),
}


def referenced_ids(entries: Iterable[LogEntry]) -> dict[str, set[int]]:
    """Every id the entries refer to, by kind, so their names can be loaded at once."""
    wanted: dict[str, set[int]] = {kind: set() for kind in ("account", "category", "place")}
    wanted |= {"commitment": set(), "submission": set()}
    for entry in entries:
        if entry.actor_id is not None:
            wanted["account"].add(entry.actor_id)
        if entry.submission_id is not None:
            wanted["submission"].add(entry.submission_id)
        event = entry.event
        if isinstance(event, AuditEvent):
            if event.object_type == "account" and event.object_id is not None:
                wanted["account"].add(event.object_id)
            for field, change in ((event.details or {}).get("changes") or {}).items():
                kind = FIELD_KINDS.get(field)
                if kind is not None:
                    wanted[kind] |= {v for v in change if isinstance(v, int)}
    return wanted


_NAME_QUERIES: dict[str, Callable[[set[int]], Any]] = {
    "account": lambda ids: select(Account.id, Account.name).where(Account.id.in_(ids)),
    "category": lambda ids: select(Category.id, Category.label).where(Category.id.in_(ids)),
    "place": lambda ids: select(Place.id, Place.name).where(Place.id.in_(ids)),
    "commitment": lambda ids: select(Commitment.id, Commitment.text).where(Commitment.id.in_(ids)),
    "submission": lambda ids: select(Submission.id, Submission.reference).where(
        Submission.id.in_(ids)
    ),
}


def load_names(
    session: DbSession,
    entries: Iterable[LogEntry],
    also: Mapping[str, Iterable[int]] | None = None,
) -> dict[tuple[str, int], Any]:
    """The names of everything the entries (and ``also``) refer to: one query per kind."""
    names: dict[tuple[str, int], Any] = {}
    wanted = referenced_ids(entries)
    for kind, ids in (also or {}).items():
        wanted[kind] |= set(ids)
    for kind, ids in wanted.items():
        if ids:
            names |= {(kind, row[0]): row[1] for row in session.execute(_NAME_QUERIES[kind](ids))}
    return names


def object_label(entry: LogEntry, names: Names) -> str:
    """What the change was made to: a case reference or an account's name."""
    if entry.submission_id is not None:
        return _text(names.get(("submission", entry.submission_id))) or f"#{entry.submission_id}"
    event = entry.event
    if isinstance(event, AuditEvent) and event.object_type == "account" and event.object_id:
        return _text(names.get(("account", event.object_id))) or f"#{event.object_id}"
    return ""
