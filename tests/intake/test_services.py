from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialogue.errors import InvalidInputError
from dialogue.intake.services import NewSubmission, submit_concern
from dialogue.models import (
    Category,
    Commitment,
    Contact,
    Municipality,
    Place,
    Status,
    Submission,
    SubmissionKind,
    SubmitterType,
)
from dialogue.submissions import receipts
from tests.factories import CategoryFactory, CommitmentFactory, MunicipalityFactory, PledgeFactory

KEY = b"k" * 32


def _category(session: Session, municipality: Municipality, code: str = "MILJO.LIGHT") -> Category:
    return session.scalars(
        select(Category).filter_by(municipality_id=municipality.id, code=code)
    ).one()


def _data(category: Category, **overrides: object) -> NewSubmission:
    values: dict[str, object] = {
        "kind": SubmissionKind.CONCERN,
        "category_id": category.id,
        "text": "Lamporna i gångtunneln är trasiga.",
        "submitter_type": SubmitterType.RESIDENT,
        "locale": "sv",
    }
    values.update(overrides)
    return NewSubmission(**values)  # type: ignore[arg-type]


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Submission)) or 0


def test_submit_stores_submission_with_receipt_hash_not_code(
    db_session: Session, demo: Municipality
) -> None:
    receipt = submit_concern(
        db_session, demo.id, _data(_category(db_session, demo)), nonce="n1", receipt_key=KEY
    )

    stored = db_session.get(Submission, receipt.submission.id)
    assert stored is not None
    assert len(receipt.code) == 16 and receipt.code.isdigit()
    assert stored.receipt_hash == receipts.hash_code(KEY, receipt.code)
    assert receipt.code not in {stored.receipt_hash, stored.reference, stored.idempotency_key}
    assert stored.status == Status.NEW
    assert [e.to_status for e in stored.status_events] == [Status.NEW]


def test_submit_twice_with_same_token_stores_one_and_returns_same_code(
    db_session: Session, demo: Municipality
) -> None:
    data = _data(_category(db_session, demo))
    first = submit_concern(db_session, demo.id, data, nonce="same", receipt_key=KEY)
    second = submit_concern(db_session, demo.id, data, nonce="same", receipt_key=KEY)

    assert _count(db_session) == 1
    assert second.submission.id == first.submission.id
    assert second.code == first.code
    assert second.is_repeat and not first.is_repeat


def test_submit_keeps_the_submitters_choices_beside_the_working_copy(
    db_session: Session, demo: Municipality
) -> None:
    category = _category(db_session, demo)
    place = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    receipt = submit_concern(
        db_session, demo.id, _data(category, place_id=place.id), nonce="n", receipt_key=KEY
    )
    submission = receipt.submission
    assert (submission.submitted_category_id, submission.category_id) == (category.id, category.id)
    assert (submission.submitted_place_id, submission.place_id) == (place.id, place.id)


def test_submit_refuses_category_of_another_municipality(
    db_session: Session, demo: Municipality
) -> None:
    other = MunicipalityFactory()
    parent = CategoryFactory(municipality_id=other.id, code="X")
    foreign = CategoryFactory(municipality_id=other.id, parent=parent, code="X.Y")

    with pytest.raises(InvalidInputError) as raised:
        submit_concern(db_session, demo.id, _data(foreign), nonce="n", receipt_key=KEY)

    assert set(raised.value.errors) == {"category"}
    assert _count(db_session) == 0


def test_submit_refuses_a_top_level_category(db_session: Session, demo: Municipality) -> None:
    with pytest.raises(InvalidInputError):
        submit_concern(
            db_session,
            demo.id,
            _data(_category(db_session, demo, "MILJO")),
            nonce="n",
            receipt_key=KEY,
        )


def test_submit_refuses_commitment_of_another_municipality(
    db_session: Session, demo: Municipality
) -> None:
    other = MunicipalityFactory()
    foreign = CommitmentFactory(pledge=PledgeFactory(municipality_id=other.id))

    with pytest.raises(InvalidInputError) as raised:
        submit_concern(
            db_session,
            demo.id,
            _data(_category(db_session, demo), commitment_id=foreign.id),
            nonce="n",
            receipt_key=KEY,
        )
    assert set(raised.value.errors) == {"commitment"}


def test_submit_accepts_commitment_of_the_published_pledge(
    db_session: Session, demo: Municipality
) -> None:
    commitment = db_session.scalars(select(Commitment).filter_by(municipality_id=demo.id)).first()
    assert commitment is not None
    receipt = submit_concern(
        db_session,
        demo.id,
        _data(_category(db_session, demo), commitment_id=commitment.id),
        nonce="n",
        receipt_key=KEY,
    )
    assert receipt.submission.commitment_id == commitment.id


def test_submit_refuses_text_that_is_empty_once_cleaned(
    db_session: Session, demo: Municipality
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        submit_concern(
            db_session,
            demo.id,
            _data(_category(db_session, demo), text="<script></script>"),
            nonce="n",
            receipt_key=KEY,
        )
    assert set(raised.value.errors) == {"text"}


def test_contact_is_stored_apart_only_when_an_address_is_given(
    db_session: Session, demo: Municipality
) -> None:
    category = _category(db_session, demo)
    anonymous = submit_concern(db_session, demo.id, _data(category), nonce="a", receipt_key=KEY)
    with_mail = submit_concern(
        db_session, demo.id, _data(category, email="anna@example.se"), nonce="b", receipt_key=KEY
    )
    contacts = db_session.scalars(select(Contact)).all()
    assert [c.submission_id for c in contacts] == [with_mail.submission.id]
    assert anonymous.submission.contact is None
    assert contacts[0].consent_at is not None


def test_sensitive_category_marks_the_submission_sensitive(
    db_session: Session, demo: Municipality
) -> None:
    receipt = submit_concern(
        db_session,
        demo.id,
        _data(_category(db_session, demo, "ORDN.DRUGSALE")),
        nonce="n",
        receipt_key=KEY,
    )
    assert receipt.submission.is_sensitive


def test_a_submission_and_everything_stored_with_it_keep_only_the_hour(
    db_session: Session, demo: Municipality
) -> None:
    data = _data(_category(db_session, demo), email="svar@example.org")
    receipt = submit_concern(db_session, demo.id, data, nonce="hour", receipt_key=KEY)
    db_session.expire_all()
    stored = db_session.get(Submission, receipt.submission.id)
    assert stored is not None and stored.contact is not None
    times = [
        stored.created_at,
        stored.updated_at,
        stored.contact.created_at,
        stored.contact.consent_at,
        *(event.created_at for event in stored.status_events),
    ]
    assert {(t.minute, t.second, t.microsecond) for t in times} == {(0, 0, 0)}
    assert len(set(times)) == 1
