"""``/<municipality>/logo``: the uploaded logo, served so that an SVG can never run anything."""

from __future__ import annotations

from flask import abort, request
from werkzeug import Response

from dialogue.extensions import db
from dialogue.municipalities.logo import VERSION_LENGTH, get_logo
from dialogue.municipalities.tenancy import current_tenant, tenant_blueprint

bp = tenant_blueprint("logo", __name__)

# Shown through <img> only; opened directly, the policy forbids scripts, plugins, frames and
# any fetch, and the sandbox gives the document an opaque origin.
LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
VERSIONED_MAX_AGE = 365 * 24 * 3600  # the address changes with the logo
PLAIN_MAX_AGE = 300


@bp.get("/logo")
def show() -> Response:
    logo = get_logo(db.session, current_tenant().id)
    if logo is None:
        abort(404)
    # content_type, not mimetype: Werkzeug would add a charset to image/svg+xml.
    response = Response(logo.data, content_type=logo.content_type)
    response.set_etag(logo.digest)
    response.cache_control.public = True
    version = request.args.get("v") or ""
    versioned = len(version) >= VERSION_LENGTH and logo.digest.startswith(version)
    response.cache_control.max_age = VERSIONED_MAX_AGE if versioned else PLAIN_MAX_AGE
    response.headers["Content-Security-Policy"] = LOGO_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response.make_conditional(request)
