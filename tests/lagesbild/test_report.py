"""The lägesbild report counted on known fixtures: dimensions, periods in local time, clusters,
safety, the matrix, quotes and police areas."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from dialogue.extensions import db
from dialogue.lagesbild.data import NOT_STATED, Dimension, Period, Report, Row
from dialogue.lagesbild.report import build_report, default_period, received_between
from dialogue.models import (
    Municipality,
    PartOfDay,
    PledgeStatus,
    PoliceArea,
    Quote,
    Status,
    SubmissionKind,
    SubmitterType,
)
from tests.factories import (
    InputRoundFactory,
    PledgeFactory,
    PoliceAreaFactory,
    QuestionFactory,
)
from tests.lagesbild.helpers import Town, add, cluster, make_town, utc

YEAR = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
NOW = utc(2025, 1, 15, 12)


@pytest.fixture
def ctx(app: Flask, db_session: Session) -> Iterator[None]:
    """Reports are built inside an application context (labels in every language)."""
    with app.app_context():
        yield


def report(
    town: Town | list[Town], period: Period = YEAR, session: Session | None = None
) -> Report:
    towns = town if isinstance(town, list) else [town]
    return build_report(
        session or db.session,
        [t.municipality for t in towns],
        period,
        title="Ort",
        now=NOW,
    )


def counts(report: Report, dimension: Dimension) -> list[tuple[str, int, int]]:
    return [(row.key, row.count, row.previous) for row in report.breakdown(dimension).rows]


@pytest.fixture
def known(town: Town) -> Town:
    """Five accepted submissions in 2024, two in 2023, others that never count."""
    add(town, utc(2024, 3, 10, 10), category="TRYGG.LIGHT", place="torget", commitment=0,
        part_of_day=PartOfDay.EVENING, occurred_on=dt.date(2024, 3, 8), safety=2)  # fmt: skip
    add(town, utc(2024, 3, 12, 10), category="TRYGG.LIGHT", place="torget",
        kind=SubmissionKind.SUGGESTION, submitter=SubmitterType.BUSINESS,
        part_of_day=PartOfDay.NIGHT, occurred_on=dt.date(2024, 3, 11), safety=4)  # fmt: skip
    add(town, utc(2024, 5, 2, 10), category="TRYGG.YOUTH", place="parken", commitment=1)
    add(town, utc(2024, 5, 20, 10), category="MILJO.LITTER", kind=SubmissionKind.PRAISE,
        submitter=SubmitterType.ASSOCIATION, part_of_day=PartOfDay.MORNING,
        occurred_on=dt.date(2024, 5, 19), safety=5)  # fmt: skip
    add(town, utc(2024, 11, 30, 10), category="MILJO.LITTER", place="parken",
        submitter=SubmitterType.NOT_STATED, part_of_day=PartOfDay.DAYTIME,
        occurred_on=dt.date(2024, 11, 30), safety=1)  # fmt: skip
    # Never counted: not accepted, or outside both periods.
    add(town, utc(2024, 4, 1, 10), status=Status.NEW, place="torget")
    add(town, utc(2024, 4, 1, 10), status=Status.REJECTED, category="MILJO.LITTER")
    add(town, utc(2024, 4, 2, 10), status=Status.SPAM, place="parken", safety=1)
    add(town, utc(2022, 12, 31, 22, 59), place="torget")
    add(town, utc(2025, 1, 5, 10), place="torget")
    # The previous period (2023).
    add(town, utc(2023, 6, 1, 10), category="TRYGG.LIGHT", place="torget")
    add(town, utc(2023, 7, 1, 10), category="TRYGG.YOUTH", place="skogen")
    return town


# --- counts per dimension -----------------------------------------------------------------


def test_counts_only_accepted_input_received_in_the_period(ctx: None, known: Town) -> None:
    result = report(known)
    assert (result.total, result.previous_total) == (5, 2)
    assert result.previous_period == Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    for breakdown in result.breakdowns:
        assert breakdown.total == 5, breakdown.dimension
        assert breakdown.previous_total == 2, breakdown.dimension


def test_counts_categories_and_their_groups_with_the_previous_period(
    ctx: None, known: Town
) -> None:
    result = report(known)
    assert counts(result, Dimension.CATEGORY) == [
        ("TRYGG.LIGHT", 2, 1),  # "Belysning" before "Nedskräpning" at the same count
        ("MILJO.LITTER", 2, 0),
        ("TRYGG.YOUTH", 1, 1),
    ]
    assert counts(result, Dimension.CATEGORY_GROUP) == [("TRYGG", 3, 2), ("MILJO", 2, 0)]
    light = result.breakdown(Dimension.CATEGORY).rows[0]
    assert light.label == {"sv": "Belysning", "en": "Lighting"}
    assert light.change == 1
    assert result.breakdown(Dimension.CATEGORY).rows[1].change == 2


def test_counts_places_with_a_row_for_no_place_from_the_list(ctx: None, known: Town) -> None:
    result = report(known)
    assert counts(result, Dimension.PLACE) == [
        ("parken", 2, 0),  # "Stadsparken" before "Stora torget"
        ("torget", 2, 1),
        (NOT_STATED, 1, 0),
        ("skogen", 0, 1),  # only in the previous period, still shown
    ]
    rows = result.breakdown(Dimension.PLACE).rows
    assert rows[0].label == {"sv": "Stadsparken", "en": "Stadsparken"}
    assert rows[2].label["en"] == "No place from the list"
    assert rows[3].change == -1


def test_counts_commitments_kinds_and_submitter_types(ctx: None, known: Town) -> None:
    result = report(known)
    first, second = (str(c.id) for c in known.commitments)
    assert sorted(counts(result, Dimension.COMMITMENT)) == sorted(
        [(NOT_STATED, 3, 2), (first, 1, 0), (second, 1, 0)]
    )
    assert counts(result, Dimension.COMMITMENT)[0] == (NOT_STATED, 3, 2)
    commitment = next(r for r in result.breakdown(Dimension.COMMITMENT).rows if r.key == first)
    assert commitment.label == {"sv": "Löfte 1", "en": "Commitment 1"}
    assert counts(result, Dimension.KIND) == [
        ("concern", 3, 2),
        ("praise", 1, 0),
        ("suggestion", 1, 0),
    ]
    kind_labels = {r.key: r.label for r in result.breakdown(Dimension.KIND).rows}
    assert kind_labels["praise"]["en"] == "Praise"
    assert counts(result, Dimension.SUBMITTER_TYPE)[0] == ("resident", 2, 2)
    assert sorted(counts(result, Dimension.SUBMITTER_TYPE)[1:]) == [
        ("association", 1, 0),
        ("business", 1, 0),
        ("not_stated", 1, 0),
    ]


def test_part_of_day_in_its_own_order_then_not_stated(ctx: None, known: Town) -> None:
    result = report(known)
    assert counts(result, Dimension.PART_OF_DAY) == [
        ("morning", 1, 0),
        ("daytime", 1, 0),
        ("evening", 1, 0),
        ("night", 1, 0),
        (NOT_STATED, 1, 2),
    ]
    assert result.breakdown(Dimension.PART_OF_DAY).rows[0].label["en"] == "Morning"


def test_weekday_is_the_day_it_happens_monday_first(ctx: None, known: Town) -> None:
    result = report(known)
    # 2024-03-08 a Friday, 03-11 a Monday, 05-19 a Sunday, 11-30 a Saturday; one not stated.
    assert counts(result, Dimension.WEEKDAY) == [
        ("1", 1, 0),
        ("2", 0, 0),
        ("3", 0, 0),
        ("4", 0, 0),
        ("5", 1, 0),
        ("6", 1, 0),
        ("7", 1, 0),
        (NOT_STATED, 1, 2),
    ]
    monday = result.breakdown(Dimension.WEEKDAY).rows[0]
    assert monday.label == {"sv": "Måndag", "en": "Monday"}


def test_every_month_of_the_period_compared_with_the_year_before(ctx: None, known: Town) -> None:
    result = report(known)
    months = counts(result, Dimension.MONTH)
    assert [key for key, _c, _p in months] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert {key: (c, p) for key, c, p in months if c or p} == {
        "2024-03": (2, 0),
        "2024-05": (2, 0),
        "2024-06": (0, 1),
        "2024-07": (0, 1),
        "2024-11": (1, 0),
    }
    march = result.breakdown(Dimension.MONTH).rows[2]
    assert march.label == {"sv": "Mars 2024", "en": "March 2024"}


# --- places: safety and the matrix --------------------------------------------------------


def test_safety_is_the_mean_rating_per_place_ignoring_missing_ratings(
    ctx: None, known: Town
) -> None:
    safety = {s.key: s for s in report(known).safety}
    assert set(safety) == {"torget", "parken"}  # the period's places, not "no place"
    assert (safety["torget"].count, safety["torget"].rated, safety["torget"].mean) == (2, 2, 3.0)
    assert (safety["parken"].count, safety["parken"].rated, safety["parken"].mean) == (2, 1, 1.0)
    assert (safety["torget"].latitude, safety["torget"].longitude) == (58.17, 13.55)


def test_safety_mean_is_none_when_nobody_rated(ctx: None, town: Town) -> None:
    add(town, utc(2024, 2, 1, 10), place="skogen")
    (skogen,) = report(town).safety
    assert (skogen.key, skogen.count, skogen.rated, skogen.mean) == ("skogen", 1, 0, None)
    assert skogen.latitude is None


def test_matrix_cells_are_exact_and_sum_to_the_input_with_a_place(ctx: None, known: Town) -> None:
    matrix = report(known).matrix
    assert [(r.key, r.count) for r in matrix.places] == [("parken", 2), ("torget", 2)]
    assert [(c.key, c.count) for c in matrix.categories] == [
        ("TRYGG.LIGHT", 2),
        ("MILJO.LITTER", 1),
        ("TRYGG.YOUTH", 1),
    ]
    assert matrix.cells == ((0, 1, 1), (2, 0, 0))
    with_a_place = 4
    assert sum(map(sum, matrix.cells)) == with_a_place
    for n, place in enumerate(matrix.places):
        assert sum(matrix.cells[n]) == place.count
    for m, category in enumerate(matrix.categories):
        assert sum(line[m] for line in matrix.cells) == category.count


# --- periods in local time ----------------------------------------------------------------


def test_the_year_begins_at_local_midnight(ctx: None, town: Town) -> None:
    add(town, utc(2023, 12, 31, 23, 30))  # 00:30 on 1 January 2024 in Stockholm
    add(town, utc(2023, 12, 31, 22, 59))  # 23:59 on 31 December 2023
    add(town, utc(2024, 12, 31, 22, 59))  # 23:59 on 31 December 2024
    add(town, utc(2024, 12, 31, 23, 0))  # midnight: 2025
    result = report(town)
    assert (result.total, result.previous_total) == (2, 1)
    months = {k: (c, p) for k, c, p in counts(result, Dimension.MONTH)}
    assert months["2024-01"] == (1, 0)
    assert months["2024-12"] == (1, 1)


def test_months_follow_daylight_saving_time(ctx: None, town: Town) -> None:
    add(town, utc(2024, 3, 31, 21, 59))  # 23:59 summer time: March
    add(town, utc(2024, 3, 31, 22, 30))  # 00:30 summer time: April (not March at +1)
    add(town, utc(2024, 10, 31, 22, 30))  # 23:30 winter time: October (not November at +2)
    add(town, utc(2024, 10, 31, 23, 30))  # 00:30 winter time: November
    months = {k: c for k, c, _p in counts(report(town), Dimension.MONTH)}
    assert (months["2024-03"], months["2024-04"]) == (1, 1)
    assert (months["2024-10"], months["2024-11"]) == (1, 1)


def test_a_summer_period_starts_at_midnight_summer_time(ctx: None, town: Town) -> None:
    summer = Period(dt.date(2024, 6, 1), dt.date(2024, 8, 31))
    add(town, utc(2024, 5, 31, 21, 59))  # 23:59 on 31 May
    add(town, utc(2024, 5, 31, 22, 0))  # midnight, 1 June
    add(town, utc(2024, 8, 31, 21, 59))  # 23:59 on 31 August
    add(town, utc(2024, 8, 31, 22, 0))  # 1 September
    result = report(town, summer)
    assert result.previous_period == Period(dt.date(2024, 3, 1), dt.date(2024, 5, 31))
    assert (result.total, result.previous_total) == (2, 1)
    assert [(k, c, p) for k, c, p in counts(result, Dimension.MONTH)] == [
        ("2024-06", 1, 0),
        ("2024-07", 0, 0),
        ("2024-08", 1, 1),  # May, the third month of the period before
    ]


def test_received_between_converts_local_midnights_at_dst_changes() -> None:
    spring = Period(dt.date(2024, 3, 31), dt.date(2024, 3, 31))
    assert received_between(spring, "Europe/Stockholm") == (
        utc(2024, 3, 30, 23),
        utc(2024, 3, 31, 22),  # a day of 23 hours
    )
    autumn = Period(dt.date(2024, 10, 27), dt.date(2024, 10, 27))
    assert received_between(autumn, "Europe/Stockholm") == (
        utc(2024, 10, 26, 22),
        utc(2024, 10, 27, 23),  # a day of 25 hours
    )


def test_a_period_of_days_compares_with_as_many_days_before(ctx: None, town: Town) -> None:
    pledge = Period(dt.date(2024, 4, 19), dt.date(2024, 12, 31))
    add(town, utc(2024, 4, 19, 8))
    add(town, utc(2024, 4, 18, 8))  # the last day of the period before
    add(town, utc(2023, 8, 6, 8))  # its first day (257 days back)
    add(town, utc(2023, 8, 5, 8))  # before it
    result = report(town, pledge)
    assert result.previous_period == Period(dt.date(2023, 8, 6), dt.date(2024, 4, 18))
    assert (result.total, result.previous_total) == (1, 2)
    months = counts(result, Dimension.MONTH)
    assert months[0] == ("2024-04", 1, 1)  # April from the 19th; its pair is August 2023
    assert months[-1][0] == "2024-12"


# --- clusters -----------------------------------------------------------------------------


def test_clusters_count_as_the_submissions_they_hold(
    ctx: None, db_session: Session, town: Town
) -> None:
    big, small, old, declined = (
        cluster(db_session, town, title) for title in ("Mörk tunnel", "Mopeder", "Gammal", "Nej")
    )
    add(town, utc(2024, 2, 1, 10), cluster=big, public_summary="Mörk tunnel",
        summary_reviewed_at=utc(2024, 2, 5, 10))  # fmt: skip
    for day in range(2, 5):
        add(town, utc(2024, 2, day, 10), cluster=big)
    first_small = add(town, utc(2024, 2, 9, 10), cluster=small, category="TRYGG.YOUTH",
                      public_summary="Mopeder hos Kalle Andersson")  # fmt: skip
    add(town, utc(2024, 2, 10, 10), cluster=small, status=Status.NEW)
    add(town, utc(2023, 2, 10, 10), cluster=old)  # the previous period
    add(town, utc(2024, 2, 10, 10), cluster=declined, status=Status.REJECTED)
    add(town, utc(2024, 3, 1, 10))  # in no cluster
    result = report(town)
    assert result.total == 6
    assert (result.clusters.clusters, result.clusters.clustered) == (2, 5)
    assert [(c.key, c.title, c.count) for c in result.clusters.largest] == [
        (str(big.id), "Mörk tunnel", 4),
        # Titles are never unreviewed text: the first submission's reference stands in.
        (str(small.id), first_small.reference, 1),
    ]
    # Linked, never merged: each submission of a cluster still counts in every dimension.
    assert counts(result, Dimension.CATEGORY)[0] == ("TRYGG.LIGHT", 5, 1)


def test_at_most_ten_largest_clusters(ctx: None, db_session: Session, town: Town) -> None:
    for n in range(12):
        found = cluster(db_session, town, f"Kluster {n}")
        for _ in range(1 + n % 3):
            add(town, utc(2024, 6, 1 + n, 10), cluster=found)
    result = report(town)
    assert result.clusters.clusters == 12
    assert result.clusters.clustered == sum(1 + n % 3 for n in range(12))
    assert len(result.clusters.largest) == 10
    assert [c.count for c in result.clusters.largest][:4] == [3, 3, 3, 3]


# --- quotes -------------------------------------------------------------------------------

RAW = "Jag heter Kim Svensson och min granne på Storgatan 3 har ring 070-123 45 67."


def quote(db_session: Session, town: Town, **kwargs: Any) -> None:
    """A chosen quote; its summary is reviewed unless ``summary_reviewed_at=None`` is given."""
    kwargs.setdefault("summary_reviewed_at", utc(2024, 12, 1, 10))
    submission = add(town, **{"text": RAW, **kwargs})
    db_session.add(Quote(municipality_id=town.municipality.id, submission_id=submission.id))
    db_session.commit()


def test_quotes_are_public_summaries_only(ctx: None, db_session: Session, town: Town) -> None:
    quote(db_session, town, received=utc(2024, 5, 1, 10), place="torget",
          public_summary="Det är mörkt vid torget på kvällarna.")  # fmt: skip
    quote(db_session, town, received=utc(2024, 6, 1, 10), category="MILJO.LITTER",
          public_summary="Ring mig på 070-123 45 67, det skräpas ner.")  # fmt: skip
    quote(db_session, town, received=utc(2024, 6, 2, 10), public_summary="   ")
    quote(db_session, town, received=utc(2024, 6, 3, 10), public_summary=None)
    quote(db_session, town, received=utc(2024, 6, 4, 10), public_summary="Ej godkänd.",
          status=Status.IN_REVIEW)  # fmt: skip
    quote(db_session, town, received=utc(2023, 6, 4, 10), public_summary="Förra året.")
    add(town, utc(2024, 7, 1, 10), public_summary="Inte vald som citat.")
    result = report(town)
    first, second = result.quotes
    assert first.text == "Det är mörkt vid torget på kvällarna."
    assert first.category == {"sv": "Belysning", "en": "Lighting"}
    assert first.place == {"sv": "Stora torget", "en": "Stora torget"}
    assert second.place is None
    assert "070" not in second.text  # redacted again on the way out
    encoded = json.dumps(result.to_json(), ensure_ascii=False)
    assert "Kim Svensson" not in encoded
    assert RAW not in encoded
    assert "Inte vald" not in encoded and "Förra året" not in encoded


# --- several municipalities ---------------------------------------------------------------


def test_a_police_area_report_keys_places_per_municipality(ctx: None, db_session: Session) -> None:
    area: PoliceArea = PoliceAreaFactory()
    north = make_town(db_session, "norrby", area)
    south = make_town(db_session, "soderby", area)
    add(north, utc(2024, 2, 1, 10), place="torget", safety=2)
    add(north, utc(2024, 2, 2, 10), place="torget", safety=4)
    add(south, utc(2024, 2, 1, 10), place="torget", category="MILJO.LITTER")
    add(south, utc(2024, 2, 3, 10))
    add(south, utc(2023, 2, 3, 10), place="parken")
    result = report([north, south])
    assert result.municipalities == ("norrby", "soderby")
    assert counts(result, Dimension.PLACE) == [
        ("norrby/torget", 2, 0),
        (NOT_STATED, 1, 0),
        ("soderby/torget", 1, 0),
        ("soderby/parken", 0, 1),
    ]
    labels = {r.key: r.label for r in result.breakdown(Dimension.PLACE).rows}
    assert labels["norrby/torget"]["sv"] == "Stora torget, Norrby"
    # Categories share their codes across municipalities.
    assert counts(result, Dimension.CATEGORY) == [("TRYGG.LIGHT", 3, 1), ("MILJO.LITTER", 1, 0)]
    assert [s.key for s in result.safety] == ["norrby/torget", "soderby/torget"]
    assert result.safety[0].mean == 3.0
    assert [p.key for p in result.matrix.places] == ["norrby/torget", "soderby/torget"]
    # Each municipality's own report leaves the other out.
    assert report(south).total == 2


def test_each_municipality_counts_in_its_own_time_zone(ctx: None, db_session: Session) -> None:
    area: PoliceArea = PoliceAreaFactory()
    west, east = make_town(db_session, "vast", area), make_town(db_session, "ost", area)
    east.municipality.timezone = "Europe/Helsinki"
    db_session.commit()
    for town in (west, east):
        add(town, utc(2023, 12, 31, 22, 30))  # 23:30 in Stockholm, 00:30 in Helsinki
        add(town, utc(2024, 1, 31, 22, 30))  # 23:30 on 31 January, 00:30 on 1 February
    result = report([west, east])
    assert (result.total, result.previous_total) == (3, 1)
    months = {k: (c, p) for k, c, p in counts(result, Dimension.MONTH)}
    assert months["2024-01"] == (2, 0)  # Stockholm's 31 January, Helsinki's 1 January
    assert months["2024-02"] == (1, 0)  # Helsinki's 1 February
    assert months["2024-12"] == (0, 1)  # Stockholm's 31 December 2023


def test_a_long_period_over_several_municipalities(ctx: None, db_session: Session) -> None:
    # 25 years and their 25 before, per municipality: far more month ranges than SQLite
    # allows terms in a compound SELECT (500).
    area: PoliceArea = PoliceAreaFactory()
    towns = [make_town(db_session, slug, area) for slug in ("a", "b")]
    add(towns[1], utc(1990, 6, 1, 10))
    add(towns[0], utc(2024, 6, 1, 10))
    result = report(towns, Period(dt.date(2000, 1, 1), dt.date(2024, 12, 31)))
    months = result.breakdown(Dimension.MONTH).rows
    assert len(months) == 300
    assert (result.total, result.previous_total) == (1, 1)
    assert months[-7] == Row("2024-06", months[-7].label, 1, 0)
    assert months[185].key == "2015-06" and months[185].previous == 1  # June 1990


# --- the default period -------------------------------------------------------------------


def _pledge(town: Town, start: dt.date, end: dt.date, status: PledgeStatus) -> None:
    PledgeFactory(municipality_id=town.municipality.id, valid_from=start, valid_to=end,
                  status=status)  # fmt: skip


def test_default_period_is_the_pledge_in_force(db_session: Session, town: Town) -> None:
    # The town's own pledge: 2024, published.
    _pledge(town, dt.date(2025, 3, 1), dt.date(2026, 12, 31), PledgeStatus.PUBLISHED)
    _pledge(town, dt.date(2024, 6, 1), dt.date(2024, 8, 31), PledgeStatus.DRAFT)
    municipality = town.municipality.id
    assert default_period(db_session, municipality, dt.date(2024, 7, 1)) == YEAR
    assert default_period(db_session, municipality, dt.date(2026, 1, 1)) == Period(
        dt.date(2025, 3, 1), dt.date(2026, 12, 31)
    )


def test_default_period_without_one_in_force_is_the_latest(db_session: Session, town: Town) -> None:
    _pledge(town, dt.date(2022, 1, 1), dt.date(2022, 12, 31), PledgeStatus.PUBLISHED)
    _pledge(town, dt.date(2027, 1, 1), dt.date(2027, 12, 31), PledgeStatus.DRAFT)
    # Between pledges (2025) and after the last one: the latest published, 2024.
    assert default_period(db_session, town.municipality.id, dt.date(2025, 2, 1)) == YEAR


def test_default_period_without_a_published_pledge_is_the_calendar_year(
    db_session: Session,
) -> None:
    bare = make_town(db_session, "bar")
    bare.pledge.status = PledgeStatus.DRAFT
    db_session.commit()
    assert default_period(db_session, bare.municipality.id, dt.date(2025, 5, 17)) == Period(
        dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    )


# --- the whole report ---------------------------------------------------------------------


def test_json_round_trip_of_a_real_report(ctx: None, db_session: Session, known: Town) -> None:
    add(known, utc(2024, 8, 1, 10), cluster=cluster(db_session, known, "Tunneln"),
        place="torget")  # fmt: skip
    quote(db_session, known, received=utc(2024, 9, 1, 10), public_summary="Mörkt.")
    result = report(known)
    encoded = json.loads(json.dumps(result.to_json()))
    assert Report.from_json(encoded) == result
    assert encoded["total"] == 7
    assert encoded["generated_at"] == NOW.isoformat()


def test_empty_report_has_every_month_and_weekday(ctx: None, town: Town) -> None:
    result = report(town)
    assert (result.total, result.previous_total) == (0, 0)
    assert len(result.breakdown(Dimension.MONTH).rows) == 12
    assert [r.key for r in result.breakdown(Dimension.WEEKDAY).rows] == [
        str(d) for d in range(1, 8)
    ]
    assert result.breakdown(Dimension.CATEGORY).rows == ()
    assert result.matrix.cells == ()
    assert (result.clusters.clusters, result.clusters.clustered) == (0, 0)
    assert result.safety == () and result.quotes == ()


@contextmanager
def counted_statements(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    connection = session.connection()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def test_the_number_of_queries_does_not_grow_with_the_data(
    ctx: None, db_session: Session, town: Town
) -> None:
    add(town, utc(2024, 1, 10, 10))
    db_session.refresh(town.municipality)
    with counted_statements(db_session) as few:
        report(town, session=db_session)
    clusters = [cluster(db_session, town, f"K{n}") for n in range(7)]
    for n in range(40):
        add(town, utc(2023 + n % 2, 1 + n % 12, 1 + n % 28, n % 24),
            category=("TRYGG.LIGHT", "TRYGG.YOUTH", "MILJO.LITTER")[n % 3],
            place=(None, "torget", "parken", "skogen")[n % 4], commitment=(None, 0, 1)[n % 3],
            part_of_day=(None, *PartOfDay)[n % 5], occurred_on=dt.date(2024, 1, 1 + n % 28),
            safety=(None, 1, 3, 5)[n % 4], cluster=clusters[n % 7],
            public_summary=f"Sammanfattning {n}.")  # fmt: skip
    db_session.refresh(town.municipality)
    with counted_statements(db_session) as many:
        result = report(town, session=db_session)
    assert result.total == 20 + 1
    assert result.clusters.clusters == 7
    assert len(many) == len(few)
    # Categories, places, commitments; two per period; months; clusters; quotes; rounds.
    assert len(many) <= 11


def test_rounds_that_closed_in_the_period_bring_their_results(ctx: None, town: Town) -> None:
    municipality_id = town.municipality.id
    published = utc(2024, 8, 1)
    autumn = InputRoundFactory(municipality_id=municipality_id, published_at=published)
    QuestionFactory(round=autumn)
    InputRoundFactory(municipality_id=municipality_id)  # a draft: never reported
    InputRoundFactory(  # closed the year after
        municipality_id=municipality_id,
        published_at=published,
        opens_on=dt.date(2024, 12, 1),
        closes_on=dt.date(2025, 1, 10),
    )
    result = report(town)
    (results,) = result.rounds
    assert results["round_id"] == autumn.id
    assert results["closes_on"] == "2024-10-31"
    assert [q["kind"] for q in results["questions"]] == ["free_text"]
    assert Report.from_json(json.loads(json.dumps(result.to_json()))) == result


def test_labels_in_every_language(ctx: None, known: Town) -> None:
    result = report(known)
    for breakdown in result.breakdowns:
        for row in breakdown.rows:
            assert set(row.label) == {"sv", "en"}, (breakdown.dimension, row)
            assert all(row.label.values()), row


def test_a_report_needs_a_municipality(ctx: None, db_session: Session) -> None:
    with pytest.raises(ValueError, match="at least one"):
        build_report(db_session, list[Municipality](), YEAR, title="Tom")


def test_rows_compare_with_the_previous_period() -> None:
    row = Row("x", {"sv": "x", "en": "x"}, count=3, previous=5)
    assert row.change == -2
