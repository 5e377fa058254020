"""Names of statuses and priorities as staff read them (residents see their own wording)."""

from __future__ import annotations

from dialogue.i18n import _l
from dialogue.submissions.models import PartOfDay, Priority, Status, SubmissionKind, SubmitterType

STATUS_LABELS = {
    Status.NEW: _l("New"),
    Status.IN_REVIEW: _l("In review"),
    Status.ACCEPTED: _l("Accepted"),
    Status.FORWARDED: _l("Forwarded"),
    Status.DUPLICATE: _l("Duplicate"),
    Status.REJECTED: _l("Rejected"),
    Status.SPAM: _l("Spam"),
    Status.WITHDRAWN: _l("Withdrawn"),
}

PRIORITY_LABELS = {
    Priority.LOW: _l("Low"),
    Priority.NORMAL: _l("Normal"),
    Priority.HIGH: _l("High"),
    Priority.URGENT: _l("Urgent"),
}

KIND_LABELS = {
    SubmissionKind.CONCERN: _l("Concern"),
    SubmissionKind.SUGGESTION: _l("Suggestion"),
    SubmissionKind.PRAISE: _l("Praise"),
}
SUBMITTER_LABELS = {
    SubmitterType.RESIDENT: _l("Resident"),
    SubmitterType.BUSINESS: _l("Business"),
    SubmitterType.ASSOCIATION: _l("Association"),
    SubmitterType.NOT_STATED: _l("Not stated"),
}
PART_OF_DAY_LABELS = {
    PartOfDay.MORNING: _l("Morning"),
    PartOfDay.DAYTIME: _l("Daytime"),
    PartOfDay.EVENING: _l("Evening"),
    PartOfDay.NIGHT: _l("Night"),
}


def status_label(status: str | None) -> str:
    if status is None:
        return "–"
    try:
        return str(STATUS_LABELS[Status(status)])
    except ValueError:
        return status


def priority_label(priority: int | None) -> str:
    if priority is None:
        return "–"
    try:
        return str(PRIORITY_LABELS[Priority(priority)])
    except ValueError:
        return str(priority)


def kind_label(kind: str) -> str:
    try:
        return str(KIND_LABELS[SubmissionKind(kind)])
    except ValueError:
        return kind


def submitter_label(submitter: str) -> str:
    try:
        return str(SUBMITTER_LABELS[SubmitterType(submitter)])
    except ValueError:
        return submitter


def part_of_day_label(part: str) -> str:
    try:
        return str(PART_OF_DAY_LABELS[PartOfDay(part)])
    except ValueError:
        return part
