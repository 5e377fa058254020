"""Every model, imported once so metadata and Alembic see the whole schema."""

from dialogue.accounts.models import (
    Account,
    Membership,
    RecoveryCode,
    Role,
    SessionEnd,
    StaffSession,
)
from dialogue.audit.models import AuditEvent
from dialogue.categories.models import Category, Route
from dialogue.drafts.models import KeptDraft
from dialogue.lagesbild.models import LagesbildSnapshot, Quote
from dialogue.municipalities.models import Municipality, MunicipalityLogo, PoliceArea
from dialogue.organisations.models import Organisation, OrganisationType, organisation_places
from dialogue.outbox.models import OutboxMessage
from dialogue.pages.models import Heartbeat
from dialogue.places.models import Place, PlaceKind
from dialogue.pledges.models import Commitment, Initiative, Pledge, PledgeStatus, ProgressUpdate
from dialogue.rounds.models import (
    Answer,
    InputRound,
    Invitation,
    Question,
    QuestionKind,
    ResponseVia,
    RoundResponse,
    TimeOfDay,
)
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
    "Answer",
    "AuditEvent",
    "Category",
    "Cluster",
    "Commitment",
    "Contact",
    "Heartbeat",
    "Initiative",
    "InputRound",
    "Invitation",
    "KeptDraft",
    "LagesbildSnapshot",
    "Membership",
    "Municipality",
    "MunicipalityLogo",
    "Note",
    "Organisation",
    "OrganisationType",
    "OutboxMessage",
    "PartOfDay",
    "Place",
    "PlaceKind",
    "Pledge",
    "PledgeStatus",
    "PoliceArea",
    "Priority",
    "ProgressUpdate",
    "Question",
    "QuestionKind",
    "Quote",
    "RecoveryCode",
    "Reply",
    "ResponseTemplate",
    "ResponseVia",
    "Role",
    "RoundResponse",
    "Route",
    "SessionEnd",
    "StaffSession",
    "Status",
    "StatusEvent",
    "Submission",
    "SubmissionKind",
    "SubmitterType",
    "Tag",
    "TimeOfDay",
    "organisation_places",
    "submission_tags",
]
