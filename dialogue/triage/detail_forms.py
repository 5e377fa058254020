"""The submission page's forms, one per action, each with its own prefix so ids never clash.

Choices come from the page (``fill_choices``); the services check every value again, so the
selects do not validate choices themselves and a refused value gets the service's message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.submissions.labels import PRIORITY_LABELS, STATUS_LABELS
from dialogue.submissions.models import Priority
from dialogue.triage.notes import MAX_NOTE_LENGTH
from dialogue.triage.page import SubmissionPage
from dialogue.triage.replies import MAX_REPLY_LENGTH
from dialogue.triage.summaries import MAX_SUMMARY_LENGTH
from dialogue.web.forms import DialogueForm, MaxChars, plain_text
from dialogue.web.inputs import id_or_none
from dialogue.web.templating import label

NONE = ""
MAX_REASON_LENGTH = 2000
MAX_LINE_LENGTH = 200


class DetailForm(DialogueForm):
    """A form of the submission page; errors the services give for no field are kept too."""

    key: ClassVar[str]  # the prefix of the form's fields and the id of its section
    section: ClassVar[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix=self.key, **kwargs)
        self.form_errors_: list[str] = []

    def add_errors(self, error: InvalidInputError) -> None:
        """Put a service's messages beside the fields they are about, or above the section."""
        for name, message in error.errors.items():
            field = self._fields.get(name)
            if field is None:
                self.form_errors_.append(str(message))
            else:
                field.errors = [*field.errors, str(message)]

    def error_items(self) -> list[tuple[str, str]]:
        return super().error_items() + [(self.section, m) for m in self.form_errors_]


class StatusForm(DetailForm):
    key = "move"
    section = "status-section"
    status = SelectField(_l("New status"), validate_choice=False)
    reason = TextAreaField(_l("Reason"), validators=[plain_text, MaxChars(MAX_REASON_LENGTH)])
    forwarded_to = StringField(
        _l("Forwarded to"), validators=[plain_text, MaxChars(MAX_LINE_LENGTH)]
    )
    duplicate_of = StringField(
        _l("Case reference of the original submission"),
        validators=[plain_text, MaxChars(MAX_LINE_LENGTH)],
    )


class ClassifyForm(DetailForm):
    key = "classify"
    section = "classify-section"
    category = SelectField(_l("Category"), validate_choice=False)
    place = SelectField(_l("Place"), validate_choice=False)
    commitment = SelectField(_l("Commitment"), validate_choice=False)
    priority = SelectField(_l("Priority"), validate_choice=False)
    is_sensitive = BooleanField(_l("Sensitive: handle with extra care"))


class AssignForm(DetailForm):
    key = "assign"
    section = "assign-section"
    assignee = SelectField(_l("Assigned to"), validate_choice=False)


class TagsForm(DetailForm):
    key = "tags"
    section = "tags-section"
    tags = StringField(_l("Tags"), validators=[plain_text, MaxChars(MAX_LINE_LENGTH * 4)])

    def names(self) -> list[str]:
        return [part for part in (self.tags.data or "").split(",") if part.strip()]


class SummaryForm(DetailForm):
    key = "summary"
    section = "summary-section"
    summary = TextAreaField(
        _l("Public summary"), validators=[plain_text, MaxChars(MAX_SUMMARY_LENGTH)]
    )
    # Two buttons: saving a draft, or saving and vouching that nothing in it identifies anyone.
    review = SubmitField(_l("Save and mark as reviewed"))
    draft = SubmitField(_l("Save without review"))


class ReviewForm(DetailForm):
    key = "review"
    section = "summary-section"


class NoteForm(DetailForm):
    key = "note"
    section = "notes-section"
    body = TextAreaField(_l("Internal note"), validators=[plain_text, MaxChars(MAX_NOTE_LENGTH)])


class ReplyForm(DetailForm):
    key = "reply"
    section = "replies-section"
    body = TextAreaField(
        _l("Reply to the submitter"), validators=[plain_text, MaxChars(MAX_REPLY_LENGTH)]
    )


class LinkForm(DetailForm):
    key = "link"
    section = "cluster-section"
    other = StringField(
        _l("Case reference of the submission to link with"),
        validators=[plain_text, MaxChars(MAX_LINE_LENGTH)],
    )


class UnlinkForm(DetailForm):
    key = "unlink"
    section = "cluster-section"


FORMS: tuple[type[DetailForm], ...] = (
    StatusForm,
    ClassifyForm,
    AssignForm,
    TagsForm,
    SummaryForm,
    ReviewForm,
    NoteForm,
    ReplyForm,
    LinkForm,
    UnlinkForm,
)


def initial_data(page: SubmissionPage) -> dict[str, dict[str, Any]]:
    """What each form shows before anyone types: the submission's current values."""
    submission = page.submission
    return {
        "classify": {
            "category": str(submission.category_id),
            "place": _id(submission.place_id),
            "commitment": _id(submission.commitment_id),
            "priority": str(submission.priority),
            "is_sensitive": submission.is_sensitive,
        },
        "assign": {"assignee": _id(submission.assignee_id)},
        "tags": {"tags": ", ".join(tag.name for tag in submission.tags)},
        "summary": {"summary": submission.public_summary or page.summary_suggestion.text},
        "reply": {"body": page.reply_template.body if page.reply_template else ""},
    }


def _id(value: int | None) -> str:
    return NONE if value is None else str(value)


def fill_choices(forms: Mapping[str, DetailForm], page: SubmissionPage) -> None:
    """The options of every select, in the current language."""
    options = page.options
    forms["move"].status.choices = [SelectChoice(NONE, _l("Choose a status"))] + [
        SelectChoice(status.value, STATUS_LABELS[status]) for status in options.transitions
    ]
    forms["classify"].category.choices = {
        label(group.label): [(str(c.id), label(c.label)) for c in group.options]
        for group in options.categories
    }
    forms["classify"].place.choices = [SelectChoice(NONE, _l("No place"))] + [
        SelectChoice(str(place.id), place.name) for place in options.places
    ]
    forms["classify"].commitment.choices = [SelectChoice(NONE, _l("No commitment"))] + [
        SelectChoice(str(c.id), label(c.text)) for c in options.commitments
    ]
    forms["classify"].priority.choices = [
        SelectChoice(str(int(p)), PRIORITY_LABELS[p]) for p in Priority
    ]
    forms["assign"].assignee.choices = [SelectChoice(NONE, _l("Nobody"))] + [
        SelectChoice(str(account.id), account.name) for account in options.moderators
    ]


def parse_id(value: str | None) -> int | None:
    """An id from a select; None for the empty choice or anything that is not a number."""
    return id_or_none((value or "").strip())
