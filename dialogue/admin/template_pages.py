"""Pages for the response templates moderators start their replies from.

A template is named by ``?template=<id>`` rather than in the path, so the workspace's route
audit (tests/test_authorization.py) needs no new URL parameter.
"""

from __future__ import annotations

from flask import abort, request
from werkzeug import Response

from dialogue.accounts.workspace import acting, admin_required, context, current_scope, tenant_id
from dialogue.admin.forms import ResponseTemplateForm
from dialogue.categories.services import list_category_groups
from dialogue.config import current_settings
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.i18n import _, language_name
from dialogue.submissions.labels import STATUS_LABELS
from dialogue.triage import response_templates
from dialogue.triage.models import ResponseTemplate
from dialogue.web.inputs import parse_id
from dialogue.web.responses import FormPage, done, page
from dialogue.web.templating import label


def _locales() -> tuple[str, ...]:
    locales: tuple[str, ...] = current_settings().locales
    return locales


def _form(**kwargs: object) -> ResponseTemplateForm:
    form = ResponseTemplateForm(**kwargs)
    groups = list_category_groups(db.session, tenant_id(), scope=current_scope())
    form.set_choices(
        [(code, language_name(code)) for code in _locales()],
        [(label(g.group.label), [(c.id, label(c.label)) for c in g.categories]) for g in groups],
    )
    return form


def _template_input(form: ResponseTemplateForm) -> response_templates.TemplateInput:
    return response_templates.TemplateInput(
        title=form.title.data or "",
        body=form.body.data or "",
        locale=form.locale.data or "",
        category_id=form.category_id(),
        status=form.status_value(),
    )


def _requested() -> ResponseTemplate:
    template_id = request.values.get("template", type=parse_id)
    if template_id is None:
        abort(404)
    return response_templates.get_response_template(
        db.session, tenant_id(), template_id, scope=current_scope()
    )


@admin_required
def template_list() -> Response:
    rows = response_templates.list_response_templates(
        db.session, tenant_id(), scope=current_scope()
    )
    return page("admin/templates.html", rows=rows, status_labels=STATUS_LABELS)


@admin_required
def new_template() -> Response:
    form = _form()
    shown = FormPage("admin/template_form.html", form, reply_template=None)
    if not form.validate_on_submit():
        return shown.render()
    try:
        created = response_templates.create_response_template(
            db.session, tenant_id(), _template_input(form), locales=_locales(), **acting()
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return done(_("The template %(title)s is added.", title=created.title), ".template_list")


@admin_required
def template() -> Response:
    found = _requested()
    form = _form(
        data={
            "title": found.title,
            "body": found.body,
            "locale": found.locale,
            "category": str(found.category_id or ""),
            "status": found.status.value if found.status else "",
        }
    )
    shown = FormPage("admin/template_form.html", form, reply_template=found)
    if not form.validate_on_submit():
        return shown.render()
    try:
        saved = response_templates.update_response_template(
            db.session, context(), found.id, _template_input(form), locales=_locales()
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return done(_("The template %(title)s is saved.", title=saved.title), ".template_list")


@admin_required
def delete_template() -> Response:
    found = _requested()
    title = found.title
    response_templates.delete_response_template(db.session, tenant_id(), found.id, **acting())
    return done(_("The template %(title)s is deleted.", title=title), ".template_list")
