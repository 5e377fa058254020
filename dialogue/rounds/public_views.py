"""The pages an organisation answers a round on, reached by its link.

Status codes: an unknown or forged link answers 404 with a page that says the link does not
work. A link to a round that is a draft, not open yet or closed answers 200 with a page that
says so (and, once closed, shows answers that were sent); a change posted to such a round
answers 403 with the same page. Every page carries a personal token: none is cached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import abort, flash, redirect, request, url_for
from werkzeug import Response
from wtforms import EmailField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Optional

from dialogue.config import current_settings
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.extensions import csrf, db
from dialogue.i18n import LANGUAGE_FIELD, _, _l, apply_language_switch, current_locale
from dialogue.keys import current_keys
from dialogue.municipalities.tenancy import current_tenant, local_today, tenant_blueprint
from dialogue.organisations.labels import TYPE_LABELS
from dialogue.organisations.models import OrganisationType
from dialogue.organisations.registration import (
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    OrganisationDetails,
)
from dialogue.rounds import answer_checks, answer_review, answers, visits
from dialogue.rounds.answers import Move
from dialogue.rounds.models import InputRound, QuestionKind
from dialogue.rounds.open_link import answer_via_open_link
from dialogue.rounds.scale import SCALE, SCALE_ENDS, SCALE_KINDS
from dialogue.rounds.state import RoundState, round_state
from dialogue.rounds.visits import AnswerSite, RoundNotOpenError, Step, Visit
from dialogue.web.forms import STALE_FORM_MESSAGE, DialogueForm, MaxChars, plain_text
from dialogue.web.ratelimit import limiter, named
from dialogue.web.responses import no_store, page
from dialogue.web.templating import label
from dialogue.web.urls import external_url

bp = tenant_blueprint("answer", __name__)
# Every form here checks its own CSRF token (``DialogueForm``), so that a stale token
# re-renders the form with what was typed instead of a bare 400 page.
csrf.exempt(bp)

STEP_FORM = "answer-form"
REVIEW_FORM = "review-form"
OPEN_LINK_FORM = "open-link-form"


class AnswerForm(DialogueForm):
    """The CSRF token of a step or of the review; the service reads and checks the answers."""


class OpenLinkForm(DialogueForm):
    name = StringField(
        _l("Name of the organisation"),
        validators=[
            InputRequired(_l("Enter the name of your organisation.")),
            plain_text,
            MaxChars(MAX_NAME_LENGTH),
        ],
    )
    type = RadioField(
        _l("Type of organisation"),
        choices=[SelectChoice(kind.value, label) for kind, label in TYPE_LABELS.items()],
        validators=[InputRequired(_l("Choose the type of organisation."))],
    )
    org_number = StringField(
        _l("Organisation number"),
        validators=[InputRequired(_l("Enter the organisation number.")), plain_text],
    )
    contact_name = StringField(
        _l("Your name (optional)"),
        validators=[Optional(), plain_text, MaxChars(MAX_NAME_LENGTH)],
    )
    contact_email = EmailField(
        _l("Your e-mail address (optional)"),
        validators=[
            Optional(),
            plain_text,
            MaxChars(MAX_EMAIL_LENGTH),
            Email(_l("Enter an e-mail address in the right format, like name@example.se.")),
        ],
    )


# The address holds the organisation's token: no browser or proxy may keep any answer,
# redirects included.
bp.after_request(no_store)


@bp.errorhandler(NotFoundError)
def _unknown_link(error: NotFoundError) -> Response:
    return page("answer/unknown.html", 404)


def _key() -> bytes:
    key: bytes = current_keys().invitation
    return key


def _site() -> AnswerSite:
    return AnswerSite(
        key=_key(),
        today=local_today(),
        municipality_name=current_tenant().name,
        locale=current_locale(),
        default_locale=current_settings().default_locale,
        link=own_link,
    )


def _load(token: str) -> Visit:
    return visits.load_visit(
        db.session, current_tenant().id, token, key=_key(), today=local_today()
    )


def _review_rows(visit: Visit) -> tuple[answer_review.ReviewStep, ...]:
    return answer_review.review(visit, current_locale(), current_settings().default_locale)


def _status_page(
    input_round: InputRound, state: RoundState, status: int, **context: Any
) -> Response:
    return page("answer/status.html", status, round=input_round, state=state, **context)


def _visit_status(visit: Visit, status: int = 200) -> Response:
    """The page of a round that takes no answers; answers sent before stay readable."""
    rows = _review_rows(visit) if visit.is_submitted else ()
    return _status_page(visit.round, visit.state, status, visit=visit, rows=rows)


def _own_link(visit: Visit) -> str:
    """The link as the e-mails give it, so that the page and the mail show the same address."""
    return own_link(visit.token)


def own_link(token: str) -> str:
    """An organisation's own link to its answers, on the public URL."""
    return external_url("answer.start", token=token)


def _language_only() -> bool:
    return LANGUAGE_FIELD in request.form


@bp.get("/rounds/<token>")
def start(token: str) -> Response:
    visit = _load(token)
    if not visit.is_open:
        return _visit_status(visit)
    return page("answer/start.html", visit=visit, own_link=_own_link(visit))


# A step ----------------------------------------------------------------------------------


def _posted_answers() -> dict[str, list[str]]:
    return {name: request.form.getlist(name) for name in request.form if name.startswith("q")}


def _error_target(step: Step, visit: Visit, name: str) -> str:
    """Where the error summary's link leads: the question's first control."""
    question = next(q for q in step.questions if visits.field_name(q) == name)
    if question.kind in SCALE_KINDS:
        return f"{name}-{SCALE[0]}"
    if question.kind is QuestionKind.TOP_CATEGORIES and visit.category_groups:
        return f"{name}-{visit.category_groups[0].choices[0].id}"
    return name


def _render_step(
    visit: Visit,
    step: Step,
    form: AnswerForm,
    values: Mapping[str, Sequence[str]],
    *,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    errors = dict(errors or {})
    items = [(_error_target(step, visit, name), message) for name, message in errors.items()]
    if form.csrf_token.errors and step.questions:
        first = visits.field_name(step.questions[0])
        items.insert(0, (_error_target(step, visit, first), str(STALE_FORM_MESSAGE)))
    return page(
        "answer/step.html",
        status,
        visit=visit,
        step=step,
        form=form,
        values=values,
        errors=errors,
        error_items=items,
        scale=SCALE,
        scale_ends=SCALE_ENDS,
        default_max_choices=visits.DEFAULT_MAX_CHOICES,
        max_text_length=answer_checks.MAX_TEXT_LENGTH,
        language_form=STEP_FORM,
    )


@bp.route("/rounds/<token>/step/<int:number>", methods=["GET", "POST"])
@limiter.limit(named("round_answer"), methods=["POST"], exempt_when=_language_only)
def step(token: str, number: int) -> Response:
    visit = _load(token)
    if not 1 <= number <= len(visit.steps):
        abort(404)
    if request.method == "GET":
        if not visit.is_open:
            return _visit_status(visit)
        current = visit.step(number)
        values = answer_checks.step_values(visit, current)
        return _render_step(visit, current, AnswerForm(formdata=None), values)
    return _save_step(visit, number)


def _save_step(visit: Visit, number: int) -> Response:
    current = visit.step(number)
    form = AnswerForm()
    posted = _posted_answers()
    if apply_language_switch(request.form):
        return _render_step(visit, current, form, posted)
    if not visit.is_open:
        return _visit_status(visit, 403)
    if not form.validate_on_submit():
        return _render_step(visit, current, form, posted, status=422)
    try:
        move = Move(request.form.get("move", Move.NEXT))
    except ValueError:
        move = Move.NEXT
    was_submitted = visit.is_submitted
    try:
        answers.save_step(db.session, visit, number, posted, move=move)
    except RoundNotOpenError:
        return _visit_status(visit, 403)
    except InvalidInputError as error:
        return _render_step(visit, current, form, posted, errors=error.errors, status=422)
    if was_submitted:
        flash(_("Your changes are saved."), "success")
    return redirect(_after_save(visit, number, move), code=303)


def _after_save(visit: Visit, number: int, move: Move) -> str:
    if move is Move.NEXT:
        if number < len(visit.steps):
            return url_for("answer.step", token=visit.token, number=number + 1)
        return url_for("answer.review", token=visit.token)
    if move is Move.BACK:
        if number > 1:
            return url_for("answer.step", token=visit.token, number=number - 1)
        return url_for("answer.start", token=visit.token)
    if not visit.is_submitted:
        flash(
            _(
                "Your answers are saved. Come back with the same link to continue, at the "
                "latest on %(date)s.",
                date=visit.round.closes_on.isoformat(),
            ),
            "success",
        )
    return url_for("answer.start", token=visit.token)


# Review, sending and the confirmation ----------------------------------------------------


def _render_review(
    visit: Visit, form: AnswerForm, *, errors: Mapping[str, str] | None = None, status: int = 200
) -> Response:
    errors = dict(errors or {})
    rows = _review_rows(visit)
    # The error summary links to the form, or to the step where a missing answer is given.
    items: list[tuple[str, str]] = []
    if form.csrf_token.errors:
        items.append((f"#{REVIEW_FORM}", str(STALE_FORM_MESSAGE)))
    if "answers" in errors:
        items.append((f"#{REVIEW_FORM}", errors["answers"]))
    for review_step in rows:
        for row in review_step.rows:
            name = visits.field_name(row.question)
            if name in errors:
                step_url = url_for("answer.step", token=visit.token, number=review_step.step.number)
                target = _error_target(review_step.step, visit, name)
                message = _(
                    "Answer the question “%(question)s” in step %(number)d.",
                    question=label(row.question.text),
                    number=review_step.step.number,
                )
                items.append((f"{step_url}#{target}", message))
    return page(
        "answer/review.html",
        status,
        visit=visit,
        form=form,
        rows=rows,
        error_items=items,
        language_form=REVIEW_FORM,
    )


@bp.route("/rounds/<token>/review", methods=["GET", "POST"])
@limiter.limit(named("round_answer"), methods=["POST"], exempt_when=_language_only)
def review(token: str) -> Response:
    visit = _load(token)
    if request.method == "GET":
        if not visit.is_open:
            return _visit_status(visit)
        return _render_review(visit, AnswerForm(formdata=None))
    return _submit(visit)


def _submit(visit: Visit) -> Response:
    form = AnswerForm()
    if apply_language_switch(request.form):
        return _render_review(visit, form)
    if not visit.is_open:
        return _visit_status(visit, 403)
    if not form.validate_on_submit():
        return _render_review(visit, form, status=422)
    try:
        sent = answers.submit_response(db.session, visit, _site())
    except RoundNotOpenError:
        return _visit_status(visit, 403)
    except InvalidInputError as error:
        return _render_review(visit, form, errors=error.errors, status=422)
    if not sent.first_time:
        flash(_("Your changes are saved."), "success")
    return redirect(url_for("answer.done", token=visit.token), code=303)


@bp.get("/rounds/<token>/done")
def done(token: str) -> Response:
    visit = _load(token)
    if not visit.is_open:
        return _visit_status(visit)
    if not visit.is_submitted:
        return redirect(url_for("answer.review", token=token), code=303)
    response = visit.response
    has_address = response is not None and bool(
        response.respondent_email or visit.organisation.contact_email
    )
    return page("answer/done.html", visit=visit, has_address=has_address, own_link=_own_link(visit))


# The open link ---------------------------------------------------------------------------


def _render_open_link(
    input_round: InputRound, token: str, form: OpenLinkForm, status: int = 200
) -> Response:
    return page(
        "answer/open_link.html",
        status,
        round=input_round,
        token=token,
        form=form,
        language_form=OPEN_LINK_FORM,
    )


@bp.route("/rounds/open/<token>", methods=["GET", "POST"])
@limiter.limit(named("round_answer"), methods=["POST"], exempt_when=_language_only)
def open_link(token: str) -> Response:
    input_round = visits.find_open_round(db.session, current_tenant().id, token, key=_key())
    if request.method == "GET":
        state = round_state(input_round, local_today())
        if state is not RoundState.OPEN:
            return _status_page(input_round, state, 200)
        return _render_open_link(input_round, token, OpenLinkForm(formdata=None))
    return _register(input_round, token)


def _register(input_round: InputRound, token: str) -> Response:
    form = OpenLinkForm()
    if apply_language_switch(request.form):
        return _render_open_link(input_round, token, form)
    if not form.validate_on_submit():
        return _render_open_link(input_round, token, form, 422)
    details = OrganisationDetails(
        name=form.name.data or "",
        type=OrganisationType(form.type.data),
        org_number=form.org_number.data or "",
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
    )
    try:
        new_token = answer_via_open_link(db.session, input_round, details, _site())
    except RoundNotOpenError as error:
        return _status_page(input_round, error.state, 403)
    except InvalidInputError as error:
        form.add_errors(error)
        return _render_open_link(input_round, token, form, 422)
    if form.contact_email.data:
        flash(
            _(
                "This is your organisation's own link. We will also e-mail it to the address "
                "you gave. Use it to continue where you left off."
            ),
            "success",
        )
    else:
        flash(
            _(
                "This is your organisation's own link. Save the address of this page, for "
                "example as a bookmark: you need it to continue where you left off."
            ),
            "success",
        )
    return redirect(url_for("answer.start", token=new_token), code=303)
