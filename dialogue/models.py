"""Every model, imported once so metadata and Alembic see the whole schema."""

from dialogue.accounts.models import Account, Membership, RecoveryCode, Role
from dialogue.audit.models import AuditEvent
from dialogue.categories.models import Category, Route
from dialogue.municipalities.models import Municipality, PoliceArea
from dialogue.outbox.models import OutboxMessage
from dialogue.places.models import Place, PlaceKind
from dialogue.pledges.models import Commitment, Initiative, Pledge, PledgeStatus, ProgressUpdate
from dialogue.submissions.models import (
    ActorKind,
    Addendum,
    Contact,
    PartOfDay,
    Priority,
    Reply,
    Status,
    StatusEvent,
    Submission,
    SubmissionKind,
    SubmitterType,
)
from dialogue.triage.models import Cluster, Note, ResponseTemplate, Tag, submission_tags

__all__ = [
    "Account",
    "ActorKind",
    "Addendum",
    "AuditEvent",
    "Category",
    "Cluster",
    "Commitment",
    "Contact",
    "Initiative",
    "Membership",
    "Municipality",
    "Note",
    "OutboxMessage",
    "PartOfDay",
    "Place",
    "PlaceKind",
    "Pledge",
    "PledgeStatus",
    "PoliceArea",
    "Priority",
    "ProgressUpdate",
    "RecoveryCode",
    "Reply",
    "ResponseTemplate",
    "Role",
    "Route",
    "Status",
    "StatusEvent",
    "Submission",
    "SubmissionKind",
    "SubmitterType",
    "Tag",
    "submission_tags",
]
