"""What the public may download of the lägesbild: suppressed numbers only."""

from __future__ import annotations

from dialogue.web.tenancy import tenant_blueprint

bp = tenant_blueprint("public_report", __name__)
