"""The queue's forms: the filters (a GET form, kept in the URL) and the bulk actions."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup
from wtforms import (
    BooleanField,
    Field,
    Form,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError
from wtforms.widgets import Select

from dialogue.i18n import _l
from dialogue.submissions.labels import KIND_LABELS, STATUS_LABELS, SUBMITTER_LABELS
from dialogue.submissions.models import Status, SubmissionKind, SubmitterType
from dialogue.triage.queue import (
    MAX_SEARCH_CHARS,
    MINE,
    UNASSIGNED,
    ChoiceGroup,
    QueueFilter,
    QueueOptions,
    Sort,
)
from dialogue.triage.services import BulkAction, StatusChange
from dialogue.web.forms import DialogueForm, MaxChars, choice_values, parse_date, plain_text
from dialogue.web.templating import label

ANY = ""
MAX_SELECTED = 200

# What staff call each value; the submitter's case page words statuses its own way.
SORT_LABELS = {
    Sort.NEWEST: _l("Newest first"),
    Sort.OLDEST: _l("Oldest first"),
    Sort.PRIORITY: _l("Highest priority first"),
}
# Statuses a selection can be given at once; a duplicate needs its own original.
BULK_STATUSES = (
    Status.IN_REVIEW,
    Status.ACCEPTED,
    Status.FORWARDED,
    Status.REJECTED,
    Status.SPAM,
)
NOBODY = "nobody"


def _choices(labels: Mapping[Any, Any], empty: Any = None) -> list[SelectChoice]:
    first = [SelectChoice(ANY, empty)] if empty is not None else []
    return first + [SelectChoice(str(value), text) for value, text in labels.items()]


def _category_choices(groups: Iterable[ChoiceGroup], whole_groups: bool) -> list[SelectChoice]:
    choices = []
    for group in groups:
        name = label(group.label)
        if whole_groups and group.id is not None:
            choices.append(
                SelectChoice(str(group.id), _l("All in %(group)s", group=name), optgroup=name)
            )
        choices += [SelectChoice(str(c.id), label(c.label), optgroup=name) for c in group.choices]
    return choices


def _offered(form: Form, field: Field) -> None:
    if field.data and str(field.data) not in choice_values(field):
        raise ValidationError(_l("Choose a value from the list."))


def _date(form: Form, field: Field) -> None:
    if field.data and parse_date(field.data) is None:
        raise ValidationError(_l("Enter the date as year-month-day, like 2024-05-17."))


_OPTION = Markup('<option value="%s">%s</option>')
_SELECTED_OPTION = Markup('<option value="%s" selected>%s</option>')


class QuickSelect(Select):
    """WTForms' select, with options written directly: the queue renders long lists often."""

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        html = _SELECTED_OPTION if choice.selected else _OPTION
        return html % (choice.value, choice.label or choice.value)


class ListField(SelectField):
    """A select whose choices the form sets, checked against what it offered."""

    widget = QuickSelect()

    def __init__(self, label: Any, **kwargs: Any) -> None:
        super().__init__(label, validate_choice=False, validators=[_offered], **kwargs)


def _shorten(text: str, width: int = 90) -> str:
    """A long commitment as an option: its beginning, whole words only."""
    return textwrap.shorten(text, width, placeholder=" …")


def _number(value: Any) -> int | None:
    return int(value) if value and str(value).isdigit() else None


class QueueFilterForm(DialogueForm):
    """The sidebar's filters. Sent by GET, so no CSRF token: it changes nothing."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Search the text and location"),
        validators=[Optional(), plain_text, MaxChars(MAX_SEARCH_CHARS)],
    )
    status = ListField(_l("Status"))
    category = ListField(_l("Category"))
    place = ListField(_l("Place"))
    commitment = ListField(_l("Commitment"))
    kind = ListField(_l("Kind"))
    submitter = ListField(_l("Sent by"))
    received_from = StringField(_l("Received from"), validators=[_date])
    received_to = StringField(_l("Received up to and including"), validators=[_date])
    assignee = ListField(_l("Assigned to"))
    tag = ListField(_l("Tag"))
    sensitive = BooleanField(_l("Only sensitive categories"))
    contact = BooleanField(_l("Only those with contact details"))
    sort = ListField(_l("Order"))

    def __init__(self, options: QueueOptions, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status.choices = _choices(STATUS_LABELS, _l("Any status"))
        self.category.choices = [
            SelectChoice(ANY, _l("Any category")),
            *_category_choices(options.category_groups, whole_groups=True),
        ]
        self.place.choices = [SelectChoice(ANY, _l("Any place"))] + [
            SelectChoice(str(p.id), label(p.label)) for p in options.places
        ]
        self.commitment.choices = [SelectChoice(ANY, _l("Any commitment or none"))] + [
            SelectChoice(str(c.id), _shorten(label(c.label)), optgroup=label(group.label))
            for group in options.commitment_groups
            for c in group.choices
        ]
        self.kind.choices = _choices(KIND_LABELS, _l("Any kind"))
        self.submitter.choices = _choices(SUBMITTER_LABELS, _l("Anyone"))
        self.assignee.choices = [
            SelectChoice(ANY, _l("Anyone or nobody")),
            SelectChoice(MINE, _l("Me")),
            SelectChoice(UNASSIGNED, _l("Nobody")),
        ] + [SelectChoice(str(m.id), label(m.label)) for m in options.moderators]
        self.tag.choices = [SelectChoice(ANY, _l("Any tag or none"))] + [
            SelectChoice(name, name) for name in options.tags
        ]
        self.sort.choices = _choices(SORT_LABELS)

    def validate_received_to(self, field: Field) -> None:
        start, end = parse_date(self.received_from.data), parse_date(field.data)
        if start and end and end < start:
            raise ValidationError(_l("The last date must be the same as or after the first."))

    def _valid(self, field: Field) -> Any:
        """A field's value, or None when it is empty or failed validation (it is ignored)."""
        return None if field.errors or not field.data else field.data

    def to_filter(self, timezone: str) -> QueueFilter:
        """The filter of the valid fields; ``validate()`` must have been called."""
        valid = self._valid
        assignee = valid(self.assignee)
        return QueueFilter(
            status=Status(valid(self.status)) if valid(self.status) else None,
            category_id=_number(valid(self.category)),
            place_id=_number(valid(self.place)),
            commitment_id=_number(valid(self.commitment)),
            kind=SubmissionKind(valid(self.kind)) if valid(self.kind) else None,
            submitter_type=SubmitterType(valid(self.submitter)) if valid(self.submitter) else None,
            received_from=parse_date(valid(self.received_from)),
            received_to=parse_date(valid(self.received_to)),
            timezone=timezone,
            assignee=_number(assignee) or assignee,
            sensitive_only=bool(self.sensitive.data),
            with_contact_only=bool(self.contact.data),
            tag=valid(self.tag),
            search=valid(self.q) or "",
            sort=Sort(valid(self.sort) or Sort.NEWEST),
        )

    def url_args(self) -> dict[str, str]:
        """The valid, non-empty filters as URL arguments: the state a link keeps."""
        args = {}
        for field in self:
            value = self._valid(field)
            if value is None or (field.name == "sort" and value == Sort.NEWEST):
                continue
            args[field.name] = "y" if value is True else str(value)
        return args


class IdListField(Field):
    """The ids of the rows ticked in the queue (checkboxes rendered by the table)."""

    def _value(self) -> str:
        return ""

    data: list[int]

    def process_formdata(self, valuelist: list[str]) -> None:
        if len(valuelist) > MAX_SELECTED:
            self.data = []
            raise ValueError(
                _l("Choose at most %(count)d submissions at a time.", count=MAX_SELECTED)
            )
        if not all(value.isdigit() for value in valuelist):
            self.data = []
            raise ValueError(_l("Choose submissions from the list."))
        self.data = [int(value) for value in valuelist]


class BulkForm(DialogueForm):
    """One action for the ticked rows. Render with ``prefix="bulk"``: the filters own the
    plain names."""

    selected = IdListField(_l("Submissions"), default=list)
    action = RadioField(
        _l("What to do with the chosen submissions"),
        choices=[
            SelectChoice("status", _l("Set the status")),
            SelectChoice("assign", _l("Assign")),
            SelectChoice("tag", _l("Add tags")),
            SelectChoice("category", _l("Set the category")),
        ],
        validators=[InputRequired(_l("Choose what to do with the chosen submissions."))],
    )
    status = ListField(_l("New status"))
    reason = TextAreaField(
        _l("Reason (kept in the history; needed for rejecting)"),
        validators=[Optional(), plain_text, MaxChars(1000)],
    )
    forwarded_to = StringField(
        _l("Forwarded to (needed for forwarding)"),
        validators=[Optional(), plain_text, MaxChars(200)],
    )
    assignee = ListField(_l("Assign to"))
    tags = StringField(
        _l("Tags to add, separated by commas"), validators=[Optional(), plain_text, MaxChars(400)]
    )
    category = ListField(_l("New category"))
    # The queue's query string, so the answer returns to the same filtered page.
    back = HiddenField(validators=[Optional(), MaxChars(2000)])

    def __init__(self, options: QueueOptions, **kwargs: Any) -> None:
        super().__init__(prefix="bulk", **kwargs)
        self.status.choices = [SelectChoice(ANY, _l("Choose a status"))] + [
            SelectChoice(status.value, STATUS_LABELS[status]) for status in BULK_STATUSES
        ]
        self.assignee.choices = [
            SelectChoice(ANY, _l("Choose a moderator")),
            SelectChoice(NOBODY, _l("Nobody (remove the assignment)")),
        ] + [SelectChoice(str(m.id), label(m.label)) for m in options.moderators]
        self.category.choices = [
            SelectChoice(ANY, _l("Choose a category")),
            *_category_choices(options.category_groups, whole_groups=False),
        ]

    def validate_selected(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one submission."))

    def validate_status(self, field: Field) -> None:
        if self.action.data == "status" and not field.data:
            raise ValidationError(_l("Choose the new status."))

    def validate_assignee(self, field: Field) -> None:
        if self.action.data == "assign" and not field.data:
            raise ValidationError(_l("Choose who gets the submissions, or nobody."))

    def validate_tags(self, field: Field) -> None:
        if self.action.data == "tag" and not self.tag_names:
            raise ValidationError(_l("Write at least one tag."))

    def validate_category(self, field: Field) -> None:
        if self.action.data == "category" and not field.data:
            raise ValidationError(_l("Choose the new category."))

    @property
    def tag_names(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in (self.tags.data or "").split(",") if name.strip())

    def to_action(self) -> BulkAction:
        """The service's action; call after a successful ``validate()``."""
        action = self.action.data
        if action == "status":
            return BulkAction(
                status=StatusChange(
                    Status(self.status.data),
                    reason=self.reason.data or None,
                    forwarded_to=self.forwarded_to.data or None,
                )
            )
        if action == "assign":
            if self.assignee.data == NOBODY:
                return BulkAction(unassign=True)
            return BulkAction(assignee_id=int(self.assignee.data))
        if action == "tag":
            return BulkAction(add_tags=self.tag_names)
        return BulkAction(category_id=int(self.category.data))

    def field_for_error(self, name: str) -> Field:
        """A service's error at the field it is about; the action field otherwise."""
        fields = {"selection": self.selected, "duplicate_of": self.status}
        field = fields.get(name) or getattr(self, name, None)
        return field if isinstance(field, Field) else self.action
