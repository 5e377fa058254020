"""Workspace pages of the organisation register."""

from __future__ import annotations

from dialogue.web.staff import staff_blueprint

bp = staff_blueprint("organisations", __name__)
