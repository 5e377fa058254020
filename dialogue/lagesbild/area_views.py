"""The lägesbild of a whole police area, for its analysts: ``/staff/area/<police_area>``."""

from __future__ import annotations

from flask import Blueprint

from dialogue.web.staff import require_staff

bp = Blueprint("area_report", __name__, url_prefix="/staff/area/<police_area>")
bp.before_request(require_staff)
