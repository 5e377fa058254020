"""Frozen lägesbild snapshots in the workspace: freeze, list, read, compare, quotes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, request, url_for
from wtforms import Field, Form, HiddenField, StringField
from wtforms.validators import InputRequired, ValidationError

from dialogue.accounts.workspace import (
    admin_required,
    current_account,
    current_scope,
    moderator_required,
    staff_blueprint,
)
from dialogue.config import current_settings
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.i18n import _, _l
from dialogue.lagesbild import quotes as quote_service
from dialogue.lagesbild import snapshots
from dialogue.lagesbild.data import Period
from dialogue.lagesbild.report import build_report, default_period
from dialogue.municipalities.services import get_municipality
from dialogue.municipalities.tenancy import current_tenant, local_today
from dialogue.web.forms import DialogueForm
from dialogue.web.inputs import parse_id
from dialogue.web.responses import FormPage, Response, done, page, refused

bp = staff_blueprint("snapshots", __name__)


def _date_field(label: Any, required: Any) -> StringField:
    return StringField(label, validators=[InputRequired(required), _iso_date])


def _iso_date(form: Form, field: Field) -> None:
    try:
        field.date = dt.date.fromisoformat((field.data or "").strip())
    except ValueError:
        field.date = None
        raise ValidationError(_l("Enter the date as year-month-day, like 2024-05-17.")) from None


class FreezeForm(DialogueForm):
    start = _date_field(_l("From"), _l("Give the first day of the period."))
    end = _date_field(_l("To"), _l("Give the last day of the period."))

    def validate_end(self, field: Field) -> None:
        start = getattr(self.start, "date", None)
        end = getattr(field, "date", None)
        if start and end and end < start:
            raise ValidationError(_l("The end date must be the same as or after the start date."))

    # "yes" once the person has read, on the confirmation page, what freezing does.
    confirmed = HiddenField()

    def period(self) -> Period:
        return Period(self.start.date, self.end.date)

    @property
    def is_confirmed(self) -> bool:
        return bool(self.confirmed.data == "yes")


class ButtonForm(DialogueForm):
    """A button that only carries the CSRF token."""


def _default_period() -> Period:
    return default_period(db.session, current_tenant().id, local_today())


def _index(form: FreezeForm) -> FormPage:
    listed = snapshots.list_snapshots_page(db.session, current_tenant().id, scope=current_scope())
    return FormPage(
        "snapshots/index.html",
        form,
        snapshots=listed.snapshots,
        frozen_by=listed.frozen_by,
        can_freeze=current_scope().can_moderate(current_tenant().id),
    )


@bp.get("/lagesbild/snapshots")
def index() -> Response:
    period = _default_period()
    form = FreezeForm(
        formdata=None, data={"start": period.start.isoformat(), "end": period.end.isoformat()}
    )
    return _index(form).render()


def _confirmation(form: FreezeForm) -> Response:
    """What freezing the form's period would do, with the button that does it."""
    municipality = get_municipality(db.session, current_tenant().slug)
    preview = snapshots.preview_freeze(
        db.session, municipality, form.period(), scope=current_scope()
    )
    return page("snapshots/confirm_freeze.html", preview=preview, form=FreezeForm(formdata=None))


@bp.get("/lagesbild/snapshots/freeze")
@moderator_required
def confirm_freeze() -> Response:
    """The confirmation page: freezing cannot be undone, so it is asked for first."""
    if not request.args:  # nothing to confirm yet: the page where a period is chosen
        return redirect(url_for(".index"), code=303)
    form = FreezeForm(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        return _index(form).render(422)
    return _confirmation(form)


@bp.post("/lagesbild/snapshots")
@moderator_required
def freeze() -> Response:
    form = FreezeForm()
    shown = _index(form)
    if not form.validate_on_submit():
        return shown.render()
    if not form.is_confirmed:  # sent from elsewhere than the confirmation page: ask first
        return _confirmation(form)
    municipality = get_municipality(db.session, current_tenant().slug)
    period = form.period()
    try:
        report = build_report(db.session, [municipality], period, title=municipality.name)
        snapshot = snapshots.freeze(
            db.session,
            municipality,
            period,
            report,
            actor=current_account(),
            scope=current_scope(),
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    message = _("%(label)s is frozen. It cannot be changed.", label=snapshots.label(snapshot))
    return done(message, ".show", snapshot_id=snapshot.id)


@bp.get("/lagesbild/snapshots/<int:snapshot_id>")
def show(snapshot_id: int) -> Response:
    found = snapshots.get_snapshot_page(
        db.session, current_tenant().id, snapshot_id, scope=current_scope()
    )
    return page(
        "snapshots/show.html",
        snapshot=found.snapshot,
        frozen_by=found.frozen_by,
        report=found.report,
        verified=found.verified,
        others=found.others,
        pledges=found.pledges,
        next_pledge=found.next_pledge,
        form=ButtonForm(),
        can_draft=current_scope().can_administer(current_tenant().id),
    )


@bp.post("/lagesbild/snapshots/<int:snapshot_id>/pledge")
@admin_required
def create_pledge(snapshot_id: int) -> Response:
    snapshot = snapshots.get_snapshot(
        db.session, current_tenant().id, snapshot_id, scope=current_scope()
    )
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        pledge = snapshots.create_pledge_from(
            db.session,
            snapshot,
            actor=current_account(),
            scope=current_scope(),
            locales=current_settings().locales,
        )
    except InvalidInputError as error:
        return refused(error, ".show", snapshot_id=snapshot_id)
    message = _(
        "A draft pledge based on %(label)s is created. Write it and publish it here.",
        label=snapshots.label(snapshot),
    )
    return done(message, "admin.pledge", pledge_id=pledge.id)


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=parse_id)


@bp.get("/lagesbild/snapshots/compare")
def compare() -> Response:
    a_id, b_id = _int_arg("a"), _int_arg("b")
    if a_id is None or b_id is None:
        flash(_("Choose two snapshots to compare."), "info")
        return redirect(url_for(".index"), code=303)
    tenant_id, scope = current_tenant().id, current_scope()
    a = snapshots.get_snapshot(db.session, tenant_id, a_id, scope=scope)
    b = snapshots.get_snapshot(db.session, tenant_id, b_id, scope=scope)
    return page("snapshots/compare.html", a=a, b=b, comparison=snapshots.compare(a, b))


# Quotes


def _quote_period() -> Period:
    try:
        start = dt.date.fromisoformat(request.args.get("start", ""))
        end = dt.date.fromisoformat(request.args.get("end", ""))
    except ValueError:
        return _default_period()
    return Period(start, end) if start <= end else _default_period()


@bp.get("/lagesbild/quotes")
def quotes() -> Response:
    period = _quote_period()
    municipality = get_municipality(db.session, current_tenant().slug)
    return page(
        "snapshots/quotes.html",
        period=period,
        candidates=quote_service.list_candidates(
            db.session, municipality, period, scope=current_scope()
        ),
        form=ButtonForm(),
        can_choose=current_scope().can_moderate(current_tenant().id),
    )


def _quote_action(submission_id: int, *, remove: bool) -> Response:
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    actor, scope = current_account(), current_scope()
    back = {"start": request.args.get("start"), "end": request.args.get("end")}
    change = quote_service.unchoose_quote if remove else quote_service.choose_quote
    try:
        change(db.session, current_tenant().id, submission_id, actor=actor, scope=scope)
    except InvalidInputError as error:
        return refused(error, ".quotes", **back)
    if remove:
        return done(_("The quote is removed."), ".quotes", **back)
    return done(_("The quote is added to the lägesbild."), ".quotes", **back)


@bp.post("/lagesbild/quotes/<int:submission_id>")
@moderator_required
def choose_quote(submission_id: int) -> Response:
    return _quote_action(submission_id, remove=False)


@bp.post("/lagesbild/quotes/<int:submission_id>/remove")
@moderator_required
def remove_quote(submission_id: int) -> Response:
    return _quote_action(submission_id, remove=True)
