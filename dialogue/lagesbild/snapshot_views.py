"""Frozen lägesbild snapshots in the workspace: freeze, list, read, compare, quotes."""

from __future__ import annotations

from dialogue.web.staff import staff_blueprint

bp = staff_blueprint("snapshots", __name__)
