"""Workspace pages of input rounds: questions, invitations, responses and results.

Moderators and administrators of the municipality change rounds; analysts read them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import format_decimal, format_percent, ngettext

from dialogue.accounts.workspace import context, current_scope, moderator_required, staff_blueprint
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.i18n import _, _l
from dialogue.keys import current_keys
from dialogue.municipalities.tenancy import current_tenant, local_today
from dialogue.rounds import invitations as inviting
from dialogue.rounds import questionnaire, services
from dialogue.rounds import results as findings
from dialogue.rounds.forms import (
    KIND_LABELS,
    InviteForm,
    NewRoundForm,
    QuestionForm,
    QuestionTextForm,
    RoundForm,
)
from dialogue.rounds.invitations import ANSWER_ENDPOINT, InvitationStatus
from dialogue.rounds.models import InputRound, QuestionKind, TimeOfDay
from dialogue.rounds.scale import SCALE
from dialogue.rounds.state import RoundState, questions_frozen, round_state
from dialogue.submissions.personal_data import highlight
from dialogue.web.responses import FormPage, Response, done, page, refused
from dialogue.web.templating import label
from dialogue.web.urls import external_url

bp = staff_blueprint("rounds", __name__)

STATE_LABELS = {
    RoundState.DRAFT: _l("Draft"),
    RoundState.SCHEDULED: _l("Published, not yet open"),
    RoundState.OPEN: _l("Open"),
    RoundState.CLOSED: _l("Closed"),
}
INVITATION_STATUS_LABELS = {
    InvitationStatus.NOT_SENT: _l("Not sent"),
    # Queued for e-mail; whether the mail server accepted it is shown beside it.
    InvitationStatus.SENT: _l("Invited to the round"),
    InvitationStatus.REMINDED: _l("Reminded"),
    InvitationStatus.STARTED: _l("Started, not submitted"),
    InvitationStatus.ANSWERED: _l("Answered"),
}
TIME_OF_DAY_LABELS = {
    TimeOfDay.DAY: _l("In the daytime"),
    TimeOfDay.NIGHT: _l("In the evening and at night"),
}
FROZEN = _l("The round is published, so its questions can no longer change.")
MADE_FROM_PLEDGE = _l("The text of this question is made from the pledge and cannot be changed.")


def _tenant_id() -> int:
    return current_tenant().id


def _key() -> bytes:
    key: bytes = current_keys().invitation
    return key


def _can_edit() -> bool:
    return current_scope().can_moderate(_tenant_id())


def answer_link(token: str) -> str:
    """The public address of an organisation's own link."""
    return external_url(ANSWER_ENDPOINT, token=token)


def open_link(token: str) -> str:
    """The public address of the round's open link."""
    return external_url("answer.open_link", token=token)


def _shared(**extra: Any) -> dict[str, Any]:
    """What every page of the rounds uses."""
    return {
        "can_edit": _can_edit(),
        "state_labels": STATE_LABELS,
        "kind_labels": KIND_LABELS,
        "time_labels": TIME_OF_DAY_LABELS,
        "status_labels": INVITATION_STATUS_LABELS,
        "States": RoundState,
        "Kinds": QuestionKind,
        "Statuses": InvitationStatus,
        "format_decimal": format_decimal,
        "format_percent": format_percent,
        **extra,
    }


def _get(round_id: int) -> InputRound:
    return services.get_round(db.session, _tenant_id(), round_id, scope=current_scope())


def _round_context(input_round: InputRound) -> dict[str, Any]:
    return _shared(
        round=input_round,
        state=round_state(input_round, local_today()),
        frozen=questions_frozen(input_round),
    )


def _pledge_label(pledge: Any) -> str:
    return str(
        _(
            "%(title)s (%(start)s to %(end)s)",
            title=label(pledge.title),
            start=pledge.valid_from.isoformat(),
            end=pledge.valid_to.isoformat(),
        )
    )


def _refused_here(message: Any, round_id: int) -> Response:
    return refused(InvalidInputError({"status": message}), ".show", round_id=round_id)


# The list and one round


@bp.get("/rounds")
def index() -> Response:
    rows = services.list_rounds(db.session, _tenant_id(), scope=current_scope())
    today = local_today()
    states = {row.round.id: round_state(row.round, today) for row in rows}
    return page("rounds/index.html", rows=rows, states=states, **_shared())


@bp.route("/rounds/new", methods=["GET", "POST"])
@moderator_required
def new() -> Response:
    today = local_today()
    pledge = services.default_pledge(db.session, _tenant_id(), today)
    initial = {
        "pledge": str(pledge.id) if pledge else "",
        "places": [str(i) for i in services.default_place_ids(pledge)],
    }
    form = NewRoundForm(data=initial)
    form.set_choices(
        services.list_pledge_choices(db.session, _tenant_id()),
        services.list_place_choices(db.session, _tenant_id()),
        _pledge_label,
    )
    shown = FormPage("rounds/form.html", form, **_shared(round=None))
    if not form.validate_on_submit():
        return shown.render()
    opens_on, closes_on = form.dates()
    data = services.RoundInput(form.title(), form.introduction(), opens_on, closes_on)
    source = services.RoundSource(
        pledge_id=form.pledge_id(), use_current_pledge=False, place_ids=form.place_ids()
    )
    try:
        created = services.create_round(db.session, context(), data, source, today=today)
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return done(
        _("The round is created with its default questions. Check them before you publish it."),
        ".show",
        round_id=created.id,
    )


@bp.get("/rounds/<int:round_id>")
def show(round_id: int) -> Response:
    input_round = _get(round_id)
    rate = findings.response_rate(db.session, _tenant_id(), round_id, scope=current_scope())
    rows = inviting.list_invitations(
        db.session, _tenant_id(), round_id, key=_key(), scope=current_scope()
    )
    token = services.open_link_token(input_round, _key())
    return page(
        "rounds/show.html",
        rate=rate,
        invitation_rows=rows,
        waiting=inviting.waiting_to_send(rows),
        answer_link=answer_link,
        open_url=open_link(token) if token else None,
        **_round_context(input_round),
    )


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@moderator_required
def edit(round_id: int) -> Response:
    input_round = _get(round_id)
    form = RoundForm(data=RoundForm.initial(input_round))
    shown = FormPage("rounds/form.html", form, **_round_context(input_round))
    if not form.validate_on_submit():
        return shown.render()
    opens_on, closes_on = form.dates()
    data = services.RoundInput(form.title(), form.introduction(), opens_on, closes_on)
    try:
        services.update_round(db.session, context(), input_round.id, data)
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return done(_("The changes to the round are saved."), ".show", round_id=round_id)


@bp.route("/rounds/<int:round_id>/publish", methods=["GET", "POST"])
@moderator_required
def publish(round_id: int) -> Response:
    input_round = _get(round_id)
    if request.method == "GET":
        return page("rounds/publish.html", **_round_context(input_round))
    try:
        services.publish_round(db.session, context(), round_id)
    except InvalidInputError as error:
        return refused(error, ".show", round_id=round_id)
    return done(
        _("The round is published. Its questions can no longer change."),
        ".show",
        round_id=round_id,
    )


@bp.route("/rounds/<int:round_id>/delete", methods=["GET", "POST"])
@moderator_required
def delete(round_id: int) -> Response:
    input_round = _get(round_id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        # Only the confirmation page's form deletes; anything else shows that page first.
        return page("rounds/delete.html", **_round_context(input_round))
    try:
        services.delete_round(db.session, context(), round_id)
    except InvalidInputError as error:
        return refused(error, ".show", round_id=round_id)
    return done(_("The draft round is deleted."), ".index")


@bp.post("/rounds/<int:round_id>/open-link")
@moderator_required
def open_link_action(round_id: int) -> Response:
    _get(round_id)
    action = request.form.get("action", "")
    if action not in ("enable", "renew", "disable"):
        return refused(
            InvalidInputError({"action": _("Choose what to do with the open link.")}),
            ".show",
            round_id=round_id,
        )
    try:
        if action == "disable":
            services.disable_open_link(db.session, context(), round_id)
        else:
            services.enable_open_link(db.session, context(), round_id, key=_key())
    except InvalidInputError as error:
        return refused(error, ".show", round_id=round_id)
    if action == "renew":
        message = _("The open link is renewed. The old one no longer works.")
    elif action == "enable":
        message = _("The open link is on.")
    else:
        message = _("The open link is off.")
    return done(message, ".show", round_id=round_id, _anchor="open-link")


# Questions


@bp.route("/rounds/<int:round_id>/questions/new", methods=["GET", "POST"])
@moderator_required
def add_question(round_id: int) -> Response:
    input_round = _get(round_id)
    if request.method == "GET" and questions_frozen(input_round):
        return _refused_here(FROZEN, round_id)
    form = QuestionForm()
    form.set_choices(
        questionnaire.list_commitment_choices(db.session, input_round),
        services.list_place_choices(db.session, _tenant_id()),
        lambda commitment: label(commitment.text),
    )
    shown = FormPage("rounds/question_form.html", form, **_round_context(input_round))
    if not form.validate_on_submit():
        return shown.render()
    data = questionnaire.QuestionInput(
        kind=QuestionKind(form.kind.data),
        text=form.text(),
        hint=form.hint(),
        commitment_id=form.commitment_id(),
        place_id=form.place_id(),
        time_of_day=form.chosen_time(),
    )
    try:
        added = questionnaire.add_question(db.session, context(), input_round.id, data)
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return done(
        ngettext("The question is added.", "%(num)d questions are added.", len(added)),
        ".show",
        round_id=round_id,
        _anchor="questions",
    )


@bp.route("/rounds/<int:round_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@moderator_required
def edit_question(round_id: int, question_id: int) -> Response:
    input_round = _get(round_id)
    question = next((q for q in input_round.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    if request.method == "GET":
        if questions_frozen(input_round):
            return _refused_here(FROZEN, round_id)
        if question.kind not in questionnaire.OWN_TEXT_KINDS:
            return _refused_here(MADE_FROM_PLEDGE, round_id)
    form = QuestionTextForm(data=QuestionTextForm.initial(question))
    shown = FormPage(
        "rounds/question_text_form.html",
        form,
        question=question,
        **_round_context(input_round),
    )
    if not form.validate_on_submit():
        return shown.render()
    data = questionnaire.QuestionText(form.text(), form.hint())
    try:
        questionnaire.update_question(db.session, context(), input_round.id, question_id, data)
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return done(_("The question is saved."), ".show", round_id=round_id, _anchor="questions")


@bp.post("/rounds/<int:round_id>/questions/<int:question_id>/move")
@moderator_required
def move_question(round_id: int, question_id: int) -> Response:
    _get(round_id)
    direction = request.form.get("direction", "")
    try:
        questionnaire.move_question(db.session, context(), round_id, question_id, direction)
    except InvalidInputError as error:
        return refused(error, ".show", round_id=round_id, _anchor="questions")
    return done(
        _("The question is moved."), ".show", round_id=round_id, _anchor=f"question-{question_id}"
    )


@bp.post("/rounds/<int:round_id>/questions/<int:question_id>/remove")
@moderator_required
def remove_question(round_id: int, question_id: int) -> Response:
    _get(round_id)
    try:
        questionnaire.remove_question(db.session, context(), round_id, question_id)
    except InvalidInputError as error:
        return refused(error, ".show", round_id=round_id, _anchor="questions")
    return done(_("The question is removed."), ".show", round_id=round_id, _anchor="questions")


# Invitations


@bp.route("/rounds/<int:round_id>/invitations", methods=["GET", "POST"])
def invitations(round_id: int) -> Response:
    input_round = _get(round_id)
    if request.method == "POST" and not _can_edit():
        abort(403)
    form = InviteForm()
    form.set_organisations(inviting.list_invitable(db.session, _tenant_id(), round_id))
    rows = inviting.list_invitations(
        db.session, _tenant_id(), round_id, key=_key(), scope=current_scope()
    )
    shown = FormPage(
        "rounds/invitations.html",
        form,
        invitation_rows=rows,
        waiting=inviting.waiting_to_send(rows),
        answer_link=answer_link,
        **_round_context(input_round),
    )
    if not form.validate_on_submit():
        return shown.render()
    invitees = inviting.Invitees(organisation_ids=form.chosen_ids(), types=form.chosen_types())
    try:
        invited = inviting.invite_organisations(
            db.session, context(), input_round.id, invitees, key=_key(), today=local_today()
        )
    except InvalidInputError as error:
        form.add_errors(error)
        return shown.render(422)
    return done(
        ngettext(
            "%(num)d organisation is invited. Send the invitation when you are ready.",
            "%(num)d organisations are invited. Send the invitations when you are ready.",
            len(invited),
        ),
        ".invitations",
        round_id=round_id,
        _anchor="send",
    )


def _after_sending(outcome: inviting.SendOutcome, sent_message: str, nothing: str) -> None:
    if outcome.sent:
        flash(sent_message, "success")
    elif not (outcome.too_recent or outcome.without_email):
        flash(nothing, "info")
    if outcome.too_recent:
        flash(
            ngettext(
                "%(num)d organisation was contacted less than a day ago and is not reminded yet.",
                "%(num)d organisations were contacted less than a day ago and are not "
                "reminded yet.",
                outcome.too_recent,
            ),
            "info",
        )
    if outcome.without_email:
        flash(
            _(
                "These organisations have no e-mail address. Give them their link from the "
                "table of invitations: %(names)s.",
                names=", ".join(o.name for o in outcome.without_email),
            ),
            "warning",
        )


@bp.post("/rounds/<int:round_id>/invitations/send")
@moderator_required
def send_invitations(round_id: int) -> Response:
    return _send(
        round_id,
        inviting.send_invitations,
        lambda sent: ngettext(
            "%(num)d invitation is queued for sending.",
            "%(num)d invitations are queued for sending.",
            sent,
        ),
        _("There were no invitations waiting to be sent."),
    )


@bp.post("/rounds/<int:round_id>/invitations/remind")
@moderator_required
def send_reminders(round_id: int) -> Response:
    return _send(
        round_id,
        inviting.send_reminders,
        lambda sent: ngettext(
            "%(num)d reminder is queued for sending.",
            "%(num)d reminders are queued for sending.",
            sent,
        ),
        _(
            "There is no one to remind: every invited organisation has answered or has not "
            "been sent its invitation yet."
        ),
    )


def _send(
    round_id: int,
    sender: Callable[..., inviting.SendOutcome],
    queued: Callable[[int], str],
    nothing: str,
) -> Response:
    """Queue invitations or reminders, then say what went out and who has no address."""
    _get(round_id)
    try:
        outcome = sender(db.session, context(), round_id, key=_key(), today=local_today())
    except InvalidInputError as error:
        return refused(error, ".show", round_id=round_id, _anchor="invitations")
    _after_sending(outcome, queued(outcome.sent), nothing)
    return redirect(_back_to(round_id), code=303)


def _back_to(round_id: int) -> str:
    """The page the sending was asked from: the invitations page, else the overview."""
    if request.form.get("back") == "invitations":
        return url_for(".invitations", round_id=round_id, _anchor="send")
    return url_for(".show", round_id=round_id, _anchor="invitations")


# Responses and results


@bp.get("/rounds/<int:round_id>/responses")
def responses(round_id: int) -> Response:
    input_round = _get(round_id)
    found = findings.list_responses(db.session, _tenant_id(), round_id, scope=current_scope())
    return page("rounds/responses.html", responses=found, **_round_context(input_round))


@bp.get("/rounds/<int:round_id>/responses/<int:response_id>")
def response(round_id: int, response_id: int) -> Response:
    detail = findings.get_response(
        db.session, _tenant_id(), round_id, response_id, scope=current_scope()
    )
    return page(
        "rounds/response.html",
        detail=detail,
        highlight=highlight,
        **_round_context(detail.round),
    )


@bp.post("/rounds/<int:round_id>/responses/<int:response_id>/verify")
@moderator_required
def verify_response(round_id: int, response_id: int) -> Response:
    try:
        found = findings.verify_response(db.session, context(), round_id, response_id)
    except InvalidInputError as error:
        return refused(error, ".response", round_id=round_id, response_id=response_id)
    return done(
        _("The response of %(name)s is verified.", name=found.organisation.name),
        ".response",
        round_id=round_id,
        response_id=response_id,
    )


@bp.get("/rounds/<int:round_id>/results")
def results(round_id: int) -> Response:
    input_round = _get(round_id)
    found = findings.round_results(db.session, _tenant_id(), round_id)
    return page(
        "rounds/results.html",
        results=found,
        highlight=highlight,
        scale_values=SCALE,
        **_round_context(input_round),
    )
