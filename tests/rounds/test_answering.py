from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.models import Category, Municipality
from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.organisations.registration import OrganisationDetails as OpenLinkDetails
from dialogue.outbox.models import OutboxMessage
from dialogue.rounds import (
    answer_checks,
    answer_mail,
    answer_review,
    answers,
    open_link,
    tokens,
    visits,
)
from dialogue.rounds.answers import Move
from dialogue.rounds.models import Answer, Invitation, ResponseVia, RoundResponse
from dialogue.rounds.state import RoundState
from dialogue.rounds.visits import AnswerSite, RoundNotOpenError, StepKind, Visit
from tests.factories import (
    CategoryFactory,
    MunicipalityFactory,
    OrganisationFactory,
    valid_org_number,
)
from tests.rounds.conftest import InviteFn, Link, categories
from tests.rounds.helpers import Questionnaire, give_open_link, make_questionnaire, today

pytestmark = pytest.mark.usefixtures("in_app")


def visit(session: Session, link: Link, key: bytes, on: dt.date | None = None) -> Visit:
    session.expire_all()
    return visits.load_visit(
        session, link.invitation.municipality_id, link.token, key=key, today=on or today()
    )


def q(question: Any) -> str:
    return visits.field_name(question)


def stored_answers(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Answer)) or 0


def submit(session: Session, current: Visit) -> answers.Submitted:
    site = AnswerSite(
        key=b"unused",
        today=today(),
        municipality_name="Falköping",
        locale="en",
        default_locale="sv",
        link=lambda token: "https://dialog.example/falkoping/rounds/x",
    )
    return answers.submit_response(session, current, site)


def fill_required(session: Session, link: Link, key: bytes, survey: Questionnaire) -> Visit:
    current = visit(session, link, key)
    answers.save_step(session, current, 5, {q(survey.scale): ["4"]}, move=Move.NEXT)
    return visit(session, link, key)


def open_details(number: str, **overrides: Any) -> OpenLinkDetails:
    values: dict[str, Any] = {
        "name": "Bageriet i Falköping",
        "type": OrganisationType.BUSINESS,
        "org_number": number,
        "contact_name": "Bo Bagare",
        "contact_email": "bo@bageriet.example",
    }
    values.update(overrides)
    return OpenLinkDetails(**values)


def answer_open(
    session: Session, survey: Questionnaire, key: bytes, details: OpenLinkDetails
) -> str:
    site = AnswerSite(
        key=key,
        today=today(),
        municipality_name="Falköping",
        locale="sv",
        default_locale="sv",
        link=lambda token: f"https://dialog.example/falkoping/rounds/{token}",
    )
    return open_link.answer_via_open_link(session, survey.round, details, site)


# Finding the link -------------------------------------------------------------------------


def test_steps_are_derived_from_the_questions_in_order(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    current = visit(db_session, link, key)

    kinds = [step.kind for step in current.steps]
    assert kinds == [
        StepKind.COMMITMENT,
        StepKind.COMMITMENT,
        StepKind.PLACE,
        StepKind.CATEGORIES,
        StepKind.OTHER,
    ]
    first = current.steps[0]
    assert [question.id for question in first.questions] == [
        questionnaire.importance[0].id,
        questionnaire.progress[0].id,
    ]
    assert first.commitment is not None
    assert first.commitment.id == questionnaire.importance[0].commitment_id
    assert current.steps[1].ordinal == 2
    assert current.steps[2].questions == (questionnaire.day, questionnaire.night)
    assert current.steps[4].questions == (questionnaire.scale, questionnaire.text)
    assert current.state is RoundState.OPEN


def test_a_forged_or_unknown_token_is_not_found(
    db_session: Session, demo: Municipality, link: Link, key: bytes
) -> None:
    forged = link.token[:-1] + ("A" if link.token[-1] != "A" else "B")
    for token in (forged, "short", "x" * 200, "../../etc/passwd"):
        with pytest.raises(NotFoundError):
            visits.load_visit(db_session, demo.id, token, key=key, today=today())


def test_a_link_of_another_municipality_is_not_found(
    db_session: Session, demo: Municipality, link: Link, key: bytes
) -> None:
    other = MunicipalityFactory()
    with pytest.raises(NotFoundError):
        visits.load_visit(db_session, other.id, link.token, key=key, today=today())


def test_a_link_made_with_another_key_is_not_found(
    db_session: Session, demo: Municipality, link: Link
) -> None:
    with pytest.raises(NotFoundError):
        visits.load_visit(db_session, demo.id, link.token, key=b"another key", today=today())


# Checking a step --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "6", "-1", "3.5", "three", "٣", "1e0"])
def test_a_scale_answer_out_of_range_is_refused(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes, value: str
) -> None:
    current = visit(db_session, link, key)
    question = questionnaire.importance[0]

    with pytest.raises(InvalidInputError) as refused:
        answers.save_step(db_session, current, 1, {q(question): [value]}, move=Move.NEXT)

    assert refused.value.errors == {q(question): "Choose a number from 1 to 5."}
    assert stored_answers(db_session) == 0


def test_dont_know_is_allowed_only_for_progress(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    current = visit(db_session, link, key)
    importance, progress = questionnaire.importance[0], questionnaire.progress[0]

    with pytest.raises(InvalidInputError) as refused:
        answers.save_step(
            db_session,
            current,
            1,
            {q(importance): [answer_checks.DONT_KNOW], q(progress): [answer_checks.DONT_KNOW]},
            move=Move.NEXT,
        )
    assert set(refused.value.errors) == {q(importance)}

    answers.save_step(
        db_session,
        visit(db_session, link, key),
        1,
        {q(importance): ["5"], q(progress): [answer_checks.DONT_KNOW]},
        move=Move.NEXT,
    )
    stored = {a.question_id: a for a in db_session.scalars(select(Answer))}
    assert stored[progress.id].dont_know is True
    assert stored[progress.id].value is None
    assert stored[importance.id].value == 5


def test_two_values_for_one_scale_question_are_refused(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    current = visit(db_session, link, key)
    with pytest.raises(InvalidInputError):
        answers.save_step(
            db_session, current, 3, {q(questionnaire.day): ["2", "3"]}, move=Move.NEXT
        )


def test_too_many_categories_are_refused(
    db_session: Session, demo: Municipality, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    chosen = [str(i) for i in categories(db_session, demo, 4)]
    current = visit(db_session, link, key)

    with pytest.raises(InvalidInputError) as refused:
        answers.save_step(db_session, current, 4, {q(questionnaire.top): chosen}, move=Move.NEXT)

    assert refused.value.errors[q(questionnaire.top)] == "Choose at most 3. You have chosen 4."
    assert stored_answers(db_session) == 0


def test_a_category_of_another_municipality_or_inactive_is_refused(
    db_session: Session, demo: Municipality, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    elsewhere = MunicipalityFactory()
    parent = CategoryFactory(municipality_id=elsewhere.id)
    foreign = CategoryFactory(parent=parent)
    inactive_id = categories(db_session, demo, 1)[0]
    db_session.get_one(Category, inactive_id).is_active = False
    db_session.commit()

    for chosen in ([str(foreign.id)], [str(inactive_id)], ["not a number"]):
        with pytest.raises(InvalidInputError) as refused:
            answers.save_step(
                db_session,
                visit(db_session, link, key),
                4,
                {q(questionnaire.top): chosen},
                move=Move.NEXT,
            )
        assert refused.value.errors == {
            q(questionnaire.top): "Choose only from the concerns in the list."
        }


def test_categories_are_stored_once_each_in_the_order_chosen(
    db_session: Session, demo: Municipality, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    first, second, third = categories(db_session, demo, 3)
    chosen = [str(third), str(first), str(third), str(second)]

    answers.save_step(
        db_session, visit(db_session, link, key), 4, {q(questionnaire.top): chosen}, move=Move.NEXT
    )

    stored = db_session.scalars(select(Answer)).one()
    assert stored.choices == [third, first, second]


def test_too_long_text_is_refused_and_text_is_cleaned(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    long_text = "a" * (answer_checks.MAX_TEXT_LENGTH + 1)
    fields = {q(questionnaire.scale): ["3"], q(questionnaire.text): [long_text]}
    with pytest.raises(InvalidInputError) as refused:
        answers.save_step(db_session, visit(db_session, link, key), 5, fields, move=Move.NEXT)
    assert refused.value.errors == {
        q(questionnaire.text): "Use at most 2000 characters. You have written 2001."
    }
    assert stored_answers(db_session) == 0

    fields[q(questionnaire.text)] = ["<script>alert(1)</script>Mer <b>belysning</b> vid Ranten"]
    answers.save_step(db_session, visit(db_session, link, key), 5, fields, move=Move.NEXT)
    texts = db_session.scalars(select(Answer.text).where(Answer.text.is_not(None))).all()
    assert texts == ["alert(1)Mer belysning vid Ranten"]


def test_control_characters_in_text_are_refused(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    with pytest.raises(InvalidInputError):
        answers.save_step(
            db_session,
            visit(db_session, link, key),
            5,
            {q(questionnaire.text): ["bad \x00 byte"]},
            move=Move.LATER,
        )


def test_a_required_question_is_asked_for_only_when_moving_on(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    fields = {q(questionnaire.text): ["Mer ljus"]}
    with pytest.raises(InvalidInputError) as refused:
        answers.save_step(db_session, visit(db_session, link, key), 5, fields, move=Move.NEXT)
    assert refused.value.errors == {q(questionnaire.scale): "Answer this question."}

    answers.save_step(db_session, visit(db_session, link, key), 5, fields, move=Move.LATER)
    assert stored_answers(db_session) == 1


# Saving and resuming ----------------------------------------------------------------------


def test_a_step_is_saved_all_or_nothing(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    fields = {q(questionnaire.day): ["4"], q(questionnaire.night): ["9"]}

    with pytest.raises(InvalidInputError) as refused:
        answers.save_step(db_session, visit(db_session, link, key), 3, fields, move=Move.NEXT)

    assert set(refused.value.errors) == {q(questionnaire.night)}
    assert stored_answers(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(RoundResponse)) == 0


def test_first_save_creates_the_response_and_later_saves_update_it(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    fields = {q(questionnaire.day): ["4"], q(questionnaire.night): ["2"]}
    response = answers.save_step(
        db_session, visit(db_session, link, key), 3, fields, move=Move.NEXT
    )
    assert response.invitation_id == link.invitation.id
    assert response.is_verified is True  # invited organisations are known
    assert response.submitted_at is None

    answers.save_step(
        db_session,
        visit(db_session, link, key),
        3,
        {q(questionnaire.day): ["5"], q(questionnaire.night): []},
        move=Move.NEXT,
    )

    stored = db_session.scalars(select(Answer)).all()
    assert [(a.question_id, a.value) for a in stored] == [(questionnaire.day.id, 5)]
    assert db_session.scalar(select(func.count()).select_from(RoundResponse)) == 1


def test_resume_continues_at_the_furthest_step_reached(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    assert visit(db_session, link, key).resume_step() == 1
    q1 = {q(questionnaire.importance[0]): ["3"]}
    answers.save_step(db_session, visit(db_session, link, key), 1, q1, move=Move.NEXT)
    answers.save_step(db_session, visit(db_session, link, key), 2, {}, move=Move.NEXT)
    assert visit(db_session, link, key).resume_step() == 3

    # Saving to come back later stays on the step; going back never loses the furthest one.
    answers.save_step(db_session, visit(db_session, link, key), 3, {}, move=Move.LATER)
    answers.save_step(db_session, visit(db_session, link, key), 1, q1, move=Move.BACK)
    current = visit(db_session, link, key)
    assert current.resume_step() == 3
    assert current.response is not None and current.response.last_step == 3
    assert answer_checks.step_values(current, current.steps[0]) == {
        q(questionnaire.importance[0]): ["3"]
    }


def test_after_the_last_step_resume_goes_to_the_review(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    current = fill_required(db_session, link, key, questionnaire)
    assert current.resume_step() is None


def test_an_unknown_step_is_not_found(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    with pytest.raises(NotFoundError):
        answers.save_step(db_session, visit(db_session, link, key), 6, {}, move=Move.NEXT)


# Sending ----------------------------------------------------------------------------------


def test_submit_marks_the_response_sent_and_mails_a_copy(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    answers.save_step(
        db_session,
        visit(db_session, link, key),
        1,
        {q(questionnaire.importance[0]): ["5"], q(questionnaire.progress[0]): ["dont_know"]},
        move=Move.NEXT,
    )
    current = fill_required(db_session, link, key, questionnaire)

    sent = submit(db_session, current)

    assert sent == answers.Submitted(first_time=True, mailed=True)
    response = db_session.scalars(select(RoundResponse)).one()
    assert response.submitted_at is not None
    mail = db_session.scalars(select(OutboxMessage)).one()
    assert mail.to_address == link.invitation.organisation.contact_email
    assert mail.kind == answer_mail.CONFIRMATION_MAIL
    assert "Business dialogue" in mail.subject
    assert "https://dialog.example/falkoping/rounds/x" in mail.body
    assert "How important is it?\n5 – very important" in mail.body
    assert "How is it going?\nDon't know" in mail.body
    assert "How satisfied are you?\n4" in mail.body
    assert "Not answered" in mail.body


def test_sending_again_keeps_the_first_time_and_mails_nothing_more(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    submit(db_session, fill_required(db_session, link, key, questionnaire))
    first = db_session.scalars(select(RoundResponse.submitted_at)).one()

    # A change after sending is saved and the answers stay sent.
    current = visit(db_session, link, key)
    answers.save_step(db_session, current, 5, {q(questionnaire.scale): ["2"]}, move=Move.NEXT)
    again = submit(db_session, visit(db_session, link, key))

    assert again.first_time is False
    assert db_session.scalars(select(RoundResponse.submitted_at)).one() == first
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert db_session.scalars(select(Answer.value).where(Answer.value.is_not(None))).one() == 2


def test_submit_needs_the_required_answers(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    with pytest.raises(InvalidInputError) as nothing:
        submit(db_session, visit(db_session, link, key))
    assert set(nothing.value.errors) == {"answers"}

    answers.save_step(
        db_session,
        visit(db_session, link, key),
        3,
        {q(questionnaire.day): ["4"]},
        move=Move.NEXT,
    )
    with pytest.raises(InvalidInputError) as missing:
        submit(db_session, visit(db_session, link, key))
    assert missing.value.errors == {q(questionnaire.scale): "Answer this question."}
    assert db_session.scalars(select(RoundResponse.submitted_at)).one() is None
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_no_mail_without_an_address(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    link.invitation.organisation.contact_email = None
    db_session.commit()
    sent = submit(db_session, fill_required(db_session, link, key, questionnaire))
    assert sent.mailed is False
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize(
    ("offset", "state"),
    [(11, RoundState.CLOSED), (-11, RoundState.SCHEDULED)],
)
def test_nothing_is_written_when_the_round_is_not_open(
    db_session: Session,
    questionnaire: Questionnaire,
    link: Link,
    key: bytes,
    offset: int,
    state: RoundState,
) -> None:
    fill_required(db_session, link, key, questionnaire)
    current = visit(db_session, link, key, on=today() + dt.timedelta(days=offset))
    assert current.state is state

    with pytest.raises(RoundNotOpenError) as refused:
        answers.save_step(db_session, current, 5, {q(questionnaire.scale): ["1"]}, move=Move.NEXT)
    assert refused.value.state is state
    with pytest.raises(RoundNotOpenError):
        submit(db_session, current)

    assert db_session.scalars(select(Answer.value)).one() == 4
    assert db_session.scalars(select(RoundResponse.submitted_at)).one() is None


def test_a_draft_round_takes_no_answers(
    db_session: Session, demo: Municipality, invite: InviteFn, key: bytes
) -> None:
    draft = make_questionnaire(db_session, demo, published=False)
    current = visit(db_session, invite(draft.round), key)
    assert current.state is RoundState.DRAFT
    with pytest.raises(RoundNotOpenError):
        answers.save_step(db_session, current, 1, {}, move=Move.NEXT)


def test_review_describes_every_answer(
    db_session: Session, demo: Municipality, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    first, second = categories(db_session, demo, 2)
    answers.save_step(
        db_session,
        visit(db_session, link, key),
        4,
        {q(questionnaire.top): [str(second), str(first)]},
        move=Move.NEXT,
    )
    answers.save_step(
        db_session,
        visit(db_session, link, key),
        3,
        {q(questionnaire.day): ["1"], q(questionnaire.night): ["3"]},
        move=Move.NEXT,
    )
    rows = {
        row.question.id: row
        for step in answer_review.review(visit(db_session, link, key), "en", "sv")
        for row in step.rows
    }
    labels = {
        c.id: c.label["en"]
        for c in db_session.scalars(select(Category).where(Category.id.in_([first, second])))
    }
    assert rows[questionnaire.day.id].answer == "1 – very unsafe"
    assert rows[questionnaire.night.id].answer == "3"
    assert rows[questionnaire.top.id].answer == f"{labels[second]}, {labels[first]}"
    assert rows[questionnaire.scale.id].answer is None
    assert rows[questionnaire.scale.id].is_missing is True
    assert rows[questionnaire.text.id].is_missing is False


# The open link ----------------------------------------------------------------------------


def test_open_link_adds_an_unverified_organisation_with_its_own_link(
    db_session: Session, demo: Municipality, questionnaire: Questionnaire, key: bytes
) -> None:
    number = valid_org_number(556000001)
    token = answer_open(db_session, questionnaire, key, open_details(number.replace("-", "")))

    organisation = db_session.scalars(
        select(Organisation).where(Organisation.org_number == number)
    ).one()
    assert organisation.is_verified is False
    assert organisation.name == "Bageriet i Falköping"
    assert organisation.municipality_id == demo.id
    assert tokens.is_well_formed(token)
    current = visits.load_visit(db_session, demo.id, token, key=key, today=today())
    assert current.organisation.id == organisation.id
    assert current.invitation.via is ResponseVia.OPEN_LINK
    assert current.response is not None
    assert current.response.is_verified is False
    assert current.response.respondent_email == "bo@bageriet.example"
    mail = db_session.scalars(select(OutboxMessage)).one()
    assert mail.to_address == "bo@bageriet.example"
    assert f"https://dialog.example/falkoping/rounds/{token}" in mail.body


def test_open_link_answers_are_mailed_to_the_respondent(
    db_session: Session, demo: Municipality, questionnaire: Questionnaire, key: bytes
) -> None:
    token = answer_open(db_session, questionnaire, key, open_details(valid_org_number(556000002)))
    own = Link(db_session.scalars(select(Invitation)).one(), token)
    submit(db_session, fill_required(db_session, own, key, questionnaire))
    mails = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.kind for m in mails] == [answer_mail.LINK_MAIL, answer_mail.CONFIRMATION_MAIL]
    assert mails[1].to_address == "bo@bageriet.example"


def test_a_second_open_link_answer_with_the_same_number_is_refused(
    db_session: Session, questionnaire: Questionnaire, key: bytes
) -> None:
    number = valid_org_number(556000003)
    answer_open(db_session, questionnaire, key, open_details(number))

    with pytest.raises(InvalidInputError) as refused:
        answer_open(db_session, questionnaire, key, open_details(number, name="Någon annan"))

    assert refused.value.errors == {"org_number": str(open_link.ALREADY_ANSWERED)}
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 1
    assert (
        db_session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.org_number == number)
        )
        == 1
    )


def test_open_link_refuses_an_invited_organisation(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    number = link.invitation.organisation.org_number
    with pytest.raises(InvalidInputError) as refused:
        answer_open(db_session, questionnaire, key, open_details(number))
    assert refused.value.errors == {"org_number": str(open_link.ALREADY_INVITED)}


def test_open_link_for_a_registered_organisation_not_invited_is_unverified(
    db_session: Session, demo: Municipality, questionnaire: Questionnaire, key: bytes
) -> None:
    registered = OrganisationFactory(municipality_id=demo.id)
    token = answer_open(db_session, questionnaire, key, open_details(registered.org_number))

    current = visits.load_visit(db_session, demo.id, token, key=key, today=today())
    assert current.organisation.id == registered.id
    assert current.organisation.is_verified is True
    assert current.organisation.name != "Bageriet i Falköping"  # the register is not changed
    assert current.response is not None and current.response.is_verified is False


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("org_number", {"org_number": "556000-0002"}),  # wrong check digit
        ("org_number", {"org_number": "hello"}),
        ("org_number", {"org_number": ""}),
        ("name", {"name": "   "}),
        ("name", {"name": "x" * 201}),
        ("contact_email", {"contact_email": "not an address"}),
    ],
)
def test_open_link_refuses_bad_details(
    db_session: Session,
    questionnaire: Questionnaire,
    key: bytes,
    field: str,
    overrides: dict[str, str],
) -> None:
    details = open_details(valid_org_number(556000004), **overrides)
    with pytest.raises(InvalidInputError) as refused:
        answer_open(db_session, questionnaire, key, details)
    assert set(refused.value.errors) == {field}
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_open_link_of_a_closed_round_is_refused(
    db_session: Session, demo: Municipality, key: bytes
) -> None:
    closed = make_questionnaire(
        db_session,
        demo,
        opens_on=today() - dt.timedelta(days=30),
        closes_on=today() - dt.timedelta(days=2),
    )
    with pytest.raises(RoundNotOpenError):
        answer_open(db_session, closed, key, open_details(valid_org_number(556000005)))
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(Organisation)
            .where(Organisation.type == OrganisationType.BUSINESS)
        )
        == 0
    )


def test_find_open_round_needs_the_right_token(
    db_session: Session, demo: Municipality, questionnaire: Questionnaire, key: bytes
) -> None:
    token = give_open_link(db_session, key, questionnaire.round)
    assert visits.find_open_round(db_session, demo.id, token, key=key).id == questionnaire.round.id
    with pytest.raises(NotFoundError):
        visits.find_open_round(db_session, demo.id, token[::-1], key=key)
    with pytest.raises(NotFoundError):
        visits.find_open_round(db_session, MunicipalityFactory().id, token, key=key)


def test_a_double_click_on_the_first_save_keeps_one_response(
    db_session: Session, questionnaire: Questionnaire, link: Link, key: bytes
) -> None:
    stale = visit(db_session, link, key)
    # The other click's response is stored meanwhile; this request has not seen it.
    answers.save_step(
        db_session, visit(db_session, link, key), 3, {q(questionnaire.day): ["2"]}, move=Move.NEXT
    )
    set_committed_value(stale.invitation, "response", None)
    assert stale.response is None

    answers.save_step(db_session, stale, 3, {q(questionnaire.night): ["5"]}, move=Move.NEXT)

    response = db_session.scalars(select(RoundResponse)).one()
    assert {a.question_id: a.value for a in response.answers} == {questionnaire.night.id: 5}


def test_two_open_link_answers_at_the_same_moment_keep_one(
    db_session: Session, questionnaire: Questionnaire, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = valid_org_number(556000006)
    answer_open(db_session, questionnaire, key, open_details(number))
    # The second request checked before the first one had stored anything.
    monkeypatch.setattr(open_link, "_refuse_if_linked", lambda *args: None)

    with pytest.raises(InvalidInputError) as refused:
        answer_open(db_session, questionnaire, key, open_details(number))

    assert refused.value.errors == {"org_number": str(open_link.ALREADY_ANSWERED)}
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 1
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
