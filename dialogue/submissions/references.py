"""Submissions by the case reference staff type or read aloud ("K7QM-2XHD")."""

from __future__ import annotations

import re

from sqlalchemy import select

from dialogue.db import DbSession
from dialogue.submissions.models import Submission
from dialogue.submissions.receipts import REFERENCE_LENGTH

_NOT_REFERENCE = re.compile(r"[^0-9A-Z]")


def normalize_reference(raw: str) -> str | None:
    """``k7qm 2xhd`` and ``K7QM-2XHD`` are the same reference; None if it cannot be one."""
    chars = _NOT_REFERENCE.sub("", raw.upper())
    if len(chars) != REFERENCE_LENGTH:
        return None
    half = REFERENCE_LENGTH // 2
    return f"{chars[:half]}-{chars[half:]}"


def find_by_reference(session: DbSession, municipality_id: int, raw: str) -> Submission | None:
    """The submission of this municipality with this reference, if any."""
    reference = normalize_reference(raw or "")
    if reference is None:
        return None
    return session.scalar(
        select(Submission).where(
            Submission.reference == reference, Submission.municipality_id == municipality_id
        )
    )
