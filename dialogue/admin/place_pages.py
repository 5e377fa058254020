"""Pages for the gazetteer: the list of places, adding, editing and deleting one."""

from __future__ import annotations

from flask import request
from werkzeug import Response

from dialogue.accounts.workspace import acting, admin_required, current_scope, tenant_id
from dialogue.admin.forms import PlaceForm
from dialogue.cache import clear_process_caches
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.places import editing as places
from dialogue.places.models import Place, PlaceKind
from dialogue.web.forms import lines
from dialogue.web.responses import FormPage, done, page, refused


def _all_places() -> list[Place]:
    return places.list_places(db.session, tenant_id(), scope=current_scope())


def _inside(place: Place, everything: list[Place]) -> set[int]:
    """The ids of ``place`` and every place inside it, which cannot become its parent."""
    children: dict[int, list[int]] = {}
    for other in everything:
        if other.parent_id is not None:
            children.setdefault(other.parent_id, []).append(other.id)
    found, waiting = set(), [place.id]
    while waiting:
        current = waiting.pop()
        if current not in found:
            found.add(current)
            waiting.extend(children.get(current, []))
    return found


def _form(place: Place | None = None, **kwargs: object) -> PlaceForm:
    form = PlaceForm(**kwargs)
    everything = _all_places()
    excluded = _inside(place, everything) if place else set()
    form.set_parents([p for p in everything if p.id not in excluded])
    return form


def _place_input(form: PlaceForm) -> places.PlaceInput:
    return places.PlaceInput(
        name=form.name.data or "",
        slug=form.slug.data or "",
        kind=PlaceKind(form.kind.data),
        parent_id=form.parent_id(),
        latitude=form.latitude.number,
        longitude=form.longitude.number,
        aliases=tuple(lines(form.aliases.data)),
    )


@admin_required
def place_list() -> Response:
    return page("admin/places.html", places=_all_places())


@admin_required
def new_place() -> Response:
    form = _form()
    shown = FormPage("admin/place_form.html", form, place=None, usage=None)
    if not form.validate_on_submit():
        return shown.render()
    try:
        created = places.create_place(db.session, tenant_id(), _place_input(form), **acting())
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(_("The place %(name)s is added.", name=created.name), ".place_list")


@admin_required
def place(place_id: int) -> Response:
    found = places.get_place(db.session, tenant_id(), place_id, scope=current_scope())
    form = _form(found, data=PlaceForm.initial(found))
    usage = places.place_usage(db.session, found)
    shown = FormPage("admin/place_form.html", form, place=found, usage=usage)
    if not form.validate_on_submit():
        return shown.render()
    try:
        saved = places.update_place(
            db.session, tenant_id(), found.id, _place_input(form), **acting()
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(_("The place %(name)s is saved.", name=saved.name), ".place_list")


@admin_required
def delete_place(place_id: int) -> Response:
    found = places.get_place(db.session, tenant_id(), place_id, scope=current_scope())
    if request.method == "GET" or request.form.get("confirm") != "yes":
        usage = places.place_usage(db.session, found)
        return page("admin/place_delete.html", place=found, usage=usage)
    name = found.name
    try:
        places.delete_place(db.session, tenant_id(), place_id, **acting())
    except InvalidInputError as error:
        return refused(error, ".place", place_id=place_id)
    clear_process_caches()
    return done(_("The place %(name)s is deleted.", name=name), ".place_list")
