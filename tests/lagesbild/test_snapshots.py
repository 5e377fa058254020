"""Freezing the lägesbild: versions, hashes, immutability, comparison and the next pledge."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.lagesbild import snapshots
from dialogue.lagesbild.data import Dimension, Period
from dialogue.models import AuditEvent, LagesbildSnapshot, Pledge, PledgeStatus, Status
from tests.factories import MunicipalityFactory
from tests.helpers import hidden_fields, make_staff, sign_in
from tests.lagesbild.public_fixtures import Seeded, live_report, make_report, seed

YEAR_2024 = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))

LOCALES = ("sv", "en")  # the test settings' languages


@pytest.fixture
def seeded(app: Flask, db_session: Session) -> Seeded:
    return seed(app, db_session)


def staff(session: Session, seeded: Seeded, role: str, email: str | None = None) -> Any:
    if role == "analyst":
        return make_staff(
            session,
            email or "ana@polisen.example",
            role,
            police_area_id=seeded.municipality.police_area_id,
        )
    return make_staff(
        session, email or f"{role}@lagesby.example", role, municipality_id=seeded.municipality.id
    )


def freeze(session: Session, seeded: Seeded, account: Any) -> LagesbildSnapshot:
    return snapshots.freeze(
        session,
        seeded.municipality,
        YEAR_2024,
        live_report(session, seeded, YEAR_2024),
        actor=account,
        scope=load_scope(session, account),
    )


# Freezing


def test_freezing_twice_makes_versions_one_and_two(db_session: Session, seeded: Seeded) -> None:
    moderator = staff(db_session, seeded, "moderator")
    first = freeze(db_session, seeded, moderator)
    second = freeze(db_session, seeded, moderator)
    assert (first.version, second.version) == (1, 2)
    assert snapshots.label(first, "sv") == "Lägesbild 2024 v1"
    assert snapshots.label(second, "en") == "Lägesbild 2024 v2"
    assert first.frozen_by_id == moderator.id and first.frozen_at is not None
    other_period = snapshots.freeze(
        db_session,
        seeded.municipality,
        Period(dt.date(2024, 4, 19), dt.date(2024, 12, 31)),
        live_report(db_session, seeded, Period(dt.date(2024, 4, 19), dt.date(2024, 12, 31))),
        actor=moderator,
        scope=load_scope(db_session, moderator),
    )
    assert other_period.version == 1  # versions count per period
    assert snapshots.label(other_period) == "Lägesbild 2024-04-19 – 2024-12-31 v1"


def test_content_is_the_report_and_the_hash_its_canonical_sha256(
    db_session: Session, seeded: Seeded
) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    db_session.expire_all()
    stored = db_session.get(LagesbildSnapshot, snapshot.id)
    assert stored is not None
    canonical = json.dumps(
        stored.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert stored.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert snapshots.verify(stored)
    report = snapshots.report_of(stored)
    assert report.total == 15
    assert report.breakdown(Dimension.CATEGORY).rows[0].count == 12


def test_verify_notices_changed_content(db_session: Session, seeded: Seeded) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    tampered = LagesbildSnapshot(
        content={**snapshot.content, "total": 999}, content_hash=snapshot.content_hash
    )
    assert not snapshots.verify(tampered)


def test_freezing_is_audited(db_session: Session, seeded: Seeded) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    event = db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "lagesbild.frozen", AuditEvent.object_id == snapshot.id
        )
    )
    assert event is not None
    assert event.details["version"] == 1
    assert event.details["content_hash"] == snapshot.content_hash


def test_analyst_may_not_freeze(db_session: Session, seeded: Seeded) -> None:
    analyst = staff(db_session, seeded, "analyst")
    with pytest.raises(PermissionDeniedError):
        freeze(db_session, seeded, analyst)
    assert db_session.scalar(select(LagesbildSnapshot)) is None


def test_moderator_of_another_municipality_gets_not_found(
    db_session: Session, seeded: Seeded
) -> None:
    other = make_staff(
        db_session, "moa@annan.example", "moderator", municipality_id=MunicipalityFactory().id
    )
    with pytest.raises(NotFoundError):
        freeze(db_session, seeded, other)


def test_report_of_another_period_is_refused(db_session: Session, seeded: Seeded) -> None:
    moderator = staff(db_session, seeded, "moderator")
    with pytest.raises(InvalidInputError):
        snapshots.freeze(
            db_session,
            seeded.municipality,
            YEAR_2024,
            make_report(municipality=seeded.municipality.slug),  # 2023
            actor=moderator,
            scope=load_scope(db_session, moderator),
        )


# Immutability


def test_database_refuses_to_update_a_snapshot(db_session: Session, seeded: Seeded) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    with pytest.raises(DBAPIError), db_session.begin_nested():
        db_session.execute(
            text("UPDATE lagesbild_snapshots SET version = 7 WHERE id = :id"), {"id": snapshot.id}
        )
    db_session.expire_all()
    assert db_session.get(LagesbildSnapshot, snapshot.id).version == 1  # type: ignore[union-attr]


def test_database_refuses_to_delete_a_snapshot(db_session: Session, seeded: Seeded) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    with pytest.raises(DBAPIError), db_session.begin_nested():
        db_session.execute(
            text("DELETE FROM lagesbild_snapshots WHERE id = :id"), {"id": snapshot.id}
        )
    db_session.expire_all()
    assert db_session.get(LagesbildSnapshot, snapshot.id) is not None


def test_changing_submissions_after_freezing_leaves_the_snapshot_as_it_was(
    db_session: Session, seeded: Seeded
) -> None:
    moderator = staff(db_session, seeded, "moderator")
    snapshot = freeze(db_session, seeded, moderator)
    content_before = json.loads(json.dumps(snapshot.content))
    hash_before = snapshot.content_hash
    for submission in seeded.submissions[:5]:
        submission.status = Status.REJECTED
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(LagesbildSnapshot, snapshot.id)
    assert stored is not None
    assert stored.content == content_before
    assert stored.content_hash == hash_before
    assert snapshots.verify(stored)
    assert snapshots.report_of(stored).total == 15
    assert live_report(db_session, seeded, YEAR_2024).total == 10
    again = freeze(db_session, seeded, moderator)
    assert again.version == 2 and again.content_hash != hash_before


# Reading and comparing


def test_snapshot_of_another_municipality_is_not_found(db_session: Session, seeded: Seeded) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    other_town = seed(seeded.app, db_session, "annanby")
    outsider = make_staff(
        db_session, "moa@annanby.example", "moderator", municipality_id=other_town.municipality.id
    )
    scope = load_scope(db_session, outsider)
    with pytest.raises(NotFoundError):
        snapshots.get_snapshot(db_session, seeded.municipality.id, snapshot.id, scope=scope)
    with pytest.raises(NotFoundError):
        snapshots.get_snapshot(db_session, other_town.municipality.id, snapshot.id, scope=scope)


def test_analyst_reads_snapshots_of_the_area(db_session: Session, seeded: Seeded) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    scope = load_scope(db_session, staff(db_session, seeded, "analyst"))
    listed = snapshots.list_snapshots(db_session, seeded.municipality.id, scope=scope)
    assert [s.id for s in listed] == [snapshot.id]


def test_compare_puts_counts_side_by_side(db_session: Session, seeded: Seeded) -> None:
    moderator = staff(db_session, seeded, "moderator")
    first = freeze(db_session, seeded, moderator)
    for submission in seeded.submissions[-3:]:  # the three about litter
        submission.status = Status.REJECTED
    db_session.commit()
    second = freeze(db_session, seeded, moderator)
    comparison = snapshots.compare(first, second)
    assert (comparison.total_a, comparison.total_b, comparison.difference) == (15, 12, -3)
    categories = next(b for b in comparison.breakdowns if b.dimension == Dimension.CATEGORY)
    rows = {row.key: (row.a, row.b, row.difference) for row in categories.rows}
    assert rows["LIGHT"] == (12, 12, 0)
    assert rows["LITTER"][0] == 3 and rows["LITTER"][2] == -3


# The next pledge


def test_next_pledge_is_a_draft_based_on_the_snapshot(db_session: Session, seeded: Seeded) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    admin = staff(db_session, seeded, "admin")
    pledge = snapshots.create_pledge_from(
        db_session, snapshot, actor=admin, scope=load_scope(db_session, admin), locales=LOCALES
    )
    assert pledge.status == PledgeStatus.DRAFT
    assert pledge.based_on_id == snapshot.id
    assert (pledge.valid_from, pledge.valid_to) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert pledge.title == seeded.pledge.title
    assert pledge.sources[0] == {"sv": "Lägesbild 2024 v1", "en": "Lägesbild 2024 v1"}
    db_session.expire_all()
    stored = db_session.get(Pledge, pledge.id)
    assert stored is not None
    assert [c.text for c in stored.commitments] == [c.text for c in seeded.pledge.commitments]
    assert stored.based_on is not None and stored.based_on.id == snapshot.id
    event = db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "pledge.created", AuditEvent.object_id == pledge.id
        )
    )
    assert event is not None and event.details["based_on"] == snapshot.id


def test_next_pledge_without_a_pledge_in_force_starts_empty(
    app: Flask, db_session: Session
) -> None:
    seeded = seed(app, db_session, "tomby", lighting=0, litter=0)
    seeded.pledge.status = PledgeStatus.DRAFT
    db_session.commit()
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    admin = staff(db_session, seeded, "admin")
    pledge = snapshots.create_pledge_from(
        db_session, snapshot, actor=admin, scope=load_scope(db_session, admin), locales=LOCALES
    )
    assert pledge.title["sv"] and pledge.focus == {} and pledge.commitments == []


def test_only_administrators_draft_the_next_pledge(db_session: Session, seeded: Seeded) -> None:
    moderator = staff(db_session, seeded, "moderator")
    snapshot = freeze(db_session, seeded, moderator)
    with pytest.raises(PermissionDeniedError):
        snapshots.create_pledge_from(
            db_session,
            snapshot,
            actor=moderator,
            scope=load_scope(db_session, moderator),
            locales=LOCALES,
        )


def test_a_second_draft_from_the_same_snapshot_is_refused(
    db_session: Session, seeded: Seeded
) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    admin = staff(db_session, seeded, "admin")
    scope = load_scope(db_session, admin)
    snapshots.create_pledge_from(db_session, snapshot, actor=admin, scope=scope, locales=LOCALES)
    with pytest.raises(InvalidInputError):
        snapshots.create_pledge_from(
            db_session, snapshot, actor=admin, scope=scope, locales=LOCALES
        )


def test_next_validity_handles_a_leap_day() -> None:
    assert snapshots.next_validity(dt.date(2024, 2, 28)) == (
        dt.date(2024, 2, 29),
        dt.date(2025, 2, 28),
    )


# Pages


def url(seeded: Seeded, path: str = "") -> str:
    return f"/staff/{seeded.municipality.slug}/lagesbild/snapshots{path}"


def test_moderator_freezes_from_the_page(
    client: FlaskClient, db_session: Session, seeded: Seeded, sv: Callable[[str], str]
) -> None:
    staff(db_session, seeded, "moderator")
    sign_in(client, "moderator@lagesby.example")
    page = client.get(url(seeded))
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert 'value="2024-01-01"' in html
    assert (
        sv(
            "The report of the period is saved as it is now, with who froze it and when. "
            "A frozen snapshot cannot be changed or deleted."
        )
        in html
    )
    # The period's form leads to a page that says what freezing does and asks to confirm.
    asked = client.get(url(seeded, "/freeze?start=2024-01-01&end=2024-12-31"))
    assert asked.status_code == 200
    assert asked.headers["Cache-Control"] == "no-store"
    question = asked.get_data(as_text=True)
    assert sv("Freeze %(label)s?") % {"label": "Lägesbild 2024 v1"} in question
    assert sv("Freezing cannot be undone.") in question
    assert db_session.scalar(select(LagesbildSnapshot)) is None
    form = question.split('<form method="post"')[-1].split("</form>")[0]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert fields | {"start": "2024-01-01", "end": "2024-12-31", "confirmed": "yes"} == fields
    response = client.post(url(seeded), data={**hidden_fields(form), **fields})
    assert response.status_code == 303
    snapshot = db_session.scalar(select(LagesbildSnapshot))
    assert snapshot is not None and snapshot.version == 1
    assert response.headers["Location"].endswith(url(seeded, f"/{snapshot.id}"))
    shown = client.get(url(seeded, f"/{snapshot.id}")).get_data(as_text=True)
    assert "Lägesbild 2024 v1" in shown and snapshot.content_hash in shown
    assert "Moderator" in shown  # who froze it
    assert sv("The content matches its hash.") in shown


def test_freezing_without_confirmation_answers_with_the_confirmation_page(
    client: FlaskClient, db_session: Session, seeded: Seeded, sv: Callable[[str], str]
) -> None:
    earlier = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    sign_in(client, "moderator@lagesby.example")
    tokens = hidden_fields(client.get(url(seeded)).get_data(as_text=True))

    response = client.post(url(seeded), data={**tokens, "start": "2024-01-01", "end": "2024-12-31"})

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert sv("Freeze %(label)s?") % {"label": "Lägesbild 2024 v2"} in html
    assert "Lägesbild 2024 v1" in html  # the earlier version stays as it is
    assert 'name="confirmed" value="yes"' in html
    assert db_session.scalars(select(LagesbildSnapshot)).all() == [earlier]


def test_the_confirmation_page_works_without_javascript_and_checks_the_dates(
    client: FlaskClient, db_session: Session, seeded: Seeded
) -> None:
    staff(db_session, seeded, "moderator")
    sign_in(client, "moderator@lagesby.example")

    assert client.get(url(seeded, "/freeze")).status_code == 303  # nothing to confirm yet
    bad = client.get(url(seeded, "/freeze?start=2024-12-31&end=2024-1"))

    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'href="#end"' in html and 'value="2024-1"' in html
    assert "<script" not in html.split("<main")[1].split("</main>")[0]


def test_analyst_gets_no_confirmation_page(
    client: FlaskClient, db_session: Session, seeded: Seeded
) -> None:
    staff(db_session, seeded, "analyst")
    sign_in(client, "ana@polisen.example")

    response = client.get(url(seeded, "/freeze?start=2024-01-01&end=2024-12-31"))

    assert response.status_code == 403


def test_freeze_with_a_bad_period_answers_422_and_keeps_the_values(
    client: FlaskClient, db_session: Session, seeded: Seeded
) -> None:
    staff(db_session, seeded, "moderator")
    sign_in(client, "moderator@lagesby.example")
    tokens = hidden_fields(client.get(url(seeded)).get_data(as_text=True))
    response = client.post(url(seeded), data={**tokens, "start": "2024-12-31", "end": "2024-1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="2024-12-31"' in html and 'value="2024-1"' in html
    assert 'href="#end"' in html  # the error summary links to the field
    assert db_session.scalar(select(LagesbildSnapshot)) is None


def test_analyst_reads_but_may_not_freeze(
    client: FlaskClient, db_session: Session, seeded: Seeded
) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    staff(db_session, seeded, "analyst")
    sign_in(client, "ana@polisen.example")
    html = client.get(url(seeded)).get_data(as_text=True)
    assert "Lägesbild 2024 v1" in html
    assert "Freeze the snapshot" not in html
    assert client.get(url(seeded, f"/{snapshot.id}")).status_code == 200
    tokens = hidden_fields(html)  # the sign-out form's token
    response = client.post(url(seeded), data={**tokens, "start": "2024-01-01", "end": "2024-12-31"})
    assert response.status_code == 403
    assert db_session.scalar(select(func.count(LagesbildSnapshot.id))) == 1


def test_snapshot_of_another_municipality_answers_404_on_every_page(
    client: FlaskClient, db_session: Session, seeded: Seeded
) -> None:
    other_town = seed(seeded.app, db_session, "annanby")
    foreign = freeze(
        db_session, other_town, staff(db_session, other_town, "moderator", "m@a.example")
    )
    mine = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    sign_in(client, "moderator@lagesby.example")
    assert client.get(url(seeded, f"/{foreign.id}")).status_code == 404
    assert client.get(url(seeded, f"/compare?a={mine.id}&b={foreign.id}")).status_code == 404


def test_compare_page_shows_both_snapshots(
    client: FlaskClient, db_session: Session, seeded: Seeded
) -> None:
    moderator = staff(db_session, seeded, "moderator")
    first, second = freeze(db_session, seeded, moderator), freeze(db_session, seeded, moderator)
    sign_in(client, "moderator@lagesby.example")
    response = client.get(url(seeded, f"/compare?a={first.id}&b={second.id}"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Lägesbild 2024 v1" in html and "Lägesbild 2024 v2" in html
    assert "<caption>" in html and 'scope="row"' in html


def test_administrator_creates_the_next_pledge_from_the_page(
    client: FlaskClient, db_session: Session, seeded: Seeded, sv: Callable[[str], str]
) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    staff(db_session, seeded, "admin")
    sign_in(client, "admin@lagesby.example")
    html = client.get(url(seeded, f"/{snapshot.id}")).get_data(as_text=True)
    assert sv("Create the next pledge from this snapshot") in html
    response = client.post(url(seeded, f"/{snapshot.id}/pledge"), data=hidden_fields(html))
    assert response.status_code == 303
    pledge = db_session.scalar(select(Pledge).where(Pledge.based_on_id == snapshot.id))
    assert pledge is not None
    assert response.headers["Location"].endswith(
        f"/staff/{seeded.municipality.slug}/admin/pledges/{pledge.id}"
    )


def test_moderator_may_not_create_the_next_pledge(
    client: FlaskClient, db_session: Session, seeded: Seeded
) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    sign_in(client, "moderator@lagesby.example")
    html = client.get(url(seeded, f"/{snapshot.id}")).get_data(as_text=True)
    assert "Create the next pledge" not in html
    response = client.post(url(seeded, f"/{snapshot.id}/pledge"), data=hidden_fields(html))
    assert response.status_code == 403


def test_next_pledge_copies_initiatives_and_signatories_but_no_progress(
    db_session: Session, seeded: Seeded
) -> None:
    seeded.pledge.signatories = [{"name": "Kim Ek", "role": {"sv": "Ordförande", "en": "Chair"}}]
    seeded.pledge.signed_on = dt.date(2024, 1, 10)
    db_session.commit()
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    admin = staff(db_session, seeded, "admin")
    pledge = snapshots.create_pledge_from(
        db_session, snapshot, actor=admin, scope=load_scope(db_session, admin), locales=LOCALES
    )
    db_session.expire_all()
    stored = db_session.get(Pledge, pledge.id)
    assert stored is not None
    assert (stored.focus, stored.goal) == (seeded.pledge.focus, seeded.pledge.goal)
    assert stored.signatories == seeded.pledge.signatories
    assert stored.signed_on is None
    assert [(i.name, [p.slug for p in i.places]) for i in stored.initiatives] == [
        ({"sv": "Platssamverkan Torget", "en": "Place partnership Torget"}, ["torget"])
    ]
    assert [c.position for c in stored.commitments] == [1, 2]
    assert all(c.progress_updates == [] for c in stored.commitments)
    # The earlier pledge keeps its own.
    assert len(db_session.get(Pledge, seeded.pledge.id).initiatives) == 1  # type: ignore[union-attr]


def test_next_pledge_continues_a_pledge_that_ended_before_the_period(
    db_session: Session, seeded: Seeded
) -> None:
    seeded.pledge.valid_from, seeded.pledge.valid_to = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
    db_session.commit()
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    plan = snapshots.plan_next_pledge(db_session, snapshot)
    assert plan.copied_from is not None and plan.copied_from.id == seeded.pledge.id
    admin = staff(db_session, seeded, "admin")
    pledge = snapshots.create_pledge_from(
        db_session, snapshot, actor=admin, scope=load_scope(db_session, admin), locales=LOCALES
    )
    assert pledge.title == seeded.pledge.title
    assert len(pledge.commitments) == 2


def test_the_snapshot_page_says_what_the_next_pledge_copies(
    app: Flask, client: FlaskClient, db_session: Session, seeded: Seeded
) -> None:
    snapshot = freeze(db_session, seeded, staff(db_session, seeded, "moderator"))
    staff(db_session, seeded, "admin")
    sign_in(client, "admin@lagesby.example")
    client.get("/language/en")
    html = client.get(f"/staff/lagesby/lagesbild/snapshots/{snapshot.id}").get_data(as_text=True)
    assert "valid from 1 January 2025 to 31 December 2025" in html
    assert "The draft starts as a copy of Citizen pledge, for you to rewrite:" in html
    assert "its commitments (2), in the same order, without their progress updates" in html
    assert "its initiatives (1), with their places" in html
