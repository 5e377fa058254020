from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.models import Commitment, Municipality, PledgeStatus, ProgressUpdate
from dialogue.web.theme import contrast
from tests.factories import MunicipalityFactory, PledgeFactory


def test_start_page_names_the_municipality_and_links_the_form(
    client: FlaskClient, demo: Municipality
) -> None:
    html = client.get("/falkoping/").get_data(as_text=True)
    assert "Falköpings kommun" in html
    assert 'href="/falkoping/submit"' in html
    assert "Medborgarlöftet för 2023" in html


def test_pledge_page_shows_every_part_of_the_pledge(
    client: FlaskClient, demo: Municipality
) -> None:
    html = client.get("/falkoping/pledge").get_data(as_text=True)
    assert "narkotikarelaterad brottslighet" in html  # focus
    assert "öka tryggheten och minska förekomsten av brott" in html  # goal
    assert "Nationella trygghetsundersökningen" in html  # a source
    assert "Anna-Lena Mann" in html and "Kommunpolis" in html  # a signatory
    assert html.count('class="commitment"') == 5
    assert "Platssamverkan Ranten" in html
    assert 'href="/falkoping/places/ranten"' in html


def test_pledge_page_in_english_uses_english_texts_and_marks_swedish_ones(
    client: FlaskClient, demo: Municipality
) -> None:
    client.get("/language/en")
    html = client.get("/falkoping/pledge").get_data(as_text=True)
    assert "The overall goal is to increase safety and reduce crime." in html
    # Sources exist only in Swedish: they are marked so screen readers pronounce them right.
    assert '<span lang="sv">Nationella trygghetsundersökningen</span>' in html


def test_progress_updates_show_under_their_commitment(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    commitment = db_session.scalars(select(Commitment).order_by(Commitment.position)).first()
    assert commitment is not None
    db_session.add(
        ProgressUpdate(
            municipality_id=demo.id,
            commitment_id=commitment.id,
            published_on=dt.date(2023, 9, 1),
            text={
                "sv": "Vi har haft föräldramöten på tre skolor.",
                "en": "Parent meetings at three schools.",
            },
        )
    )
    db_session.flush()
    html = client.get("/falkoping/pledge").get_data(as_text=True)
    assert "Vi har haft föräldramöten på tre skolor." in html


def test_unknown_municipality_answers_404(client: FlaskClient, demo: Municipality) -> None:
    assert client.get("/ingenstans/").status_code == 404
    assert client.get("/ingenstans/submit").status_code == 404


def test_pledge_of_another_municipality_answers_404(
    client: FlaskClient, demo: Municipality
) -> None:
    other = PledgeFactory(municipality_id=MunicipalityFactory().id)
    assert client.get(f"/falkoping/pledges/{other.id}").status_code == 404


def test_draft_pledge_is_not_public(client: FlaskClient, demo: Municipality) -> None:
    draft = PledgeFactory(municipality_id=demo.id, status=PledgeStatus.DRAFT)
    assert client.get(f"/falkoping/pledges/{draft.id}").status_code == 404


def test_municipality_without_pledge_has_a_start_page_and_no_pledge_page(
    client: FlaskClient, demo: Municipality
) -> None:
    empty = MunicipalityFactory()
    assert client.get(f"/{empty.slug}/").status_code == 200
    assert client.get(f"/{empty.slug}/pledge").status_code == 404


def test_theme_keeps_a_light_accent_readable(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    demo.accent_color = "#ffee00"
    db_session.flush()
    css = client.get("/falkoping/theme.css").get_data(as_text=True)
    accent = css.split("--accent:")[1][:7]
    assert contrast(accent, "#ffffff") >= 4.5
