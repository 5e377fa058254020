"""Administration forms. Text in several languages is one field per language (``*_sv``,
``*_en``); lists are one item per line. Which language a text is required in is the
municipality's choice, so the services check that, naming the field (``title_<locale>``)."""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from dialogue.accounts.models import Role
from dialogue.categories.models import Route
from dialogue.db import Localized
from dialogue.i18n import _l
from dialogue.municipalities.logo import MAX_BYTES as MAX_LOGO_BYTES
from dialogue.places.models import PlaceKind
from dialogue.submissions.labels import STATUS_LABELS
from dialogue.submissions.models import Status
from dialogue.web.forms import (
    LONG,
    SHORT,
    DateText,
    DialogueForm,
    MaxChars,
    choice_values,
    lines,
    localized,
    localized_data,
    plain_text,
)
from dialogue.web.inputs import id_or_none

NEW_GROUP = "new"
NONE = ""
BLANK_SIGNATORY_ROWS = 2


def _offered(field: Field, message: Any) -> None:
    values = field.data if isinstance(field.data, list) else [field.data]
    if any(value and str(value) not in choice_values(field) for value in values):
        raise ValidationError(message)


def _line(label: Any, *, required: Any = None, limit: int = SHORT) -> StringField:
    first = InputRequired(required) if required else Optional()
    return StringField(label, validators=[first, plain_text, MaxChars(limit)])


def _text(label: Any, *, required: Any = None, limit: int = LONG) -> TextAreaField:
    first = InputRequired(required) if required else Optional()
    return TextAreaField(label, validators=[first, plain_text, MaxChars(limit)])


def _date(label: Any, *, required: Any = None) -> StringField:
    # DateText first, so that ``field.date`` is set (None) even when Optional stops the chain.
    last = InputRequired(required) if required else Optional()
    return StringField(label, validators=[DateText(), last])


# Pledges


def _row_line(label: Any) -> StringField:
    # No Optional(): it would stop the chain before the row's own checks below.
    return StringField(label, validators=[plain_text, MaxChars(SHORT)])


class SignatoryRow(Form):
    """One signatory; a row left empty is ignored."""

    name = _row_line(_l("Name"))
    role_sv = _row_line(_l("Role in Swedish"))
    role_en = _row_line(_l("Role in English"))

    def validate_name(self, field: Field) -> None:
        if not field.data and any(localized(self, "role").values()):
            raise ValidationError(_l("Give the signatory's name."))


class PledgeForm(DialogueForm):
    title_sv = _line(_l("Title in Swedish"))
    title_en = _line(_l("Title in English"))
    focus_sv = _text(_l("Focus in Swedish"))
    focus_en = _text(_l("Focus in English"))
    goal_sv = _text(_l("Goal in Swedish"))
    goal_en = _text(_l("Goal in English"))
    valid_from = _date(_l("Valid from"), required=_l("Give the date the pledge starts."))
    valid_to = _date(_l("Valid to"), required=_l("Give the date the pledge ends."))
    signed_on = _date(_l("Signed on (optional)"))
    sources_sv = _text(_l("Sources in Swedish, one per line"), limit=5000)
    sources_en = _text(_l("Sources in English, one per line, in the same order"), limit=5000)
    signatories = FieldList(FormField(SignatoryRow))

    def validate_valid_to(self, field: Field) -> None:
        start = getattr(self.valid_from, "date", None)
        end = getattr(field, "date", None)
        if start and end and end < start:
            raise ValidationError(_l("The end date must be the same as or after the start date."))

    def validate_sources_en(self, field: Field) -> None:
        if lines(field.data) and len(lines(field.data)) != len(lines(self.sources_sv.data)):
            raise ValidationError(
                _l("Give as many sources in English as in Swedish, in the same order, or none.")
            )

    def add_blank_signatories(self) -> None:
        for _ in range(BLANK_SIGNATORY_ROWS):
            self.signatories.append_entry()

    def sources(self) -> list[Localized]:
        """One source per line, the n-th line of each language being the same source."""
        columns = {locale: lines(text) for locale, text in localized(self, "sources").items()}
        rows = zip_longest(*columns.values(), fillvalue="")
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def signatory_rows(self) -> list[tuple[str, Localized]]:
        return [(row.form.name.data or "", localized(row.form, "role")) for row in self.signatories]

    def error_items(self) -> list[tuple[str, str]]:
        """The summary links to each signatory field with a problem, not to the whole list."""
        items = []
        for field in self:
            if field.type != "FieldList":
                items += [(field.id, str(field.errors[0]))] if field.errors else []
                continue
            items += [(field.id, str(e)) for e in field.errors if isinstance(e, str)]
            items += [(sub.id, str(sub.errors[0])) for row in field for sub in row if sub.errors]
        return items

    @staticmethod
    def initial(pledge: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "valid_from": pledge.valid_from.isoformat(),
            "valid_to": pledge.valid_to.isoformat(),
            "signed_on": pledge.signed_on.isoformat() if pledge.signed_on else "",
            "signatories": [
                {"name": s.get("name", ""), **localized_data("role", s["role"])}
                for s in pledge.signatories
            ],
        }
        sources = localized_data("sources", None)
        for field in sources:
            locale = field.removeprefix("sources_")
            sources[field] = "\n".join(s[locale] for s in pledge.sources if s.get(locale))
        data.update(sources)
        for field in ("title", "focus", "goal"):
            data.update(localized_data(field, getattr(pledge, field)))
        return data


class CommitmentForm(DialogueForm):
    text_sv = _text(_l("The commitment in Swedish"))
    text_en = _text(_l("The commitment in English"))


class ProgressUpdateForm(DialogueForm):
    published_on = _date(_l("Date"), required=_l("Give the date of the update."))
    update_sv = _text(_l("What was done, in Swedish"))
    update_en = _text(_l("What was done, in English"))


class InitiativeForm(DialogueForm):
    name_sv = _line(_l("Name in Swedish"))
    name_en = _line(_l("Name in English"))
    description_sv = _text(_l("Description in Swedish (optional)"))
    description_en = _text(_l("Description in English (optional)"))
    places = SelectMultipleField(_l("Places"), coerce=str, validate_choice=False)

    def validate_places(self, field: Field) -> None:
        _offered(field, _l("Choose places from the list."))

    def set_places(self, places: list[Any]) -> None:
        self.places.choices = [SelectChoice(str(place.id), place.name) for place in places]

    def place_ids(self) -> frozenset[int]:
        places = self.places.data or []
        return frozenset(found for value in places if (found := id_or_none(value)) is not None)


# Places

KIND_CHOICES = [
    SelectChoice(PlaceKind.AREA.value, _l("An area, such as a district or a park")),
    SelectChoice(PlaceKind.STREET.value, _l("A street or a path")),
    SelectChoice(PlaceKind.POINT.value, _l("A point, such as a square, a stop or a building")),
]


class Coordinate:
    """A decimal number, with a point or a comma; ``field.number`` holds it."""

    def __call__(self, form: Form, field: Field) -> None:
        raw = (field.data or "").strip().replace(",", ".")
        field.number = None
        if not raw:
            return
        try:
            field.number = float(raw)
        except ValueError:
            raise ValidationError(_l("Give a decimal number, like 58.1712.")) from None


class PlaceForm(DialogueForm):
    name = _line(_l("Name"), required=_l("Give the place a name."))
    slug = StringField(_l("Address in links (optional)"), validators=[Optional(), MaxChars(64)])
    kind = RadioField(
        _l("Kind of place"),
        choices=KIND_CHOICES,
        validators=[InputRequired(_l("Choose the kind of place."))],
    )
    parent = SelectField(_l("Part of (optional)"), validate_choice=False)
    latitude = StringField(_l("Latitude (WGS84)"), validators=[Coordinate()])
    longitude = StringField(_l("Longitude (WGS84)"), validators=[Coordinate()])
    aliases = _text(_l("Other names, one per line (optional)"))

    def set_parents(self, places: list[Any]) -> None:
        self.parent.choices = [SelectChoice(NONE, _l("Not part of another place"))] + [
            SelectChoice(str(place.id), place.name) for place in places
        ]

    def validate_parent(self, field: Field) -> None:
        _offered(field, _l("Choose a place from the list."))

    def parent_id(self) -> int | None:
        return int(self.parent.data) if self.parent.data else None

    @staticmethod
    def initial(place: Any) -> dict[str, Any]:
        return {
            "name": place.name,
            "slug": place.slug,
            "kind": place.kind.value,
            "parent": str(place.parent_id or ""),
            "latitude": "" if place.latitude is None else str(place.latitude),
            "longitude": "" if place.longitude is None else str(place.longitude),
            "aliases": "\n".join(place.aliases),
        }


# Categories

ROUTE_CHOICES = [
    SelectChoice(NONE, _l("No usual route")),
    SelectChoice(Route.MUNICIPALITY.value, _l("The municipality")),
    SelectChoice(Route.POLICE.value, _l("The police")),
    SelectChoice(Route.PROPERTY_OWNER.value, _l("The property owner")),
]


def _route() -> RadioField:
    return RadioField(
        _l("Who usually acts on it"), choices=ROUTE_CHOICES, default=NONE, validators=[Optional()]
    )


def _sensitive() -> BooleanField:
    return BooleanField(_l("Sensitive: moderators handle it with extra care"))


class CategoryForm(DialogueForm):
    label_sv = _line(_l("Label in Swedish"))
    label_en = _line(_l("Label in English"))
    default_route = _route()
    is_sensitive = _sensitive()

    def route(self) -> Route | None:
        return Route(self.default_route.data) if self.default_route.data else None


class NewCategoryForm(DialogueForm):
    group = SelectField(
        _l("Group"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose a group, or a new group."))],
    )
    group_label_sv = _line(_l("New group's label in Swedish"))
    group_label_en = _line(_l("New group's label in English"))
    label_sv = _line(_l("Label in Swedish"))
    label_en = _line(_l("Label in English"))
    default_route = _route()
    is_sensitive = _sensitive()

    route = CategoryForm.route

    def set_groups(self, groups: list[tuple[int, str]]) -> None:
        self.group.choices = [SelectChoice(str(gid), label) for gid, label in groups] + [
            SelectChoice(NEW_GROUP, _l("A new group"))
        ]

    def validate_group(self, field: Field) -> None:
        _offered(field, _l("Choose a group from the list."))

    def group_id(self) -> int | None:
        return None if self.group.data == NEW_GROUP else int(self.group.data)


# Response templates


class ResponseTemplateForm(DialogueForm):
    title = _line(_l("Title"), required=_l("Give the template a title."))
    body = _text(_l("Text of the reply"), required=_l("Write the text of the reply."), limit=5000)
    locale = RadioField(
        _l("Language"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose the language of the reply."))],
    )
    category = SelectField(_l("For the category (optional)"), validate_choice=False)
    status = SelectField(
        _l("For the status (optional)"),
        choices=[SelectChoice(NONE, _l("Any status"))]
        + [SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()],
    )

    def set_choices(
        self, languages: list[tuple[str, str]], groups: list[tuple[str, list[tuple[int, str]]]]
    ) -> None:
        """Languages as (code, name); categories as (group label, [(id, label)])."""
        self.locale.choices = [SelectChoice(code, name) for code, name in languages]
        self.category.choices = [SelectChoice(NONE, _l("Any category"))] + [
            SelectChoice(str(category_id), label, optgroup=group)
            for group, categories in groups
            for category_id, label in categories
        ]

    def validate_locale(self, field: Field) -> None:
        _offered(field, _l("Choose the language of the reply."))

    def validate_category(self, field: Field) -> None:
        _offered(field, _l("Choose a category from the list."))

    def category_id(self) -> int | None:
        return int(self.category.data) if self.category.data else None

    def status_value(self) -> Status | None:
        return Status(self.status.data) if self.status.data else None


# Accounts

ROLE_CHOICES = [
    SelectChoice(Role.MODERATOR.value, _l("Moderator: triages the submissions")),
    SelectChoice(
        Role.ADMIN.value, _l("Administrator: also manages the pledge, places and accounts")
    ),
]


def _role() -> RadioField:
    return RadioField(
        _l("Role"), choices=ROLE_CHOICES, validators=[InputRequired(_l("Choose a role."))]
    )


def _email() -> EmailField:
    return EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Enter the e-mail address.")), plain_text, MaxChars(254)],
    )


class NewAccountForm(DialogueForm):
    name = _line(_l("Name"), required=_l("Give the person's name."))
    email = _email()
    role = _role()


class AddAccountForm(DialogueForm):
    email = _email()
    role = _role()


# Settings


class SettingsForm(DialogueForm):
    small_number_threshold = StringField(
        _l("Smallest number shown in public"),
        validators=[InputRequired(_l("Give a whole number from 1 to 50."))],
    )
    submit_rate_limit = StringField(
        _l("Limit on sending the form (optional)"), validators=[Optional(), MaxChars(100)]
    )
    require_totp = BooleanField(_l("Require two-factor sign-in for everyone with a role here"))
    accent_color = StringField(_l("Accent colour (optional)"), validators=[Optional(), MaxChars(7)])
    contact_email = EmailField(
        _l("Contact e-mail address (optional)"),
        validators=[Optional(), plain_text, MaxChars(254)],
    )

    def validate_small_number_threshold(self, field: Field) -> None:
        if not (field.data or "").strip().isdigit():
            raise ValidationError(_l("Give a whole number from 1 to 50."))

    def threshold(self) -> int:
        return int(self.small_number_threshold.data.strip())

    @staticmethod
    def initial(municipality: Any) -> dict[str, Any]:
        return {
            "small_number_threshold": str(municipality.small_number_threshold),
            "submit_rate_limit": municipality.submit_rate_limit or "",
            "require_totp": municipality.require_totp,
            "accent_color": municipality.accent_color or "",
            "contact_email": municipality.contact_email or "",
        }


class LogoForm(DialogueForm):
    logo = FileField(
        _l("Logo"), validators=[FileRequired(_l("Choose an SVG or PNG file for the logo."))]
    )

    def content(self) -> bytes:
        """The uploaded file's bytes, at most one byte more than a logo may have."""
        data: bytes = self.logo.data.read(MAX_LOGO_BYTES + 1)
        return data


class RemoveLogoForm(DialogueForm):
    """A button that only carries the CSRF token."""
