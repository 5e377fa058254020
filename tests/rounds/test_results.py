"""Response rates, single responses, verification and the aggregated results."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.models import Category, Municipality
from dialogue.organisations.models import OrganisationType
from dialogue.rounds import results
from dialogue.rounds.models import InputRound, Question, QuestionKind, ResponseVia
from tests.factories import (
    InputRoundFactory,
    MunicipalityFactory,
    OrganisationFactory,
    QuestionFactory,
)
from tests.rounds.staff_fixtures import (  # noqa: F401 (fixtures)
    as_moderator_fixture,
    audit_actions,
    ctx_fixture,
    ctx_for,
    publish,
    respond,
)

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def answered(db_session: Session, demo: Municipality) -> dict[str, Any]:
    """A published round with a question of each kind and four known responses."""
    input_round = publish(db_session, InputRoundFactory(municipality_id=demo.id))
    q = {
        "importance": QuestionFactory(
            round=input_round,
            position=1,
            kind=QuestionKind.IMPORTANCE,
            text={"sv": "Hur viktigt?", "en": "How important?"},
        ),
        "progress": QuestionFactory(
            round=input_round, position=2, kind=QuestionKind.PROGRESS, text={"sv": "Hur går det?"}
        ),
        "top": QuestionFactory(
            round=input_round, position=3, kind=QuestionKind.TOP_CATEGORIES, max_choices=3
        ),
        "text": QuestionFactory(round=input_round, position=4, kind=QuestionKind.FREE_TEXT),
    }
    categories = {
        c.code: c
        for c in db_session.scalars(select(Category).where(Category.municipality_id == demo.id))
    }
    light, drugs = (
        categories["MILJO.LIGHT"],
        next(c for k, c in categories.items() if k != "MILJO.LIGHT"),
    )
    shop = OrganisationFactory(municipality_id=demo.id, type=OrganisationType.BUSINESS)
    kiosk = OrganisationFactory(municipality_id=demo.id, type=OrganisationType.BUSINESS)
    club = OrganisationFactory(municipality_id=demo.id, type=OrganisationType.ASSOCIATION)
    newcomer = OrganisationFactory(
        municipality_id=demo.id, type=OrganisationType.OTHER, is_verified=False
    )
    respond(
        db_session,
        input_round,
        shop,
        {
            q["importance"]: 5,
            q["progress"]: 2,
            q["top"]: [light.id, drugs.id],
            q["text"]: "Ring mig på 070-123 45 67 om belysningen.",
        },
    )
    respond(
        db_session,
        input_round,
        kiosk,
        {
            q["importance"]: 4,
            q["progress"]: "dont_know",
            q["top"]: [light.id],
        },
    )
    respond(db_session, input_round, club, {q["importance"]: 1, q["progress"]: 4, q["text"]: "  "})
    respond(db_session, input_round, newcomer, {q["importance"]: 3}, via=ResponseVia.OPEN_LINK)
    # Invited but silent, and one that never submitted: neither counts as an answer.
    silent = OrganisationFactory(municipality_id=demo.id, type=OrganisationType.HOUSING_COMPANY)
    respond(db_session, input_round, silent, {q["importance"]: 1}, submitted=False)
    return {"round": input_round, "q": q, "light": light, "drugs": drugs, "newcomer": newcomer}


def get(found: results.RoundResults, question: Question) -> results.QuestionResult:
    return next(r for r in found.questions if r.id == question.id)


def test_the_response_rate_counts_submitted_answers_by_type(
    db_session: Session, answered: dict[str, Any], as_moderator: dict[str, Any]
) -> None:
    input_round: InputRound = answered["round"]
    rate = results.response_rate(
        db_session, input_round.municipality_id, input_round.id, scope=as_moderator["scope"]
    )
    assert (rate.invited, rate.responded, rate.unverified) == (5, 4, 1)
    by_type = {row.type: (row.invited, row.responded) for row in rate.by_type}
    assert by_type == {
        OrganisationType.BUSINESS: (2, 2),
        OrganisationType.ASSOCIATION: (1, 1),
        OrganisationType.HOUSING_COMPANY: (1, 0),
        OrganisationType.OTHER: (1, 1),
    }


def test_scale_answers_give_a_distribution_and_means_overall_and_by_type(
    db_session: Session, answered: dict[str, Any]
) -> None:
    input_round = answered["round"]
    found = results.round_results(db_session, input_round.municipality_id, input_round.id)
    importance = get(found, answered["q"]["importance"])
    assert importance.distribution == (1, 0, 1, 1, 1)
    assert importance.answered == 4
    assert importance.mean == pytest.approx(13 / 4)
    means = {m.type: (m.answered, m.mean) for m in importance.mean_by_type}
    assert means[OrganisationType.BUSINESS] == (2, 4.5)
    assert means[OrganisationType.ASSOCIATION] == (1, 1.0)
    assert means[OrganisationType.HOUSING_COMPANY] == (0, None)


def test_dont_know_is_counted_apart_and_left_out_of_the_mean(
    db_session: Session, answered: dict[str, Any]
) -> None:
    input_round = answered["round"]
    found = results.round_results(db_session, input_round.municipality_id, input_round.id)
    progress = get(found, answered["q"]["progress"])
    assert (progress.answered, progress.dont_know, progress.mean) == (2, 1, 3.0)
    assert progress.distribution == (0, 1, 0, 1, 0)


def test_top_categories_are_counted_most_chosen_first(
    db_session: Session, answered: dict[str, Any]
) -> None:
    input_round = answered["round"]
    found = results.round_results(db_session, input_round.municipality_id, input_round.id)
    top = get(found, answered["q"]["top"])
    assert [(c.key, c.count) for c in top.choices] == [
        ("MILJO.LIGHT", 2),
        (answered["drugs"].code, 1),
    ]
    assert top.answered == 2
    assert set(top.choices[0].label) == {"sv", "en"}


def test_the_json_has_the_shared_shape_with_only_the_number_of_free_texts(
    db_session: Session, answered: dict[str, Any]
) -> None:
    input_round = answered["round"]
    data = results.round_results(db_session, input_round.municipality_id, input_round.id).to_json()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "round_id",
        "title",
        "opens_on",
        "closes_on",
        "invited",
        "responded",
        "unverified",
        "by_type",
        "questions",
    }
    assert data["title"] == {"sv": "Dialog med näringslivet", "en": "Business dialogue"}
    assert (data["opens_on"], data["invited"], data["responded"]) == ("2024-09-01", 5, 4)
    assert [t["type"] for t in data["by_type"]] == [
        "business",
        "association",
        "housing_company",
        "other",
    ]
    [importance, progress, top, text] = data["questions"]
    assert progress["text"] == {"sv": "Hur går det?", "en": "Hur går det?"}
    assert importance["mean"] == 3.25 and importance["distribution"] == [1, 0, 1, 1, 1]
    assert set(importance["mean_by_type"][0]) == {"type", "label", "answered", "mean"}
    assert top["distribution"] == [] and top["choices"][0]["key"] == "MILJO.LIGHT"
    assert text["kind"] == "free_text" and text["answered"] == 1
    assert text["text_count"] == 1 and "texts" not in text
    assert "belysningen" not in json.dumps(data) and "070-123" not in json.dumps(data)
    # The moderators' own values keep the text as written, to highlight it.
    found = results.round_results(db_session, input_round.municipality_id, input_round.id)
    assert "070-123 45 67" in get(found, answered["q"]["text"]).texts[0]


def test_a_response_lists_every_question_with_its_answer(
    db_session: Session, answered: dict[str, Any], as_moderator: dict[str, Any]
) -> None:
    input_round = answered["round"]
    [first, *_rest] = results.list_responses(
        db_session, input_round.municipality_id, input_round.id, scope=as_moderator["scope"]
    )
    detail = results.get_response(
        db_session,
        input_round.municipality_id,
        input_round.id,
        first.id,
        scope=as_moderator["scope"],
    )
    assert [row.question.id for row in detail.rows] == [q.id for q in input_round.questions]
    other_round = InputRoundFactory(municipality_id=input_round.municipality_id)
    with pytest.raises(NotFoundError):
        results.get_response(
            db_session,
            input_round.municipality_id,
            other_round.id,
            first.id,
            scope=as_moderator["scope"],
        )


def test_verifying_an_open_link_response_verifies_the_organisation_too(
    db_session: Session, answered: dict[str, Any], as_moderator: dict[str, Any]
) -> None:
    input_round = answered["round"]
    newcomer = answered["newcomer"]
    response = next(
        r
        for r in results.list_responses(
            db_session, input_round.municipality_id, input_round.id, scope=as_moderator["scope"]
        )
        if r.organisation_id == newcomer.id
    )
    results.verify_response(
        db_session, ctx_for(as_moderator, input_round.municipality_id), input_round.id, response.id
    )
    assert response.is_verified and newcomer.is_verified
    assert response.verified_by_id == as_moderator["actor"].id and response.verified_at
    assert audit_actions(db_session)[-1] == "round_response.verified"
    with pytest.raises(InvalidInputError):
        results.verify_response(
            db_session,
            ctx_for(as_moderator, input_round.municipality_id),
            input_round.id,
            response.id,
        )
    rate = results.response_rate(
        db_session, input_round.municipality_id, input_round.id, scope=as_moderator["scope"]
    )
    assert rate.unverified == 0


def test_rounds_closing_in_a_period_are_the_published_ones_by_closing_date(
    db_session: Session, demo: Municipality
) -> None:
    late = publish(
        db_session, InputRoundFactory(municipality_id=demo.id, closes_on=dt.date(2024, 11, 30))
    )
    early = publish(
        db_session, InputRoundFactory(municipality_id=demo.id, closes_on=dt.date(2024, 10, 1))
    )
    InputRoundFactory(municipality_id=demo.id, closes_on=dt.date(2024, 10, 2))  # a draft
    publish(db_session, InputRoundFactory(municipality_id=demo.id, closes_on=dt.date(2025, 1, 1)))
    publish(db_session, InputRoundFactory(municipality_id=MunicipalityFactory().id))
    found = results.rounds_closing_in(
        db_session, [demo.id], dt.date(2024, 10, 1), dt.date(2024, 11, 30)
    )
    assert [r.id for r in found] == [early.id, late.id]
