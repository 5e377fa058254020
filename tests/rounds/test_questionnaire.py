"""The default questionnaire made from a pledge, and changing questions until publication."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.models import Municipality, Place
from dialogue.rounds import questionnaire
from dialogue.rounds.models import InputRound, Question, QuestionKind, TimeOfDay
from dialogue.rounds.questionnaire import QuestionInput, QuestionText
from dialogue.rounds.services import RoundInput, RoundSource, create_round
from tests.factories import CommitmentFactory, InputRoundFactory, MunicipalityFactory, PledgeFactory
from tests.rounds.staff_fixtures import (  # noqa: F401 (fixtures)
    CLOSES,
    DURING,
    OPENS,
    as_moderator_fixture,
    audit_actions,
    ctx_fixture,
    ctx_for,
    demo_pledge,
    publish,
)

pytestmark = pytest.mark.usefixtures("ctx")

ROUND = RoundInput(
    title={"sv": "Dialog med näringslivet", "en": "Business dialogue"},
    introduction={"sv": "Berätta hur det går.", "en": ""},
    opens_on=OPENS,
    closes_on=CLOSES,
)


def place(session: Session, slug: str) -> Place:
    return session.scalars(select(Place).filter_by(slug=slug)).one()


@pytest.fixture
def draft(db_session: Session, demo: Municipality, as_moderator: dict[str, Any]) -> InputRound:
    places = [place(db_session, "ranten").id, place(db_session, "dotorp").id]
    return create_round(
        db_session,
        ctx_for(as_moderator, demo.id),
        ROUND,
        RoundSource(place_ids=places),
        today=DURING,
    )


def kinds(input_round: InputRound) -> list[QuestionKind]:
    return [q.kind for q in input_round.questions]


def test_the_default_questionnaire_asks_about_every_commitment_of_the_current_pledge(
    db_session: Session, demo: Municipality, draft: InputRound
) -> None:
    pledge = demo_pledge(db_session, demo)
    assert draft.pledge_id == pledge.id
    for commitment in pledge.commitments:
        asked = [q for q in draft.questions if q.commitment_id == commitment.id]
        assert sorted(q.kind for q in asked) == [QuestionKind.IMPORTANCE, QuestionKind.PROGRESS]
        for question in asked:
            assert commitment.text["sv"] in question.text["sv"]
            assert commitment.text["en"] in question.text["en"]
            assert set(question.hint or {}) == {"sv", "en"}
    assert kinds(draft).count(QuestionKind.IMPORTANCE) == len(pledge.commitments) == 5


def test_the_default_questionnaire_asks_about_each_chosen_place_by_day_and_by_night(
    db_session: Session, draft: InputRound
) -> None:
    safety = [q for q in draft.questions if q.kind == QuestionKind.PLACE_SAFETY]
    asked = {(q.place_id, q.time_of_day) for q in safety}
    ranten, dotorp = place(db_session, "ranten"), place(db_session, "dotorp")
    assert asked == {
        (ranten.id, TimeOfDay.DAY),
        (ranten.id, TimeOfDay.NIGHT),
        (dotorp.id, TimeOfDay.DAY),
        (dotorp.id, TimeOfDay.NIGHT),
    }
    night = next(q for q in safety if q.place_id == ranten.id and q.time_of_day == "night")
    assert "Ranten" in night.text["sv"] and "Ranten" in night.text["en"]
    assert "night" in night.text["en"]


def test_the_default_questionnaire_ends_with_top_categories_and_two_free_texts(
    draft: InputRound,
) -> None:
    assert kinds(draft)[-3:] == [
        QuestionKind.TOP_CATEGORIES,
        QuestionKind.FREE_TEXT,
        QuestionKind.FREE_TEXT,
    ]
    top = draft.questions[-3]
    assert top.max_choices == 3
    assert draft.questions[-2].text["en"] == "What should next year's pledge focus on?"
    assert [q.position for q in draft.questions] == list(range(1, len(draft.questions) + 1))
    for question in draft.questions:
        assert question.text["sv"] and question.text["en"]


def test_without_a_pledge_only_the_general_questions_are_asked(
    db_session: Session, as_moderator: dict[str, Any], demo: Municipality
) -> None:
    made = create_round(
        db_session,
        ctx_for(as_moderator, demo.id),
        ROUND,
        RoundSource(use_current_pledge=False),
        today=DURING,
    )
    assert made.pledge_id is None
    assert kinds(made) == [
        QuestionKind.TOP_CATEGORIES,
        QuestionKind.FREE_TEXT,
        QuestionKind.FREE_TEXT,
    ]


def test_own_questions_are_added_at_the_end_and_audited(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any]
) -> None:
    count = len(draft.questions)
    [added] = questionnaire.add_question(
        db_session,
        ctx_for(as_moderator, draft.municipality_id),
        draft.id,
        QuestionInput(QuestionKind.SCALE, text={"sv": "Hur nöjd är ni?", "en": ""}),
    )
    assert added.position == count + 1
    assert added.text == {"sv": "Hur nöjd är ni?"}
    assert "round_question.added" in audit_actions(db_session)


def test_a_place_asked_without_a_time_adds_a_day_and_a_night_question(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any]
) -> None:
    torget = place(db_session, "stora-torget")
    made = questionnaire.add_question(
        db_session,
        ctx_for(as_moderator, draft.municipality_id),
        draft.id,
        QuestionInput(QuestionKind.PLACE_SAFETY, place_id=torget.id),
    )
    assert [q.time_of_day for q in made] == [TimeOfDay.DAY, TimeOfDay.NIGHT]


def test_a_question_about_another_municipalitys_commitment_is_refused(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any]
) -> None:
    foreign = CommitmentFactory(pledge=PledgeFactory(municipality_id=MunicipalityFactory().id))
    with pytest.raises(InvalidInputError) as raised:
        questionnaire.add_question(
            db_session,
            ctx_for(as_moderator, draft.municipality_id),
            draft.id,
            QuestionInput(QuestionKind.IMPORTANCE, commitment_id=foreign.id),
        )
    assert "commitment" in raised.value.errors


def test_a_second_top_categories_question_is_refused(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError):
        questionnaire.add_question(
            db_session,
            ctx_for(as_moderator, draft.municipality_id),
            draft.id,
            QuestionInput(QuestionKind.TOP_CATEGORIES),
        )


def test_moving_swaps_with_the_neighbour_and_the_ends_refuse(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any]
) -> None:
    first, second = draft.questions[0], draft.questions[1]
    questionnaire.move_question(
        db_session, ctx_for(as_moderator, draft.municipality_id), draft.id, second.id, "up"
    )
    assert (first.position, second.position) == (2, 1)
    with pytest.raises(InvalidInputError):
        questionnaire.move_question(
            db_session, ctx_for(as_moderator, draft.municipality_id), draft.id, second.id, "up"
        )
    last = max(draft.questions, key=lambda q: q.position)
    with pytest.raises(InvalidInputError):
        questionnaire.move_question(
            db_session, ctx_for(as_moderator, draft.municipality_id), draft.id, last.id, "down"
        )


def test_removing_closes_up_the_positions(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any]
) -> None:
    count = len(draft.questions)
    removed = draft.questions[0].id
    questionnaire.remove_question(
        db_session, ctx_for(as_moderator, draft.municipality_id), draft.id, removed
    )
    assert db_session.get(Question, removed) is None
    positions = db_session.scalars(
        select(Question.position).where(Question.round_id == draft.id).order_by(Question.position)
    ).all()
    assert list(positions) == list(range(1, count))
    assert "round_question.removed" in audit_actions(db_session)


def test_only_own_questions_change_text(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any]
) -> None:
    own = draft.questions[-1]
    questionnaire.update_question(
        db_session,
        ctx_for(as_moderator, draft.municipality_id),
        draft.id,
        own.id,
        QuestionText({"sv": "Något mer?", "en": "Anything more?"}),
    )
    assert own.text == {"sv": "Något mer?", "en": "Anything more?"}
    generated = draft.questions[0]
    with pytest.raises(InvalidInputError):
        questionnaire.update_question(
            db_session,
            ctx_for(as_moderator, draft.municipality_id),
            draft.id,
            generated.id,
            QuestionText({"sv": "Annat"}),
        )


def test_every_question_change_is_refused_after_publishing(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any]
) -> None:
    publish(db_session, draft)
    texts = [dict(q.text) for q in draft.questions]
    question = draft.questions[-1]
    changes = [
        lambda: questionnaire.add_question(
            db_session,
            ctx_for(as_moderator, draft.municipality_id),
            draft.id,
            QuestionInput(QuestionKind.FREE_TEXT, text={"sv": "Ny?"}),
        ),
        lambda: questionnaire.update_question(
            db_session,
            ctx_for(as_moderator, draft.municipality_id),
            draft.id,
            question.id,
            QuestionText({"sv": "Ändrad?"}),
        ),
        lambda: questionnaire.move_question(
            db_session, ctx_for(as_moderator, draft.municipality_id), draft.id, question.id, "up"
        ),
        lambda: questionnaire.remove_question(
            db_session, ctx_for(as_moderator, draft.municipality_id), draft.id, question.id
        ),
    ]
    for change in changes:
        with pytest.raises(InvalidInputError) as raised:
            change()
        assert "questions" in raised.value.errors
    db_session.expire_all()
    assert [dict(q.text) for q in draft.questions] == texts
    assert not any(a.startswith("round_question.") for a in audit_actions(db_session))


def test_a_question_of_another_round_is_not_found(
    db_session: Session, draft: InputRound, as_moderator: dict[str, Any], demo: Municipality
) -> None:
    other = InputRoundFactory(municipality_id=demo.id)
    with pytest.raises(NotFoundError):
        questionnaire.remove_question(
            db_session, ctx_for(as_moderator, demo.id), other.id, draft.questions[0].id
        )
