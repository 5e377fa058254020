from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.models import Commitment, Municipality, Pledge, PledgeStatus, ProgressUpdate
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


def test_an_ended_pledge_says_it_has_ended_and_when(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    for shown in db_session.scalars(select(Pledge).where(Pledge.municipality_id == demo.id)):
        shown.valid_from, shown.valid_to = dt.date(2023, 4, 19), dt.date(2023, 12, 31)
    db_session.commit()
    client.get("/language/en")
    html = client.get("/falkoping/").get_data(as_text=True)
    assert '<strong class="pledge-state pledge-state-ended">Ended</strong>' in html
    assert "This pledge ended on 31 December 2023." in html


def test_an_upcoming_pledge_says_when_it_starts(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    today = dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()
    for old in db_session.scalars(select(Pledge).where(Pledge.municipality_id == demo.id)):
        old.status = PledgeStatus.DRAFT
    upcoming = PledgeFactory(
        municipality_id=demo.id,
        valid_from=today + dt.timedelta(days=40),
        valid_to=today + dt.timedelta(days=400),
    )
    db_session.commit()
    client.get("/language/en")
    for url in ("/falkoping/", f"/falkoping/pledges/{upcoming.id}"):
        html = client.get(url).get_data(as_text=True)
        assert ">Upcoming</strong>" in html
        assert "This pledge starts on " in html


def test_a_pledge_in_force_says_so(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    today = dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()
    current = PledgeFactory(
        municipality_id=demo.id,
        valid_from=today - dt.timedelta(days=10),
        valid_to=today + dt.timedelta(days=300),
    )
    db_session.commit()
    client.get("/language/en")
    html = client.get(f"/falkoping/pledges/{current.id}").get_data(as_text=True)
    assert ">In force</strong>" in html
    # The other pledges are listed with their state too.
    assert ">Ended</strong>" in html
