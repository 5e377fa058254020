"""Frozen lägesbild snapshots in the workspace: freeze, list, read, compare, quotes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from sqlalchemy.exc import DBAPIError
from werkzeug import Response
from wtforms import Field, Form, StringField
from wtforms.validators import InputRequired, ValidationError

from dialogue.accounts.workspace import (
    admin_required,
    current_account,
    current_scope,
    moderator_required,
    staff_blueprint,
)
from dialogue.errors import (
    DatabaseUnavailableError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    database_fault_status,
)
from dialogue.extensions import db
from dialogue.i18n import _, _l
from dialogue.lagesbild import quotes as quote_service
from dialogue.lagesbild import snapshots
from dialogue.lagesbild.charts import DIMENSION_TITLES
from dialogue.lagesbild.data import Period
from dialogue.lagesbild.models import LagesbildSnapshot
from dialogue.lagesbild.report import build_report, default_period
from dialogue.municipalities.models import Municipality
from dialogue.municipalities.tenancy import current_tenant, local_today
from dialogue.web.forms import DialogueForm
from dialogue.web.inputs import parse_id

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

    def period(self) -> Period:
        return Period(self.start.date, self.end.date)


class ButtonForm(DialogueForm):
    """A button that only carries the CSRF token."""


def _page(template: str, status: int = 200, **context: Any) -> Response:
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _municipality() -> Municipality:
    found = db.session.get(Municipality, current_tenant().id)
    if found is None:
        abort(404)
    return found


def _snapshot(snapshot_id: int) -> LagesbildSnapshot:
    try:
        return snapshots.get_snapshot(
            db.session, current_tenant().id, snapshot_id, scope=current_scope()
        )
    except NotFoundError:
        abort(404)


def _default_period() -> Period:
    return default_period(db.session, current_tenant().id, local_today())


def _index(form: FreezeForm, status: int = 200) -> Response:
    found = snapshots.list_snapshots(db.session, current_tenant().id, scope=current_scope())
    return _page(
        "snapshots/index.html",
        status,
        form=form,
        snapshots=found,
        frozen_by=snapshots.frozen_by_names(db.session, found),
        label=snapshots.label,
        period_label=snapshots.period_label,
        verify=snapshots.verify,
        can_freeze=current_scope().can_moderate(current_tenant().id),
    )


@bp.get("/lagesbild/snapshots")
def index() -> Response:
    period = _default_period()
    form = FreezeForm(
        formdata=None, data={"start": period.start.isoformat(), "end": period.end.isoformat()}
    )
    return _index(form)


@bp.post("/lagesbild/snapshots")
@moderator_required
def freeze() -> Response:
    form = FreezeForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    municipality = _municipality()
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
        db.session.rollback()
        for name, message in error.errors.items():
            field = form._fields.get(name, form.start)
            field.errors = [*field.errors, str(message)]
        return _index(form, 422)
    except (DatabaseUnavailableError, DBAPIError) as error:
        response = _index(form, database_fault_status(error, "lägesbild snapshot"))
        db.session.rollback()
        return response
    flash(
        _("%(label)s is frozen. It cannot be changed.", label=snapshots.label(snapshot)),
        "success",
    )
    return redirect(url_for(".show", snapshot_id=snapshot.id), code=303)


@bp.get("/lagesbild/snapshots/<int:snapshot_id>")
def show(snapshot_id: int) -> Response:
    snapshot = _snapshot(snapshot_id)
    others = [
        s
        for s in snapshots.list_snapshots(db.session, current_tenant().id, scope=current_scope())
        if s.id != snapshot.id
    ]
    return _page(
        "snapshots/show.html",
        snapshot=snapshot,
        frozen_by=snapshots.frozen_by_names(db.session, [snapshot]),
        report=snapshots.report_of(snapshot),
        label=snapshots.label,
        verified=snapshots.verify(snapshot),
        others=others,
        pledges=snapshots.list_pledges_based_on(db.session, snapshot),
        titles=DIMENSION_TITLES,
        form=ButtonForm(),
        can_draft=current_scope().can_administer(current_tenant().id),
    )


@bp.post("/lagesbild/snapshots/<int:snapshot_id>/pledge")
@admin_required
def create_pledge(snapshot_id: int) -> Response:
    snapshot = _snapshot(snapshot_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        pledge = snapshots.create_pledge_from(
            db.session, snapshot, actor=current_account(), scope=current_scope()
        )
    except InvalidInputError as error:
        db.session.rollback()
        for message in error.errors.values():
            flash(str(message), "warning")
        return redirect(url_for(".show", snapshot_id=snapshot_id), code=303)
    flash(
        _(
            "A draft pledge based on %(label)s is created. Write it and publish it here.",
            label=snapshots.label(snapshot),
        ),
        "success",
    )
    return redirect(url_for("admin.pledge", pledge_id=pledge.id), code=303)


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=parse_id)


@bp.get("/lagesbild/snapshots/compare")
def compare() -> Response:
    a_id, b_id = _int_arg("a"), _int_arg("b")
    if a_id is None or b_id is None:
        flash(_("Choose two snapshots to compare."), "info")
        return redirect(url_for(".index"), code=303)
    a, b = _snapshot(a_id), _snapshot(b_id)
    return _page(
        "snapshots/compare.html",
        a=a,
        b=b,
        comparison=snapshots.compare(a, b),
        label=snapshots.label,
        titles=DIMENSION_TITLES,
    )


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
    return _page(
        "snapshots/quotes.html",
        period=period,
        candidates=quote_service.list_candidates(
            db.session, _municipality(), period, scope=current_scope()
        ),
        form=ButtonForm(),
        can_choose=current_scope().can_moderate(current_tenant().id),
    )


def _quote_action(submission_id: int, *, remove: bool) -> Response:
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    actor, scope = current_account(), current_scope()
    back = url_for(".quotes", start=request.args.get("start"), end=request.args.get("end"))
    try:
        if remove:
            quote_service.unchoose_quote(
                db.session, current_tenant().id, submission_id, actor=actor, scope=scope
            )
            flash(_("The quote is removed."), "success")
        else:
            quote_service.choose_quote(
                db.session, current_tenant().id, submission_id, actor=actor, scope=scope
            )
            flash(_("The quote is added to the lägesbild."), "success")
    except NotFoundError:
        abort(404)
    except PermissionDeniedError:
        abort(403)
    except InvalidInputError as error:
        db.session.rollback()
        for message in error.errors.values():
            flash(str(message), "warning")
    return redirect(back, code=303)


@bp.post("/lagesbild/quotes/<int:submission_id>")
@moderator_required
def choose_quote(submission_id: int) -> Response:
    return _quote_action(submission_id, remove=False)


@bp.post("/lagesbild/quotes/<int:submission_id>/remove")
@moderator_required
def remove_quote(submission_id: int) -> Response:
    return _quote_action(submission_id, remove=True)
