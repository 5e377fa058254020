"""The municipality's start page and its public pledges."""

from __future__ import annotations

from flask import Response, abort, render_template

from dialogue.errors import NotFoundError
from dialogue.extensions import db
from dialogue.pledges.services import get_current_pledge, get_pledge, list_public_pledges
from dialogue.web.tenancy import current_tenant, local_today, tenant_blueprint
from dialogue.web.theme import accent_colors

bp = tenant_blueprint("pledges", __name__)


@bp.get("/")
def start() -> str:
    tenant = current_tenant()
    pledge = get_current_pledge(db.session, tenant.id, local_today())
    return render_template("pledges/start.html", pledge=pledge)


@bp.get("/pledge")
def current() -> str:
    tenant = current_tenant()
    pledge = get_current_pledge(db.session, tenant.id, local_today())
    if pledge is None:
        abort(404)
    return _render_pledge(pledge.id)


@bp.get("/pledges/<int:pledge_id>")
def show(pledge_id: int) -> str:
    return _render_pledge(pledge_id)


def _render_pledge(pledge_id: int) -> str:
    tenant = current_tenant()
    try:
        pledge = get_pledge(db.session, tenant.id, pledge_id)
    except NotFoundError:
        abort(404)
    others = [p for p in list_public_pledges(db.session, tenant.id) if p.id != pledge.id]
    return render_template("pledges/pledge.html", pledge=pledge, other_pledges=others)


@bp.get("/theme.css")
def theme() -> Response:
    colors = accent_colors(current_tenant().accent_color)
    css = ":root{{--accent:{accent};--accent-dark:{accent_dark}}}\n".format(**colors)
    response = Response(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 60  # administrators see a new colour within a minute
    return response
