"""Importing organisations from a CSV file, in two steps so that nothing is half-saved.

1. :func:`preview_import` reads the file and says, row by row, what would happen: a new
   organisation, an update of one already in the register (matched by organisation number),
   no change, or a rejected row and why. Nothing is stored.
2. :func:`import_organisations` gets the same file back (sealed by :func:`seal`, so it cannot
   be changed on the way) and the preview's fingerprint. It previews again; if anything
   differs (the register or the places changed meanwhile), nothing is imported and the new
   preview is shown. Otherwise exactly the previewed valid rows are stored, in one
   transaction; rejected rows are left out and stay listed in the report.

The file: UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), separated by ``;``
(what Excel writes in Sweden), ``,`` or tabs, as the first row shows. The first row names the
columns, in Swedish or English: namn/name, typ/type, organisationsnummer/org_number (these
three are required), kontaktperson/contact_name, epost/email, platser/places. A column left
out keeps what the register has for organisations already in it; a column given but left empty
in a row clears that value. Places are names or addresses (slugs) of the municipality's
places, separated by ``|``, or by ``,`` when no ``|`` is used.

A wrong file (not text, not UTF-8, wrong columns, empty, too large, too many rows) is refused
as a whole with one message: ``InvalidInputError({"file": message})``.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from collections import defaultdict
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope, require_moderator
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.organisations.services import Message, audit_values, check_values
from dialogue.places.models import Place
from dialogue.records import assign

MAX_FILE_BYTES = 1_000_000
MAX_ROWS = 5000
TOKEN_SALT = "dialogue.organisations.import"  # noqa: S105 (a signing namespace, not a secret)
TOKEN_MAX_AGE = 3600  # seconds between the preview and the confirmation
SEPARATORS = (";", ",", "\t")
FILE = "file"


class Column(StrEnum):
    NAME = "name"
    TYPE = "type"
    ORG_NUMBER = "org_number"
    CONTACT_NAME = "contact_name"
    CONTACT_EMAIL = "contact_email"
    PLACES = "places"


REQUIRED = (Column.NAME, Column.TYPE, Column.ORG_NUMBER)
OPTIONAL = (Column.CONTACT_NAME, Column.CONTACT_EMAIL, Column.PLACES)

# The header row of the downloadable template, and its file name, in the languages that have
# one; any other language gets the default locale's, else the first of these.
TEMPLATE_HEADERS = {
    "sv": ("namn", "typ", "organisationsnummer", "kontaktperson", "epost", "platser"),
    "en": ("name", "type", "org_number", "contact_name", "email", "places"),
}
TEMPLATE_FILENAMES = {"sv": "organisationer.csv", "en": "organisations.csv"}

COLUMN_LABELS = {
    Column.NAME: _l("Name"),
    Column.TYPE: _l("Type"),
    Column.ORG_NUMBER: _l("Organisation number"),
    Column.CONTACT_NAME: _l("Contact person"),
    Column.CONTACT_EMAIL: _l("E-mail address"),
    Column.PLACES: _l("Places"),
}


def _key(text: str) -> str:
    """A header or type name compared loosely: lower case, letters and digits only."""
    return "".join(char for char in text.casefold() if char.isalnum())


_HEADER_NAMES: dict[Column, tuple[str, ...]] = {
    Column.NAME: ("namn", "name", "organisationsnamn", "organisationname", "organizationname"),
    Column.TYPE: ("typ", "type", "organisationstyp", "organisationtype", "organizationtype"),
    Column.ORG_NUMBER: (
        "organisationsnummer",
        "orgnr",
        "orgnummer",
        "organisationsnr",
        "orgnumber",
        "orgno",
        "organisationnumber",
        "organizationnumber",
    ),
    Column.CONTACT_NAME: (
        "kontaktperson",
        "kontakt",
        "kontaktnamn",
        "contactname",
        "contactperson",
        "contact",
    ),
    Column.CONTACT_EMAIL: (
        "epost",
        "epostadress",
        "mejl",
        "mail",
        "email",
        "emailaddress",
        "contactemail",
        "kontaktepost",
    ),
    Column.PLACES: ("platser", "plats", "places", "place"),
}
HEADERS = {_key(name): column for column, names in _HEADER_NAMES.items() for name in names}

_TYPE_NAMES: dict[OrganisationType, tuple[str, ...]] = {
    OrganisationType.BUSINESS: ("företag", "foretag", "business", "company"),
    OrganisationType.ASSOCIATION: ("förening", "forening", "association", "ideell förening"),
    OrganisationType.HOUSING_COMPANY: (
        "bostadsbolag",
        "bostadsföretag",
        "fastighetsbolag",
        "fastighetsägare",
        "bostadsrättsförening",
        "housing company",
        "housing_company",
    ),
    OrganisationType.OTHER: ("annat", "annan", "övrigt", "ovrigt", "other"),
}
TYPES = {_key(name): kind for kind, names in _TYPE_NAMES.items() for name in names}


class RowAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclasses.dataclass(frozen=True)
class Problem:
    column: Column | None
    message: Message


@dataclasses.dataclass(frozen=True)
class ValidRow:
    """A row that can be imported, and what importing it does."""

    row: int  # as a spreadsheet numbers it: the header is row 1
    action: RowAction
    values: dict[str, Any]  # the columns to set (absent columns are left out)
    place_ids: tuple[int, ...] | None  # None: the file has no places column
    place_names: tuple[str, ...]
    organisation_id: int | None  # the organisation updated, if any
    existing_name: str | None

    def plan(self) -> list[Any]:
        values = {key: str(value) for key, value in sorted(self.values.items())}
        places = list(self.place_ids) if self.place_ids is not None else None
        return [self.row, self.action.value, self.organisation_id, values, places]


@dataclasses.dataclass(frozen=True)
class RejectedRow:
    row: int
    name: str  # as written in the file, so the reader recognises the row
    org_number: str
    problems: tuple[Problem, ...]


@dataclasses.dataclass(frozen=True)
class ImportPreview:
    columns: tuple[Column, ...]
    separator: str
    valid: tuple[ValidRow, ...]
    rejected: tuple[RejectedRow, ...]

    def count(self, action: RowAction) -> int:
        return sum(1 for row in self.valid if row.action == action)

    @property
    def to_store(self) -> int:
        """Rows that create or change an organisation."""
        return sum(1 for row in self.valid if row.action != RowAction.UNCHANGED)

    @property
    def fingerprint(self) -> str:
        """A digest of exactly what confirming would do."""
        plan = [row.plan() for row in self.valid]
        data = json.dumps(plan, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(data.encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    rejected: int


class PreviewOutdatedError(InvalidInputError):
    """The register changed between the preview and the confirmation: nothing was imported."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__(
            {
                FILE: _l(
                    "The register or its places changed after the preview, so nothing was "
                    "imported. Check the new preview below and confirm again."
                )
            }
        )
        self.preview = preview


# Reading the file


def _refuse(message: Message) -> InvalidInputError:
    return InvalidInputError({FILE: message})


def _expected_columns() -> str:
    return " / ".join("; ".join(headers) for headers in TEMPLATE_HEADERS.values())


def decode(content: bytes) -> str:
    """The file as text; InvalidInputError if it is empty, too large, binary or not UTF-8."""
    if len(content) > MAX_FILE_BYTES:
        raise _refuse(
            _l(
                "The file is larger than %(limit)d kB. Split it into several files and "
                "import them one at a time.",
                limit=MAX_FILE_BYTES // 1000,
            )
        )
    if not content.strip():
        raise _refuse(_l("The file is empty. Choose a CSV file with a row per organisation."))
    if content.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise _refuse(
            _l(
                "This is an Excel workbook, not a CSV file. In Excel, choose Save as and the "
                "file format CSV UTF-8, then import that file."
            )
        )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(_not_utf8(1))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse(_not_utf8(content[: error.start].count(b"\n") + 1)) from error
    if "\x00" in text:
        raise _refuse(_not_csv())
    return text


def _not_utf8(row: int) -> Message:
    return _l(
        "The file is not saved as UTF-8 text: row %(row)d has characters that cannot be read. "
        "In Excel, choose Save as and the file format CSV UTF-8; in other programs, choose "
        "the character encoding UTF-8.",
        row=row,
    )


def _not_csv() -> Message:
    return _l(
        "This does not look like a CSV file. Save the list as CSV UTF-8 from your "
        "spreadsheet program, or start from the template."
    )


def sniff_separator(header: str) -> str:
    """The separator the header row uses most: ``;``, ``,`` or a tab."""
    counts = {separator: header.count(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda separator: counts[separator])
    return best if counts[best] else ";"


def read_rows(text: str) -> tuple[str, list[tuple[int, list[str]]]]:
    """The separator and the records as (row number, cells); blank rows are left out."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    separator = sniff_separator(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
            if len(rows) > MAX_ROWS + 1:
                raise _refuse(
                    _l(
                        "The file has more than %(limit)d organisations. Split it into "
                        "several files and import them one at a time.",
                        limit=MAX_ROWS,
                    )
                )
    except csv.Error as error:
        raise _refuse(_not_csv()) from error
    return separator, rows


def map_columns(header: list[str]) -> dict[Column, int]:
    """Which cell holds which column; InvalidInputError naming what is wrong with the header."""
    found: dict[Column, int] = {}
    unknown: list[str] = []
    for index, raw in enumerate(header):
        name = raw.strip()
        if not name:
            continue  # an empty header cell: Excel's trailing separators
        column = HEADERS.get(_key(name))
        if column is None:
            unknown.append(name)
        elif column in found:
            raise _refuse(
                _l(
                    "The column %(column)s appears more than once in the first row. "
                    "Keep one of them.",
                    column=name,
                )
            )
        else:
            found[column] = index
    if unknown:
        raise _refuse(
            _l(
                "The first row has columns the import does not know: %(columns)s. The first row "
                "must name the columns, like the template: %(expected)s.",
                columns=", ".join(unknown[:10]),
                expected=_expected_columns(),
            )
        )
    missing = [str(COLUMN_LABELS[column]) for column in REQUIRED if column not in found]
    if missing:
        raise _refuse(
            _l(
                "The file has no column for %(columns)s. The first row must name the columns, "
                "like the template: %(expected)s.",
                columns=", ".join(missing),
                expected=_expected_columns(),
            )
        )
    return found


# Checking the rows


@dataclasses.dataclass
class _PlaceIndex:
    by_slug: dict[str, int]
    by_name: dict[str, list[int]]

    @classmethod
    def load(cls, session: DbSession, municipality_id: int) -> _PlaceIndex:
        by_slug: dict[str, int] = {}
        by_name: dict[str, list[int]] = defaultdict(list)
        rows = session.execute(
            select(Place.id, Place.slug, Place.name).where(Place.municipality_id == municipality_id)
        )
        for place_id, slug, name in rows:
            by_slug[slug.casefold()] = place_id
            by_name[" ".join(name.casefold().split())].append(place_id)
        return cls(by_slug, dict(by_name))

    def resolve(self, value: str) -> tuple[tuple[int, ...], tuple[str, ...], list[Problem]]:
        separator = "|" if "|" in value else ","
        names = [" ".join(part.split()) for part in value.split(separator)]
        names = [name for name in names if name]
        ids: list[int] = []
        unknown: list[str] = []
        problems: list[Problem] = []
        for name in names:
            wanted = name.casefold()
            if wanted in self.by_slug:
                ids.append(self.by_slug[wanted])
            elif len(self.by_name.get(wanted, [])) == 1:
                ids.append(self.by_name[wanted][0])
            elif wanted in self.by_name:
                problems.append(
                    Problem(
                        Column.PLACES,
                        _l(
                            "Several places are called %(name)s. Use the place's address "
                            "instead, as shown in the list of places.",
                            name=name,
                        ),
                    )
                )
            else:
                unknown.append(name)
        if unknown:
            problems.append(
                Problem(
                    Column.PLACES,
                    _l(
                        "There is no place called %(names)s. Use the names or addresses in "
                        "the list of places, separated by |.",
                        names=", ".join(unknown),
                    ),
                )
            )
        return tuple(dict.fromkeys(ids)), tuple(names), problems


def _cell(cells: list[str], columns: dict[Column, int], column: Column) -> str:
    index = columns.get(column)
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _type_problem(value: str) -> Message:
    if not value.strip():
        return _l(
            "Give the type: företag, förening, bostadsbolag or annat "
            "(or business, association, housing company, other)."
        )
    return _l(
        "The type %(value)s is unknown. Use företag, förening, bostadsbolag or annat "
        "(or business, association, housing company, other).",
        value=value.strip(),
    )


def _check_row(
    cells: list[str], columns: dict[Column, int], width: int, places: _PlaceIndex
) -> tuple[dict[str, Any], tuple[int, ...] | None, tuple[str, ...], list[Problem]]:
    problems: list[Problem] = []
    if any(cell.strip() for cell in cells[width:]):
        problems.append(
            Problem(
                None,
                _l(
                    "The row has more values than the first row has columns. A value that "
                    "contains the separator must be in double quotes."
                ),
            )
        )
    raw_type = _cell(cells, columns, Column.TYPE)
    kind = TYPES.get(_key(raw_type))
    values, errors = check_values(
        name=_cell(cells, columns, Column.NAME),
        type=kind,
        org_number=_cell(cells, columns, Column.ORG_NUMBER),
        contact_name=_cell(cells, columns, Column.CONTACT_NAME),
        contact_email=_cell(cells, columns, Column.CONTACT_EMAIL),
    )
    if kind is None:
        errors["type"] = _type_problem(raw_type)
    for field, message in errors.items():
        problems.append(Problem(Column(field), message))
    for optional in (Column.CONTACT_NAME, Column.CONTACT_EMAIL):
        if optional not in columns:
            values.pop(optional.value)
    place_ids: tuple[int, ...] | None = None
    place_names: tuple[str, ...] = ()
    if Column.PLACES in columns:
        place_ids, place_names, place_problems = places.resolve(
            _cell(cells, columns, Column.PLACES)
        )
        problems += place_problems
    return values, place_ids, place_names, problems


def preview_import(
    session: DbSession, municipality_id: int, content: bytes, *, scope: Scope
) -> ImportPreview:
    """What importing ``content`` would do, row by row; nothing is stored."""
    require_moderator(scope, municipality_id)
    separator, records = read_rows(decode(content))
    if not records:
        raise _refuse(_l("The file is empty. Choose a CSV file with a row per organisation."))
    (_, header), body = records[0], records[1:]
    columns = map_columns(header)
    width = max(columns.values()) + 1 if columns else 0
    width = max(width, len(header))
    if not body:
        raise _refuse(
            _l("The file has the column names but no organisations. Add a row per organisation.")
        )
    if len(body) > MAX_ROWS:
        raise _refuse(
            _l(
                "The file has more than %(limit)d organisations. Split it into several files "
                "and import them one at a time.",
                limit=MAX_ROWS,
            )
        )
    places = _PlaceIndex.load(session, municipality_id)
    checked = []
    rows_by_number: dict[str, list[int]] = defaultdict(list)
    for number, cells in body:
        values, place_ids, place_names, problems = _check_row(cells, columns, width, places)
        if values["org_number"]:
            rows_by_number[values["org_number"]].append(number)
        checked.append((number, cells, values, place_ids, place_names, problems))
    existing = _existing(session, municipality_id, set(rows_by_number))
    valid: list[ValidRow] = []
    rejected: list[RejectedRow] = []
    for number, cells, values, place_ids, place_names, problems in checked:
        others = [n for n in rows_by_number.get(values["org_number"], []) if n != number]
        if others:
            problems.append(
                Problem(
                    Column.ORG_NUMBER,
                    _l(
                        "The organisation number %(number)s is also on row %(rows)s. Keep one "
                        "row per organisation; none of these rows is imported.",
                        number=values["org_number"],
                        rows=", ".join(str(n) for n in others),
                    ),
                )
            )
        if problems:
            rejected.append(
                RejectedRow(
                    number,
                    " ".join(_cell(cells, columns, Column.NAME).split())[:200],
                    _cell(cells, columns, Column.ORG_NUMBER).strip()[:40],
                    tuple(problems),
                )
            )
            continue
        valid.append(_plan(number, values, place_ids, place_names, existing))
    return ImportPreview(tuple(columns), separator, tuple(valid), tuple(rejected))


def _existing(session: DbSession, municipality_id: int, numbers: set[str]) -> dict[str, Any]:
    found: dict[str, Organisation] = {}
    ordered = sorted(numbers)
    # In slices, so that a large file stays within every database's parameter limit.
    for start in range(0, len(ordered), 500):
        for organisation in session.scalars(
            select(Organisation)
            .where(
                Organisation.municipality_id == municipality_id,
                Organisation.org_number.in_(ordered[start : start + 500]),
            )
            .options(selectinload(Organisation.places))
        ):
            found[organisation.org_number] = organisation
    return found


def _plan(
    number: int,
    values: dict[str, Any],
    place_ids: tuple[int, ...] | None,
    place_names: tuple[str, ...],
    existing: dict[str, Organisation],
) -> ValidRow:
    organisation = existing.get(values["org_number"])
    if organisation is None:
        return ValidRow(number, RowAction.CREATE, values, place_ids, place_names, None, None)
    current = {key: getattr(organisation, key) for key in values}
    same = current == values
    if place_ids is not None:
        same = same and {p.id for p in organisation.places} == set(place_ids)
    action = RowAction.UNCHANGED if same else RowAction.UPDATE
    return ValidRow(
        number, action, values, place_ids, place_names, organisation.id, organisation.name
    )


# Importing


def import_organisations(
    session: DbSession,
    municipality_id: int,
    content: bytes,
    fingerprint: str,
    *,
    actor: Account,
    scope: Scope,
) -> ImportResult:
    """Store exactly the valid rows of the confirmed preview, in one transaction.

    PreviewOutdatedError (with the new preview) if the file would now do anything else.
    """
    preview = preview_import(session, municipality_id, content, scope=scope)
    if preview.fingerprint != fingerprint:
        raise PreviewOutdatedError(preview)
    if not preview.valid:
        raise _refuse(_l("No row of the file can be imported. Correct the file and try again."))
    place_ids = {i for row in preview.valid for i in row.place_ids or ()}
    places = (
        {
            place.id: place
            for place in session.scalars(
                select(Place).where(
                    Place.municipality_id == municipality_id, Place.id.in_(place_ids)
                )
            )
        }
        if place_ids
        else {}
    )
    targets = {
        organisation.id: organisation
        for organisation in _existing(
            session, municipality_id, {row.values["org_number"] for row in preview.valid}
        ).values()
    }
    created: list[Organisation] = []
    updated: list[tuple[Organisation, dict[str, list[Any]]]] = []
    for row in preview.valid:
        chosen = [places[i] for i in row.place_ids] if row.place_ids is not None else None
        if row.action == RowAction.CREATE:
            fields = {"contact_name": None, "contact_email": None, **row.values}
            organisation = Organisation(
                municipality_id=municipality_id, places=chosen or [], **fields
            )
            session.add(organisation)
            created.append(organisation)
        elif row.action == RowAction.UPDATE and row.organisation_id is not None:
            organisation = targets[row.organisation_id]
            wanted = dict(row.values)
            if chosen is not None:
                wanted["places"] = chosen
            updated.append((organisation, assign(organisation, wanted, audit_values)))
    session.flush()
    for organisation in created:
        values = audit_values(organisation)
        record(
            session,
            actor.id,
            "organisation.created",
            Target.of("organisation", organisation),
            via="import",
            values=values,
        )
    for organisation, changed in updated:
        record(
            session,
            actor.id,
            "organisation.updated",
            Target.of("organisation", organisation),
            via="import",
            changes=changed,
        )
    result = ImportResult(
        created=len(created),
        updated=len(updated),
        unchanged=preview.count(RowAction.UNCHANGED),
        rejected=len(preview.rejected),
    )
    record(
        session,
        actor.id,
        "organisations.imported",
        Target("organisation", None, municipality_id),
        **dataclasses.asdict(result),
        rejected_rows=[row.row for row in preview.rejected],
    )
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise _refuse(
            _l(
                "Someone changed the register while the file was being imported, so nothing "
                "was imported. Upload the file again."
            )
        ) from error
    return result


# Carrying the file from the preview to the confirmation


def seal(
    content: bytes, fingerprint: str, *, secret: str | bytes, municipality_id: int, account_id: int
) -> str:
    """The checked file and its preview's fingerprint, signed for a hidden form field."""
    serializer = URLSafeTimedSerializer(secret, salt=TOKEN_SALT)
    text = content.decode("utf-8-sig")
    payload = {"m": municipality_id, "a": account_id, "f": fingerprint, "t": text}
    return str(serializer.dumps(payload))


def unseal(
    token: str,
    *,
    secret: str | bytes,
    municipality_id: int,
    account_id: int,
    max_age: int = TOKEN_MAX_AGE,
) -> tuple[bytes, str]:
    """The file and fingerprint :func:`seal` signed; InvalidInputError if forged or stale."""
    serializer = URLSafeTimedSerializer(secret, salt=TOKEN_SALT)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise _refuse(
            _l("The preview is more than an hour old. Upload the file again to see a new one.")
        ) from error
    except BadSignature as error:
        raise _refuse(_bad_confirmation()) from error
    if (
        not isinstance(payload, dict)
        or payload.get("m") != municipality_id
        or payload.get("a") != account_id
        or not isinstance(payload.get("t"), str)
        or not isinstance(payload.get("f"), str)
    ):
        raise _refuse(_bad_confirmation())
    return payload["t"].encode(), payload["f"]


def _bad_confirmation() -> Message:
    return _l("The confirmation could not be read. Upload the file again to see a new preview.")


def template_locale(locale: str, default_locale: str) -> str:
    """The language of the template for a visitor in ``locale``: theirs if there is a template
    in it, else the default locale's, else the first there is."""
    for candidate in (locale, locale.split("_", maxsplit=1)[0], default_locale):
        if candidate in TEMPLATE_HEADERS:
            return candidate
    return next(iter(TEMPLATE_HEADERS))


def template_csv(locale: str) -> str:
    """An empty import file: the header row in ``locale`` (see :func:`template_locale`), with
    a byte-order mark so that Excel opens it as UTF-8."""
    headers = TEMPLATE_HEADERS[template_locale(locale, locale)]
    return "\ufeff" + ";".join(headers) + "\r\n"
