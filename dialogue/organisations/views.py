"""Workspace pages of the organisation register: the list, one organisation, adding, editing,
verifying and deleting one, and importing a CSV file (upload, preview, confirm)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, request
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import RequestEntityTooLarge

from dialogue.accounts.workspace import (
    acting,
    current_account,
    current_scope,
    moderator_required,
    staff_blueprint,
)
from dialogue.config import current_settings
from dialogue.errors import (
    DatabaseUnavailableError,
    InvalidInputError,
    database_fault_status,
    handle_http_error,
)
from dialogue.extensions import db
from dialogue.i18n import _, current_locale
from dialogue.municipalities.tenancy import current_tenant
from dialogue.organisations import importer, orgnr, services
from dialogue.organisations.forms import (
    ConfirmImportForm,
    ImportForm,
    OrganisationFilterForm,
    OrganisationForm,
)
from dialogue.organisations.labels import TYPE_LABELS
from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.web.responses import FormPage, Response, done, form_status, no_store, page, refused

bp = staff_blueprint("organisations", __name__)

FILTER_NAMES = ("q", "type", "unverified")
# Room left in a form field for the CSRF token and the field names around the sealed file.
FORM_MARGIN = 4096


def _tenant_id() -> int:
    return current_tenant().id


def _can_edit() -> bool:
    return current_scope().can_moderate(_tenant_id())


def _shared() -> dict[str, Any]:
    """What every page of the register uses."""
    return {
        "type_labels": TYPE_LABELS,
        "is_personal_number": orgnr.is_personal_identity_number,
        "can_edit": _can_edit(),
    }


@bp.get("/organisations")
def index() -> Response:
    filters = OrganisationFilterForm(request.args)
    valid = filters.validate()
    wanted = services.OrganisationFilter(
        type=filters.chosen_type(),
        search=(filters.q.data or "") if valid else "",
        unverified_only=bool(filters.unverified.data),
        page=request.args.get("page", 1, type=int) or 1,
    )
    found = services.list_organisations(db.session, _tenant_id(), wanted, scope=current_scope())
    filter_args = {name: request.args[name] for name in FILTER_NAMES if request.args.get(name)}
    return page(
        "organisations/index.html",
        200 if valid else 422,
        filters=filters,
        found=found,
        filter_args=filter_args,
        **_shared(),
    )


def _form(**kwargs: Any) -> OrganisationForm:
    form = OrganisationForm(**kwargs)
    form.set_places(services.list_place_choices(db.session, _tenant_id()))
    return form


def _input(form: OrganisationForm) -> services.OrganisationInput:
    return services.OrganisationInput(
        name=form.name.data or "",
        type=OrganisationType(form.type.data),
        org_number=form.org_number.data or "",
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        place_ids=form.place_ids(),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@moderator_required
def new() -> Response:
    form = _form()
    shown = FormPage("organisations/form.html", form, organisation=None, **_shared())
    if not form.validate_on_submit():
        return shown.render()
    try:
        created = services.create_organisation(db.session, _tenant_id(), _input(form), **acting())
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return done(
        _("%(name)s is added to the register.", name=created.name),
        ".show",
        organisation_id=created.id,
    )


def _get(organisation_id: int) -> Organisation:
    return services.get_organisation(
        db.session, _tenant_id(), organisation_id, scope=current_scope()
    )


@bp.get("/organisations/<int:organisation_id>")
def show(organisation_id: int) -> Response:
    organisation = _get(organisation_id)
    usage = services.organisation_usage(db.session, organisation)
    return page("organisations/show.html", organisation=organisation, usage=usage, **_shared())


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@moderator_required
def edit(organisation_id: int) -> Response:
    organisation = _get(organisation_id)
    form = _form(data=OrganisationForm.initial(organisation))
    shown = FormPage("organisations/form.html", form, organisation=organisation, **_shared())
    if not form.validate_on_submit():
        return shown.render()
    try:
        updated = services.update_organisation(
            db.session, _tenant_id(), organisation.id, _input(form), **acting()
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return done(
        _("The changes to %(name)s are saved.", name=updated.name),
        ".show",
        organisation_id=updated.id,
    )


@bp.post("/organisations/<int:organisation_id>/verify")
@moderator_required
def verify(organisation_id: int) -> Response:
    organisation = services.verify_organisation(
        db.session, _tenant_id(), organisation_id, **acting()
    )
    return done(
        _("%(name)s is marked as verified.", name=organisation.name),
        ".show",
        organisation_id=organisation.id,
    )


@bp.route("/organisations/<int:organisation_id>/delete", methods=["GET", "POST"])
@moderator_required
def delete(organisation_id: int) -> Response:
    organisation = _get(organisation_id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        # Only the confirmation page's form deletes; anything else shows that page first.
        usage = services.organisation_usage(db.session, organisation)
        return page(
            "organisations/delete.html", organisation=organisation, usage=usage, **_shared()
        )
    name = organisation.name
    try:
        services.delete_organisation(db.session, _tenant_id(), organisation.id, **acting())
    except InvalidInputError as error:
        return refused(error, ".show", organisation_id=organisation_id)
    return done(_("%(name)s is deleted from the register.", name=name), ".index")


# Import


def _import_page(
    status: int,
    form: ImportForm | None = None,
    preview: importer.ImportPreview | None = None,
    confirm: ConfirmImportForm | None = None,
    **context: Any,
) -> Response:
    return page(
        "organisations/import.html",
        status,
        form=form or ImportForm(formdata=None),
        preview=preview,
        confirm=confirm,
        column_labels=importer.COLUMN_LABELS,
        actions=importer.RowAction,
        max_rows=importer.MAX_ROWS,
        **context,
        **_shared(),
    )


def _preview_page(
    preview: importer.ImportPreview, content: bytes, status: int = 200, **context: Any
) -> Response:
    """The report of what the file would do, with the sealed file to confirm it."""
    form = ImportForm(formdata=None)
    token = importer.seal(
        content,
        preview.fingerprint,
        secret=current_app.secret_key or "",
        municipality_id=_tenant_id(),
        account_id=current_account().id,
    )
    limit = current_app.config.get("MAX_FORM_MEMORY_SIZE") or 0
    if limit and len(token) > limit - FORM_MARGIN:
        form.file.errors = [
            _("The file is too large to import in one go. Split it into several files.")
        ]
        return _import_page(422, form)
    confirm = ConfirmImportForm(formdata=None, data={"upload": token})
    return _import_page(status, form, preview, confirm, **context)


@bp.route("/organisations/import", methods=["GET", "POST"])
@moderator_required
def import_upload() -> Response:
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form_status(form), form)
    content = form.file.data.read(importer.MAX_FILE_BYTES + 1)
    try:
        preview = importer.preview_import(db.session, _tenant_id(), content, scope=current_scope())
    except InvalidInputError as error:
        form.add_errors(error)
        return _import_page(422, form)
    return _preview_page(preview, content)


@bp.post("/organisations/import/confirm")
@moderator_required
def import_confirm() -> Response:
    confirm = ConfirmImportForm()
    form = ImportForm(formdata=None)
    if not confirm.validate_on_submit():
        form.file.errors = [
            _("The confirmation could not be checked. Upload the file again to see a new preview.")
        ]
        return _import_page(422, form)
    try:
        content, fingerprint = importer.unseal(
            confirm.upload.data or "",
            secret=current_app.secret_key or "",
            municipality_id=_tenant_id(),
            account_id=current_account().id,
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return _import_page(422, form)
    try:
        result = importer.import_organisations(
            db.session, _tenant_id(), content, fingerprint, **acting()
        )
    except importer.PreviewOutdatedError as error:
        return _preview_page(error.preview, content, 409, outdated=True)
    except InvalidInputError as error:
        form.add_errors(error)
        return _import_page(422, form)
    except (DatabaseUnavailableError, DBAPIError) as error:
        db.session.rollback()
        status = database_fault_status(error, "organisation import")
        form.file.errors = [
            _("A technical fault stopped the import, and nothing was imported. Try again later.")
        ]
        return _import_page(status, form)
    for text in _result_messages(result):
        flash(text, "success")
    return done(_("The import is finished."), ".index")


def _result_messages(result: importer.ImportResult) -> list[str]:
    messages = [
        ngettext(
            "%(num)d organisation was added.", "%(num)d organisations were added.", result.created
        ),
        ngettext(
            "%(num)d organisation was updated.",
            "%(num)d organisations were updated.",
            result.updated,
        ),
    ]
    if result.unchanged:
        messages.append(
            ngettext(
                "%(num)d organisation was already up to date.",
                "%(num)d organisations were already up to date.",
                result.unchanged,
            )
        )
    if result.rejected:
        messages.append(
            ngettext(
                "%(num)d row with problems was left out.",
                "%(num)d rows with problems were left out.",
                result.rejected,
            )
        )
    return messages


@bp.get("/organisations/import/template.csv")
def import_template() -> Response:
    locale = importer.template_locale(current_locale(), current_settings().default_locale)
    response = Response(importer.template_csv(locale), content_type="text/csv; charset=utf-8")
    filename = importer.TEMPLATE_FILENAMES[locale]
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> Response:
    """A file over the request limit: say so on the import page, for those who may import."""
    if (
        request.endpoint != "organisations.import_upload"
        or not current_user.is_authenticated
        or "tenant" not in g
        or not current_scope().can_moderate(g.tenant.id)
    ):
        return handle_http_error(error)
    form = ImportForm(formdata=None)
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1000
    form.file.errors = [
        _(
            "The file is larger than the %(limit)d kB this service accepts. Split it into "
            "several files and import them one at a time.",
            limit=limit,
        )
    ]
    return _import_page(413, form)
