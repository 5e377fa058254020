"""The public summary: suggested with personal data masked, reviewed by a moderator, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.access import Scope, load_scope
from dialogue.accounts.models import Account
from dialogue.audit.models import AuditEvent
from dialogue.auditlog.describe import ACTION_LABELS, LogEntry, action_label, detail_lines
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.models import Category, Municipality, Place, Submission
from dialogue.submissions.personal_data import PersonalDataKind, redact
from dialogue.triage.summaries import (
    MAX_SUMMARY_LENGTH,
    set_public_summary,
    suggest_summary,
    withdraw_summary_review,
)
from tests.factories import CategoryFactory, MunicipalityFactory, SubmissionFactory
from tests.helpers import make_staff

KALLE = (
    "Grannen Kalle Andersson på Storgatan 12 säljer knark från lägenheten. "
    "Ring honom på 070-123 45 67 eller mejla kalle@example.se."
)


@pytest.fixture
def submission(db_session: Session, demo: Municipality) -> Submission:
    light = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    ranten = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    return SubmissionFactory(category=light, place_id=ranten.id, receipt_key=b"k", text=KALLE)


@pytest.fixture
def scope(db_session: Session, moderator: Account) -> Scope:
    return load_scope(db_session, moderator)


def actions(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).filter_by(action=action)))


# The suggestion


def test_the_suggestion_masks_every_hit_and_says_what_and_why(
    app: object, db_session: Session, submission: Submission
) -> None:
    suggestion = suggest_summary(db_session, submission)
    assert suggestion.text == redact(KALLE)
    assert "070-123 45 67" not in suggestion.text and "kalle@example.se" not in suggestion.text
    found = {hit.kind: hit for hit in suggestion.hits}
    assert found[PersonalDataKind.PHONE].found == "070-123 45 67"
    assert found[PersonalDataKind.PHONE].mask == "[phone number]"
    assert found[PersonalDataKind.PHONE].reason == "possible phone number"
    assert found[PersonalDataKind.EMAIL].found == "kalle@example.se"
    # The original keeps each hit, marked; the suggestion shows the masks, marked.
    assert '<mark class="pii" data-kind="phone">070-123 45 67' in suggestion.original
    assert '<mark class="pii pii-mask" data-kind="phone">[phone number]' in suggestion.masked
    assert "070-123" not in suggestion.masked
    assert suggestion.masked.count("<mark") == len(suggestion.hits)


def test_the_suggestion_escapes_what_the_submitter_typed(
    app: object, db_session: Session, submission: Submission
) -> None:
    submission.text = '<img src=x onerror="alert(1)"> Ring 070-123 45 67'
    suggestion = suggest_summary(db_session, submission)
    assert "<img" not in suggestion.original and "<img" not in suggestion.masked
    assert "&lt;img" in suggestion.masked


def test_a_text_without_hits_is_suggested_as_written(
    app: object, db_session: Session, submission: Submission
) -> None:
    submission.text = "Mörkt i gångtunneln på kvällarna."
    suggestion = suggest_summary(db_session, submission)
    assert (suggestion.text, suggestion.hits) == ("Mörkt i gångtunneln på kvällarna.", ())


# Saving and reviewing


def test_the_public_summary_is_masked_on_save_unreviewed_and_audited(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    stored = set_public_summary(
        db_session,
        submission,
        "Mörkt vid Ranten. <i>Mejla</i> a@b.se eller ring +46 70 123 45 67.",
        actor=moderator,
        scope=scope,
    )
    expected = "Mörkt vid Ranten. Mejla [e-mail address] eller ring [phone number]."
    assert stored == submission.public_summary == expected
    assert submission.summary_reviewed_at is None and not submission.is_summary_reviewed
    [event] = actions(db_session, "submission.summary_set")
    assert event.details["summary"] == expected
    assert actions(db_session, "submission.summary_reviewed") == []


def test_saving_the_same_summary_again_writes_no_event_and_empty_text_removes_it(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    set_public_summary(db_session, submission, "Mörkt.", actor=moderator, scope=scope)
    set_public_summary(db_session, submission, "Mörkt.", actor=moderator, scope=scope)
    assert len(actions(db_session, "submission.summary_set")) == 1
    assert set_public_summary(db_session, submission, "  ", actor=moderator, scope=scope) is None
    assert submission.public_summary is None


def test_save_and_mark_as_reviewed_records_who_and_when(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    set_public_summary(
        db_session, submission, "Någon säljer narkotika.", review=True, actor=moderator, scope=scope
    )
    assert submission.is_summary_reviewed
    assert submission.summary_reviewed_by_id == moderator.id
    assert submission.summary_reviewed_at is not None
    [written] = actions(db_session, "submission.summary_set")
    [reviewed] = actions(db_session, "submission.summary_reviewed")
    assert (reviewed.actor_id, reviewed.object_id) == (moderator.id, submission.id)
    assert reviewed.details["summary"] == "Någon säljer narkotika."
    assert written.details["review_cleared"] is False


def test_reviewing_an_unchanged_summary_only_marks_it_reviewed(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    set_public_summary(db_session, submission, "Mörkt.", actor=moderator, scope=scope)
    set_public_summary(db_session, submission, "Mörkt.", review=True, actor=moderator, scope=scope)
    assert submission.is_summary_reviewed
    assert len(actions(db_session, "submission.summary_set")) == 1
    assert len(actions(db_session, "submission.summary_reviewed")) == 1
    # Reviewing again changes nothing and records nothing.
    set_public_summary(db_session, submission, "Mörkt.", review=True, actor=moderator, scope=scope)
    assert len(actions(db_session, "submission.summary_reviewed")) == 1


def test_saving_an_unchanged_summary_keeps_the_review(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    set_public_summary(
        db_session, submission, "Ring [phone number].", review=True, actor=moderator, scope=scope
    )
    reviewed_at = submission.summary_reviewed_at
    # The same text, as the form shows it, and a number the save masks back to the same text.
    set_public_summary(db_session, submission, "Ring [phone number].", actor=moderator, scope=scope)
    set_public_summary(
        db_session, submission, " Ring 070-123 45 67. ", actor=moderator, scope=scope
    )
    assert submission.summary_reviewed_at == reviewed_at
    assert len(actions(db_session, "submission.summary_set")) == 1


def test_saving_a_changed_summary_clears_the_review_and_the_audit_says_so(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    set_public_summary(db_session, submission, "Mörkt.", review=True, actor=moderator, scope=scope)
    set_public_summary(
        db_session, submission, "Det säljs knark i trapphuset.", actor=moderator, scope=scope
    )
    assert submission.public_summary == "Det säljs knark i trapphuset."
    assert (submission.summary_reviewed_at, submission.summary_reviewed_by_id) == (None, None)
    assert not submission.is_summary_reviewed
    first, second = actions(db_session, "submission.summary_set")
    assert (first.details["review_cleared"], second.details["review_cleared"]) == (False, True)
    lines = {line.label: line.value for line in detail_lines(LogEntry(second), {})}
    assert lines["Earlier review cleared"] == "Yes"


def test_a_review_needs_a_summary(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    with pytest.raises(InvalidInputError) as error:
        set_public_summary(db_session, submission, " ", review=True, actor=moderator, scope=scope)
    assert "summary" in error.value.errors
    assert submission.summary_reviewed_at is None
    assert actions(db_session, "submission.summary_reviewed") == []


def test_a_too_long_summary_is_refused(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    with pytest.raises(InvalidInputError):
        set_public_summary(
            db_session,
            submission,
            "x" * (MAX_SUMMARY_LENGTH + 1),
            review=True,
            actor=moderator,
            scope=scope,
        )
    assert submission.public_summary is None


def test_withdrawing_the_review_keeps_the_text_and_is_audited(
    db_session: Session, submission: Submission, moderator: Account, scope: Scope
) -> None:
    set_public_summary(db_session, submission, "Mörkt.", review=True, actor=moderator, scope=scope)
    withdraw_summary_review(db_session, submission, actor=moderator, scope=scope)
    assert submission.public_summary == "Mörkt."
    assert not submission.is_summary_reviewed
    [event] = actions(db_session, "submission.summary_review_withdrawn")
    assert (event.actor_id, event.object_id) == (moderator.id, submission.id)
    with pytest.raises(InvalidInputError):
        withdraw_summary_review(db_session, submission, actor=moderator, scope=scope)


def test_the_review_actions_are_named_in_words() -> None:
    for action in ("submission.summary_reviewed", "submission.summary_review_withdrawn"):
        assert action in ACTION_LABELS
    event = AuditEvent(action="submission.summary_reviewed", details={})
    assert action_label(LogEntry(event)) == "Marked the public summary as reviewed"


# Who may


def test_an_analyst_cannot_review(
    db_session: Session, submission: Submission, demo: Municipality
) -> None:
    analyst = make_staff(
        db_session, "ana@polisen.example", "analyst", police_area_id=demo.police_area_id
    )
    with pytest.raises(PermissionDeniedError):
        set_public_summary(
            db_session,
            submission,
            "Mörkt.",
            review=True,
            actor=analyst,
            scope=load_scope(db_session, analyst),
        )
    assert submission.summary_reviewed_at is None


def test_another_municipalitys_submission_is_not_found(
    db_session: Session, moderator: Account, scope: Scope
) -> None:
    other = MunicipalityFactory()
    category = CategoryFactory(
        municipality_id=other.id, parent=CategoryFactory(municipality_id=other.id)
    )
    foreign = SubmissionFactory(category=category, receipt_key=b"k", public_summary="Mörkt.")
    with pytest.raises(NotFoundError):
        set_public_summary(db_session, foreign, "Mörkt.", review=True, actor=moderator, scope=scope)
    with pytest.raises(NotFoundError):
        withdraw_summary_review(db_session, foreign, actor=moderator, scope=scope)
    assert foreign.summary_reviewed_at is None
