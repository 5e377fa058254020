"""The report pages and their downloads, for each kind of staff."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from dialogue.lagesbild.data import Report
from dialogue.models import PoliceArea
from tests.factories import MunicipalityFactory, PledgeFactory, PoliceAreaFactory
from tests.helpers import make_staff, sign_in
from tests.lagesbild.export_fixtures import Estate, add_contact, add_input, make_estate

RAW_TEXT = "Mörkt vid torget, ring 070-123 45 67 eller mejla nils@example.com."


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


@pytest.fixture
def area(db_session: Session) -> PoliceArea:
    found: PoliceArea = PoliceAreaFactory(slug="skaraborg", name="LPO Skaraborg")
    return found


@pytest.fixture
def estate(db_session: Session, area: PoliceArea) -> Estate:
    """A municipality of the area with a 2024 pledge and accepted input in 2024 and 2023."""
    found = make_estate(db_session, police_area=area)
    PledgeFactory(municipality_id=found.municipality.id)
    lit = add_input(found, utc(2024, 2, 14, 9), place=found.square, text=RAW_TEXT)
    add_contact(db_session, lit, "kontakt@example.net")
    add_input(found, utc(2024, 3, 2, 19), place=found.square)
    add_input(found, utc(2023, 5, 2, 19), place=found.unplaced)
    return found


@pytest.fixture
def neighbour(db_session: Session, area: PoliceArea) -> Estate:
    found = make_estate(db_session, slug="grannby", police_area=area)
    PledgeFactory(municipality_id=found.municipality.id, valid_from=dt.date(2024, 3, 1))
    return found


def signed_in(client: FlaskClient, session: Session, role: str, **scope: int) -> FlaskClient:
    email = f"{role}-{'-'.join(map(str, scope.values()))}@report.example"
    make_staff(session, email, role, **scope)
    sign_in(client, email)
    client.get("/language/en")  # the assertions read English
    return client


@pytest.fixture
def moderator_client(client: FlaskClient, db_session: Session, estate: Estate) -> FlaskClient:
    return signed_in(client, db_session, "moderator", municipality_id=estate.municipality.id)


@pytest.fixture
def analyst_client(client: FlaskClient, db_session: Session, area: PoliceArea) -> FlaskClient:
    return signed_in(client, db_session, "analyst", police_area_id=area.id)


def page_url(estate: Estate, rest: str = "") -> str:
    return f"/staff/{estate.municipality.slug}/lagesbild{rest}"


def test_the_report_shows_the_pledge_period_by_default(
    moderator_client: FlaskClient, estate: Estate
) -> None:
    response = moderator_client.get(page_url(estate))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Östra Åby" in html
    assert 'value="2024-01-01"' in html and 'value="2024-12-31"' in html
    assert "2023-01-01" in html  # the previous period it is compared with
    assert "Stora torget" in html
    assert "error-summary" not in html


def test_the_report_for_a_chosen_period(moderator_client: FlaskClient, estate: Estate) -> None:
    response = moderator_client.get(page_url(estate, "?from=2024-03-01&to=2024-03-31"))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="2024-03-01"' in html and 'value="2024-03-31"' in html
    # One accepted submission in March: the summary says so.
    assert "<dt>Accepted input in the period</dt><dd>1</dd>" in html


def test_a_period_after_an_empty_one_says_there_is_nothing_to_compare_with(
    moderator_client: FlaskClient, estate: Estate
) -> None:
    # 2023 holds one accepted input; 2022, the period before, none.
    response = moderator_client.get(page_url(estate, "?from=2023-01-01&to=2023-12-31"))

    html = response.get_data(as_text=True)
    assert "<dt>Change</dt><dd>No earlier data to compare with</dd>" in html
    assert (
        "No accepted input was received in the previous period, 1 January 2022 to 31 December 2022"
    ) in html
    assert "+1" not in html
    assert ">Previous period</th>" not in html  # the tables show this period only
    assert "trend-previous" not in html.split('id="by-month"')[1].split("</svg>")[0]


def test_a_period_after_one_with_input_shows_the_change(
    moderator_client: FlaskClient, estate: Estate
) -> None:
    response = moderator_client.get(page_url(estate))  # 2024 (two) against 2023 (one)

    html = response.get_data(as_text=True)
    assert "<dt>Change</dt><dd>+1</dd>" in html
    assert ">Previous period</th>" in html
    assert "No earlier data to compare with" not in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?from=2024-02-30&to=2024-12-31", "period-from", "Enter the date as year-month-day"),
        ("?from=igår&to=2024-12-31", "period-from", "Enter the date as year-month-day"),
        ("?from=2024-06-01&to=2024-01-31", "period-to", "The last date must be the same"),
        ("?from=1066-10-14&to=2024-01-31", "period-from", "Enter a date from 2000-01-01"),
        ("?from=2000-01-01&to=2024-01-31", "period-to", "Choose a period of at most five years"),
    ],
)
def test_dates_that_cannot_be_used_answer_400_with_the_default_period(
    moderator_client: FlaskClient, estate: Estate, query: str, field: str, message: str
) -> None:
    response = moderator_client.get(page_url(estate, query))

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    assert 'class="error-summary"' in html
    assert f'href="#{field}"' in html
    assert message in html
    assert f'id="{field}" name="{field.removeprefix("period-")}"' in html
    assert 'aria-invalid="true"' in html
    # What was typed stays in the form; the report is the default period's.
    typed = query.split("&")[0 if field == "period-from" else 1].split("=")[1]
    assert f'value="{typed}"' in html
    assert "Accepted input received from 1 January 2024 to 31 December 2024" in html


def test_another_municipality_answers_404(moderator_client: FlaskClient, neighbour: Estate) -> None:
    for rest in ("", "/export.csv", "/export.xlsx", "/export.json", "/est.csv", "/est.xlsx"):
        assert moderator_client.get(page_url(neighbour, rest)).status_code == 404, rest


def test_an_analyst_of_the_area_reads_the_report_and_its_files(
    analyst_client: FlaskClient, estate: Estate
) -> None:
    assert analyst_client.get(page_url(estate)).status_code == 200
    for rest in ("/export.csv", "/export.xlsx", "/export.json", "/est.csv", "/est.xlsx"):
        assert analyst_client.get(page_url(estate, rest)).status_code == 200, rest


def test_the_page_links_every_download_for_its_period(
    moderator_client: FlaskClient, estate: Estate
) -> None:
    html = moderator_client.get(page_url(estate, "?from=2024-03-01&to=2024-03-31")).get_data(
        as_text=True
    )

    for name in ("export.csv", "export.xlsx", "export.json", "est.csv", "est.xlsx"):
        assert f"/lagesbild/{name}?from=2024-03-01&amp;to=2024-03-31" in html


def test_the_csv_export_is_an_attachment_with_a_bom(
    moderator_client: FlaskClient, estate: Estate
) -> None:
    response = moderator_client.get(page_url(estate, "/export.csv"))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="lagesbild-est-ort-2024-01-01-2024-12-31.csv"'
    )
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert [line[3:] for line in lines if line[1] == "total"] == [["2", "1"]]
    assert ["Stora torget", "2", "0"] in [line[2:] for line in lines]


def test_the_xlsx_and_json_exports_read_back(moderator_client: FlaskClient, estate: Estate) -> None:
    xlsx = moderator_client.get(page_url(estate, "/export.xlsx?from=2024-02-01&to=2024-02-29"))
    as_json = moderator_client.get(page_url(estate, "/export.json?from=2024-02-01&to=2024-02-29"))

    assert xlsx.headers["Content-Disposition"].endswith('-2024-02-01-2024-02-29.xlsx"')
    book = load_workbook(io.BytesIO(xlsx.get_data()))
    assert len(book.sheetnames) > 9
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Municipalities"] == "Östra Åby"
    report = Report.from_json(json.loads(as_json.get_data()))
    assert as_json.mimetype == "application/json"
    assert (report.total, report.period.start, report.period.end) == (
        1,
        dt.date(2024, 2, 1),
        dt.date(2024, 2, 29),
    )


def test_the_est_export_streams_without_raw_text_or_contacts(
    moderator_client: FlaskClient, estate: Estate
) -> None:
    response = moderator_client.get(page_url(estate, "/est.csv"))

    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="lagesbild-est-ort-est-2024-01-01-2024-12-31.csv"'
    )
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data().decode("utf-8-sig")
    assert "6448554;414702" in text
    assert RAW_TEXT not in text
    assert "@" not in text
    assert "070-123 45 67" not in text
    assert len(text.strip().splitlines()) == 3  # header and the two accepted in 2024

    workbook = moderator_client.get(page_url(estate, "/est.xlsx"))
    assert workbook.is_streamed
    rows = list(load_workbook(io.BytesIO(workbook.get_data())).active.iter_rows(values_only=True))
    assert len(rows) == 3


def test_unknown_formats_answer_404_and_bad_periods_400(
    moderator_client: FlaskClient, estate: Estate
) -> None:
    assert moderator_client.get(page_url(estate, "/export.pdf")).status_code == 404
    assert moderator_client.get(page_url(estate, "/est.json")).status_code == 404
    bad = "?from=2024-13-01"
    assert moderator_client.get(page_url(estate, "/export.csv" + bad)).status_code == 400
    assert moderator_client.get(page_url(estate, "/est.csv" + bad)).status_code == 400


# The police area -------------------------------------------------------------------------------


def test_an_analyst_opens_the_area_report_with_links_to_each_municipality(
    analyst_client: FlaskClient, estate: Estate, neighbour: Estate
) -> None:
    response = analyst_client.get("/staff/area/skaraborg/lagesbild")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "LPO Skaraborg" in html
    # The default spans the municipalities' pledges: 2024 and March to December 2024.
    assert "/staff/est-ort/lagesbild?from=2024-01-01&amp;to=2024-12-31" in html
    assert "/staff/grannby/lagesbild?from=2024-01-01&amp;to=2024-12-31" in html
    assert "/staff/area/skaraborg/lagesbild/export.csv?" in html
    assert "/est.csv" not in html  # EST lists are per municipality


def test_the_area_export_counts_every_municipality(
    analyst_client: FlaskClient, estate: Estate, neighbour: Estate
) -> None:
    add_input(neighbour, utc(2024, 4, 1, 9))

    response = analyst_client.get("/staff/area/skaraborg/lagesbild/export.json")

    report = Report.from_json(json.loads(response.get_data()))
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="lagesbild-skaraborg-2024-01-01-2024-12-31.json"'
    )
    assert report.total == 3
    assert set(report.municipalities) == {"est-ort", "grannby"}
    assert analyst_client.get("/staff/area/skaraborg/lagesbild/export.pdf").status_code == 404


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_staff_of_one_municipality_get_404_for_the_area_report(
    client: FlaskClient, db_session: Session, estate: Estate, role: str
) -> None:
    signed_in(client, db_session, role, municipality_id=estate.municipality.id)

    assert client.get("/staff/area/skaraborg/lagesbild").status_code == 404
    assert client.get("/staff/area/skaraborg/lagesbild/export.csv").status_code == 404


def test_an_analyst_of_another_area_gets_404(
    client: FlaskClient, db_session: Session, estate: Estate
) -> None:
    other = MunicipalityFactory()
    signed_in(client, db_session, "analyst", police_area_id=other.police_area_id)

    assert client.get("/staff/area/skaraborg/lagesbild").status_code == 404
    assert client.get("/staff/area/no-such-area/lagesbild").status_code == 404
    assert client.get(page_url(estate)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, estate: Estate) -> None:
    assert client.get("/staff/area/skaraborg/lagesbild").status_code == 302
    assert client.get(page_url(estate)).status_code == 302
    assert client.get(page_url(estate, "/est.csv")).status_code == 302
