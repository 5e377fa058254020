"""The resident's form and the receipt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, make_response, render_template, request, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import DBAPIError

from dialogue.cache import ProcessCache, TTLCache
from dialogue.config import current_settings
from dialogue.errors import InvalidInputError
from dialogue.extensions import csrf, db
from dialogue.i18n import LANGUAGE_FIELD, apply_language_switch, current_locale
from dialogue.intake import receipt_display
from dialogue.intake.forms import ReceiptLanguageForm, SubmissionForm
from dialogue.intake.options import IntakeOptions, load_intake_options
from dialogue.intake.services import NewSubmission, Receipt, find_receipt, submit_concern
from dialogue.keys import current_keys
from dialogue.municipalities.tenancy import current_tenant, local_today, tenant_blueprint
from dialogue.submissions import receipts
from dialogue.submissions.models import PartOfDay, SubmissionKind, SubmitterType
from dialogue.web.forms import STALE_FORM_MESSAGE
from dialogue.web.pagecache import PageCache
from dialogue.web.ratelimit import limiter, named
from dialogue.web.responses import FormPage, Response, no_store, page
from dialogue.web.templating import label
from dialogue.web.urls import external_url

bp = tenant_blueprint("intake", __name__)

INTAKE_OPTIONS = ProcessCache("intake_options", TTLCache[IntakeOptions])
PAGES = ProcessCache("pages", PageCache)


def _options() -> IntakeOptions:
    tenant = current_tenant()
    options: IntakeOptions = INTAKE_OPTIONS.get().get_or_stale(
        tenant.slug,
        lambda: load_intake_options(db.session, tenant.id, local_today()),
        (DBAPIError,),
    )
    return options


def _form(**kwargs: Any) -> SubmissionForm:
    settings = current_settings()
    form = SubmissionForm(_options(), settings.max_text_length, local_today(), **kwargs)
    form.set_choices(label)
    return form


def _shown(form: SubmissionForm) -> FormPage:
    """The form page, shown again as typed if saving it fails."""
    return FormPage("intake/form.html", form, what="submission", language_form="intake-form")


@bp.get("/submit")
def new() -> Response:
    keys = current_keys()
    pages = PAGES.get()
    options = _options()
    prefill = _prefill_values(options)
    html = pages.render(
        _page_key(prefill),
        lambda tokens: _render_blank_form(prefill, tokens),
        {"csrf": generate_csrf, "form": lambda: _new_form_token(keys.form)},
    )
    return no_store(make_response(html))


def _new_form_token(form_key: bytes) -> str:
    return receipts.new_form_token(form_key, receipt_display.session_binding(session))


def _prefill_values(options: IntakeOptions) -> dict[str, str]:
    """What a link pre-selects: ``?place=ranten`` (a QR poster) or ``?commitment=3``."""
    values = {}
    place_id = options.place_id_for(request.args.get("place", ""))
    if place_id is not None:
        values["place"] = str(place_id)
    commitment = request.args.get("commitment", "")
    if commitment in {str(c.id) for c in options.commitments}:
        values["commitment"] = commitment
    return values


def _page_key(prefill: dict[str, str]) -> str | None:
    """The blank form is the same for everyone with the same choices, unless a message waits.

    Only links that pre-select something real are cached, so the number of pages is bounded.
    """
    known = set(request.args) <= set(prefill) and all(
        len(request.args.getlist(name)) == 1 for name in request.args
    )
    if not known or "_flashes" in session:
        return None
    chosen = ",".join(f"{name}={value}" for name, value in sorted(prefill.items()))
    return f"{current_tenant().slug}|{current_locale()}|{request.full_path}|{chosen}"


def _render_blank_form(prefill: dict[str, str], tokens: Mapping[str, str]) -> str:
    form = _form(formdata=None)
    form.csrf_token.current_token = tokens["csrf"]
    form.form_token.data = tokens["form"]
    for name, value in prefill.items():
        form[name].data = value
    return render_template(
        "intake/form.html", form=form, unavailable=False, language_form="intake-form"
    )


@bp.post("/submit")
@csrf.exempt  # the form checks its own token, so a stale one keeps what was typed
@limiter.limit(named("submit"), exempt_when=lambda: LANGUAGE_FIELD in request.form)
def create() -> Response:
    form = _form()
    shown = _shown(form)
    if apply_language_switch(request.form):
        form.set_choices(label)
        return shown.render(200)
    if not form.validate_on_submit():
        return shown.render(422)
    keys = current_keys()
    try:
        token = receipts.parse_form_token(keys.form, form.form_token.data or "")
    except receipts.FormTokenError:
        form.form_token.data = _new_form_token(keys.form)
        form.form_token.errors = [str(STALE_FORM_MESSAGE)]
        return shown.render(422)
    try:
        receipt = submit_concern(
            db.session,
            current_tenant().id,
            _new_submission(form),
            nonce=token.nonce,
            receipt_key=keys.receipt,
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    # A database fault reaches the error handler, which shows ``shown`` again as typed (503).
    return _render_receipt(receipt, token, is_new=not receipt.is_repeat)


def _render_receipt(receipt: Receipt, token: receipts.FormToken, *, is_new: bool) -> Response:
    """The code, or, when it was already shown (see ``receipt_display``), only the reference."""
    keys = current_keys()
    shown = receipt_display.may_show_code(session, keys.form, token, is_new=is_new)
    form_token = request.form.get("form_token", "")
    # The language buttons post the form token again, so the page survives the switch.
    return page(
        "intake/receipt.html" if shown else "intake/receipt_shown_once.html",
        receipt=receipt,
        case_url=external_url("cases.show", municipality=current_tenant().slug),
        language_form="receipt-language",
        token_form=ReceiptLanguageForm(form_token=form_token),
    )


@bp.post("/submit/receipt")
def receipt_language() -> Response:
    """Show a receipt again in the language just chosen."""
    form = ReceiptLanguageForm()
    keys = current_keys()
    apply_language_switch(request.form)
    if not form.validate_on_submit():
        abort(400)
    try:
        token = receipts.parse_form_token(keys.form, form.form_token.data or "")
    except receipts.FormTokenError:
        abort(400)
    receipt = find_receipt(
        db.session, current_tenant().id, nonce=token.nonce, receipt_key=keys.receipt
    )
    if receipt is None:
        abort(404)
    return _render_receipt(receipt, token, is_new=False)


def _new_submission(form: SubmissionForm) -> NewSubmission:
    return NewSubmission(
        kind=SubmissionKind(form.kind.data),
        category_id=int(form.category.data),
        text=form.text.data or "",
        submitter_type=SubmitterType(form.submitter_type.data),
        locale=current_locale(),
        place_id=int(form.place.data) if form.place.data else None,
        location_text=form.location_text.data or None,
        commitment_id=int(form.commitment.data) if form.commitment.data else None,
        occurred_on=form.occurred_on_date,
        part_of_day=PartOfDay(form.part_of_day.data) if form.part_of_day.data else None,
        is_recurring=bool(form.is_recurring.data),
        safety_rating=int(form.safety_rating.data) if form.safety_rating.data else None,
        email=form.email.data or None,
    )
