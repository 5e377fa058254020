"""Pages for the response templates moderators start their replies from.

A template is named by ``?template=<id>`` rather than in the path, so the workspace's route
audit (tests/test_authorization.py) needs no new URL parameter.
"""

from __future__ import annotations

from flask import abort, request
from werkzeug import Response

from dialogue.accounts.workspace import acting, admin_required, current_scope, tenant_id
from dialogue.admin import categories, response_templates
from dialogue.admin.blueprint import bp, save
from dialogue.admin.forms import ResponseTemplateForm
from dialogue.config import current_settings
from dialogue.extensions import db
from dialogue.i18n import _, language_name
from dialogue.submissions.labels import STATUS_LABELS
from dialogue.triage.models import ResponseTemplate
from dialogue.web.inputs import parse_id
from dialogue.web.responses import done, page
from dialogue.web.templating import label


def _locales() -> tuple[str, ...]:
    locales: tuple[str, ...] = current_settings().locales
    return locales


def _form(**kwargs: object) -> ResponseTemplateForm:
    form = ResponseTemplateForm(**kwargs)
    groups = categories.list_category_groups(db.session, tenant_id(), scope=current_scope())
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


@bp.get("/admin/templates")
@admin_required
def template_list() -> Response:
    rows = response_templates.list_response_templates(
        db.session, tenant_id(), scope=current_scope()
    )
    return page("admin/templates.html", rows=rows, status_labels=STATUS_LABELS)


@bp.route("/admin/templates/new", methods=["GET", "POST"])
@admin_required
def new_template() -> Response:
    form = _form()
    result = save(
        form,
        "admin/template_form.html",
        lambda: response_templates.create_response_template(
            db.session, tenant_id(), _template_input(form), locales=_locales(), **acting()
        ),
        reply_template=None,
    )
    if isinstance(result, Response):
        return result
    return done(_("The template %(title)s is added.", title=result.title), ".template_list")


@bp.route("/admin/templates/edit", methods=["GET", "POST"])
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
    result = save(
        form,
        "admin/template_form.html",
        lambda: response_templates.update_response_template(
            db.session, tenant_id(), found.id, _template_input(form), locales=_locales(), **acting()
        ),
        reply_template=found,
    )
    if isinstance(result, Response):
        return result
    return done(_("The template %(title)s is saved.", title=result.title), ".template_list")


@bp.post("/admin/templates/delete")
@admin_required
def delete_template() -> Response:
    found = _requested()
    title = found.title
    response_templates.delete_response_template(db.session, tenant_id(), found.id, **acting())
    return done(_("The template %(title)s is deleted.", title=title), ".template_list")
