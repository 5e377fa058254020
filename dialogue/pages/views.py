"""Pages outside any municipality: the list of municipalities, language, health, statements."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from dialogue.config import current_settings
from dialogue.extensions import db
from dialogue.i18n import SESSION_KEY, supported_locales
from dialogue.municipalities.services import list_municipalities
from dialogue.pages.services import DatabaseHealth, check_database
from dialogue.web.next_page import safe_next
from dialogue.web.ratelimit import limiter, ratelimit_storage_state
from dialogue.web.responses import Response

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> Response:
    """The municipalities of this service; with only one, its start page straight away."""
    municipalities = list_municipalities(db.session)
    if len(municipalities) == 1:
        # 302, not 301: a second municipality may join, and then this page lists both.
        return redirect(url_for("pledges.start", municipality=municipalities[0].slug))
    return make_response(render_template("pages/index.html", municipalities=municipalities))


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    if code not in supported_locales():
        abort(404)
    session[SESSION_KEY] = code
    return redirect(safe_next(request.args.get("next")), code=303)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for this path whatever the page says; point them at the real icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/accessibility")
def accessibility() -> Response:
    return make_response(render_template("pages/accessibility.html"))


@bp.get("/privacy")
def privacy() -> Response:
    days = current_settings().contact_retention_days
    return make_response(render_template("pages/privacy.html", retention_days=days))


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    """For load balancers: 503 unless the database can be read and written; the rate-limit
    storage's state beside it. Each part is a key of its own, so more can be added.

    Only the database decides the status code: with the limiter's storage down, limits are kept
    in each process's memory and residents are still served, so the answer is 200 "degraded".
    """
    limits = ratelimit_storage_state()
    database = check_database(db.session)
    if database is not DatabaseHealth.OK:
        body = {"status": "unavailable", "database": database.value, "ratelimit": limits}
        return make_response(jsonify(body), 503)
    status = "degraded" if limits == "memory-fallback" else "ok"
    return jsonify(status=status, database=database.value, ratelimit=limits)
