"""The municipality's start page and its public pledges."""

from __future__ import annotations

from flask import abort, render_template
from werkzeug import Response

from dialogue.cache import ProcessCache, TTLCache
from dialogue.errors import NotFoundError
from dialogue.extensions import db
from dialogue.lagesbild import public, snapshots
from dialogue.lagesbild.public_views import count_text
from dialogue.lagesbild.suppression import PublicReport
from dialogue.municipalities.tenancy import current_tenant, local_today, tenant_blueprint
from dialogue.pledges.models import Pledge
from dialogue.pledges.services import get_current_pledge, get_pledge, list_public_pledges
from dialogue.web.theme import accent_colors

# Public lägesbild figures ("Ni sa - vi gör"), computed at most once per cache period.
PUBLIC_FIGURES = ProcessCache("public_report", TTLCache[PublicReport | None])

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
    figures = _public_figures(pledge)
    basis = public.get_basis(db.session, pledge)
    return render_template(
        "pledges/pledge.html",
        pledge=pledge,
        other_pledges=others,
        figures=figures,
        you_said=public.you_said_we_do(pledge, figures) if figures else None,
        basis=basis,
        basis_label=snapshots.label(basis) if basis else None,
        count_text=count_text,
    )


def _public_figures(pledge: Pledge) -> PublicReport | None:
    """The pledge's suppressed figures so far, computed at most once per cache period."""
    tenant = current_tenant()
    return PUBLIC_FIGURES.get().get(
        f"{tenant.id}:{pledge.id}",
        lambda: public.pledge_report(db.session, tenant.id, pledge, local_today()),
    )


@bp.get("/theme.css")
def theme() -> Response:
    colors = accent_colors(current_tenant().accent_color)
    css = ":root{{--accent:{accent};--accent-dark:{accent_dark}}}\n".format(**colors)
    response = Response(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 60  # administrators see a new colour within a minute
    return response
