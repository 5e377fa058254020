"""The submission page: everything about one submission, and the moderators' changes to it.

Each change is its own small POST form: the view checks the form, calls one service, and
answers 303 back to the page's section. A refused change re-renders the page (422) with the
error summary at the top and what was typed still in its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug import Response

from dialogue.accounts.workspace import current_account, current_scope, moderator_required
from dialogue.auditlog.describe import action_label, actor_label, detail_lines
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.municipalities.tenancy import current_tenant
from dialogue.submissions import labels
from dialogue.submissions.models import Priority, Submission
from dialogue.submissions.personal_data import highlight
from dialogue.triage.blueprint import bp
from dialogue.triage.clusters import link_to_cluster, unlink_from_cluster
from dialogue.triage.detail_forms import (
    FORMS,
    AssignForm,
    ClassifyForm,
    DetailForm,
    LinkForm,
    NoteForm,
    ReplyForm,
    ReviewForm,
    StatusForm,
    SummaryForm,
    TagsForm,
    UnlinkForm,
    fill_choices,
    initial_data,
    parse_id,
)
from dialogue.triage.notes import add_note
from dialogue.triage.page import SubmissionPage, load_submission_page
from dialogue.triage.references import change_status_by_reference
from dialogue.triage.replies import reply_to_submitter
from dialogue.triage.services import (
    Classification,
    assign_submission,
    classify,
    get_submission,
    set_tags,
)
from dialogue.triage.summaries import set_public_summary, withdraw_summary_review
from dialogue.web.inputs import parse_id as id_arg
from dialogue.web.urls import external_url

FormT = TypeVar("FormT", bound=DetailForm)


@bp.get("/submissions/<int:submission_id>")
def show(submission_id: int) -> Response:
    return _render(submission_id, template_id=request.args.get("template", type=id_arg))


def _render(
    submission_id: int,
    posted: DetailForm | None = None,
    status: int = 200,
    template_id: int | None = None,
) -> Response:
    try:
        page = load_submission_page(
            db.session, current_scope(), current_tenant().id, submission_id, template_id=template_id
        )
    except NotFoundError:
        abort(404)
    html = render_template(
        "triage/submission.html",
        page=page,
        submission=page.submission,
        forms=_forms(page, posted),
        errors=posted.error_items() if posted else [],
        highlight=highlight,
        labels=labels,
        action_label=action_label,
        actor_label=actor_label,
        detail_lines=detail_lines,
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _forms(page: SubmissionPage, posted: DetailForm | None) -> dict[str, DetailForm]:
    initial = initial_data(page)
    forms = {cls.key: cls(formdata=None, data=initial.get(cls.key, {})) for cls in FORMS}
    if posted is not None:
        forms[posted.key] = posted
    fill_choices(forms, page)
    return forms


def _handle(
    submission_id: int,
    form_class: type[FormT],
    change: Callable[[Submission, FormT], object],
    done: str,
) -> Response:
    """Check the form, make the change, and go back to the page (or show what was wrong)."""
    submission = _submission(submission_id)
    form = form_class()
    if not form.validate_on_submit():
        return _render(submission_id, form, 422)
    try:
        change(submission, form)
    except InvalidInputError as error:
        db.session.rollback()  # nothing half-changed shows on the page
        form.add_errors(error)
        return _render(submission_id, form, 422)
    flash(done, "success")
    target = url_for(".show", submission_id=submission_id, _anchor=form.section)
    return redirect(target, code=303)


def _submission(submission_id: int) -> Submission:
    try:
        return get_submission(db.session, current_scope(), current_tenant().id, submission_id)
    except NotFoundError:
        abort(404)


def _actor() -> dict[str, Any]:
    return {"actor": current_account(), "scope": current_scope()}


@bp.post("/submissions/<int:submission_id>/status", endpoint="change_status")
@moderator_required
def post_status(submission_id: int) -> Response:
    def change(submission: Submission, form: StatusForm) -> None:
        change_status_by_reference(
            db.session,
            submission,
            form.status.data or "",
            reason=form.reason.data or "",
            forwarded_to=form.forwarded_to.data or "",
            duplicate_of=form.duplicate_of.data or "",
            **_actor(),
        )

    return _handle(submission_id, StatusForm, change, _("The status has been changed."))


@bp.post("/submissions/<int:submission_id>/classification", endpoint="classify")
@moderator_required
def post_classification(submission_id: int) -> Response:
    def change(submission: Submission, form: ClassifyForm) -> None:
        classify(db.session, submission, _classification(form), **_actor())

    return _handle(submission_id, ClassifyForm, change, _("The changes have been saved."))


def _classification(form: ClassifyForm) -> Classification:
    place, commitment = parse_id(form.place.data), parse_id(form.commitment.data)
    priority = parse_id(form.priority.data)
    if priority is not None and priority not in {int(p) for p in Priority}:
        raise InvalidInputError({"priority": _("Choose a priority from the list.")})
    category = parse_id(form.category.data)
    if category is None:
        raise InvalidInputError({"category": _("Choose a category from the list.")})
    return Classification(
        category_id=category,
        place_id=place,
        clear_place=place is None,
        commitment_id=commitment,
        clear_commitment=commitment is None,
        priority=Priority(priority) if priority is not None else None,
        is_sensitive=bool(form.is_sensitive.data),
    )


@bp.post("/submissions/<int:submission_id>/assignee", endpoint="assign")
@moderator_required
def post_assignee(submission_id: int) -> Response:
    def change(submission: Submission, form: AssignForm) -> None:
        assign_submission(db.session, submission, parse_id(form.assignee.data), **_actor())

    return _handle(submission_id, AssignForm, change, _("The assignment has been saved."))


@bp.post("/submissions/<int:submission_id>/tags", endpoint="set_tags")
@moderator_required
def post_tags(submission_id: int) -> Response:
    def change(submission: Submission, form: TagsForm) -> None:
        set_tags(db.session, submission, form.names(), **_actor())

    return _handle(submission_id, TagsForm, change, _("The tags have been saved."))


@bp.post("/submissions/<int:submission_id>/summary", endpoint="set_summary")
@moderator_required
def post_summary(submission_id: int) -> Response:
    form = SummaryForm()  # which button was pressed decides the message
    review = bool(form.review.data)

    def change(submission: Submission, form: SummaryForm) -> None:
        set_public_summary(
            db.session, submission, form.summary.data or "", review=review, **_actor()
        )

    if review:
        done = _(
            "The public summary has been saved and marked as reviewed. It may now be quoted "
            "in public reports."
        )
    else:
        done = _(
            "The public summary has been saved without review. It is not published anywhere "
            "until a moderator marks it as reviewed."
        )
    return _handle(submission_id, SummaryForm, change, done)


@bp.post("/submissions/<int:submission_id>/summary/review/withdraw", endpoint="withdraw_review")
@moderator_required
def post_withdraw_review(submission_id: int) -> Response:
    def change(submission: Submission, form: ReviewForm) -> None:
        withdraw_summary_review(db.session, submission, **_actor())

    return _handle(
        submission_id,
        ReviewForm,
        change,
        _(
            "The review has been withdrawn. The summary is not published anywhere until a "
            "moderator marks it as reviewed again."
        ),
    )


@bp.post("/submissions/<int:submission_id>/notes", endpoint="add_note")
@moderator_required
def post_note(submission_id: int) -> Response:
    def change(submission: Submission, form: NoteForm) -> None:
        add_note(db.session, submission, form.body.data or "", **_actor())

    return _handle(submission_id, NoteForm, change, _("The internal note has been added."))


@bp.post("/submissions/<int:submission_id>/replies", endpoint="reply")
@moderator_required
def post_reply(submission_id: int) -> Response:
    def change(submission: Submission, form: ReplyForm) -> None:
        case_link = external_url("cases.show", municipality=current_tenant().slug)
        reply_to_submitter(
            db.session, submission, form.body.data or "", case_link=case_link, **_actor()
        )

    return _handle(
        submission_id,
        ReplyForm,
        change,
        _(
            "The reply is published on the submitter's case page. If they gave an e-mail "
            "address, a notice is queued and goes out when the mail server accepts it."
        ),
    )


@bp.post("/submissions/<int:submission_id>/cluster", endpoint="link_cluster")
@moderator_required
def post_link(submission_id: int) -> Response:
    def change(submission: Submission, form: LinkForm) -> None:
        link_to_cluster(db.session, submission, form.other.data or "", **_actor())

    return _handle(submission_id, LinkForm, change, _("The submissions have been linked."))


@bp.post("/submissions/<int:submission_id>/cluster/remove", endpoint="unlink_cluster")
@moderator_required
def post_unlink(submission_id: int) -> Response:
    def change(submission: Submission, form: UnlinkForm) -> None:
        unlink_from_cluster(db.session, submission, **_actor())

    return _handle(
        submission_id,
        UnlinkForm,
        change,
        _("The submission has been taken out of the cluster. Nothing else about it changed."),
    )
