"""Pages for the people who work in the municipality: accounts and their roles here."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from werkzeug import Response

from dialogue.accounts import administration
from dialogue.accounts.models import Account, Role
from dialogue.accounts.workspace import (
    acting,
    admin_required,
    current_account,
    current_scope,
    set_password_link,
    tenant_id,
)
from dialogue.admin.forms import AddAccountForm, NewAccountForm
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.web.inputs import parse_id
from dialogue.web.responses import FormPage, done, page, refused


def _posted_id(name: str) -> int:
    """The id a confirmation link (query) or its form (body) names."""
    value = request.values.get(name, type=parse_id)
    if value is None:
        abort(404)
    return value


@admin_required
def account_list() -> Response:
    members = administration.list_members(db.session, tenant_id(), scope=current_scope())
    return page("admin/accounts.html", members=members, me=current_account().id)


@admin_required
def new_account() -> Response:
    form = NewAccountForm()
    shown = FormPage("admin/account_form.html", form, existing=False)
    if not form.validate_on_submit():
        return shown.render()
    data = administration.NewMember(
        email=form.email.data or "", name=form.name.data or "", role=Role(form.role.data)
    )
    try:
        account = administration.create_member(db.session, tenant_id(), data, **acting())
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return _show_link(account)


def _show_link(account: Account) -> Response:
    """The set-password link, shown this once and never stored: the new person's first step."""
    return page("admin/account_created.html", account=account, link=set_password_link(account))


@admin_required
def add_account() -> Response:
    form = AddAccountForm()
    shown = FormPage("admin/account_form.html", form, existing=True)
    if not form.validate_on_submit():
        return shown.render()
    try:
        membership = administration.add_member(
            db.session,
            tenant_id(),
            email=form.email.data or "",
            role=Role(form.role.data),
            **acting(),
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    name = membership.account.name
    return done(_("%(name)s has a new role here.", name=name), ".account_list")


def _confirmed() -> bool:
    """Sent from the confirmation page, not by a bare button or an old link."""
    return request.method == "POST" and request.form.get("confirm") == "yes"


@admin_required
def remove_role() -> Response:
    if request.method == "GET" and "membership" not in request.args:
        return redirect(url_for(".account_list"), code=303)  # choose someone there first
    membership_id = _posted_id("membership")
    if not _confirmed():
        try:
            removal = administration.preview_role_removal(
                db.session, tenant_id(), membership_id, **acting()
            )
        except InvalidInputError as error:
            return refused(error, ".account_list")
        return page("admin/account_remove_role.html", removal=removal)
    try:
        account, _role = administration.remove_role(
            db.session, tenant_id(), membership_id, **acting()
        )
    except InvalidInputError as error:
        return refused(error, ".account_list")
    return done(_("A role of %(name)s is removed.", name=account.name), ".account_list")


@admin_required
def deactivate_account() -> Response:
    if request.method == "GET" and "account" not in request.args:
        return redirect(url_for(".account_list"), code=303)  # choose someone there first
    account_id = _posted_id("account")
    if not _confirmed():
        try:
            member = administration.get_member_to_deactivate(
                db.session, tenant_id(), account_id, **acting()
            )
        except InvalidInputError as error:
            return refused(error, ".account_list")
        return page("admin/account_deactivate.html", member=member)
    try:
        account = administration.deactivate_member(db.session, tenant_id(), account_id, **acting())
    except InvalidInputError as error:
        return refused(error, ".account_list")
    if not account.is_active:
        return done(
            _("The account of %(name)s is deactivated.", name=account.name), ".account_list"
        )
    return done(
        _(
            "The roles of %(name)s here are removed. The account stays active because it has "
            "roles elsewhere.",
            name=account.name,
        ),
        ".account_list",
    )
