"""The report's files read back as a spreadsheet user or a program would read them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pyproj
import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from dialogue.lagesbild import exports
from dialogue.lagesbild.data import Period, Report
from dialogue.models import Status
from tests.lagesbild.export_fixtures import (
    FALKOPING,
    FALKOPING_SWEREF,
    Estate,
    add_contact,
    add_input,
    make_estate,
    make_report,
)

BOM = b"\xef\xbb\xbf"
YEAR_2024 = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


@pytest.fixture
def in_request(app: Flask) -> Iterator[None]:
    """Translations need a request; the locale is chosen per call of each export."""
    with app.test_request_context("/"):
        yield


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


# The report ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("in_request")
def test_report_csv_starts_with_a_bom_and_reads_back_with_swedish_letters() -> None:
    lines = read_csv(b"".join(exports.report_csv(make_report(), "sv", "sv")))

    # One tidy table: a header, then every line with the same five columns.
    assert {len(line) for line in lines} == {5}
    values = {(line[1], line[2]): line[3:] for line in lines[1:]}
    total = next(line for line in lines if line[1] == "total")
    assert total[3:] == ["17", "16"]
    assert values["MILJO.LITTER", "Nedskräpning"] == ["5", "9"]
    assert values["ranten", "Ränten"] == ["6", "6"]
    assert values["2024-12", "Månad 12"] == ["0", "0"]
    assert values["TRYGG", "Trygghet"] == ["12", "7"]


@pytest.mark.usefixtures("in_request")
def test_report_csv_labels_follow_the_requested_language() -> None:
    lines = read_csv(b"".join(exports.report_csv(make_report(), "en", "sv")))

    assert lines[0] == ["Dimension", "Key", "Label", "Count", "Previous period"]
    labels = {line[2] for line in lines}
    assert "Littering" in labels
    assert "Nedskräpning" not in labels
    assert ["Category", "TRYGG.LIGHT", "Lighting", "12", "7"] in lines


@pytest.mark.usefixtures("in_request")
def test_report_xlsx_has_a_sheet_per_dimension_and_numbers_as_numbers() -> None:
    book = load_workbook(io.BytesIO(exports.report_xlsx(make_report(), "en", "sv")))

    for name in ("Summary", "Category", "Place", "Month received", "Place and category"):
        assert name in book.sheetnames
    assert {"Safety by place", "Input rounds", "Quotes", "Clusters"} <= set(book.sheetnames)
    category = list(book["Category"].iter_rows(values_only=True))
    assert category[0] == ("Key", "Label", "Count", "Previous period", "Change")
    assert category[1] == ("TRYGG.LIGHT", "Lighting", 12, 7, 5)
    assert category[2] == ("MILJO.LITTER", "Littering", 5, 9, -4)
    assert book["Category"]["A1"].font.b is True
    matrix = list(book["Place and category"].iter_rows(values_only=True))
    assert matrix[0] == ("Place", "Lighting", "Littering", "Total")
    assert matrix[1] == ("Stora torget", 8, 1, 9)
    safety = list(book["Safety by place"].iter_rows(values_only=True))
    assert safety[1][:5] == ("torget", "Stora torget", 9, 4, 2.5)
    rounds = list(book["Input rounds"].iter_rows(values_only=True))
    title, opens, closes, *numbers = rounds[1][:6]
    assert title == "The autumn round with businesses"
    assert (opens.date(), closes.date()) == (dt.date(2024, 9, 1), dt.date(2024, 10, 15))
    assert numbers == [20, 8, 1]
    assert rounds[1][6:] == ("How important is lighting?", 8, 1, 4.25, 0, 1, 1, 1, 5)


@pytest.mark.usefixtures("in_request")
def test_report_xlsx_keeps_swedish_letters_and_writes_formulas_as_text() -> None:
    report = make_report(title="=cmd|' /C calc'!A0 Ånge")
    book = load_workbook(io.BytesIO(exports.report_xlsx(report, "sv", "sv")))

    summary = book[book.sheetnames[0]]
    assert summary["B2"].value == "=cmd|' /C calc'!A0 Ånge"
    assert summary["B2"].data_type == "s"
    labels = {
        value
        for sheet in book.worksheets
        for line in sheet.iter_rows(values_only=True)
        for value in line
    }
    assert {"Nedskräpning", "Ränten", "Utemiljö"} <= labels


def _widest(sheet: Any, letter: str) -> int:
    """How many characters the column's longest value takes as a spreadsheet shows it:
    dates by their number format ("2024-09-01", "2025-01-02 8:30:00"), the rest as text."""

    def shown(cell: Any) -> int:
        if cell.is_date:
            return len(
                cell.value.strftime(
                    "%Y-%m-%d %H:%M:%S" if "h" in cell.number_format else "%Y-%m-%d"
                )
            )
        return len(str(cell.value))

    return max(shown(cell) for cell in sheet[letter] if cell.value is not None)


@pytest.mark.usefixtures("in_request")
def test_report_xlsx_sheets_freeze_the_header_filter_the_table_and_fit_dates() -> None:
    book = load_workbook(io.BytesIO(exports.report_xlsx(make_report(), "en", "sv")))

    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        last = sheet.cell(row=1, column=sheet.max_column).column_letter
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", sheet.title
    summary = book["Summary"]
    # Dates and the generation time: never "###".
    assert summary.column_dimensions["B"].width >= _widest(summary, "B")
    assert summary.column_dimensions["A"].width >= _widest(summary, "A")
    rounds = book["Input rounds"]
    for letter in ("B", "C"):  # opens, closes
        assert rounds.column_dimensions[letter].width >= _widest(rounds, letter)
    category = book["Category"]
    assert category.column_dimensions["B"].width >= len("Lighting")


@pytest.mark.usefixtures("in_request")
def test_report_xlsx_names_the_municipalities() -> None:
    one = make_report(municipalities=("falkoping",), municipality_names=("Falköpings kommun",))
    area = make_report(
        municipalities=("falkoping", "skara"),
        municipality_names=("Falköpings kommun", "Skara kommun"),
    )
    older = make_report(municipalities=("falkoping",), title="Falköpings kommun")

    def named(report: Report) -> Any:
        summary = load_workbook(io.BytesIO(exports.report_xlsx(report, "sv", "sv"))).worksheets[0]
        return dict(summary.iter_rows(min_row=2, values_only=True))["Kommuner"]

    assert named(one) == "Falköpings kommun"
    assert named(area) == "Falköpings kommun, Skara kommun"
    assert named(older) == "Falköpings kommun"  # a snapshot frozen before names were kept


@pytest.mark.usefixtures("in_request")
def test_report_xlsx_without_earlier_data_says_so_instead_of_a_change() -> None:
    report = make_report(previous_total=0)

    book = load_workbook(io.BytesIO(exports.report_xlsx(report, "en", "sv")))

    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Change"] == "No earlier data to compare with"
    assert {line[4] for line in book["Category"].iter_rows(min_row=2, values_only=True)} == {None}


def test_report_json_round_trips() -> None:
    report = make_report()

    data = exports.report_json(report)

    assert "Nedskräpning".encode() in data  # UTF-8, not \u escapes
    assert Report.from_json(json.loads(data)) == report


# EST -------------------------------------------------------------------------------------------


@pytest.fixture
def estate(db_session: Session) -> Estate:
    return make_estate(db_session)


def est_lines(session: Session, estate: Estate, period: Period = YEAR_2024) -> list[list[str]]:
    chunks = exports.est_csv(session, [estate.municipality], period, locale="en", fallback="sv")
    return read_csv(b"".join(chunks))


def test_sweref99tm_matches_pyproj_for_falkoping() -> None:
    north, east = exports.sweref99tm(*FALKOPING)

    assert (north, east) == FALKOPING_SWEREF
    reference = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3006")  # lat, lon order
    expected_north, expected_east = reference.transform(*FALKOPING)
    assert abs(north - expected_north) < 1
    assert abs(east - expected_east) < 1


@pytest.mark.usefixtures("in_request")
def test_est_csv_lists_accepted_input_of_the_period_oldest_first(
    db_session: Session, estate: Estate
) -> None:
    later = add_input(
        estate, utc(2024, 2, 14, 9), place=estate.square, occurred_on=dt.date(2024, 2, 13)
    )
    earlier = add_input(
        estate, utc(2024, 1, 3, 9), location_text="Bakom skolan", latitude=58.2, longitude=13.6
    )
    add_input(estate, utc(2024, 1, 4, 9), status=Status.REJECTED)
    add_input(estate, utc(2024, 1, 5, 9), status=Status.NEW)
    add_input(estate, utc(2023, 12, 31, 9))

    lines = est_lines(db_session, estate)

    assert lines[0][:3] == ["Week", "Received", "Kind"]
    assert [line[-1] for line in lines[1:]] == [earlier.reference, later.reference]
    first, second = lines[1], lines[2]
    assert first[:5] == [
        "2024-W01",
        "2024-01-03",
        "Concern",
        "Lighting and darkness",
        "TRYGG.LIGHT",
    ]
    # The location in the submitter's own words is free text nobody reviewed: never exported.
    assert first[6] == ""
    assert second[:2] == ["2024-W07", "2024-02-14"]
    assert second[6:9] == ["Stora torget", "2024-02-13", "Evening"]
    assert second[9:13] == ["58.17", "13.55", "6448554", "414702"]
    expected = exports.sweref99tm(58.2, 13.6)
    assert first[11:13] == [str(expected[0]), str(expected[1])]


@pytest.mark.usefixtures("in_request")
def test_est_never_exports_the_raw_text_or_an_email_address(
    db_session: Session, estate: Estate
) -> None:
    raw = "Ring mig på 070-123 45 67 eller anna.svensson@example.com om lampan."
    summarised = add_input(
        estate,
        utc(2024, 5, 2, 9),
        text="Hemligt: " + raw,
        public_summary="Trasig lampa vid torget.",
        summary_reviewed_at=utc(2024, 5, 3, 9),
    )
    unsummarised = add_input(
        estate, utc(2024, 5, 3, 9), text=raw, location_text="Hos per@example.org"
    )
    add_contact(db_session, summarised, "kontakt@example.net")
    add_contact(db_session, unsummarised, "kontakt2@example.net")

    data = b"".join(
        exports.est_csv(db_session, [estate.municipality], YEAR_2024, locale="sv", fallback="sv")
    )
    text = data.decode("utf-8-sig")

    assert "@" not in text
    assert raw not in text
    assert "Hemligt" not in text
    assert "070-123 45 67" not in text
    assert "Trasig lampa vid torget." in text
    assert "Hos per" not in text  # the location in the submitter's own words
    unsummarised_line = next(line for line in text.splitlines() if unsummarised.reference in line)
    assert unsummarised_line.split(";")[5:7] == ["", ""]


@pytest.mark.usefixtures("in_request")
def test_est_leaves_out_a_summary_nobody_reviewed(db_session: Session, estate: Estate) -> None:
    written = add_input(
        estate,
        utc(2024, 5, 2, 9),
        text="Kalle Andersson säljer knark på Storgatan 3, ring 070-123 45 67.",
        public_summary="Kalle Andersson säljer knark på Storgatan 3.",
    )
    reviewed = add_input(
        estate,
        utc(2024, 5, 3, 9),
        public_summary="Någon säljer narkotika i området.",
        summary_reviewed_at=utc(2024, 5, 4, 9),
    )

    lines = {line[-1]: line for line in est_lines(db_session, estate)[1:]}

    assert lines[written.reference][5] == ""
    assert lines[reviewed.reference][5] == "Någon säljer narkotika i området."
    assert "Kalle" not in repr(lines)


@pytest.mark.usefixtures("in_request")
def test_est_uses_local_dates_for_the_period_and_the_week(
    db_session: Session, estate: Estate
) -> None:
    # 22:30 UTC on 31 March 2024 is already 1 April in Sweden (summer time).
    april = add_input(estate, utc(2024, 3, 31, 22, 30))
    march = add_input(estate, utc(2024, 3, 31, 21, 30))
    first_quarter = Period(dt.date(2024, 1, 1), dt.date(2024, 3, 31))

    march_lines = est_lines(db_session, estate, first_quarter)
    april_lines = est_lines(db_session, estate, Period(dt.date(2024, 4, 1), dt.date(2024, 4, 30)))

    assert [line[-1] for line in march_lines[1:]] == [march.reference]
    assert march_lines[1][:2] == ["2024-W13", "2024-03-31"]
    assert [line[-1] for line in april_lines[1:]] == [april.reference]
    assert april_lines[1][:2] == ["2024-W14", "2024-04-01"]


@pytest.mark.usefixtures("in_request")
def test_est_csv_streams_in_batches(
    db_session: Session, estate: Estate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "BATCH", 2)
    for day in range(1, 6):
        add_input(estate, utc(2024, 6, day, 9))

    chunks = list(
        exports.est_csv(db_session, [estate.municipality], YEAR_2024, locale="sv", fallback="sv")
    )

    # The byte order mark, the header, then the five lines two at a time.
    assert chunks[0] == BOM
    assert len(chunks) == 2 + 3
    assert sum(chunk.count(b"\r\n") for chunk in chunks[2:]) == 5


@pytest.mark.usefixtures("in_request")
def test_est_csv_writes_text_that_looks_like_a_formula_as_text(
    db_session: Session, estate: Estate
) -> None:
    add_input(
        estate,
        utc(2024, 6, 1, 9),
        public_summary='=HYPERLINK("http://evil.example","klicka")',
        summary_reviewed_at=utc(2024, 6, 2, 9),
    )

    lines = est_lines(db_session, estate)

    assert lines[1][5].startswith("'=HYPERLINK")


@pytest.mark.usefixtures("in_request")
def test_est_xlsx_reads_back_with_dates_and_numbers(db_session: Session, estate: Estate) -> None:
    add_input(
        estate,
        utc(2024, 2, 14, 9),
        place=estate.square,
        public_summary="=1+1 i Åsarp",
        summary_reviewed_at=utc(2024, 2, 15, 9),
    )
    add_input(estate, utc(2024, 2, 15, 9), place=estate.unplaced)

    data = b"".join(
        exports.est_xlsx(db_session, [estate.municipality], YEAR_2024, locale="en", fallback="sv")
    )
    book = load_workbook(io.BytesIO(data))

    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Week", "Received")
    assert book.active["A1"].font.b is True
    first, second = rows[1], rows[2]
    assert first[0] == "2024-W07"
    assert first[1].date() == dt.date(2024, 2, 14)
    assert first[5] == "=1+1 i Åsarp"
    assert book.active["F2"].data_type == "s"
    assert first[9:13] == (58.17, 13.55, 6448554, 414702)
    assert second[6] == "Skogsbrynet"
    assert second[9:13] == (None, None, None, None)
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N3"
    for letter in ("B", "H"):  # received, occurred on
        assert sheet.column_dimensions[letter].width >= len("2024-02-14")
    assert sheet.column_dimensions["F"].width >= len("=1+1 i Åsarp")


@pytest.mark.usefixtures("in_request")
def test_est_csv_given_up_half_way_closes_its_cursor(
    db_session: Session, estate: Estate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "BATCH", 1)
    for day in range(1, 4):
        add_input(estate, utc(2024, 6, day, 9))
    closed: list[bool] = []
    execute = db_session.execute

    def remembering(*args: Any, **kwargs: Any) -> Any:
        result = execute(*args, **kwargs)
        close = result.close

        def recorded() -> None:
            closed.append(True)
            close()

        monkeypatch.setattr(result, "close", recorded)
        return result

    monkeypatch.setattr(db_session, "execute", remembering)
    chunks = exports.est_csv(
        db_session, [estate.municipality], YEAR_2024, locale="sv", fallback="sv"
    )

    read = [next(chunks) for _ in range(3)]  # the BOM, the header, one line
    assert read[2].count(b"\r\n") == 1
    assert not closed
    chunks.close()  # what a WSGI server does when the download is given up
    assert closed == [True]
