"""The triage blueprint, shared by the queue (``views``) and the submission page (``detail``)."""

from __future__ import annotations

from dialogue.accounts.workspace import staff_blueprint

bp = staff_blueprint("triage", __name__)
