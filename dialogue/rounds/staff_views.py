"""Workspace pages of input rounds: questions, invitations, responses and results."""

from __future__ import annotations

from dialogue.web.staff import staff_blueprint

bp = staff_blueprint("rounds", __name__)
