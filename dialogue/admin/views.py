"""Administration of a municipality: pledges, places, categories, templates, accounts, settings.

The start page and the settings are here; each section's pages live in its own module and
join the same blueprint when imported below.
"""

from __future__ import annotations

from werkzeug import Response

from dialogue.accounts.workspace import acting, admin_required, current_scope, tenant_id
from dialogue.admin import (  # noqa: F401 (their routes join the blueprint)
    account_pages,
    category_pages,
    outbox_pages,
    place_pages,
    pledge_pages,
    settings,
    template_pages,
)
from dialogue.admin.blueprint import bp, clear_reference_caches, save
from dialogue.admin.forms import SettingsForm
from dialogue.config import current_settings
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.web.responses import done, page
from dialogue.web.theme import accent_colors

__all__ = ["bp"]  # what create_app imports


@bp.get("/admin/")
@admin_required
def index() -> Response:
    return page("admin/index.html")


@bp.route("/admin/settings", methods=["GET", "POST"])
@admin_required
def settings_page() -> Response:
    municipality = settings.get_settings(db.session, tenant_id(), scope=current_scope())
    form = SettingsForm(data=SettingsForm.initial(municipality))
    result = save(
        form,
        "admin/settings.html",
        lambda: settings.update_settings(
            db.session,
            tenant_id(),
            settings.SettingsInput(
                small_number_threshold=form.threshold(),
                submit_rate_limit=form.submit_rate_limit.data or "",
                require_totp=bool(form.require_totp.data),
                accent_color=form.accent_color.data or "",
                contact_email=form.contact_email.data or "",
            ),
            **acting(),
        ),
        municipality=municipality,
        saved_colors=accent_colors(municipality.accent_color),
        default_limit=current_settings().ratelimit_submit,
    )
    if isinstance(result, Response):
        return result
    clear_reference_caches()
    return done(_("The settings are saved."), ".settings_page")
