"""Följ ditt ärende: the resident opens a case with the receipt code and follows it."""

from __future__ import annotations

from flask import redirect, request, session, url_for

from dialogue.cases.forms import AddInformationForm, CloseForm, LookupForm, WithdrawForm
from dialogue.cases.services import add_information, find_case, get_case, withdraw_submission
from dialogue.config import current_settings
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.extensions import csrf, db
from dialogue.i18n import LANGUAGE_FIELD, _, apply_language_switch
from dialogue.keys import current_keys
from dialogue.municipalities.tenancy import current_tenant, tenant_blueprint
from dialogue.submissions.models import Submission
from dialogue.web.ratelimit import limiter, named
from dialogue.web.responses import FormPage, Response, done, page

bp = tenant_blueprint("cases", __name__)

SESSION_KEY = "case"


def _opened_case_id() -> int | None:
    """The case this browser opened with a code, if it belongs to this municipality."""
    opened = session.get(SESSION_KEY)
    if isinstance(opened, dict) and opened.get("municipality") == current_tenant().id:
        case_id = opened.get("id")
        return case_id if isinstance(case_id, int) else None
    return None


def _case_page(submission: Submission, add_form: AddInformationForm, status: int = 200) -> Response:
    return page(
        "cases/case.html",
        status,
        submission=submission,
        add_form=add_form,
        close_form=CloseForm(),
        language_form="add-information",
    )


def _add_form() -> AddInformationForm:
    form = AddInformationForm()
    form.limit_text(current_settings().max_text_length)
    return form


def _load_opened() -> Submission | None:
    case_id = _opened_case_id()
    if case_id is None:
        return None
    try:
        return get_case(db.session, current_tenant().id, case_id)
    except NotFoundError:
        session.pop(SESSION_KEY, None)
        return None


@bp.get("/case")
def show() -> Response:
    submission = _load_opened()
    if submission is None:
        return page("cases/lookup.html", form=LookupForm(formdata=None))
    return _case_page(submission, _add_form())


@bp.post("/case")
@limiter.limit(named("case_lookup"), deduct_when=lambda response: response.status_code != 303)
def lookup() -> Response:
    form = LookupForm()
    shown = FormPage("cases/lookup.html", form)
    if not form.validate_on_submit():
        return shown.render()
    keys = current_keys()
    case_id = find_case(db.session, current_tenant().id, form.code.data or "", keys.receipt)
    if case_id is None:
        form.code.errors = [
            _("No case opens with that code. Check the 16 digits on your receipt and try again.")
        ]
        return shown.render(422)
    session[SESSION_KEY] = {"municipality": current_tenant().id, "id": case_id}
    return redirect(url_for(".show"), code=303)


@bp.post("/case/information")
@csrf.exempt  # the form checks its own token, so a stale one keeps what was typed
@limiter.limit(named("case_update"), exempt_when=lambda: LANGUAGE_FIELD in request.form)
def add() -> Response:
    submission = _load_opened()
    if submission is None:
        return redirect(url_for(".show"), code=303)
    form = _add_form()
    if apply_language_switch(request.form):
        return _case_page(submission, form)
    if not form.validate_on_submit():
        return _case_page(submission, form, 422)
    try:
        add_information(db.session, submission, form.text.data or "")
    except InvalidInputError as error:
        form.add_errors(error)
        return _case_page(submission, form, 422)
    return done(_("Thank you. Your information has been added to the case."), ".show")


@bp.route("/case/withdraw", methods=["GET", "POST"])
@limiter.limit(named("case_update"), methods=["POST"])
def withdraw() -> Response:
    submission = _load_opened()
    if submission is None:
        return redirect(url_for(".show"), code=303)
    form = WithdrawForm()
    shown = FormPage("cases/withdraw.html", form, submission=submission)
    if request.method == "GET" or not form.validate_on_submit():
        return shown.render()
    try:
        withdraw_submission(db.session, submission)
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return done(_("Your message has been withdrawn."), ".show")


@bp.post("/case/close")
def close() -> Response:
    session.pop(SESSION_KEY, None)
    return done(_("The case is closed in this browser. Open it again with your code."), ".show")
