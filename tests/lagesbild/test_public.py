"""What the public sees: suppressed figures, "you said - we do", public snapshots, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.access import load_scope
from dialogue.cache import TTLCache
from dialogue.errors import InvalidInputError
from dialogue.lagesbild import public, quotes, snapshots
from dialogue.lagesbild.data import Dimension, Period, Report
from dialogue.lagesbild.suppression import Shown
from dialogue.models import AuditEvent, LagesbildSnapshot, Pledge, PledgeStatus, ProgressUpdate
from dialogue.triage.summaries import set_public_summary, suggest_summary
from tests.factories import PledgeFactory
from tests.helpers import make_staff
from tests.lagesbild.public_fixtures import (
    CLUSTER_MARKER,
    EMAIL_MARKER,
    NOTE_MARKER,
    RAW_MARKER,
    SUMMARY,
    Seeded,
    live_report,
    seed,
)

YEAR_2024 = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
SECRETS = (RAW_MARKER, "070-1234567", EMAIL_MARKER, NOTE_MARKER, CLUSTER_MARKER)

LOCALES = ("sv", "en")  # the test settings' languages


def freeze(session: Session, seeded: Seeded) -> LagesbildSnapshot:
    account = make_staff(
        session,
        f"moa@{seeded.municipality.slug}.example",
        "moderator",
        municipality_id=seeded.municipality.id,
    )
    return snapshots.freeze(
        session,
        seeded.municipality,
        YEAR_2024,
        live_report(session, seeded, YEAR_2024),
        actor=account,
        scope=load_scope(session, account),
    )


def next_pledge(session: Session, seeded: Seeded, snapshot: LagesbildSnapshot) -> Pledge:
    admin = make_staff(
        session,
        f"ada@{seeded.municipality.slug}.example",
        "admin",
        municipality_id=seeded.municipality.id,
    )
    return snapshots.create_pledge_from(
        session, snapshot, actor=admin, scope=load_scope(session, admin), locales=LOCALES
    )


def publish(session: Session, pledge: Pledge) -> None:
    pledge.status = PledgeStatus.PUBLISHED
    session.commit()


def quote_first(session: Session, seeded: Seeded) -> None:
    account = make_staff(
        session, "quoter@lagesby.example", "moderator", municipality_id=seeded.municipality.id
    )
    quotes.choose_quote(
        session,
        seeded.municipality.id,
        seeded.submissions[0].id,
        actor=account,
        scope=load_scope(session, account),
    )


def english(client: FlaskClient) -> None:
    client.get("/language/en")


@pytest.fixture
def published(app: Flask, db_session: Session) -> tuple[Seeded, LagesbildSnapshot, Pledge]:
    """12 about lighting at the square, 3 about litter in the park, frozen with a quote; the
    next pledge based on the snapshot is published."""
    seeded = seed(app, db_session)
    quote_first(db_session, seeded)
    snapshot = freeze(db_session, seeded)
    pledge = next_pledge(db_session, seeded, snapshot)
    publish(db_session, pledge)
    return seeded, snapshot, pledge


# The public snapshot page and export


def test_snapshot_is_not_public_until_a_published_pledge_is_based_on_it(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    seeded = seed(app, db_session)
    snapshot = freeze(db_session, seeded)
    page = f"/{seeded.municipality.slug}/lagesbild/{snapshot.id}"
    assert client.get(page).status_code == 404
    assert client.get(f"{page}/export.csv").status_code == 404
    pledge = next_pledge(db_session, seeded, snapshot)
    assert client.get(page).status_code == 404  # a draft is not public
    assert client.get(f"/{seeded.municipality.slug}/pledges/{pledge.id}").status_code == 404
    publish(db_session, pledge)
    assert client.get(page).status_code == 200
    assert client.get(f"{page}/export.csv").status_code == 200


def test_snapshot_page_suppresses_small_numbers_and_hides_every_secret(
    client: FlaskClient, published: tuple[Seeded, LagesbildSnapshot, Pledge]
) -> None:
    seeded, snapshot, _pledge = published
    english(client)
    html = client.get(f"/{seeded.municipality.slug}/lagesbild/{snapshot.id}").get_data(as_text=True)
    assert "Lägesbild 2024 v1" in html
    assert "fewer than 5" in html  # litter: 3
    assert "<td>3</td>" not in html
    assert "<td>15</td>" in html  # the total is safe to show
    assert "<td>12</td>" not in html  # 15 - 12 would give the 3 away: hidden as well
    assert SUMMARY in html  # a chosen quote is its public summary
    for secret in SECRETS:
        assert secret not in html
    assert seeded.submissions[0].reference not in html


def test_export_is_suppressed_utf8_csv_with_a_byte_order_mark(
    client: FlaskClient, published: tuple[Seeded, LagesbildSnapshot, Pledge]
) -> None:
    seeded, snapshot, _pledge = published
    english(client)
    response = client.get(f"/{seeded.municipality.slug}/lagesbild/{snapshot.id}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    for secret in (*SECRETS, SUMMARY):
        assert secret not in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Dimension", "Label", "Count", "Previous period"]
    assert rows[1][2] == "15"
    categories = {row[1]: row[2] for row in rows if row[0] == "Category"}
    assert categories == {"Lighting": "hidden", "Littering": "fewer than 5"}


def test_export_resists_the_subtraction_attack(
    client: FlaskClient, published: tuple[Seeded, LagesbildSnapshot, Pledge]
) -> None:
    """An attacker takes the export's total and subtracts every published row."""
    seeded, snapshot, _pledge = published
    english(client)
    text = client.get(f"/{seeded.municipality.slug}/lagesbild/{snapshot.id}/export.csv").get_data(
        as_text=True
    )
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    total = int(rows[1][2])
    by_dimension: dict[str, list[str]] = {}
    for dimension, _label, count, _previous in rows[2:]:
        by_dimension.setdefault(dimension, []).append(count)
    for dimension, counts in by_dimension.items():
        hidden = [c for c in counts if not c.isdigit()]
        left = total - sum(int(c) for c in counts if c.isdigit())
        assert len(hidden) != 1, f"{dimension}: the one hidden row is {left}"
        assert not 0 < left < 5, f"{dimension}: the hidden rows add up to {left}"


def test_snapshot_of_another_municipality_answers_404(
    client: FlaskClient, app: Flask, db_session: Session,
    published: tuple[Seeded, LagesbildSnapshot, Pledge],
) -> None:  # fmt: skip
    _seeded, snapshot, _pledge = published
    other = seed(app, db_session, "annanby", lighting=0, litter=0)
    assert client.get(f"/{other.municipality.slug}/lagesbild/{snapshot.id}").status_code == 404
    assert (
        client.get(f"/{other.municipality.slug}/lagesbild/{snapshot.id}/export.csv").status_code
        == 404
    )


def test_snapshot_without_input_says_nothing_was_counted(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    seeded = seed(app, db_session, lighting=0, litter=0)
    snapshot = freeze(db_session, seeded)
    publish(db_session, next_pledge(db_session, seeded, snapshot))
    english(client)
    html = client.get(f"/{seeded.municipality.slug}/lagesbild/{snapshot.id}").get_data(as_text=True)
    assert "No input had been counted in this period." in html
    assert "<table" not in html


# The pledge page


def test_pledge_page_names_and_links_the_snapshot_it_is_based_on(
    client: FlaskClient, published: tuple[Seeded, LagesbildSnapshot, Pledge]
) -> None:
    seeded, snapshot, pledge = published
    english(client)
    html = client.get(f"/{seeded.municipality.slug}/pledges/{pledge.id}").get_data(as_text=True)
    link = f'href="/{seeded.municipality.slug}/lagesbild/{snapshot.id}"'
    assert link in html
    assert "Based on Lägesbild 2024 v1" in html


def test_you_said_we_do_shows_top_categories_places_and_what_is_done(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    seeded = seed(app, db_session, lighting=12, litter=6)
    commitment = seeded.pledge.commitments[0]
    db_session.add(
        ProgressUpdate(
            municipality_id=seeded.municipality.id,
            commitment_id=commitment.id,
            published_on=dt.date(2024, 6, 1),
            text={"sv": "Nya lampor på torget.", "en": "New lamps on the square."},
        )
    )
    db_session.commit()
    english(client)
    html = client.get(f"/{seeded.municipality.slug}/pledges/{seeded.pledge.id}").get_data(
        as_text=True
    )
    section = html[html.index('id="you-said"') :]
    assert "You said – we do" in html
    assert "Lighting" in section and "<td>12</td>" in section
    assert "Stora torget" in section and "Place partnership Torget" in section
    assert "New lamps on the square." in section
    for secret in SECRETS:
        assert secret not in html


def test_you_said_we_do_suppresses_small_numbers(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    seeded = seed(app, db_session, lighting=3, litter=1)
    english(client)
    html = client.get(f"/{seeded.municipality.slug}/pledges/{seeded.pledge.id}").get_data(
        as_text=True
    )
    section = html[html.index('id="you-said"') :]
    assert "fewer than 5" in section  # the total of 4
    assert "No category has been raised often enough to be shown yet." in section
    assert "<td>3</td>" not in section and "<td>1</td>" not in section


def test_pledge_page_without_accepted_input_shows_the_empty_state(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    seeded = seed(app, db_session, lighting=0, litter=0)
    english(client)
    html = client.get(f"/{seeded.municipality.slug}/pledges/{seeded.pledge.id}").get_data(
        as_text=True
    )
    assert "No input has been counted yet for this pledge." in html


def test_pledge_that_has_not_started_counts_nothing(app: Flask, db_session: Session) -> None:
    seeded = seed(app, db_session)
    future = PledgeFactory(
        municipality_id=seeded.municipality.id,
        valid_from=dt.date(2030, 1, 1),
        valid_to=dt.date(2030, 12, 31),
    )
    with app.app_context():
        assert (
            public.pledge_report(db_session, seeded.municipality.id, future, dt.date(2026, 1, 1))
            is None
        )
        figures = public.pledge_report(
            db_session, seeded.municipality.id, seeded.pledge, dt.date(2024, 6, 30)
        )
    assert figures is not None
    assert figures.period == Period(dt.date(2024, 1, 1), dt.date(2024, 6, 30))


def test_public_figures_pass_through_suppression(app: Flask, db_session: Session) -> None:
    seeded = seed(app, db_session)
    with app.app_context():
        figures = public.pledge_report(
            db_session, seeded.municipality.id, seeded.pledge, dt.date(2025, 1, 1)
        )
    assert figures is not None
    category = figures.breakdown(Dimension.CATEGORY)
    assert category is not None
    shown = {row.key: row.count.shown for row in category.rows}
    assert shown == {"LIGHT": Shown.HIDDEN, "LITTER": Shown.SMALL}
    assert figures.total.value == 15


def test_public_figures_are_cached_per_pledge(
    client: FlaskClient, app: Flask, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = seed(app, db_session)
    calls: list[Any] = []
    original = public.pledge_report

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(public, "pledge_report", counting)
    monkeypatch.setitem(app.extensions["dialogue.caches"], "public_report", TTLCache(60))
    for _ in range(2):
        assert (
            client.get(f"/{seeded.municipality.slug}/pledges/{seeded.pledge.id}").status_code == 200
        )
    assert len(calls) == 1


# Nothing unreviewed reaches the public

KALLE = (
    "Grannen Kalle Andersson på Storgatan 12 säljer knark från lägenheten. "
    "Ring honom på 070-123 45 67."
)


def test_a_neighbours_name_never_reaches_a_public_page_without_a_review(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    seeded = seed(app, db_session)
    account = make_staff(
        db_session, "granskare@lagesby.example", "moderator", municipality_id=seeded.municipality.id
    )
    scope = load_scope(db_session, account)
    tipped, quoted = seeded.submissions[1], seeded.submissions[0]
    tipped.text = KALLE
    db_session.commit()

    # The moderator saves the pre-filled suggestion without reviewing it: it cannot be quoted.
    suggestion = suggest_summary(db_session, tipped)
    assert "070-123 45 67" not in suggestion.text
    set_public_summary(db_session, tipped, suggestion.text, actor=account, scope=scope)
    with pytest.raises(InvalidInputError):
        quotes.choose_quote(
            db_session, seeded.municipality.id, tipped.id, actor=account, scope=scope
        )
    # A reviewed summary is quoted, then edited to name the neighbour: its review is cleared.
    quotes.choose_quote(db_session, seeded.municipality.id, quoted.id, actor=account, scope=scope)
    set_public_summary(db_session, quoted, KALLE, actor=account, scope=scope)
    assert not quoted.is_summary_reviewed

    snapshot = freeze(db_session, seeded)
    publish(db_session, next_pledge(db_session, seeded, snapshot))
    assert snapshot.content["quotes"] == []
    assert snapshot.content["quotes_awaiting_review"] == [quoted.reference]
    english(client)
    slug = seeded.municipality.slug
    for url in (
        f"/{slug}/lagesbild/{snapshot.id}",
        f"/{slug}/lagesbild/{snapshot.id}/export.csv",
        f"/{slug}/pledges/{seeded.pledge.id}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        for secret in ("Kalle", "Andersson", "Storgatan", "knark", SUMMARY):
            assert secret not in text, (url, secret)

    cleared = [
        event.details["review_cleared"]
        for event in db_session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "submission.summary_set", AuditEvent.object_id == quoted.id
            )
        )
    ]
    assert cleared == [True]


def test_a_snapshot_frozen_before_reviews_shows_no_quote_in_public(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    seeded = seed(app, db_session)
    quote_first(db_session, seeded)
    content = live_report(db_session, seeded, YEAR_2024).to_json()
    for quote in content["quotes"]:
        del quote["reviewed_at"]  # the shape snapshots had before summaries were reviewed
    account = make_staff(
        db_session, "moa@lagesby.example", "moderator", municipality_id=seeded.municipality.id
    )
    snapshot = snapshots.freeze(
        db_session,
        seeded.municipality,
        YEAR_2024,
        Report.from_json(content),
        actor=account,
        scope=load_scope(db_session, account),
    )
    publish(db_session, next_pledge(db_session, seeded, snapshot))
    assert [q["text"] for q in snapshot.content["quotes"]] == [SUMMARY]
    html = client.get(f"/{seeded.municipality.slug}/lagesbild/{snapshot.id}").get_data(as_text=True)
    assert SUMMARY not in html
