from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.access import Scope, load_scope
from dialogue.accounts.models import Account
from dialogue.errors import NotFoundError
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
    Tag,
)
from dialogue.submissions import models as submission_models
from dialogue.triage import queue
from dialogue.triage.queue import (
    Cursor,
    InvalidCursorError,
    QueueFilter,
    Sort,
    count_by_status,
    fts5_query,
    list_queue,
    load_queue_options,
    search_words,
)
from tests.factories import CategoryFactory, MunicipalityFactory, SubmissionFactory
from tests.helpers import make_staff

START = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def light(db_session: Session, demo: Municipality) -> Category:
    return db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()


@pytest.fixture
def scope(db_session: Session, moderator: Account) -> Scope:
    return load_scope(db_session, moderator)


def make(category: Category, minutes: int = 0, **values: Any) -> Submission:
    submission: Submission = SubmissionFactory(
        category=category,
        receipt_key=b"k",
        created_at=START + dt.timedelta(minutes=minutes),
        **values,
    )
    return submission


def listed(
    session: Session, scope: Scope, municipality: Municipality, **filters: Any
) -> list[Submission]:
    page = list_queue(session, scope, municipality.id, QueueFilter(**filters))
    return [row.submission for row in page.rows]


def test_the_queue_lists_only_this_municipality_newest_first(
    db_session: Session, demo: Municipality, scope: Scope, light: Category
) -> None:
    older, newer = make(light, 0), make(light, 5)
    other = MunicipalityFactory()
    make(
        CategoryFactory(municipality_id=other.id, parent=CategoryFactory(municipality_id=other.id))
    )
    assert listed(db_session, scope, demo) == [newer, older]
    assert listed(db_session, scope, demo, sort=Sort.OLDEST) == [older, newer]


def test_rows_carry_what_the_table_shows(
    db_session: Session, demo: Municipality, scope: Scope, light: Category, moderator: Account
) -> None:
    place = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    submission = make(light, place_id=place.id, assignee_id=moderator.id)
    submission.tags = [Tag(municipality_id=demo.id, name="belysning")]
    submission.contact = Contact(municipality_id=demo.id, email="a@b.example", consent_at=START)
    db_session.commit()
    db_session.expire_all()
    (row,) = list_queue(db_session, scope, demo.id, QueueFilter()).rows
    assert row.category_label == light.label
    assert row.place_name == place.name
    assert row.assignee_name == moderator.name
    assert row.has_contact is True
    assert [tag.name for tag in row.submission.tags] == ["belysning"]


def test_counts_per_status_leave_only_the_status_filter_out(
    db_session: Session, demo: Municipality, scope: Scope, light: Category
) -> None:
    make(light, status=Status.NEW)
    make(light, status=Status.NEW, kind=SubmissionKind.PRAISE)
    make(light, status=Status.ACCEPTED)
    page = list_queue(db_session, scope, demo.id, QueueFilter(status=Status.ACCEPTED))
    assert len(page.rows) == 1
    assert page.counts[Status.NEW] == 2
    assert page.counts[Status.ACCEPTED] == 1
    assert page.counts[Status.SPAM] == 0
    praise = QueueFilter(kind=SubmissionKind.PRAISE)
    assert count_by_status(db_session, scope, demo.id, praise)[Status.NEW] == 1


def test_a_category_filter_takes_the_category_or_everything_under_it(
    db_session: Session, demo: Municipality, scope: Scope, light: Category
) -> None:
    graffiti = db_session.scalars(select(Category).filter_by(code="MILJO.GRAFFITI")).one()
    traffic = db_session.scalars(
        select(Category).where(Category.parent_id.is_not(None), ~Category.code.startswith("MILJO"))
    ).first()
    assert traffic is not None
    in_light, in_graffiti, elsewhere = make(light), make(graffiti, 1), make(traffic, 2)
    assert listed(db_session, scope, demo, category_id=light.id) == [in_light]
    assert set(listed(db_session, scope, demo, category_id=light.parent_id)) == {
        in_light,
        in_graffiti,
    }
    assert elsewhere not in listed(db_session, scope, demo, category_id=light.parent_id)


def test_filters_on_the_submissions_own_fields(
    db_session: Session, demo: Municipality, scope: Scope, light: Category
) -> None:
    place = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    commitment = db_session.scalars(select(Commitment).filter_by(municipality_id=demo.id)).first()
    assert commitment is not None
    plain = make(light)
    placed = make(light, 1, place_id=place.id)
    committed = make(light, 2, commitment_id=commitment.id)
    praise = make(light, 3, kind=SubmissionKind.PRAISE)
    business = make(light, 4, submitter_type=SubmitterType.BUSINESS)
    sensitive = make(light, 5, is_sensitive=True)
    assert listed(db_session, scope, demo, place_id=place.id) == [placed]
    assert listed(db_session, scope, demo, commitment_id=commitment.id) == [committed]
    assert listed(db_session, scope, demo, kind=SubmissionKind.PRAISE) == [praise]
    assert listed(db_session, scope, demo, submitter_type=SubmitterType.BUSINESS) == [business]
    assert listed(db_session, scope, demo, sensitive_only=True) == [sensitive]
    assert len(listed(db_session, scope, demo)) == 6
    assert plain in listed(db_session, scope, demo, kind=SubmissionKind.CONCERN)


def test_contact_and_tag_filters(
    db_session: Session, demo: Municipality, scope: Scope, light: Category
) -> None:
    with_contact, tagged, _plain = make(light), make(light, 1), make(light, 2)
    with_contact.contact = Contact(municipality_id=demo.id, email="a@b.example", consent_at=START)
    tagged.tags = [Tag(municipality_id=demo.id, name="trafik")]
    other = MunicipalityFactory()
    db_session.add(Tag(municipality_id=other.id, name="belysning"))
    db_session.commit()
    assert listed(db_session, scope, demo, with_contact_only=True) == [with_contact]
    assert listed(db_session, scope, demo, tag="trafik") == [tagged]
    assert listed(db_session, scope, demo, tag="belysning") == []


def test_assignee_filters_mine_nobody_or_a_moderator(
    db_session: Session, demo: Municipality, scope: Scope, light: Category, moderator: Account
) -> None:
    colleague = make_staff(
        db_session, "kim@falkoping.example", "moderator", municipality_id=demo.id
    )
    mine = make(light, assignee_id=moderator.id)
    theirs = make(light, 1, assignee_id=colleague.id)
    nobodys = make(light, 2)
    assert listed(db_session, scope, demo, assignee="mine") == [mine]
    assert listed(db_session, scope, demo, assignee="unassigned") == [nobodys]
    assert listed(db_session, scope, demo, assignee=colleague.id) == [theirs]


def test_received_dates_are_local_dates_of_the_municipality(
    db_session: Session, demo: Municipality, scope: Scope, light: Category
) -> None:
    # 23:30 UTC on 1 January is 00:30 on 2 January in Stockholm.
    late = SubmissionFactory(
        category=light, receipt_key=b"k", created_at=dt.datetime(2024, 1, 1, 23, 30, tzinfo=dt.UTC)
    )
    day = dt.date(2024, 1, 2)
    assert listed(db_session, scope, demo, received_from=day, received_to=day) == [late]
    first = dt.date(2024, 1, 1)
    assert listed(db_session, scope, demo, received_to=first) == []
    assert listed(db_session, scope, demo, received_from=dt.date(2024, 1, 3)) == []


@pytest.mark.parametrize("search_first_limit", [0, 5000])
def test_search_finds_words_in_the_text_and_the_location(
    db_session: Session,
    demo: Municipality,
    scope: Scope,
    light: Category,
    monkeypatch: pytest.MonkeyPatch,
    search_first_limit: int,
) -> None:
    # On SQLite, both ways of running a search: from the FTS index first, or in queue order.
    monkeypatch.setattr(queue, "SEARCH_FIRST_LIMIT", search_first_limit)
    tunnel = make(light, text="Det är mörkt i gångtunneln på kvällarna.")
    street = make(light, 1, text="Trasig lampa.", location_text="Stationsgatan 4")
    make(light, 2, text="Klotter på skolan.")
    assert listed(db_session, scope, demo, search="gångtunneln") == [tunnel]
    assert listed(db_session, scope, demo, search="  MÖRKT, kvällarna!") == [tunnel]
    assert listed(db_session, scope, demo, search="stationsgatan") == [street]
    assert listed(db_session, scope, demo, search="mörkt skolan") == []


@pytest.mark.parametrize(
    "typed",
    ['"', "mörkt AND", "OR NOT", "NEAR(a b)", "-mörkt", "text:mörkt", "^mörkt*", "'); --", "***"],
)
def test_search_syntax_typed_by_a_user_is_harmless(
    db_session: Session, demo: Municipality, scope: Scope, light: Category, typed: str
) -> None:
    make(light, text="Det är mörkt i gångtunneln.")
    found = listed(db_session, scope, demo, search=typed)
    assert len(found) <= 1


def test_the_fts5_query_quotes_each_word_and_adds_a_prefix() -> None:
    assert search_words('a "b" NEAR(c) d*e_f') == ["a", "b", "NEAR", "c", "d", "e", "f"]
    assert fts5_query(["mörk", "ab"]) == '"mörk"* "ab"'
    assert len(search_words(" ".join(["ord"] * 50))) == 8


@pytest.mark.parametrize("sort", list(Sort))
def test_keyset_pages_show_every_row_once_in_order(
    db_session: Session, demo: Municipality, scope: Scope, light: Category, sort: Sort
) -> None:
    # Rows created at the same instant are told apart by their id.
    made = [make(light, minute, priority=minute % 3) for minute in (0, 0, 1, 2, 2, 2, 3)]
    seen: list[Submission] = []
    after = None
    for _page in range(10):
        wanted = QueueFilter(sort=sort)
        page = list_queue(db_session, scope, demo.id, wanted, after=after, page_size=2)
        seen += [row.submission for row in page.rows]
        after = page.next_cursor
        if after is None:
            break
        after = Cursor.decode(after.encode())
    assert sorted(s.id for s in seen) == sorted(s.id for s in made)
    assert seen == sorted(made, key=_sort_key(sort))


def _sort_key(sort: Sort) -> Any:
    if sort == Sort.OLDEST:
        return lambda s: (s.created_at, s.id)
    if sort == Sort.PRIORITY:
        return lambda s: (-s.priority, -s.created_at.timestamp(), -s.id)
    return lambda s: (-s.created_at.timestamp(), -s.id)


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "!!!",
        base64.urlsafe_b64encode(b'["newest", "yesterday", 1, 0]').decode(),
        base64.urlsafe_b64encode(b'["newest", "2024-01-01T00:00:00", 1, 0]').decode(),
        base64.urlsafe_b64encode(b'["sideways", "2024-01-01T00:00:00+00:00", 1, 0]').decode(),
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        "x" * 500,
    ],
)
def test_a_cursor_not_made_by_the_queue_is_refused(token: str) -> None:
    with pytest.raises(InvalidCursorError):
        Cursor.decode(token)


def test_a_cursor_of_another_order_is_refused(
    db_session: Session, demo: Municipality, scope: Scope
) -> None:
    cursor = Cursor(Sort.OLDEST, START, 1)
    with pytest.raises(InvalidCursorError):
        list_queue(db_session, scope, demo.id, QueueFilter(sort=Sort.NEWEST), after=cursor)


def test_someone_outside_the_municipality_gets_not_found(
    db_session: Session, demo: Municipality
) -> None:
    other = MunicipalityFactory()
    stranger = make_staff(db_session, "x@other.example", "moderator", municipality_id=other.id)
    scope = load_scope(db_session, stranger)
    with pytest.raises(NotFoundError):
        list_queue(db_session, scope, demo.id, QueueFilter())
    with pytest.raises(NotFoundError):
        load_queue_options(db_session, scope, demo.id)


def test_options_offer_groups_places_commitments_moderators_and_tags(
    db_session: Session, demo: Municipality, scope: Scope, moderator: Account
) -> None:
    db_session.add(Tag(municipality_id=demo.id, name="trafik"))
    db_session.commit()
    options = load_queue_options(db_session, scope, demo.id)
    assert all(group.id for group in options.category_groups)
    assert sum(len(group.choices) for group in options.category_groups) > 10
    assert any(place.label == "Ranten" for place in options.places)
    assert options.commitment_groups
    assert [m.id for m in options.moderators] == [moderator.id]
    assert options.tags == ("trafik",)


def test_submissions_sent_within_one_hour_are_listed_in_the_order_they_came_in(
    db_session: Session,
    demo: Municipality,
    scope: Scope,
    light: Category,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent = []
    for n, minute in enumerate((5, 30, 55)):
        moment = START.replace(minute=minute)
        monkeypatch.setattr(submission_models, "utcnow", lambda moment=moment: moment)
        data = NewSubmission(
            kind=SubmissionKind.CONCERN,
            category_id=light.id,
            text="Mörkt vid tunneln.",
            submitter_type=SubmitterType.RESIDENT,
            locale="sv",
        )
        sent.append(
            submit_concern(db_session, demo.id, data, nonce=f"hour{n}", receipt_key=b"k").submission
        )
    assert {s.created_at for s in sent} == {START.replace(minute=0)}
    assert listed(db_session, scope, demo) == sent[::-1]
    assert listed(db_session, scope, demo, sort=Sort.OLDEST) == sent
