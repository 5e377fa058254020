from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialogue.audit.models import AuditEvent
from dialogue.errors import InvalidInputError, PermissionDeniedError
from dialogue.models import Municipality, Organisation, OrganisationType, Place
from dialogue.organisations import importer
from dialogue.organisations.importer import Column, RowAction
from tests.factories import MunicipalityFactory, OrganisationFactory, PlaceFactory
from tests.organisations.helpers import place_id

SECRET = "a-secret-for-sealing"
HEADER_SV = "namn;typ;organisationsnummer;kontaktperson;epost;platser"


def csv_bytes(*lines: str, bom: bool = True, encoding: str = "utf-8") -> bytes:
    data = "\r\n".join(lines).encode(encoding) + b"\r\n"
    return (b"\xef\xbb\xbf" + data) if bom else data


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Organisation)) or 0


def preview(session: Session, demo: Municipality, content: bytes, acting: dict[str, Any]) -> Any:
    return importer.preview_import(session, demo.id, content, scope=acting["scope"])


def refusal(session: Session, demo: Municipality, content: bytes, acting: dict[str, Any]) -> str:
    with pytest.raises(InvalidInputError) as caught:
        preview(session, demo, content, acting)
    assert list(caught.value.errors) == ["file"]
    return str(caught.value.errors["file"])


def test_a_good_excel_file_with_bom_and_semicolons_is_previewed_then_imported(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    content = csv_bytes(
        HEADER_SV,
        "Kiosken vid torget AB;Företag;556036-0793;Kim Ek;kim@kiosken.example;Stora torget|ranten",
        'Falköpings IF;förening;8020000009;;;"Mösseberg"',
        "",
        "Bostäder i Falköping AB;Bostadsbolag;16 556036-0793X;;;",
    )
    result = preview(db_session, demo, content, as_moderator)
    assert result.separator == ";"
    assert [row.row for row in result.valid] == [2, 3]
    assert [row.action for row in result.valid] == [RowAction.CREATE, RowAction.CREATE]
    assert result.valid[0].values["type"] == OrganisationType.BUSINESS
    assert result.valid[0].place_ids == (
        place_id(db_session, demo, "stora-torget"),
        place_id(db_session, demo, "ranten"),
    )
    assert [row.row for row in result.rejected] == [5]
    assert result.rejected[0].problems[0].column == Column.ORG_NUMBER
    assert count(db_session) == 0  # a preview stores nothing

    imported = importer.import_organisations(
        db_session, demo.id, content, result.fingerprint, **as_moderator
    )
    assert (imported.created, imported.updated, imported.rejected) == (2, 0, 1)
    kiosk = db_session.scalars(select(Organisation).filter_by(org_number="556036-0793")).one()
    assert kiosk.name == "Kiosken vid torget AB"
    assert kiosk.contact_email == "kim@kiosken.example"
    assert sorted(p.slug for p in kiosk.places) == ["ranten", "stora-torget"]
    club = db_session.scalars(select(Organisation).filter_by(org_number="802000-0009")).one()
    assert club.type == OrganisationType.ASSOCIATION
    assert club.contact_name is None
    assert [p.slug for p in club.places] == ["mosseberg"]
    events = list(
        db_session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "organisation")
            .order_by(AuditEvent.id)
        )
    )
    assert events == ["organisation.created", "organisation.created", "organisations.imported"]


def test_english_headers_with_commas_and_places_in_one_quoted_field(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    content = csv_bytes(
        "Name,Type,Org number,Contact person,E-mail,Places",
        'The Bakery,housing company,5560360793,,,"Ranten, Stora torget"',
        bom=False,
    )
    result = preview(db_session, demo, content, as_moderator)
    assert result.separator == ","
    assert not result.rejected
    assert result.valid[0].values["type"] == OrganisationType.HOUSING_COMPANY
    assert result.valid[0].place_names == ("Ranten", "Stora torget")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("namn;typ;kontaktperson", "no column for Organisation number"),
        ("namn;typ;organisationsnummer;telefon", "columns the import does not know: telefon"),
        ("namn;typ;organisationsnummer;namn", "appears more than once"),
        ("Kiosken AB;Företag;556036-0793", "columns the import does not know"),
    ],
)
def test_wrong_columns_refuse_the_whole_file(
    db_session: Session,
    demo: Municipality,
    as_moderator: dict[str, Any],
    header: str,
    expected: str,
) -> None:
    content = csv_bytes(header, "Kiosken AB;Företag;556036-0793;x")
    assert expected in refusal(db_session, demo, content, as_moderator)


def test_latin_1_bytes_are_refused_with_the_row_and_excels_utf8_option(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    content = csv_bytes(
        "namn;typ;organisationsnummer",
        "Kiosken AB;Företag;556036-0793",
        bom=False,
        encoding="latin-1",
    )
    message = refusal(db_session, demo, content, as_moderator)
    assert "UTF-8" in message
    assert "row 2" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty"),
        (b"\xef\xbb\xbf\r\n\r\n", "The file is empty"),
        (csv_bytes(HEADER_SV), "no organisations"),
        (b"PK\x03\x04rest of a workbook", "Excel workbook"),
        (b"\xff\xfen\x00a\x00", "UTF-8"),
        (b"namn;typ\x00;organisationsnummer\n", "does not look like a CSV file"),
        (b"x" * (importer.MAX_FILE_BYTES + 1), "larger than"),
    ],
)
def test_files_that_are_not_usable_are_refused_with_one_message(
    db_session: Session,
    demo: Municipality,
    as_moderator: dict[str, Any],
    content: bytes,
    expected: str,
) -> None:
    assert expected in refusal(db_session, demo, content, as_moderator)


def test_too_many_rows_are_refused(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    rows = [f"Förening {n};förening;802000-0009" for n in range(importer.MAX_ROWS + 1)]
    content = csv_bytes("namn;typ;organisationsnummer", *rows)
    assert "more than 5000" in refusal(db_session, demo, content, as_moderator)


def test_rows_with_problems_are_listed_with_reasons(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    PlaceFactory(municipality_id=MunicipalityFactory().id, name="Elsewhere", slug="elsewhere")
    content = csv_bytes(
        HEADER_SV,
        "Rätt AB;företag;556036-0793;;;",
        "Fel siffra AB;företag;556036-0794;;;",
        "Okänd typ;stiftelse;802000-0009;;;",
        "Okänd plats;annat;212000-0142;;;Ranten|Elsewhere",
        ";företag;;;inte en adress;",
        "För många;företag;556000-0000;;;;extra",
    )
    result = preview(db_session, demo, content, as_moderator)
    assert [row.row for row in result.valid] == [2]
    reasons = {
        row.row: {(p.column, str(p.message)) for p in row.problems} for row in result.rejected
    }
    assert any("last digit" in m for c, m in reasons[3] if c == Column.ORG_NUMBER)
    assert any("stiftelse" in m for c, m in reasons[4] if c == Column.TYPE)
    assert any("Elsewhere" in m for c, m in reasons[5] if c == Column.PLACES)
    assert {c for c, _ in reasons[6]} >= {Column.NAME, Column.ORG_NUMBER, Column.CONTACT_EMAIL}
    assert any(c is None and "more values" in m for c, m in reasons[7])


def test_duplicates_within_the_file_reject_every_copy(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    content = csv_bytes(
        "namn;typ;organisationsnummer",
        "Första;företag;556036-0793",
        "Annan;förening;802000-0009",
        "Andra;företag;5560360793",
    )
    result = preview(db_session, demo, content, as_moderator)
    assert [row.row for row in result.valid] == [3]
    messages = {row.row: str(row.problems[0].message) for row in result.rejected}
    assert "also on row 4" in messages[2]
    assert "also on row 2" in messages[4]


def test_numbers_in_the_register_update_it_and_absent_columns_are_kept(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    ranten = place_id(db_session, demo, "ranten")
    existing = OrganisationFactory(
        municipality_id=demo.id,
        name="Gamla namnet",
        org_number="556036-0793",
        contact_name="Kim Kontakt",
        type=OrganisationType.BUSINESS,
    )
    existing.places = [db_session.get_one(Place, ranten)]
    same = OrganisationFactory(
        municipality_id=demo.id, name="Samma", org_number="802000-0009", contact_name="Kim"
    )
    db_session.commit()
    content = csv_bytes(
        "namn;typ;organisationsnummer",
        "Nya namnet;företag;556036-0793",
        f"Samma;{same.type.value};802000-0009",
    )
    result = preview(db_session, demo, content, as_moderator)
    assert [row.action for row in result.valid] == [RowAction.UPDATE, RowAction.UNCHANGED]
    assert result.valid[0].existing_name == "Gamla namnet"
    imported = importer.import_organisations(
        db_session, demo.id, content, result.fingerprint, **as_moderator
    )
    assert (imported.created, imported.updated, imported.unchanged) == (0, 1, 1)
    db_session.refresh(existing)
    assert existing.name == "Nya namnet"
    assert existing.contact_name == "Kim Kontakt"  # no contact column: kept
    assert [p.id for p in existing.places] == [ranten]  # no places column: kept
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organisation.updated")
    ).one()
    assert event.details["changes"] == {"name": ["Gamla namnet", "Nya namnet"]}
    assert event.details["via"] == "import"


def test_an_empty_cell_in_a_given_column_clears_the_value(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    existing = OrganisationFactory(municipality_id=demo.id, org_number="556036-0793")
    content = csv_bytes(HEADER_SV, f"{existing.name};förening;556036-0793;;;")
    result = preview(db_session, demo, content, as_moderator)
    importer.import_organisations(db_session, demo.id, content, result.fingerprint, **as_moderator)
    db_session.refresh(existing)
    assert existing.contact_name is None
    assert existing.contact_email is None


def test_a_register_changed_after_the_preview_imports_nothing(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    content = csv_bytes(
        "namn;typ;organisationsnummer",
        "Första;företag;556036-0793",
        "Andra;förening;802000-0009",
    )
    result = preview(db_session, demo, content, as_moderator)
    OrganisationFactory(municipality_id=demo.id, org_number="802000-0009")
    with pytest.raises(importer.PreviewOutdatedError) as caught:
        importer.import_organisations(
            db_session, demo.id, content, result.fingerprint, **as_moderator
        )
    assert [row.action for row in caught.value.preview.valid] == [
        RowAction.CREATE,
        RowAction.UPDATE,
    ]
    assert count(db_session) == 1


def test_a_tampered_fingerprint_imports_nothing(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    content = csv_bytes("namn;typ;organisationsnummer", "Första;företag;556036-0793")
    with pytest.raises(importer.PreviewOutdatedError):
        importer.import_organisations(db_session, demo.id, content, "0" * 64, **as_moderator)
    assert count(db_session) == 0


def test_analysts_cannot_import(
    db_session: Session, demo: Municipality, as_analyst: dict[str, Any]
) -> None:
    content = csv_bytes("namn;typ;organisationsnummer", "Första;företag;556036-0793")
    with pytest.raises(PermissionDeniedError):
        importer.preview_import(db_session, demo.id, content, scope=as_analyst["scope"])


def test_seal_round_trips_and_refuses_forgery() -> None:
    content = csv_bytes("namn;typ;organisationsnummer", "Första;företag;556036-0793")
    token = importer.seal(content, "f" * 64, secret=SECRET, municipality_id=1, account_id=2)
    text, fingerprint = importer.unseal(token, secret=SECRET, municipality_id=1, account_id=2)
    assert text == content.removeprefix(b"\xef\xbb\xbf")
    assert fingerprint == "f" * 64
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad, municipality_id, account_id, secret in [
        (forged, 1, 2, SECRET),
        (token, 9, 2, SECRET),  # another municipality
        (token, 1, 9, SECRET),  # another account
        (token, 1, 2, "another secret"),
        ("", 1, 2, SECRET),
    ]:
        with pytest.raises(InvalidInputError) as caught:
            importer.unseal(
                bad, secret=secret, municipality_id=municipality_id, account_id=account_id
            )
        assert "could not be read" in str(caught.value.errors["file"])


def test_an_old_preview_cannot_be_confirmed() -> None:
    token = importer.seal(b"namn", "f", secret=SECRET, municipality_id=1, account_id=2)
    with pytest.raises(InvalidInputError) as caught:
        importer.unseal(token, secret=SECRET, municipality_id=1, account_id=2, max_age=-1)
    assert "more than an hour old" in str(caught.value.errors["file"])


def test_the_template_has_the_header_row_in_each_language() -> None:
    assert importer.template_csv("sv") == "\ufeff" + HEADER_SV + "\r\n"
    assert importer.template_csv("en").startswith("\ufeffname;type;org_number;")
