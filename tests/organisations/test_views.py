from __future__ import annotations

import io
import re

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from dialogue.models import Municipality, Organisation, OrganisationType, Place
from tests.factories import MunicipalityFactory, OrganisationFactory
from tests.helpers import hidden_fields
from tests.organisations.helpers import actions, place_id

BASE = "/staff/falkoping/organisations"
UPLOAD = re.compile(r'name="upload" value="([^"]+)"')
GOOD_FILE = (
    "\ufeffnamn;typ;organisationsnummer;kontaktperson;epost;platser\r\n"
    "Kiosken vid torget AB;Företag;556036-0793;Kim Ek;kim@kiosken.example;Ranten\r\n"
    "Fel AB;Företag;556036-0794;;;\r\n"
).encode()


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Organisation)) or 0


def token(client: FlaskClient, url: str) -> str:
    return hidden_fields(client.get(url).get_data(as_text=True))["csrf_token"]


def test_the_list_shows_the_register_to_readers(
    analyst_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    organisation = OrganisationFactory(
        municipality_id=demo.id,
        name="Kiosken vid torget AB",
        org_number="556036-0793",
        is_verified=False,
    )
    organisation.places = []
    OrganisationFactory(municipality_id=MunicipalityFactory().id, name="Någon annans AB")
    response = analyst_client.get(BASE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Kiosken vid torget AB" in html
    assert "556036-0793" in html
    assert "Not verified" in html
    assert "Någon annans AB" not in html
    assert "Add an organisation" not in html  # analysts read only
    filtered = analyst_client.get(BASE + "?type=housing_company&q=kiosk").get_data(as_text=True)
    assert "No organisations match the filters." in filtered


def test_an_empty_register_says_so(moderator_client: FlaskClient, demo: Municipality) -> None:
    html = moderator_client.get(BASE).get_data(as_text=True)
    assert "The register is empty." in html
    assert f'href="{BASE}/import"' in html


def test_adding_an_organisation(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    ranten = place_id(db_session, demo, "ranten")
    response = moderator_client.post(
        BASE + "/new",
        data={
            "csrf_token": token(moderator_client, BASE + "/new"),
            "name": "Kiosken vid torget AB",
            "type": "business",
            "org_number": "5560360793",
            "contact_name": "Kim Ek",
            "contact_email": "kim@kiosken.example",
            "places": [str(ranten)],
        },
    )
    assert response.status_code == 303
    organisation = db_session.scalars(select(Organisation)).one()
    assert response.headers["Location"].endswith(f"{BASE}/{organisation.id}")
    assert organisation.org_number == "556036-0793"
    assert organisation.type == OrganisationType.BUSINESS
    assert [p.id for p in organisation.places] == [ranten]
    assert actions(db_session) == ["organisation.created"]
    shown = moderator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kiosken vid torget AB is added to the register." in shown


def test_bad_input_answers_422_with_every_value_kept(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    ranten = place_id(db_session, demo, "ranten")
    response = moderator_client.post(
        BASE + "/new",
        data={
            "csrf_token": token(moderator_client, BASE + "/new"),
            "name": "Kiosken vid torget AB",
            "type": "business",
            "org_number": "556036-0794",
            "contact_name": "Kim Ek",
            "contact_email": "kim@kiosken",
            "places": [str(ranten)],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "the last digit does not match the others" in html
    assert "Enter a valid e-mail address" in html
    assert 'href="#org_number"' in html  # the error summary links to the field
    assert 'value="Kiosken vid torget AB"' in html
    assert 'value="556036-0794"' in html
    assert 'value="kim@kiosken"' in html
    assert f'value="{ranten}" checked' in html
    assert count(db_session) == 0


def test_a_duplicate_number_answers_422_naming_the_other(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    OrganisationFactory(municipality_id=demo.id, name="Första AB", org_number="556036-0793")
    response = moderator_client.post(
        BASE + "/new",
        data={
            "csrf_token": token(moderator_client, BASE + "/new"),
            "name": "Andra AB",
            "type": "business",
            "org_number": "556036-0793",
        },
    )
    assert response.status_code == 422
    assert "Första AB already has this organisation number" in response.get_data(as_text=True)


def test_editing_an_organisation(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    organisation = OrganisationFactory(municipality_id=demo.id, name="Gammal")
    ranten = place_id(db_session, demo, "ranten")
    organisation.places = [db_session.get_one(Place, ranten)]
    db_session.commit()
    url = f"{BASE}/{organisation.id}/edit"
    page = moderator_client.get(url).get_data(as_text=True)
    assert 'value="Gammal"' in page
    assert f'value="{ranten}" checked' in page
    response = moderator_client.post(
        url,
        data={
            "csrf_token": hidden_fields(page)["csrf_token"],
            "name": "Ny",
            "type": "association",
            "org_number": organisation.org_number,
            "contact_name": "",
            "contact_email": "",
        },
    )
    assert response.status_code == 303
    db_session.refresh(organisation)
    assert organisation.name == "Ny"
    assert organisation.contact_email is None
    assert organisation.places == []  # no box ticked: no places


def test_another_municipalitys_organisation_answers_404(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    foreign = OrganisationFactory(municipality_id=MunicipalityFactory().id)
    csrf = token(moderator_client, BASE + "/new")
    assert moderator_client.get(f"{BASE}/{foreign.id}").status_code == 404
    assert moderator_client.get(f"{BASE}/{foreign.id}/edit").status_code == 404
    assert moderator_client.get(f"{BASE}/{foreign.id}/delete").status_code == 404
    for action in ("edit", "delete", "verify"):
        response = moderator_client.post(f"{BASE}/{foreign.id}/{action}", data={"csrf_token": csrf})
        assert response.status_code == 404, action
    assert db_session.get(Organisation, foreign.id) is not None


def test_analysts_get_403_on_every_write(
    analyst_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    organisation = OrganisationFactory(municipality_id=demo.id, is_verified=False)
    assert analyst_client.get(f"{BASE}/{organisation.id}").status_code == 200
    csrf = hidden_fields(analyst_client.get("/staff/login").get_data(as_text=True)).get(
        "csrf_token", ""
    )
    for url in ("/new", f"/{organisation.id}/edit", f"/{organisation.id}/delete", "/import"):
        assert analyst_client.get(BASE + url).status_code == 403, url
    for url in (
        "/new",
        f"/{organisation.id}/edit",
        f"/{organisation.id}/delete",
        f"/{organisation.id}/verify",
        "/import",
        "/import/confirm",
    ):
        assert analyst_client.post(BASE + url, data={"csrf_token": csrf}).status_code == 403, url
    db_session.refresh(organisation)
    assert not organisation.is_verified
    assert actions(db_session) == []


def test_deleting_asks_first_then_deletes(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    organisation = OrganisationFactory(municipality_id=demo.id, name="Borta AB")
    url = f"{BASE}/{organisation.id}/delete"
    page = moderator_client.get(url)
    assert "Yes, delete the organisation" in page.get_data(as_text=True)
    assert count(db_session) == 1
    csrf = hidden_fields(page.get_data(as_text=True))["csrf_token"]
    asked = moderator_client.post(url, data={"csrf_token": csrf})
    assert asked.status_code == 200  # without the confirmation's field it only asks
    assert "This cannot be undone." in asked.get_data(as_text=True)
    assert count(db_session) == 1
    response = moderator_client.post(url, data={"csrf_token": csrf, "confirm": "yes"})
    assert response.status_code == 303
    assert count(db_session) == 0
    listed = moderator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Borta AB is deleted from the register." in listed


def test_a_post_without_csrf_is_refused(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    organisation = OrganisationFactory(municipality_id=demo.id)
    response = moderator_client.post(f"{BASE}/{organisation.id}/delete")
    assert response.status_code == 400
    assert count(db_session) == 1


def test_verifying_an_organisation(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    organisation = OrganisationFactory(municipality_id=demo.id, is_verified=False)
    page = moderator_client.get(f"{BASE}/{organisation.id}").get_data(as_text=True)
    assert "Mark as verified" in page
    response = moderator_client.post(
        f"{BASE}/{organisation.id}/verify", data={"csrf_token": hidden_fields(page)["csrf_token"]}
    )
    assert response.status_code == 303
    db_session.refresh(organisation)
    assert organisation.is_verified
    assert actions(db_session) == ["organisation.verified"]


def _upload(client: FlaskClient, content: bytes, name: str = "organisationer.csv") -> TestResponse:
    return client.post(
        BASE + "/import",
        data={
            "csrf_token": token(client, BASE + "/import"),
            "file": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


def test_import_previews_then_imports_only_when_confirmed(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    preview = _upload(moderator_client, GOOD_FILE)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Kiosken vid torget AB" in html
    assert "the last digit does not match the others" in html
    assert "Import 1 organisation" in html
    assert count(db_session) == 0  # not confirmed: nothing stored

    sealed = UPLOAD.search(html)
    assert sealed is not None
    response = moderator_client.post(
        BASE + "/import/confirm",
        data={"csrf_token": hidden_fields(html)["csrf_token"], "upload": sealed.group(1)},
    )
    assert response.status_code == 303
    organisation = db_session.scalars(select(Organisation)).one()
    assert organisation.name == "Kiosken vid torget AB"
    assert [p.slug for p in organisation.places] == ["ranten"]
    listed = moderator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 organisation was added." in listed
    assert "1 row with problems was left out." in listed


def test_a_tampered_confirmation_imports_nothing(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    html = _upload(moderator_client, GOOD_FILE).get_data(as_text=True)
    sealed = UPLOAD.search(html)
    assert sealed is not None
    value = sealed.group(1)
    tampered = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    response = moderator_client.post(
        BASE + "/import/confirm",
        data={"csrf_token": hidden_fields(html)["csrf_token"], "upload": tampered},
    )
    assert response.status_code == 422
    assert "The confirmation could not be read" in response.get_data(as_text=True)
    assert count(db_session) == 0


def test_a_confirmation_after_the_register_changed_shows_a_new_preview(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    html = _upload(moderator_client, GOOD_FILE).get_data(as_text=True)
    sealed = UPLOAD.search(html)
    assert sealed is not None
    OrganisationFactory(municipality_id=demo.id, name="Redan här AB", org_number="556036-0793")
    response = moderator_client.post(
        BASE + "/import/confirm",
        data={"csrf_token": hidden_fields(html)["csrf_token"], "upload": sealed.group(1)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed after the preview, so nothing was imported" in page
    assert "Updates Redan här AB" in page
    assert count(db_session) == 1


def test_a_latin_1_file_answers_422_with_a_clear_message(
    moderator_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    content = "namn;typ;organisationsnummer\r\nKöket AB;Företag;556036-0793\r\n".encode("latin-1")
    response = _upload(moderator_client, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "CSV UTF-8" in html
    assert 'href="#file"' in html
    assert count(db_session) == 0


def test_an_upload_without_a_file_answers_422(
    moderator_client: FlaskClient, demo: Municipality
) -> None:
    response = moderator_client.post(
        BASE + "/import", data={"csrf_token": token(moderator_client, BASE + "/import")}
    )
    assert response.status_code == 422
    assert "Choose a CSV file to import." in response.get_data(as_text=True)


def test_a_file_over_the_request_limit_answers_413_on_the_import_page(
    moderator_client: FlaskClient, demo: Municipality
) -> None:
    response = _upload(moderator_client, b"x" * (300 * 1024))
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Split it into several files" in html


def test_the_template_downloads_as_csv(moderator_client: FlaskClient, demo: Municipality) -> None:
    response = moderator_client.get(BASE + "/import/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert (
        response.get_data(as_text=True)
        == "\ufeffname;type;org_number;contact_name;email;places\r\n"
    )
