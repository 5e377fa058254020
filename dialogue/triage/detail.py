"""The submission page: everything about one submission, and the moderators' changes to it."""

from __future__ import annotations

from dialogue.triage.blueprint import bp

__all__ = ["bp"]
