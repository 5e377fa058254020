"""The workspace pages of input rounds: status codes, redirects and one visible thing each."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account
from dialogue.models import Municipality, Place
from dialogue.outbox.models import OutboxMessage, OutboxState
from dialogue.rounds.models import InputRound, Invitation, Question, QuestionKind, ResponseVia
from tests.factories import (
    InputRoundFactory,
    MunicipalityFactory,
    OrganisationFactory,
    QuestionFactory,
)
from tests.helpers import PUBLIC_URL, hidden_fields, make_staff, sign_in
from tests.rounds.staff_fixtures import analyst_fixture, demo_pledge, publish, respond  # noqa: F401 (fixtures)

BASE = "/staff/falkoping/rounds"


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None) -> Any:
    """POST with the session's CSRF token, taken from a workspace page."""
    token = hidden_fields(client.get("/staff/", follow_redirects=True).get_data(as_text=True))[
        "csrf_token"
    ]
    return client.post(url, data={"csrf_token": token, **(data or {})})


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()


@pytest.fixture
def mod_client(client: FlaskClient, moderator: Account) -> FlaskClient:
    client.get("/language/en")
    sign_in(client, moderator.email)
    return client


@pytest.fixture
def open_round(db_session: Session, demo: Municipality) -> InputRound:
    """A published round open today, with one scale and one free-text question."""
    input_round = InputRoundFactory(
        municipality_id=demo.id,
        opens_on=today() - dt.timedelta(days=3),
        closes_on=today() + dt.timedelta(days=30),
    )
    QuestionFactory(
        round=input_round,
        position=1,
        kind=QuestionKind.SCALE,
        text={"sv": "Hur nöjda är ni?", "en": "How satisfied are you?"},
    )
    QuestionFactory(round=input_round, position=2, kind=QuestionKind.FREE_TEXT)
    return publish(db_session, input_round)


ROUND_FORM = {
    "title_sv": "Höstens dialog",
    "title_en": "",
    "introduction_sv": "Berätta hur det går.",
    "introduction_en": "",
    "opens_on": "2030-09-01",
    "closes_on": "2030-10-31",
}


def test_a_moderator_creates_a_round_with_the_default_questions(
    mod_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    form = text(mod_client.get(f"{BASE}/new"))
    ranten = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    assert f'id="places-{ranten.id}" name="places" value="{ranten.id}" checked' in form
    pledge = demo_pledge(db_session, demo)
    assert f'<option selected value="{pledge.id}">' in form
    response = post(
        mod_client, f"{BASE}/new", {**ROUND_FORM, "pledge": "", "places": [str(ranten.id)]}
    )
    assert response.status_code == 303
    made = db_session.scalars(select(InputRound)).one()
    assert response.headers["Location"].endswith(f"{BASE}/{made.id}")
    assert made.pledge_id is None  # "no pledge" was chosen
    assert [q.kind for q in made.questions][:2] == [QuestionKind.PLACE_SAFETY] * 2
    page = mod_client.get(f"{BASE}/{made.id}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "How safe do the people of your organisation feel at Ranten" in text(page)


def test_a_round_with_problems_comes_back_with_what_was_typed(
    mod_client: FlaskClient, db_session: Session
) -> None:
    response = post(
        mod_client,
        f"{BASE}/new",
        {
            **ROUND_FORM,
            "title_sv": "",
            "introduction_en": "Kept text",
            "closes_on": "2030-08-01",
            "pledge": "",
        },
    )
    assert response.status_code == 422
    html = text(response)
    assert "Kept text" in html and 'href="#title_sv"' in html and 'href="#closes_on"' in html
    assert db_session.scalars(select(InputRound)).first() is None


def test_the_list_shows_each_round_with_its_state(
    mod_client: FlaskClient, open_round: InputRound
) -> None:
    html = text(mod_client.get(BASE))
    assert "Business dialogue" in html and ">Open<" in html


def test_adding_moving_and_removing_questions_of_a_draft(
    mod_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    draft = InputRoundFactory(municipality_id=demo.id)
    first = QuestionFactory(round=draft, position=1)
    response = post(
        mod_client,
        f"{BASE}/{draft.id}/questions/new",
        {
            "kind": "scale",
            "text_sv": "Hur trygga är ni?",
            "text_en": "How safe are you?",
            "time_of_day": "both",
        },
    )
    assert response.status_code == 303
    added = db_session.scalars(select(Question).filter_by(kind=QuestionKind.SCALE)).one()
    assert added.position == 2
    assert (
        post(
            mod_client, f"{BASE}/{draft.id}/questions/{added.id}/move", {"direction": "up"}
        ).status_code
        == 303
    )
    db_session.expire_all()
    assert (added.position, first.position) == (1, 2)
    assert post(mod_client, f"{BASE}/{draft.id}/questions/{first.id}/remove").status_code == 303
    assert db_session.get(Question, first.id) is None


def test_a_question_of_a_missing_kind_answer_422_with_the_text_kept(
    mod_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    draft = InputRoundFactory(municipality_id=demo.id)
    response = post(
        mod_client,
        f"{BASE}/{draft.id}/questions/new",
        {"kind": "importance", "text_sv": "Behållen text", "commitment": ""},
    )
    assert response.status_code == 422
    assert "Behållen text" in text(response) and 'href="#commitment"' in text(response)
    assert db_session.scalars(select(Question)).first() is None


def test_questions_of_a_published_round_cannot_change(
    mod_client: FlaskClient, db_session: Session, open_round: InputRound
) -> None:
    question = open_round.questions[1]
    assert mod_client.get(f"{BASE}/{open_round.id}/questions/new").status_code == 303
    added = post(
        mod_client,
        f"{BASE}/{open_round.id}/questions/new",
        {"kind": "free_text", "text_sv": "Ny fråga?"},
    )
    assert added.status_code == 422
    assert "can no longer change" in text(added)
    moved = post(
        mod_client, f"{BASE}/{open_round.id}/questions/{question.id}/move", {"direction": "up"}
    )
    assert moved.status_code == 303
    assert "can no longer change" in text(mod_client.get(moved.headers["Location"]))
    post(mod_client, f"{BASE}/{open_round.id}/questions/{question.id}/remove")
    db_session.expire_all()
    assert [q.position for q in open_round.questions] == [1, 2]
    assert len(open_round.questions) == 2


def test_publishing_asks_for_confirmation_then_freezes(
    mod_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    draft = InputRoundFactory(municipality_id=demo.id)
    QuestionFactory(round=draft)
    confirm = mod_client.get(f"{BASE}/{draft.id}/publish")
    assert confirm.status_code == 200 and "can no longer be added" in text(confirm)
    assert draft.published_at is None
    assert post(mod_client, f"{BASE}/{draft.id}/publish").status_code == 303
    db_session.expire_all()
    assert draft.published_at is not None


def test_inviting_sending_and_showing_the_links(
    mod_client: FlaskClient, db_session: Session, demo: Municipality, open_round: InputRound
) -> None:
    with_mail = OrganisationFactory(municipality_id=demo.id, name="Affären")
    OrganisationFactory(municipality_id=demo.id, name="Utan adress", contact_email=None)
    form = text(mod_client.get(f"{BASE}/{open_round.id}/invitations"))
    assert "Affären" in form
    invited = post(mod_client, f"{BASE}/{open_round.id}/invitations", {"who": "all"})
    assert invited.status_code == 303
    assert len(db_session.scalars(select(Invitation)).all()) == 2
    sent = post(mod_client, f"{BASE}/{open_round.id}/invitations/send")
    assert sent.status_code == 303
    page = text(mod_client.get(sent.headers["Location"]))
    assert "Utan adress" in page and "no e-mail address" in page
    [message] = db_session.scalars(select(OutboxMessage)).all()
    assert message.to_address == with_mail.contact_email
    link = message.body.split(f"{PUBLIC_URL}/falkoping/rounds/")[1].split()[0]
    assert f"{PUBLIC_URL}/falkoping/rounds/{link}" in page
    reminded = post(mod_client, f"{BASE}/{open_round.id}/invitations/remind")
    assert reminded.status_code == 303
    assert "less than a day ago" in text(mod_client.get(reminded.headers["Location"]))


def test_inviting_nobody_chosen_answers_422(
    mod_client: FlaskClient, demo: Municipality, open_round: InputRound
) -> None:
    OrganisationFactory(municipality_id=demo.id)
    response = post(mod_client, f"{BASE}/{open_round.id}/invitations", {"who": "chosen"})
    assert response.status_code == 422
    assert 'href="#organisations"' in text(response)


def test_the_open_link_is_shown_once_on(
    mod_client: FlaskClient, db_session: Session, open_round: InputRound
) -> None:
    response = post(mod_client, f"{BASE}/{open_round.id}/open-link", {"action": "enable"})
    assert response.status_code == 303
    html = text(mod_client.get(f"{BASE}/{open_round.id}"))
    assert f"{PUBLIC_URL}/falkoping/rounds/open/" in html
    assert open_round.open_token_hash is not None


def test_results_show_a_chart_with_a_table_and_highlighted_texts(
    mod_client: FlaskClient, db_session: Session, demo: Municipality, open_round: InputRound
) -> None:
    scale, free = open_round.questions
    for value in (2, 5, 5):
        respond(
            db_session,
            open_round,
            OrganisationFactory(municipality_id=demo.id),
            {scale: value, free: "Mejla kim@example.org"},
        )
    html = text(mod_client.get(f"{BASE}/{open_round.id}/results"))
    assert "<svg" in html and "<caption id=" in html
    assert "<td>0</td><td>1</td><td>0</td><td>0</td><td>2</td>" in html
    assert "4.00" in html
    assert '<mark class="pii" data-kind="email">kim@example.org' in html
    assert " style=" not in html


def test_a_response_is_read_and_verified(
    mod_client: FlaskClient, db_session: Session, demo: Municipality, open_round: InputRound
) -> None:
    newcomer = OrganisationFactory(municipality_id=demo.id, name="Nykomlingen", is_verified=False)
    response = respond(
        db_session, open_round, newcomer, {open_round.questions[0]: 4}, via=ResponseVia.OPEN_LINK
    )
    listed = text(mod_client.get(f"{BASE}/{open_round.id}/responses"))
    assert "Nykomlingen" in listed and "Not verified" in listed
    page = text(mod_client.get(f"{BASE}/{open_round.id}/responses/{response.id}"))
    assert "4 of 5" in page and "Verify the response" in page
    verified = post(mod_client, f"{BASE}/{open_round.id}/responses/{response.id}/verify")
    assert verified.status_code == 303
    db_session.expire_all()
    assert response.is_verified and newcomer.is_verified


def test_analysts_read_every_page_and_get_403_on_changes(
    client: FlaskClient,
    db_session: Session,
    demo: Municipality,
    open_round: InputRound,
    analyst: Account,
) -> None:
    response = respond(db_session, open_round, OrganisationFactory(municipality_id=demo.id), {})
    sign_in(client, analyst.email)
    for page in (
        "",
        f"/{open_round.id}",
        f"/{open_round.id}/invitations",
        f"/{open_round.id}/responses",
        f"/{open_round.id}/responses/{response.id}",
        f"/{open_round.id}/results",
    ):
        assert client.get(f"{BASE}{page}").status_code == 200, page
    assert client.get(f"{BASE}/new").status_code == 403
    question = open_round.questions[0]
    for url in (
        "/new",
        f"/{open_round.id}/edit",
        f"/{open_round.id}/publish",
        f"/{open_round.id}/delete",
        f"/{open_round.id}/open-link",
        f"/{open_round.id}/questions/new",
        f"/{open_round.id}/questions/{question.id}/move",
        f"/{open_round.id}/questions/{question.id}/remove",
        f"/{open_round.id}/invitations",
        f"/{open_round.id}/invitations/send",
        f"/{open_round.id}/invitations/remind",
        f"/{open_round.id}/responses/{response.id}/verify",
    ):
        assert post(client, f"{BASE}{url}", {**ROUND_FORM, "who": "all"}).status_code == 403, url
    assert db_session.scalars(select(Invitation)).all() == [response.invitation]


def test_another_municipalitys_rounds_answer_404(
    client: FlaskClient, db_session: Session, demo: Municipality, open_round: InputRound
) -> None:
    other = MunicipalityFactory()
    foreign = InputRoundFactory(municipality_id=other.id)
    foreign_question = QuestionFactory(round=foreign)
    make_staff(db_session, "mod@annan.example", "moderator", municipality_id=other.id)
    sign_in(client, "mod@annan.example")
    assert client.get(f"/staff/{other.slug}/rounds/{open_round.id}").status_code == 404
    assert client.get(BASE).status_code == 404
    assert client.get(f"/staff/{other.slug}/rounds/{foreign.id}").status_code == 200
    assert post(client, f"/staff/{other.slug}/rounds/{open_round.id}/publish").status_code == 404
    for url in (
        f"/{open_round.id}/questions/{open_round.questions[0].id}/remove",
        f"/{foreign.id}/questions/{open_round.questions[0].id}/remove",
    ):
        assert post(client, f"/staff/{other.slug}/rounds{url}").status_code == 404, url
    assert client.get(f"/staff/{other.slug}/rounds/{open_round.id}/results").status_code == 404
    assert db_session.get(Question, foreign_question.id) is not None
    assert len(open_round.questions) == 2


def test_the_invitation_table_says_what_happened_to_each_mail(
    mod_client: FlaskClient, db_session: Session, demo: Municipality, open_round: InputRound
) -> None:
    OrganisationFactory(municipality_id=demo.id, name="Affären")
    post(mod_client, f"{BASE}/{open_round.id}/invitations", {"who": "all"})
    sent = post(mod_client, f"{BASE}/{open_round.id}/invitations/send")
    table = text(mod_client.get(sent.headers["Location"]))
    assert "Invited to the round" in table and ", not sent yet" in table
    assert "E-mail: Sent" not in table
    [message] = db_session.scalars(select(OutboxMessage)).all()
    message.state, message.sent_at = (
        OutboxState.SENT,
        dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC),
    )
    db_session.commit()
    assert "E-mail: Sent 2026-12-05 10:30" in text(mod_client.get(sent.headers["Location"]))
    message.state, message.sent_at = OutboxState.FAILED, None
    message.last_error = "SMTPRecipientsRefused: 550 5.1.1 No such mailbox"
    db_session.commit()
    table = text(mod_client.get(sent.headers["Location"]))
    assert (
        'E-mail: Failed: <span lang="en">SMTPRecipientsRefused: 550 5.1.1 No such mailbox' in table
    )


def test_deleting_a_draft_round_asks_first_and_only_the_confirmation_deletes(
    mod_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    draft = InputRoundFactory(municipality_id=demo.id)
    QuestionFactory(round=draft, position=1)
    url = f"{BASE}/{draft.id}/delete"
    assert f'href="{url}"' in text(mod_client.get(f"{BASE}/{draft.id}"))
    asked = mod_client.get(url)
    assert asked.status_code == 200
    assert "The round and its 1 question are deleted." in text(asked)
    assert "This cannot be undone." in text(asked)
    assert post(mod_client, url).status_code == 200  # a bare POST only asks again
    assert db_session.get(InputRound, draft.id) is not None
    response = post(mod_client, url, {"confirm": "yes"})
    assert response.status_code == 303
    assert db_session.scalars(select(InputRound).filter_by(id=draft.id)).first() is None


def test_a_published_round_offers_no_deletion(
    mod_client: FlaskClient, db_session: Session, open_round: InputRound
) -> None:
    asked = text(mod_client.get(f"{BASE}/{open_round.id}/delete"))
    assert "A published round cannot be deleted" in asked
    assert 'name="confirm"' not in asked
    response = post(mod_client, f"{BASE}/{open_round.id}/delete", {"confirm": "yes"})
    assert response.status_code == 303
    assert db_session.get(InputRound, open_round.id) is not None


def test_inviting_returns_to_a_page_that_sends_them_at_its_top(
    mod_client: FlaskClient, db_session: Session, demo: Municipality, open_round: InputRound
) -> None:
    OrganisationFactory(municipality_id=demo.id, name="Affären")
    OrganisationFactory(municipality_id=demo.id, name="Kiosken")
    OrganisationFactory(municipality_id=demo.id, name="Utan adress", contact_email=None)
    url = f"{BASE}/{open_round.id}/invitations"
    invited = post(mod_client, url, {"who": "all"})
    assert invited.headers["Location"].endswith(f"{url}#send")
    page = text(mod_client.get(url))
    assert page.index("Send 2 invitations") < page.index("Invite organisations</h2>")
    assert "1 invited organisation has no e-mail address" in page
    overview = text(mod_client.get(f"{BASE}/{open_round.id}"))
    assert overview.index("Send 2 invitations") < overview.index('id="questions-heading"')
    sent = post(mod_client, f"{url}/send", {"back": "invitations"})
    assert sent.headers["Location"].endswith(f"{url}#send")
    page = text(mod_client.get(sent.headers["Location"]))
    assert "2 invitations are queued for sending." in page
    assert "No invitations are waiting to be sent." in page
    assert len(db_session.scalars(select(OutboxMessage)).all()) == 2
