"""The municipality's start page, its public pledges and its colours.

The blueprint keeps the name ``pledges``: templates link to ``pledges.start``, ``pledges.show``.
"""

from __future__ import annotations

from flask import make_response, render_template

from dialogue.extensions import db
from dialogue.municipalities.tenancy import current_tenant, local_today, tenant_blueprint
from dialogue.pages.municipality import PledgePage, get_pledge_page
from dialogue.pledges.services import get_current_pledge
from dialogue.web.responses import Response
from dialogue.web.theme import accent_colors

bp = tenant_blueprint("pledges", __name__)


@bp.get("/")
def start() -> Response:
    pledge = get_current_pledge(db.session, current_tenant().id, local_today())
    return make_response(render_template("pledges/start.html", pledge=pledge))


@bp.get("/pledge")
def current() -> Response:
    return _pledge_page(get_pledge_page(db.session, current_tenant().id, None, local_today()))


@bp.get("/pledges/<int:pledge_id>")
def show(pledge_id: int) -> Response:
    return _pledge_page(get_pledge_page(db.session, current_tenant().id, pledge_id, local_today()))


def _pledge_page(shown: PledgePage) -> Response:
    return make_response(
        render_template(
            "pledges/pledge.html",
            pledge=shown.pledge,
            other_pledges=shown.other_pledges,
            figures=shown.figures,
            you_said=shown.you_said,
            basis=shown.basis,
        )
    )


@bp.get("/theme.css")
def theme() -> Response:
    colors = accent_colors(current_tenant().accent_color)
    css = ":root{{--accent:{accent};--accent-dark:{accent_dark}}}\n".format(**colors)
    response = Response(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 60  # administrators see a new colour within a minute
    return response
