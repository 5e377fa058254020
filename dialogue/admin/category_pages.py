"""Pages for the category taxonomy: groups and their categories, added, edited, deactivated."""

from __future__ import annotations

from flask import request
from werkzeug import Response

from dialogue.accounts.workspace import acting, admin_required, current_scope, tenant_id
from dialogue.admin.forms import CategoryForm, NewCategoryForm
from dialogue.cache import clear_process_caches
from dialogue.categories import services as categories
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.web.forms import localized, localized_data
from dialogue.web.responses import FormPage, done, page, refused
from dialogue.web.templating import label


def _groups() -> list[categories.CategoryGroup]:
    return categories.list_category_groups(db.session, tenant_id(), scope=current_scope())


@admin_required
def category_list() -> Response:
    return page("admin/categories.html", groups=_groups())


@admin_required
def new_category() -> Response:
    form = NewCategoryForm(data={"group": request.args.get("group", "")})
    form.set_groups([(g.group.id, label(g.group.label)) for g in _groups()])
    shown = FormPage("admin/category_form.html", form, category=None)
    if not form.validate_on_submit():
        return shown.render()
    data = categories.NewCategory(
        category=categories.CategoryInput(
            localized(form, "label"), form.route(), form.is_sensitive.data
        ),
        group_id=form.group_id(),
        group_label=localized(form, "group_label"),
    )
    try:
        created = categories.create_category(db.session, tenant_id(), data, **acting())
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(_("The category %(label)s is added.", label=label(created.label)), ".category_list")


@admin_required
def category(category_id: int) -> Response:
    found = categories.get_category(db.session, tenant_id(), category_id, scope=current_scope())
    form = CategoryForm(
        data={
            **localized_data("label", found.label),
            "default_route": found.default_route.value if found.default_route else "",
            "is_sensitive": found.is_sensitive,
        }
    )
    shown = FormPage("admin/category_form.html", form, category=found)
    if not form.validate_on_submit():
        return shown.render()
    data = categories.CategoryInput(localized(form, "label"), form.route(), form.is_sensitive.data)
    try:
        saved = categories.update_category(db.session, tenant_id(), found.id, data, **acting())
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(_("The category %(label)s is saved.", label=label(saved.label)), ".category_list")


@admin_required
def set_category_active(category_id: int) -> Response:
    active = request.form.get("active") == "1"
    try:
        changed = categories.set_category_active(
            db.session, tenant_id(), category_id, active, **acting()
        )
    except InvalidInputError as error:
        return refused(error, ".category_list")
    clear_process_caches()
    message = (
        _("The category %(label)s is offered again.", label=label(changed.label))
        if active
        else _("The category %(label)s is no longer offered.", label=label(changed.label))
    )
    return done(message, ".category_list", _anchor=f"category-{changed.id}")
