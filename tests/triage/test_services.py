from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.accounts.models import Account
from dialogue.audit.models import AuditEvent
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.extensions import db
from dialogue.models import Category, Municipality, Place, Status, StatusEvent, Submission, Tag
from dialogue.triage.services import (
    TRANSITIONS,
    BulkAction,
    Classification,
    StatusChange,
    apply_bulk,
    assign_submission,
    change_status,
    classify,
    set_tags,
)
from tests.factories import CategoryFactory, MunicipalityFactory, SubmissionFactory
from tests.helpers import RaceGround, make_staff, run_together


@pytest.fixture
def submission(db_session: Session, demo: Municipality) -> Submission:
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    return SubmissionFactory(category=category, receipt_key=b"k")


def _scope(session: Session, account: Account):  # type: ignore[no-untyped-def]
    return load_scope(session, account)


def test_accepting_writes_a_status_event_with_the_actor(
    db_session: Session, submission: Submission, moderator: Account
) -> None:
    event = change_status(
        db_session,
        submission,
        StatusChange(Status.ACCEPTED),
        actor=moderator,
        scope=_scope(db_session, moderator),
    )
    assert submission.status == Status.ACCEPTED
    assert (event.from_status, event.to_status, event.actor_id) == (
        Status.NEW,
        Status.ACCEPTED,
        moderator.id,
    )


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.ACCEPTED, Status.SPAM),
        (Status.WITHDRAWN, Status.IN_REVIEW),
        (Status.NEW, Status.WITHDRAWN),
        (Status.NEW, Status.NEW),
    ],
)
def test_transitions_that_make_no_sense_are_refused(
    db_session: Session, submission: Submission, moderator: Account, start: Status, target: Status
) -> None:
    submission.status = start
    db_session.commit()
    with pytest.raises(InvalidInputError) as raised:
        change_status(
            db_session,
            submission,
            StatusChange(target),
            actor=moderator,
            scope=_scope(db_session, moderator),
        )
    assert "status" in raised.value.errors
    assert target not in TRANSITIONS[start]


def test_rejecting_needs_a_reason_and_forwarding_a_recipient(
    db_session: Session, submission: Submission, moderator: Account
) -> None:
    scope = _scope(db_session, moderator)
    with pytest.raises(InvalidInputError, match="reason"):
        change_status(
            db_session,
            submission,
            StatusChange(Status.REJECTED, reason="  "),
            actor=moderator,
            scope=scope,
        )
    with pytest.raises(InvalidInputError, match="forwarded_to"):
        change_status(
            db_session, submission, StatusChange(Status.FORWARDED), actor=moderator, scope=scope
        )
    change_status(
        db_session,
        submission,
        StatusChange(Status.FORWARDED, forwarded_to="Felanmälan"),
        actor=moderator,
        scope=scope,
    )
    assert submission.forwarded_to == "Felanmälan"


def test_duplicate_needs_an_original_of_the_same_municipality(
    db_session: Session, submission: Submission, moderator: Account
) -> None:
    scope = _scope(db_session, moderator)
    other = MunicipalityFactory()
    foreign = SubmissionFactory(
        category=CategoryFactory(
            municipality_id=other.id, parent=CategoryFactory(municipality_id=other.id)
        ),
        receipt_key=b"k",
    )
    original = SubmissionFactory(category=submission.category, receipt_key=b"k")
    for bad in (None, submission.id, foreign.id):
        with pytest.raises(InvalidInputError):
            change_status(
                db_session,
                submission,
                StatusChange(Status.DUPLICATE, duplicate_of_id=bad),
                actor=moderator,
                scope=scope,
            )
    change_status(
        db_session,
        submission,
        StatusChange(Status.DUPLICATE, duplicate_of_id=original.id),
        actor=moderator,
        scope=scope,
    )
    assert submission.duplicate_of_id == original.id
    change_status(
        db_session, submission, StatusChange(Status.IN_REVIEW), actor=moderator, scope=scope
    )
    assert submission.duplicate_of_id is None


def test_recategorising_keeps_the_submitters_choice_and_is_audited(
    db_session: Session, submission: Submission, moderator: Account
) -> None:
    original = submission.category_id
    other = db_session.scalars(select(Category).filter_by(code="MILJO.GRAFFITI")).one()
    ranten = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    classify(
        db_session,
        submission,
        Classification(category_id=other.id, place_id=ranten.id),
        actor=moderator,
        scope=_scope(db_session, moderator),
    )
    assert (submission.submitted_category_id, submission.category_id) == (original, other.id)
    event = db_session.scalars(select(AuditEvent).filter_by(action="submission.updated")).one()
    assert event.details["changes"]["category_id"] == [original, other.id]


def test_values_of_another_municipality_are_refused(
    db_session: Session, submission: Submission, moderator: Account
) -> None:
    foreign = CategoryFactory(municipality_id=MunicipalityFactory().id)
    with pytest.raises(InvalidInputError):
        classify(
            db_session,
            submission,
            Classification(category_id=foreign.id),
            actor=moderator,
            scope=_scope(db_session, moderator),
        )


def test_analysts_may_read_but_not_change(
    db_session: Session, submission: Submission, demo: Municipality
) -> None:
    analyst = make_staff(
        db_session, "ana@polisen.example", "analyst", police_area_id=demo.police_area_id
    )
    with pytest.raises(PermissionDeniedError):
        change_status(
            db_session,
            submission,
            StatusChange(Status.ACCEPTED),
            actor=analyst,
            scope=_scope(db_session, analyst),
        )


def test_moderators_of_other_municipalities_get_not_found(
    db_session: Session, submission: Submission
) -> None:
    stranger = make_staff(
        db_session, "x@annan.example", "moderator", municipality_id=MunicipalityFactory().id
    )
    with pytest.raises(NotFoundError):
        change_status(
            db_session,
            submission,
            StatusChange(Status.ACCEPTED),
            actor=stranger,
            scope=_scope(db_session, stranger),
        )


def test_assigning_only_to_moderators_of_the_municipality(
    db_session: Session, submission: Submission, moderator: Account
) -> None:
    scope = _scope(db_session, moderator)
    stranger = make_staff(
        db_session, "x@annan.example", "moderator", municipality_id=MunicipalityFactory().id
    )
    with pytest.raises(InvalidInputError):
        assign_submission(db_session, submission, stranger.id, actor=moderator, scope=scope)
    assign_submission(db_session, submission, moderator.id, actor=moderator, scope=scope)
    assert submission.assignee_id == moderator.id


def test_tags_are_normalised_and_shared_within_the_municipality(
    db_session: Session, submission: Submission, moderator: Account
) -> None:
    set_tags(
        db_session,
        submission,
        ["Belysning", " belysning ", "Ranten"],
        actor=moderator,
        scope=_scope(db_session, moderator),
    )
    assert [t.name for t in submission.tags] == ["belysning", "ranten"]


def test_bulk_action_is_all_or_nothing(
    db_session: Session, submission: Submission, moderator: Account
) -> None:
    scope = _scope(db_session, moderator)
    second = SubmissionFactory(category=submission.category, receipt_key=b"k", status=Status.SPAM)
    with pytest.raises(InvalidInputError):
        apply_bulk(
            db_session,
            submission.municipality_id,
            [submission.id, second.id],
            BulkAction(status=StatusChange(Status.ACCEPTED)),
            actor=moderator,
            scope=scope,
        )
    db_session.refresh(submission)
    assert submission.status == Status.NEW
    count = apply_bulk(
        db_session,
        submission.municipality_id,
        [submission.id, second.id],
        BulkAction(add_tags=("kväll",)),
        actor=moderator,
        scope=scope,
    )
    assert count == 2 and [t.name for t in second.tags] == ["kväll"]


def test_status_history_cannot_be_edited(db_session: Session, submission: Submission) -> None:

    with pytest.raises(DatabaseError), db_session.begin_nested():
        db_session.execute(update(StatusEvent).values(reason="rewritten"))


@pytest.mark.parametrize("same_submission", [False, True])
def test_six_moderators_adding_the_same_new_tag_at_once_all_succeed(
    committed_app: Flask, race_ground: RaceGround, same_submission: bool
) -> None:
    with committed_app.app_context():
        category = db.session.get_one(Category, race_ground.category_id)
        ids = [SubmissionFactory(category=category, receipt_key=b"k").id for _ in range(6)]
    if same_submission:
        ids = [ids[0]] * 6

    def tag(session: Session, number: int) -> None:
        actor = session.get_one(Account, race_ground.moderator_id)
        submission = session.get_one(Submission, ids[number])
        set_tags(session, submission, ["ny-tagg"], actor=actor, scope=load_scope(session, actor))

    outcome = run_together(committed_app, 6, tag)
    assert outcome.errors == []
    with committed_app.app_context():
        tags = db.session.scalars(
            select(Tag).filter_by(municipality_id=race_ground.municipality_id)
        ).all()
        assert [t.name for t in tags] == ["ny-tagg"]
        for submission_id in set(ids):
            assert [t.name for t in db.session.get_one(Submission, submission_id).tags] == [
                "ny-tagg"
            ]
        tagged = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "submission.tagged",
                AuditEvent.municipality_id == race_ground.municipality_id,
            )
        )
        assert tagged == len(set(ids))  # one change per submission, however many tried


def test_bulk_tagging_races_with_single_tagging_without_error(
    committed_app: Flask, race_ground: RaceGround
) -> None:
    with committed_app.app_context():
        category = db.session.get_one(Category, race_ground.category_id)
        ids = [SubmissionFactory(category=category, receipt_key=b"k").id for _ in range(3)]

    def tag(session: Session, number: int) -> None:
        actor = session.get_one(Account, race_ground.moderator_id)
        scope = load_scope(session, actor)
        if number % 2:
            submission = session.get_one(Submission, ids[0])
            set_tags(session, submission, ["samtidigt"], actor=actor, scope=scope)
        else:
            action = BulkAction(add_tags=("samtidigt",))
            apply_bulk(session, race_ground.municipality_id, ids, action, actor=actor, scope=scope)

    outcome = run_together(committed_app, 4, tag)
    assert outcome.errors == []
    with committed_app.app_context():
        for submission_id in ids:
            names = [t.name for t in db.session.get_one(Submission, submission_id).tags]
            assert names == ["samtidigt"]
