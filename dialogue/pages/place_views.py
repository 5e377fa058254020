"""The gazetteer in public: the list of places, a place, and its printable QR poster.

The blueprint keeps the name ``places``. It lives beside the pledge pages: a place's page is
one of the municipality's public pages, with the pledge's work and what was heard there
(:mod:`dialogue.pages.place`).
"""

from __future__ import annotations

from flask import make_response, render_template

from dialogue.extensions import db
from dialogue.municipalities.tenancy import current_tenant, local_today, tenant_blueprint
from dialogue.pages.place import get_place_page
from dialogue.places.models import Place
from dialogue.places.services import get_place, list_places, qr_code_svg
from dialogue.web.responses import Response
from dialogue.web.urls import external_url

bp = tenant_blueprint("places", __name__)


def _form_url(place: Place) -> str:
    return external_url("intake.new", place=place.slug)


@bp.get("/places")
def index() -> Response:
    places = list_places(db.session, current_tenant().id)
    return make_response(render_template("places/index.html", places=places))


@bp.get("/places/<slug>")
def show(slug: str) -> Response:
    shown = get_place_page(db.session, current_tenant().id, slug, local_today())
    return make_response(render_template("places/show.html", page=shown, place=shown.place))


@bp.get("/places/<slug>/poster")
def poster(slug: str) -> Response:
    place = get_place(db.session, current_tenant().id, slug)
    return make_response(
        render_template("places/poster.html", place=place, form_url=_form_url(place))
    )


@bp.get("/places/<slug>/qr.svg")
def qr(slug: str) -> Response:
    place = get_place(db.session, current_tenant().id, slug)
    response = Response(qr_code_svg(_form_url(place)), mimetype="image/svg+xml")
    response.cache_control.max_age = 3600
    return response
