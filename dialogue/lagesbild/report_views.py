"""The lägesbild report of a municipality in the workspace: page, charts and exports."""

from __future__ import annotations

from dialogue.web.staff import staff_blueprint

bp = staff_blueprint("report", __name__)
