"""Every model, imported once so metadata and Alembic see the whole schema."""

from dialogue.categories.models import Category, Route
from dialogue.municipalities.models import Municipality, PoliceArea
from dialogue.places.models import Place, PlaceKind
from dialogue.pledges.models import Commitment, Initiative, Pledge, PledgeStatus, ProgressUpdate
from dialogue.submissions.models import (
    ActorKind,
    Addendum,
    Contact,
    PartOfDay,
    Reply,
    Status,
    StatusEvent,
    Submission,
    SubmissionKind,
    SubmitterType,
)

__all__ = [
    "ActorKind",
    "Addendum",
    "Category",
    "Commitment",
    "Contact",
    "Initiative",
    "Municipality",
    "PartOfDay",
    "Place",
    "PlaceKind",
    "Pledge",
    "PledgeStatus",
    "PoliceArea",
    "ProgressUpdate",
    "Reply",
    "Route",
    "Status",
    "StatusEvent",
    "Submission",
    "SubmissionKind",
    "SubmitterType",
]
