"""The pages an organisation answers a round on, reached by its link."""

from __future__ import annotations

from dialogue.web.tenancy import tenant_blueprint

bp = tenant_blueprint("answer", __name__)
