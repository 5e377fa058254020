"""Pages for writing the pledge: the list, one pledge, its commitments and initiatives."""

from __future__ import annotations

from flask import abort, request
from werkzeug import Response

from dialogue.accounts.workspace import acting, admin_required, current_scope, tenant_id
from dialogue.admin.forms import CommitmentForm, InitiativeForm, PledgeForm, ProgressUpdateForm
from dialogue.cache import clear_process_caches
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.municipalities.tenancy import current_tenant, local_today
from dialogue.places.editing import list_places
from dialogue.pledges import commitments, initiatives
from dialogue.pledges import editing as pledges
from dialogue.pledges.models import Commitment, Pledge
from dialogue.web.forms import localized, localized_data
from dialogue.web.inputs import parse_id
from dialogue.web.responses import FormPage, done, page, refused
from dialogue.web.templating import label


def _pledge(pledge_id: int) -> Pledge:
    return pledges.get_pledge(db.session, tenant_id(), pledge_id, scope=current_scope())


@admin_required
def pledge_list() -> Response:
    items = pledges.list_pledges(db.session, tenant_id(), scope=current_scope())
    return page("admin/pledges.html", pledges=items)


@admin_required
def pledge(pledge_id: int) -> Response:
    found = _pledge(pledge_id)
    problems = pledges.publish_problems(found, current_tenant().default_locale)
    return page("admin/pledge.html", pledge=found, problems=problems)


def _pledge_input(form: PledgeForm) -> pledges.PledgeInput:
    return pledges.PledgeInput(
        title=localized(form, "title"),
        focus=localized(form, "focus"),
        goal=localized(form, "goal"),
        valid_from=form.valid_from.date,
        valid_to=form.valid_to.date,
        signed_on=form.signed_on.date,
        sources=tuple(form.sources()),
        signatories=tuple(pledges.Signatory(name, role) for name, role in form.signatory_rows()),
    )


@admin_required
def new_pledge() -> Response:
    form = PledgeForm()
    if not form.is_submitted():
        form.add_blank_signatories()
    shown = FormPage("admin/pledge_form.html", form, pledge=None)
    if not form.validate_on_submit():
        return shown.render()
    try:
        created = pledges.create_pledge(db.session, tenant_id(), _pledge_input(form), **acting())
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(_("The draft is saved."), ".pledge", pledge_id=created.id)


@admin_required
def edit_pledge(pledge_id: int) -> Response:
    found = _pledge(pledge_id)
    form = PledgeForm(data=PledgeForm.initial(found))
    if not form.is_submitted():
        form.add_blank_signatories()
    shown = FormPage("admin/pledge_form.html", form, pledge=found)
    if not form.validate_on_submit():
        return shown.render()
    try:
        pledges.update_pledge(db.session, tenant_id(), found.id, _pledge_input(form), **acting())
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(_("The pledge is saved."), ".pledge", pledge_id=found.id)


@admin_required
def publish_pledge(pledge_id: int) -> Response:
    try:
        pledges.publish_pledge(db.session, tenant_id(), pledge_id, **acting())
    except InvalidInputError as error:
        db.session.rollback()
        found = _pledge(pledge_id)
        items = [(f"{key}-section", str(message)) for key, message in error.errors.items()]
        return page("admin/pledge.html", 422, pledge=found, problems=error.errors, errors=items)
    clear_process_caches()
    return done(_("The pledge is published."), ".pledge", pledge_id=pledge_id)


@admin_required
def close_pledge(pledge_id: int) -> Response:
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return page("admin/pledge_close.html", pledge=_pledge(pledge_id))
    try:
        pledges.close_pledge(db.session, tenant_id(), pledge_id, **acting())
    except InvalidInputError as error:
        return refused(error, ".pledge", pledge_id=pledge_id)
    clear_process_caches()
    return done(_("The pledge is closed."), ".pledge", pledge_id=pledge_id)


@admin_required
def delete_pledge(pledge_id: int) -> Response:
    try:
        pledges.delete_draft(db.session, tenant_id(), pledge_id, **acting())
    except InvalidInputError as error:
        return refused(error, ".pledge", pledge_id=pledge_id)
    clear_process_caches()
    return done(_("The draft is deleted."), ".pledge_list")


# Commitments and their progress


@admin_required
def new_commitment(pledge_id: int) -> Response:
    found = _pledge(pledge_id)
    form = CommitmentForm()
    shown = FormPage("admin/commitment_form.html", form, pledge=found)
    if not form.validate_on_submit():
        return shown.render()
    try:
        commitments.add_commitment(
            db.session, tenant_id(), found.id, localized(form, "text"), **acting()
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(_("The commitment is added."), ".pledge", pledge_id=found.id)


def _commitment(commitment_id: int) -> Commitment:
    return commitments.get_commitment(db.session, tenant_id(), commitment_id, scope=current_scope())


@admin_required
def commitment(commitment_id: int) -> Response:
    found = _commitment(commitment_id)
    form = CommitmentForm(data=localized_data("text", found.text))
    shown = FormPage(
        "admin/commitment.html", form, commitment=found, update_form=_blank_update_form()
    )
    if not form.validate_on_submit():
        return shown.render()
    try:
        commitments.update_commitment(
            db.session, tenant_id(), found.id, localized(form, "text"), **acting()
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(_("The commitment is saved."), ".pledge", pledge_id=found.pledge_id)


def _blank_update_form() -> ProgressUpdateForm:
    return ProgressUpdateForm(formdata=None, data={"published_on": local_today().isoformat()})


@admin_required
def move_commitment(commitment_id: int) -> Response:
    steps = {"up": -1, "down": 1}
    direction = request.form.get("direction", "")
    if direction not in steps:
        abort(400)
    try:
        moved = commitments.move_commitment(
            db.session, tenant_id(), commitment_id, steps[direction], **acting()
        )
    except InvalidInputError as error:
        pledge_id = _commitment(commitment_id).pledge_id
        return refused(error, ".pledge", pledge_id=pledge_id, _anchor="commitments-section")
    clear_process_caches()
    return done(
        _("The commitment is moved."),
        ".pledge",
        pledge_id=moved.pledge_id,
        _anchor=f"commitment-{moved.id}",
    )


@admin_required
def remove_commitment(commitment_id: int) -> Response:
    pledge_id = _commitment(commitment_id).pledge_id
    try:
        commitments.remove_commitment(db.session, tenant_id(), commitment_id, **acting())
    except InvalidInputError as error:
        return refused(error, ".pledge", pledge_id=pledge_id)
    clear_process_caches()
    return done(_("The commitment is removed."), ".pledge", pledge_id=pledge_id)


@admin_required
def add_progress_update(commitment_id: int) -> Response:
    found = _commitment(commitment_id)
    update_form = ProgressUpdateForm()
    form = CommitmentForm(formdata=None, data=localized_data("text", found.text))
    # The page holds two forms: the update form's problems show with the commitment's form.
    shown = FormPage("admin/commitment.html", update_form, commitment=found, commitment_form=form)
    if not update_form.validate_on_submit():
        return shown.render()
    data = commitments.ProgressUpdateInput(
        update_form.published_on.date, localized(update_form, "update")
    )
    try:
        commitments.add_progress_update(db.session, tenant_id(), found.id, data, **acting())
    except InvalidInputError as error:
        update_form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(_("The progress update is published."), ".commitment", commitment_id=found.id)


@admin_required
def remove_progress_update(commitment_id: int) -> Response:
    update_id = request.form.get("update", type=parse_id)
    if update_id is None:
        abort(404)
    commitments.remove_progress_update(
        db.session, tenant_id(), commitment_id, update_id, **acting()
    )
    clear_process_caches()
    return done(_("The progress update is removed."), ".commitment", commitment_id=commitment_id)


# Initiatives


def _initiative_form(**kwargs: object) -> InitiativeForm:
    form = InitiativeForm(**kwargs)
    form.set_places(list_places(db.session, tenant_id(), scope=current_scope()))
    return form


def _initiative_input(form: InitiativeForm) -> initiatives.InitiativeInput:
    return initiatives.InitiativeInput(
        name=localized(form, "name"),
        description=localized(form, "description"),
        place_ids=form.place_ids(),
    )


@admin_required
def new_initiative(pledge_id: int) -> Response:
    found = _pledge(pledge_id)
    form = _initiative_form()
    shown = FormPage("admin/initiative_form.html", form, pledge=found, initiative=None)
    if not form.validate_on_submit():
        return shown.render()
    try:
        initiatives.add_initiative(
            db.session, tenant_id(), found.id, _initiative_input(form), **acting()
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(_("The initiative is added."), ".pledge", pledge_id=found.id)


@admin_required
def initiative(initiative_id: int) -> Response:
    found = initiatives.get_initiative(
        db.session, tenant_id(), initiative_id, scope=current_scope()
    )
    data = {
        **localized_data("name", found.name),
        **localized_data("description", found.description),
        "places": [str(place.id) for place in found.places],
    }
    form = _initiative_form(data=data)
    shown = FormPage("admin/initiative_form.html", form, pledge=found.pledge, initiative=found)
    if not form.validate_on_submit():
        return shown.render()
    try:
        saved = initiatives.update_initiative(
            db.session, tenant_id(), found.id, _initiative_input(form), **acting()
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    clear_process_caches()
    return done(
        _("The initiative %(name)s is saved.", name=label(saved.name)),
        ".pledge",
        pledge_id=found.pledge_id,
    )


@admin_required
def remove_initiative(initiative_id: int) -> Response:
    found = initiatives.get_initiative(
        db.session, tenant_id(), initiative_id, scope=current_scope()
    )
    pledge_id = found.pledge_id
    try:
        initiatives.remove_initiative(db.session, tenant_id(), initiative_id, **acting())
    except InvalidInputError as error:
        return refused(error, ".pledge", pledge_id=pledge_id)
    clear_process_caches()
    return done(_("The initiative is removed."), ".pledge", pledge_id=pledge_id)
