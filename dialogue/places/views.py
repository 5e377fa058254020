"""The gazetteer in public: the list of places, a place, and its printable QR poster."""

from __future__ import annotations

from flask import abort, render_template
from werkzeug import Response

from dialogue.errors import NotFoundError
from dialogue.extensions import db
from dialogue.municipalities.tenancy import current_tenant, tenant_blueprint
from dialogue.places.models import Place
from dialogue.places.services import get_place, list_places, qr_code_svg
from dialogue.pledges.services import list_initiatives_at
from dialogue.web.urls import external_url

bp = tenant_blueprint("places", __name__)


def _place(slug: str) -> Place:
    try:
        return get_place(db.session, current_tenant().id, slug)
    except NotFoundError:
        abort(404)


def _form_url(place: Place) -> str:
    return external_url("intake.new", place=place.slug)


@bp.get("/places")
def index() -> str:
    return render_template("places/index.html", places=list_places(db.session, current_tenant().id))


@bp.get("/places/<slug>")
def show(slug: str) -> str:
    place = _place(slug)
    initiatives = list_initiatives_at(db.session, place)
    return render_template("places/show.html", place=place, initiatives=initiatives)


@bp.get("/places/<slug>/poster")
def poster(slug: str) -> str:
    place = _place(slug)
    return render_template("places/poster.html", place=place, form_url=_form_url(place))


@bp.get("/places/<slug>/qr.svg")
def qr(slug: str) -> Response:
    response = Response(qr_code_svg(_form_url(_place(slug))), mimetype="image/svg+xml")
    response.cache_control.max_age = 3600
    return response
