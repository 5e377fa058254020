from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialogue.models import Municipality
from dialogue.organisations.models import Organisation
from dialogue.outbox.models import OutboxMessage, OutboxState
from dialogue.rounds.models import Answer, Invitation, RoundResponse
from dialogue.web.ratelimit import limiter
from tests.factories import MunicipalityFactory, valid_org_number
from tests.helpers import hidden_fields, make_settings, migrated_app
from tests.rounds.conftest import InviteFn, Link, categories
from tests.rounds.helpers import Questionnaire, give_open_link, make_questionnaire, today


@pytest.fixture
def english(client: FlaskClient) -> FlaskClient:
    """A client that chose English, so that the pages read as their message ids."""
    client.get("/language/en")
    return client


def q(question: Any) -> str:
    return f"q{question.id}"


def tokens_of(client: FlaskClient, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return hidden_fields(response.get_data(as_text=True))


def post_step(
    client: FlaskClient, link: Link, number: int, move: str = "next", **answers: Any
) -> Any:
    url = f"{link.url}/step/{number}"
    return client.post(url, data={**tokens_of(client, url), "move": move, **answers})


def answer_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Answer)) or 0


def checked(html: str, name: str, value: str) -> bool:
    pattern = rf'<input[^>]*name="{name}" value="{re.escape(value)}" checked>'
    return re.search(pattern, html) is not None


# The start page and links that do not work -------------------------------------------------


def test_start_page_welcomes_the_organisation(
    english: FlaskClient, questionnaire: Questionnaire, link: Link
) -> None:
    response = english.get(link.url)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Business dialogue" in html
    assert "Tell us how it is going." in html
    assert link.invitation.organisation.name in html
    assert "0 of 9 questions answered" in html
    assert f'href="{link.url}/step/1"' in html
    assert f"http://127.0.0.1:5000{link.url}" in html  # the organisation's own link, to keep


@pytest.mark.parametrize("token", ["A" * 32, "not-a-token", "A" * 31 + "!"])
def test_an_unknown_or_forged_link_answers_a_clear_404(
    english: FlaskClient, questionnaire: Questionnaire, token: str
) -> None:
    for url in (
        f"/falkoping/rounds/{token}",
        f"/falkoping/rounds/{token}/step/1",
        f"/falkoping/rounds/{token}/review",
        f"/falkoping/rounds/open/{token}",
    ):
        response = english.get(url)
        assert response.status_code == 404, url
        assert "This link does not work" in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"


def test_a_link_under_another_municipality_is_unknown(english: FlaskClient, link: Link) -> None:
    other = MunicipalityFactory()
    response = english.get(f"/{other.slug}/rounds/{link.token}")
    assert response.status_code == 404


def test_a_step_beyond_the_last_is_not_found(english: FlaskClient, link: Link) -> None:
    assert english.get(f"{link.url}/step/6").status_code == 404
    assert english.get(f"{link.url}/step/0").status_code == 404


def test_a_round_not_yet_open_says_when_it_opens(
    english: FlaskClient, db_session: Session, demo: Municipality, invite: InviteFn
) -> None:
    later = make_questionnaire(
        db_session,
        demo,
        opens_on=today() + dt.timedelta(days=5),
        closes_on=today() + dt.timedelta(days=30),
    )
    link = invite(later.round)

    response = english.get(link.url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This round is not open yet" in html
    assert "The round opens on" in html
    assert english.get(f"{link.url}/step/1").status_code == 200
    refused = post_step(english, link, 1, **{q(later.scale): "3"})
    assert refused.status_code == 403
    assert "The round opens on" in refused.get_data(as_text=True)
    assert answer_count(db_session) == 0


def test_a_draft_round_is_not_open(
    english: FlaskClient, db_session: Session, demo: Municipality, invite: InviteFn
) -> None:
    draft = make_questionnaire(db_session, demo, published=False)
    html = english.get(invite(draft.round).url).get_data(as_text=True)
    assert "The round is still being prepared." in html


# A step -----------------------------------------------------------------------------------


def test_a_step_asks_each_question_in_a_fieldset_with_words_for_the_ends(
    english: FlaskClient, questionnaire: Questionnaire, link: Link
) -> None:
    html = english.get(f"{link.url}/step/1").get_data(as_text=True)

    assert "Step 1 of 5" in html
    assert '<progress max="5" value="1"' in html
    assert html.count("<fieldset") == 2
    assert "<legend" in html and "How important is it?" in html
    assert "1 – not at all important" in html and "5 – very important" in html
    # Only the progress question offers "don't know".
    assert html.count('value="dont_know"') == 1
    assert f'name="{q(questionnaire.progress[0])}" value="dont_know"' in html
    for label in ("Save and continue", "Back", "Save and come back later"):
        assert label in html
    assert 'id="answer-form"' in html
    assert 'form="answer-form" name="language"' in html  # the switch keeps what was typed


def test_the_categories_step_groups_checkboxes_and_says_how_many(
    english: FlaskClient, db_session: Session, demo: Municipality, link: Link
) -> None:
    html = english.get(f"{link.url}/step/4").get_data(as_text=True)
    assert "Choose up to 3." in html
    assert html.count('type="checkbox"') == len(categories(db_session, demo, 1000))
    assert html.count("<fieldset") > 2  # one per parent category inside the question


def test_saving_a_step_goes_on_to_the_next(
    english: FlaskClient, db_session: Session, questionnaire: Questionnaire, link: Link
) -> None:
    response = post_step(
        english,
        link,
        1,
        **{q(questionnaire.importance[0]): "4", q(questionnaire.progress[0]): "dont_know"},
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{link.url}/step/2")
    assert answer_count(db_session) == 2
    html = english.get(f"{link.url}/step/1").get_data(as_text=True)
    assert checked(html, q(questionnaire.importance[0]), "4")
    assert checked(html, q(questionnaire.progress[0]), "dont_know")


def test_bad_answers_answer_422_keeping_every_value(
    english: FlaskClient, db_session: Session, questionnaire: Questionnaire, link: Link
) -> None:
    typed = "Mer belysning vid busshållplatsen"
    response = post_step(
        english, link, 5, **{q(questionnaire.scale): "7", q(questionnaire.text): typed}
    )
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "There is a problem" in html
    assert f'href="#{q(questionnaire.scale)}-1"' in html
    assert "Choose a number from 1 to 5." in html
    assert typed in html
    assert answer_count(db_session) == 0


def test_a_missing_csrf_token_saves_nothing_and_keeps_the_answers(
    english: FlaskClient, db_session: Session, questionnaire: Questionnaire, link: Link
) -> None:
    response = english.post(
        f"{link.url}/step/3",
        data={"move": "next", q(questionnaire.day): "2", q(questionnaire.night): "1"},
    )
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "The form had been open too long to be sent." in html
    assert checked(html, q(questionnaire.day), "2")
    assert hidden_fields(html)["csrf_token"]  # a fresh token to send again
    assert answer_count(db_session) == 0


def test_the_language_switch_keeps_what_was_typed_and_saves_nothing(
    client: FlaskClient, db_session: Session, questionnaire: Questionnaire, link: Link
) -> None:
    url = f"{link.url}/step/5"
    response = client.post(
        url,
        data={
            **tokens_of(client, url),
            "language": "en",
            q(questionnaire.text): "Halvskrivet svar",
            q(questionnaire.scale): "3",
        },
    )
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert "Halvskrivet svar" in html
    assert checked(html, q(questionnaire.scale), "3")
    assert answer_count(db_session) == 0


def test_save_and_come_back_later_returns_to_the_start(
    english: FlaskClient, db_session: Session, questionnaire: Questionnaire, link: Link
) -> None:
    response = post_step(english, link, 3, move="later", **{q(questionnaire.day): "5"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(link.url)

    html = english.get(link.url).get_data(as_text=True)
    assert "Your answers are saved." in html
    assert "Continue where you left off" in html
    assert f'href="{link.url}/step/3"' in html
    assert "1 of 9 questions answered" in html


def test_back_saves_and_goes_to_the_previous_step(
    english: FlaskClient, db_session: Session, questionnaire: Questionnaire, link: Link
) -> None:
    response = post_step(english, link, 2, move="back", **{q(questionnaire.importance[1]): "1"})
    assert response.headers["Location"].endswith(f"{link.url}/step/1")
    assert answer_count(db_session) == 1


# Review, sending and the confirmation ------------------------------------------------------


def test_review_lists_answers_with_change_links_and_sends(
    english: FlaskClient, db_session: Session, questionnaire: Questionnaire, link: Link
) -> None:
    post_step(english, link, 3, **{q(questionnaire.day): "1"})
    post_step(english, link, 5, **{q(questionnaire.scale): "5", q(questionnaire.text): "Tack!"})
    html = english.get(f"{link.url}/review").get_data(as_text=True)
    assert "Check your answers" in html
    assert "1 – very unsafe" in html and "5 – very much" in html and "Tack!" in html
    for number in range(1, 6):
        assert f'href="{link.url}/step/{number}"' in html

    response = english.post(f"{link.url}/review", data=hidden_fields(html))

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{link.url}/done")
    assert db_session.scalars(select(RoundResponse.submitted_at)).one() is not None
    mail = db_session.scalars(select(OutboxMessage)).one()
    assert mail.to_address == link.invitation.organisation.contact_email
    assert f"http://127.0.0.1:5000{link.url}" in mail.body  # the public_url setting
    done = english.get(f"{link.url}/done").get_data(as_text=True)
    assert "Your answers have been sent" in done
    assert "We will e-mail a copy of your answers" in done
    assert "We have sent" not in done


def test_review_without_a_required_answer_links_to_its_step(
    english: FlaskClient, db_session: Session, questionnaire: Questionnaire, link: Link
) -> None:
    post_step(english, link, 3, **{q(questionnaire.day): "3"})
    html = english.get(f"{link.url}/review").get_data(as_text=True)

    response = english.post(f"{link.url}/review", data=hidden_fields(html))
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert f'href="{link.url}/step/5#{q(questionnaire.scale)}-1"' in page
    assert "in step 5" in page
    assert db_session.scalars(select(RoundResponse.submitted_at)).one() is None


def test_sending_needs_a_csrf_token(
    english: FlaskClient, db_session: Session, questionnaire: Questionnaire, link: Link
) -> None:
    post_step(english, link, 5, **{q(questionnaire.scale): "2"})
    response = english.post(f"{link.url}/review", data={})
    assert response.status_code == 422
    assert db_session.scalars(select(RoundResponse.submitted_at)).one() is None


def test_done_before_sending_goes_to_the_review(english: FlaskClient, link: Link) -> None:
    response = english.get(f"{link.url}/done")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{link.url}/review")


def test_changes_after_sending_are_saved_and_said_so(
    english: FlaskClient, db_session: Session, questionnaire: Questionnaire, link: Link
) -> None:
    post_step(english, link, 5, **{q(questionnaire.scale): "2"})
    english.post(f"{link.url}/review", data=tokens_of(english, f"{link.url}/review"))

    response = post_step(english, link, 5, **{q(questionnaire.scale): "4"})
    assert response.status_code == 303
    page = english.get(response.headers["Location"]).get_data(as_text=True)

    assert "Your changes are saved." in page
    assert db_session.scalars(select(Answer.value)).one() == 4
    assert db_session.scalars(select(RoundResponse.submitted_at)).one() is not None


def test_a_closed_round_refuses_changes_and_shows_what_was_sent(
    english: FlaskClient, db_session: Session, questionnaire: Questionnaire, link: Link
) -> None:
    post_step(english, link, 5, **{q(questionnaire.scale): "2"})
    tokens = tokens_of(english, f"{link.url}/review")
    english.post(f"{link.url}/review", data=tokens)
    questionnaire.round.opens_on = today() - dt.timedelta(days=40)
    questionnaire.round.closes_on = today() - dt.timedelta(days=1)
    db_session.commit()

    page = english.get(link.url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This round has closed" in html
    assert "Answers can no longer be given or changed." in html
    assert "These are the answers you sent" in html
    assert "How satisfied are you?" in html
    refused = english.post(
        f"{link.url}/step/5", data={**tokens, "move": "next", q(questionnaire.scale): "5"}
    )
    assert refused.status_code == 403
    assert "This round has closed" in refused.get_data(as_text=True)
    assert english.post(f"{link.url}/review", data=tokens).status_code == 403
    assert db_session.scalars(select(Answer.value)).one() == 2


# The open link ----------------------------------------------------------------------------


@pytest.fixture
def open_url(db_session: Session, key: bytes, questionnaire: Questionnaire) -> str:
    return f"/falkoping/rounds/open/{give_open_link(db_session, key, questionnaire.round)}"


def open_form(client: FlaskClient, url: str, **overrides: str) -> dict[str, str]:
    data = {
        **tokens_of(client, url),
        "name": "Caféet vid torget",
        "type": "business",
        "org_number": valid_org_number(556100001),
        "contact_name": "Cia Café",
        "contact_email": "",
    }
    data.update(overrides)
    return data


def test_the_open_link_gives_an_unverified_organisation_its_own_link(
    english: FlaskClient, db_session: Session, open_url: str
) -> None:
    html = english.get(open_url).get_data(as_text=True)
    assert "Organisation number" in html and "Type of organisation" in html

    response = english.post(open_url, data=open_form(english, open_url))

    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.search(r"/falkoping/rounds/[A-Za-z0-9_-]{32}$", location)
    organisation = db_session.scalars(
        select(Organisation).where(Organisation.name == "Caféet vid torget")
    ).one()
    assert organisation.is_verified is False
    start = english.get(location).get_data(as_text=True)
    assert "This is your organisation&#39;s own link." in start
    assert "Caféet vid torget" in start


def test_the_open_link_refuses_a_second_answer_from_the_same_number(
    english: FlaskClient, db_session: Session, open_url: str
) -> None:
    english.post(open_url, data=open_form(english, open_url))

    response = english.post(open_url, data=open_form(english, open_url, name="Någon annan"))
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "Your organisation has already answered this round." in html
    assert "Någon annan" in html
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_the_open_link_keeps_values_on_a_bad_number(
    english: FlaskClient, db_session: Session, open_url: str
) -> None:
    response = english.post(
        open_url,
        data=open_form(english, open_url, org_number="556000-0002", contact_email="c@example.se"),
    )
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "the last digit does not match the others" in html
    assert 'value="556000-0002"' in html and 'value="c@example.se"' in html
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_the_open_link_needs_a_csrf_token(
    english: FlaskClient, db_session: Session, open_url: str
) -> None:
    data = open_form(english, open_url)
    del data["csrf_token"]
    assert english.post(open_url, data=data).status_code == 422
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_the_open_link_of_a_closed_round_says_so(
    english: FlaskClient, db_session: Session, questionnaire: Questionnaire, open_url: str
) -> None:
    data = open_form(english, open_url)
    questionnaire.round.opens_on = today() - dt.timedelta(days=40)
    questionnaire.round.closes_on = today() - dt.timedelta(days=1)
    db_session.commit()

    page = english.get(open_url)
    assert page.status_code == 200
    assert "This round has closed" in page.get_data(as_text=True)
    assert english.post(open_url, data=data).status_code == 403
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 0


# Rate limit -------------------------------------------------------------------------------


@pytest.fixture
def restore_limiter(app: Flask) -> Iterator[None]:
    """The limiter object is shared by every app in the process: give it back to the suite's."""
    yield
    limiter.init_app(app)


def test_posting_answers_is_rate_limited(
    database_url: str,
    tmp_path: Path,
    db_session: Session,
    questionnaire: Questionnaire,
    link: Link,
    restore_limiter: None,
) -> None:
    limited = migrated_app(
        make_settings(
            database_url, tmp_path, ratelimit_enabled=True, ratelimit_round_answer="2 per hour"
        )
    )
    client = limited.test_client()
    url = f"{link.url}/step/1"
    data = {**tokens_of(client, url), "move": "next"}

    assert [client.post(url, data=data).status_code for _ in range(3)] == [303, 303, 429]
    switch = client.post(url, data={**data, "language": "en"})
    assert switch.status_code == 200  # the language switch is not counted


def test_the_open_link_with_an_address_says_the_link_will_be_emailed_not_that_it_was(
    english: FlaskClient, db_session: Session, open_url: str
) -> None:
    response = english.post(open_url, data=open_form(english, open_url, contact_email="c@ex.se"))
    html = english.get(response.headers["Location"]).get_data(as_text=True)
    assert "We will also e-mail it to the address you gave." in html
    assert "We have also sent it" not in html
    mail = db_session.scalars(select(OutboxMessage)).one()
    assert mail.state == OutboxState.QUEUED and mail.to_address == "c@ex.se"
