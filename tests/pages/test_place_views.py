from __future__ import annotations

from flask.testing import FlaskClient

from dialogue.models import Municipality
from tests.factories import MunicipalityFactory, PlaceFactory
from tests.helpers import PUBLIC_URL


def test_places_are_listed_with_links(client: FlaskClient, demo: Municipality) -> None:
    html = client.get("/falkoping/places").get_data(as_text=True)
    for name in ("Centrum", "Ranten", "Stora torget", "Resecentrum", "Dotorp", "Mösseberg"):
        assert name in html


def test_place_page_links_the_form_with_the_place_chosen(
    client: FlaskClient, demo: Municipality
) -> None:
    html = client.get("/falkoping/places/ranten").get_data(as_text=True)
    assert 'href="/falkoping/submit?place=ranten"' in html
    assert "Platssamverkan Ranten" in html
    assert 'href="/falkoping/places/ranten/poster"' in html


def test_poster_has_a_qr_code_for_the_form(client: FlaskClient, demo: Municipality) -> None:
    html = client.get("/falkoping/places/ranten/poster").get_data(as_text=True)
    assert 'src="/falkoping/places/ranten/qr.svg"' in html
    assert f"{PUBLIC_URL}/falkoping/submit?place=ranten" in html
    svg = client.get("/falkoping/places/ranten/qr.svg")
    assert svg.status_code == 200
    assert svg.mimetype == "image/svg+xml"
    assert svg.get_data(as_text=True).lstrip().startswith("<svg")


def test_place_of_another_municipality_answers_404(client: FlaskClient, demo: Municipality) -> None:
    other = PlaceFactory(municipality_id=MunicipalityFactory().id)
    assert client.get(f"/falkoping/places/{other.slug}").status_code == 404
    assert client.get(f"/falkoping/places/{other.slug}/qr.svg").status_code == 404


def test_empty_gazetteer_says_so(client: FlaskClient, demo: Municipality) -> None:
    empty = MunicipalityFactory()
    assert client.get(f"/{empty.slug}/places").status_code == 200


def test_place_page_has_breadcrumbs_and_sub_places(client: FlaskClient, demo: Municipality) -> None:
    client.get("/language/en")
    places = client.get("/falkoping/places").get_data(as_text=True)
    assert '<span aria-current="page">Places</span>' in places
    html = client.get("/falkoping/places/ranten").get_data(as_text=True)
    assert 'href="/falkoping/places"' in html
    assert '<span aria-current="page">Ranten</span>' in html


def test_an_empty_place_says_so(client: FlaskClient, demo: Municipality) -> None:
    place = PlaceFactory(municipality_id=demo.id, slug="ny-plats", name="Ny plats")
    client.get("/language/en")
    html = client.get(f"/falkoping/places/{place.slug}").get_data(as_text=True)
    assert "Nothing has been reported about this place yet" in html
