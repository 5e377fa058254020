"""The submission page: everything about one submission, and the moderators' changes to it.

Each change is its own small POST form: the view checks the form, calls one service, and
answers 303 back to the page's section. A refused change re-renders the page (422) with the
error summary at the top and what was typed still in its field.

The routes join the triage blueprint in :mod:`dialogue.triage.views` (``show`` and
:data:`CHANGES`), so the endpoints stay ``triage.show``, ``triage.change_status`` …
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import request

from dialogue.accounts.workspace import current_account, current_scope
from dialogue.errors import InvalidInputError
from dialogue.extensions import db
from dialogue.i18n import _
from dialogue.municipalities.tenancy import current_tenant
from dialogue.submissions.models import Priority, Submission
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
from dialogue.triage.references import StatusRequest, change_status_by_reference
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
from dialogue.web.responses import Response, done, page
from dialogue.web.urls import external_url

FormT = TypeVar("FormT", bound=DetailForm)


def show(submission_id: int) -> Response:
    return _render(submission_id, template_id=request.args.get("template", type=id_arg))


def _render(
    submission_id: int,
    posted: DetailForm | None = None,
    status: int = 200,
    template_id: int | None = None,
) -> Response:
    loaded = load_submission_page(
        db.session, current_scope(), current_tenant().id, submission_id, template_id=template_id
    )
    return page(
        "triage/submission.html",
        status,
        page=loaded,
        submission=loaded.submission,
        forms=_forms(loaded, posted),
        errors=posted.error_items() if posted else [],
    )


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
    message: str,
) -> Response:
    """Check the form, make the change, and go back to the page (or show what was wrong)."""
    submission = get_submission(db.session, current_scope(), current_tenant().id, submission_id)
    form = form_class()
    if not form.validate_on_submit():
        return _render(submission_id, form, 422)
    try:
        change(submission, form)
    except InvalidInputError as error:
        db.session.rollback()  # nothing half-changed shows on the page
        form.add_errors(error)
        return _render(submission_id, form, 422)
    return done(message, ".show", submission_id=submission_id, _anchor=form.section)


def _actor() -> dict[str, Any]:
    return {"actor": current_account(), "scope": current_scope()}


def post_status(submission_id: int) -> Response:
    def change(submission: Submission, form: StatusForm) -> None:
        wanted = StatusRequest(
            form.status.data or "",
            reason=form.reason.data or "",
            forwarded_to=form.forwarded_to.data or "",
            duplicate_of=form.duplicate_of.data or "",
        )
        change_status_by_reference(db.session, submission, wanted, **_actor())

    return _handle(submission_id, StatusForm, change, _("The status has been changed."))


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


def post_assignee(submission_id: int) -> Response:
    def change(submission: Submission, form: AssignForm) -> None:
        assign_submission(db.session, submission, parse_id(form.assignee.data), **_actor())

    return _handle(submission_id, AssignForm, change, _("The assignment has been saved."))


def post_tags(submission_id: int) -> Response:
    def change(submission: Submission, form: TagsForm) -> None:
        set_tags(db.session, submission, form.names(), **_actor())

    return _handle(submission_id, TagsForm, change, _("The tags have been saved."))


def post_summary(submission_id: int) -> Response:
    form = SummaryForm()  # which button was pressed decides the message
    review = bool(form.review.data)

    def change(submission: Submission, form: SummaryForm) -> None:
        set_public_summary(
            db.session, submission, form.summary.data or "", review=review, **_actor()
        )

    if review:
        message = _(
            "The public summary has been saved and marked as reviewed. It may now be quoted "
            "in public reports."
        )
    else:
        message = _(
            "The public summary has been saved without review. It is not published anywhere "
            "until a moderator marks it as reviewed."
        )
    return _handle(submission_id, SummaryForm, change, message)


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


def post_note(submission_id: int) -> Response:
    def change(submission: Submission, form: NoteForm) -> None:
        add_note(db.session, submission, form.body.data or "", **_actor())

    return _handle(submission_id, NoteForm, change, _("The internal note has been added."))


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


def post_link(submission_id: int) -> Response:
    def change(submission: Submission, form: LinkForm) -> None:
        link_to_cluster(db.session, submission, form.other.data or "", **_actor())

    return _handle(submission_id, LinkForm, change, _("The submissions have been linked."))


def post_unlink(submission_id: int) -> Response:
    def change(submission: Submission, form: UnlinkForm) -> None:
        unlink_from_cluster(db.session, submission, **_actor())

    return _handle(
        submission_id,
        UnlinkForm,
        change,
        _("The submission has been taken out of the cluster. Nothing else about it changed."),
    )


# (path under /submissions/<id>/, endpoint, view): every change is a moderator's POST.
CHANGES: list[tuple[str, str, Callable[[int], Response]]] = [
    ("status", "change_status", post_status),
    ("classification", "classify", post_classification),
    ("assignee", "assign", post_assignee),
    ("tags", "set_tags", post_tags),
    ("summary", "set_summary", post_summary),
    ("summary/review/withdraw", "withdraw_review", post_withdraw_review),
    ("notes", "add_note", post_note),
    ("replies", "reply", post_reply),
    ("cluster", "link_cluster", post_link),
    ("cluster/remove", "unlink_cluster", post_unlink),
]
