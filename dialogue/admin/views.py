"""Administration of a municipality: pledges, places, categories, templates, accounts, settings.

The start page and the settings are here; each section's pages live in its own module, and
their routes are listed below, all on this one blueprint (endpoint = the view's name).
"""

from __future__ import annotations

from collections.abc import Callable

from werkzeug import Response

from dialogue.accounts.workspace import admin_required, context, staff_blueprint
from dialogue.admin import (
    account_pages,
    category_pages,
    outbox_pages,
    place_pages,
    pledge_pages,
    template_pages,
)
from dialogue.admin.forms import LogoForm, RemoveLogoForm, SettingsForm
from dialogue.cache import clear_process_caches
from dialogue.config import current_settings
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.municipalities import logo, settings
from dialogue.web.responses import FormPage, done, page
from dialogue.web.theme import accent_colors

__all__ = ["bp"]  # what create_app imports

bp = staff_blueprint("admin", __name__)


@bp.get("/admin/")
@admin_required
def index() -> Response:
    return page("admin/index.html")


def _settings(form: SettingsForm, logo_form: LogoForm | None = None) -> FormPage:
    municipality = settings.get_settings(db.session, context())
    return FormPage(
        "admin/settings.html",
        form,
        municipality=municipality,
        logo_form=logo_form or LogoForm(formdata=None),
        remove_logo_form=RemoveLogoForm(formdata=None),
        saved_colors=accent_colors(municipality.accent_color),
        default_limit=current_settings().ratelimit_submit,
    )


@bp.route("/admin/settings", methods=["GET", "POST"])
@admin_required
def settings_page() -> Response:
    municipality = settings.get_settings(db.session, context())
    form = SettingsForm(data=SettingsForm.initial(municipality))
    shown = _settings(form)
    if not form.validate_on_submit():
        return shown.render()
    data = settings.SettingsInput(
        small_number_threshold=form.threshold(),
        submit_rate_limit=form.submit_rate_limit.data or "",
        require_totp=bool(form.require_totp.data),
        accent_color=form.accent_color.data or "",
        contact_email=form.contact_email.data or "",
    )
    try:
        settings.update_settings(db.session, context(), data)
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(_("The settings are saved."), ".settings_page")


@bp.post("/admin/settings/logo")
@admin_required
def upload_logo() -> Response:
    municipality = settings.get_settings(db.session, context())
    logo_form = LogoForm()
    shown = _settings(
        SettingsForm(formdata=None, data=SettingsForm.initial(municipality)), logo_form
    )
    if not logo_form.validate_on_submit():
        return shown.render(422)
    data = logo_form.content()
    try:
        logo.upload_logo(db.session, context(), data)
    except InvalidInputError as error:
        logo_form.add_errors(error)
        return shown.render(413 if len(data) > logo.MAX_BYTES else 422)
    clear_process_caches()
    return done(_("The logo is saved. It is shown in the header of every page."), ".settings_page")


@bp.post("/admin/settings/logo/remove")
@admin_required
def remove_logo() -> Response:
    if not RemoveLogoForm().validate_on_submit():
        return done(_("The logo is not removed. Try again."), ".settings_page")
    logo.remove_logo(db.session, context())
    clear_process_caches()
    return done(_("The logo is removed."), ".settings_page")


GET, POST, FORM = ["GET"], ["POST"], ["GET", "POST"]
ROUTES: list[tuple[str, Callable[..., Response], list[str]]] = [
    ("/admin/accounts", account_pages.account_list, GET),
    ("/admin/accounts/new", account_pages.new_account, FORM),
    ("/admin/accounts/add", account_pages.add_account, FORM),
    ("/admin/accounts/remove-role", account_pages.remove_role, FORM),
    ("/admin/accounts/deactivate", account_pages.deactivate_account, FORM),
    ("/admin/categories", category_pages.category_list, GET),
    ("/admin/categories/new", category_pages.new_category, FORM),
    ("/admin/categories/<int:category_id>", category_pages.category, FORM),
    ("/admin/categories/<int:category_id>/active", category_pages.set_category_active, POST),
    ("/admin/outbox", outbox_pages.outbox_list, GET),
    ("/admin/outbox/<int:message_id>/retry", outbox_pages.retry_message, POST),
    ("/admin/places", place_pages.place_list, GET),
    ("/admin/places/new", place_pages.new_place, FORM),
    ("/admin/places/<int:place_id>", place_pages.place, FORM),
    ("/admin/places/<int:place_id>/delete", place_pages.delete_place, FORM),
    ("/admin/pledges", pledge_pages.pledge_list, GET),
    ("/admin/pledges/<int:pledge_id>", pledge_pages.pledge, GET),
    ("/admin/pledges/new", pledge_pages.new_pledge, FORM),
    ("/admin/pledges/<int:pledge_id>/edit", pledge_pages.edit_pledge, FORM),
    ("/admin/pledges/<int:pledge_id>/publish", pledge_pages.publish_pledge, POST),
    ("/admin/pledges/<int:pledge_id>/close", pledge_pages.close_pledge, FORM),
    ("/admin/pledges/<int:pledge_id>/delete", pledge_pages.delete_pledge, POST),
    ("/admin/pledges/<int:pledge_id>/commitments/new", pledge_pages.new_commitment, FORM),
    ("/admin/commitments/<int:commitment_id>", pledge_pages.commitment, FORM),
    ("/admin/commitments/<int:commitment_id>/move", pledge_pages.move_commitment, POST),
    ("/admin/commitments/<int:commitment_id>/remove", pledge_pages.remove_commitment, POST),
    ("/admin/commitments/<int:commitment_id>/updates", pledge_pages.add_progress_update, POST),
    (
        "/admin/commitments/<int:commitment_id>/updates/remove",
        pledge_pages.remove_progress_update,
        POST,
    ),
    ("/admin/pledges/<int:pledge_id>/initiatives/new", pledge_pages.new_initiative, FORM),
    ("/admin/initiatives/<int:initiative_id>", pledge_pages.initiative, FORM),
    ("/admin/initiatives/<int:initiative_id>/remove", pledge_pages.remove_initiative, POST),
    ("/admin/templates", template_pages.template_list, GET),
    ("/admin/templates/new", template_pages.new_template, FORM),
    ("/admin/templates/edit", template_pages.template, FORM),
    ("/admin/templates/delete", template_pages.delete_template, POST),
]
for rule, view, methods in ROUTES:
    bp.add_url_rule(rule, view_func=view, methods=methods)
