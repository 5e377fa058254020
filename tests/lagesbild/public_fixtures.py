"""Hand-built reports and seeded municipalities for the public lägesbild tests.

Imported explicitly by the tests that use them (``tests/lagesbild/conftest.py`` is another's).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from flask import Flask
from sqlalchemy.orm import Session

from dialogue.lagesbild.data import (
    Breakdown,
    ClusterCount,
    Clusters,
    Dimension,
    Matrix,
    Period,
    PlaceSafety,
    QuoteItem,
    Report,
    Row,
)
from dialogue.lagesbild.report import build_report
from dialogue.models import (
    Category,
    Cluster,
    Contact,
    Initiative,
    Municipality,
    Note,
    Place,
    Pledge,
    Status,
    Submission,
)
from tests.factories import (
    CategoryFactory,
    CommitmentFactory,
    MunicipalityFactory,
    PlaceFactory,
    PledgeFactory,
    SubmissionFactory,
)

YEAR = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
CLUSTER_MARKER = "KLUSTERTITEL-HEMLIG-7731"
ROUND_MARKER = "RUNDSVAR-FRITEXT-5521"


def rows(counts: Mapping[str, int], previous: Mapping[str, int] | None = None) -> tuple[Row, ...]:
    return tuple(
        Row(key, {"sv": f"{key} sv", "en": f"{key} en"}, count, (previous or {}).get(key, 0))
        for key, count in counts.items()
    )


def make_report(
    *,
    categories: Mapping[str, int] | None = None,
    places: Mapping[str, int] | None = None,
    cells: Sequence[Sequence[int]] | None = None,
    previous_categories: Mapping[str, int] | None = None,
    kinds: Mapping[str, int] | None = None,
    period: Period = YEAR,
    municipality: str = "falkoping",
    quotes: Sequence[QuoteItem] = (),
    safety: Sequence[PlaceSafety] = (),
) -> Report:
    """A report whose breakdowns agree with each other and with the matrix.

    ``cells`` (place x category, in the order of ``places`` and ``categories``) decides the
    place and category totals when given.
    """
    if categories is None and cells is not None:
        categories = {f"c{j}": 0 for j in range(len(cells[0]) if cells else 0)}
    categories = dict(categories if categories is not None else {"a": 12, "b": 3, "c": 7})
    if cells is not None:
        place_keys = list(places or {f"p{i}": 0 for i in range(len(cells))})
        category_keys = list(categories)
        categories = {k: sum(line[j] for line in cells) for j, k in enumerate(category_keys)}
        places = {k: sum(line) for k, line in zip(place_keys, cells, strict=True)}
    else:
        places = dict(places or {})
    total = sum(categories.values())
    previous = dict(previous_categories or {})
    category_rows = rows(categories, previous)
    place_rows = rows(places)
    matrix_cells = tuple(tuple(line) for line in (cells or []))
    breakdowns = [Breakdown(Dimension.CATEGORY, category_rows)]
    if places:
        unplaced = total - sum(places.values())
        all_places = dict(places)
        if unplaced:
            all_places["not_stated"] = unplaced
        breakdowns.append(Breakdown(Dimension.PLACE, rows(all_places)))
    kind_counts = dict(kinds or {"concern": total})
    breakdowns.append(Breakdown(Dimension.KIND, rows(kind_counts)))
    # Category groups are internal: the public view leaves them out.
    breakdowns.append(Breakdown(Dimension.CATEGORY_GROUP, rows({"group": total})))
    return Report(
        municipalities=(municipality,),
        title="Falköpings kommun",
        period=period,
        previous_period=period.previous(),
        total=total,
        previous_total=sum(previous.values()),
        breakdowns=tuple(breakdowns),
        safety=tuple(safety),
        matrix=Matrix(
            places=place_rows if cells is not None else (),
            categories=category_rows if cells is not None else (),
            cells=matrix_cells,
        ),
        clusters=Clusters(clusters=1, clustered=2, largest=(ClusterCount("1", CLUSTER_MARKER, 2),)),
        rounds=({"title": {"sv": "Runda"}, "free_texts": [ROUND_MARKER]},),
        quotes=tuple(quotes),
        generated_at=dt.datetime(2024, 1, 5, 12, 0, tzinfo=dt.UTC),
    )


# A seeded municipality: real submissions, counted by the real report.

RAW_MARKER = "RAWTEXT-MARKER-9001 ring mig på 070-1234567"
EMAIL_MARKER = "marker.person.4417@example.org"
NOTE_MARKER = "NOTE-MARKER-INTERNAL-3310"
SUMMARY = "Belysningen vid torget är trasig sedan länge."


@dataclasses.dataclass
class Seeded:
    municipality: Municipality
    pledge: Pledge
    categories: dict[str, Category]
    places: dict[str, Place]
    submissions: list[Submission]
    initiative: Initiative
    app: Flask  # reports are built inside its application context


def received(month: int, day: int = 10) -> dt.datetime:
    return dt.datetime(2024, month, day, 10, 0, tzinfo=dt.UTC)


def seed(
    app: Flask, session: Session, slug: str = "lagesby", *, lighting: int = 12, litter: int = 3
) -> Seeded:
    """A municipality with a published 2024 pledge, ``lighting`` accepted submissions about
    lighting at the square and ``litter`` about litter in the park, plus a rejected one; the
    first one carries a contact, a note, a cluster and a public summary."""
    municipality = MunicipalityFactory(slug=slug, name=slug.title())
    categories = {
        code: CategoryFactory(
            municipality_id=municipality.id, code=code, label={"sv": sv, "en": en}
        )
        for code, sv, en in (
            ("LIGHT", "Belysning", "Lighting"),
            ("LITTER", "Nedskräpning", "Littering"),
        )
    }
    places = {
        key: PlaceFactory(municipality_id=municipality.id, slug=key, name=name)
        for key, name in (("torget", "Stora torget"), ("parken", "Stadsparken"))
    }
    pledge = PledgeFactory(municipality_id=municipality.id)
    for n in (1, 2):
        CommitmentFactory(pledge=pledge, text={"sv": f"Vi lovar {n}", "en": f"We promise {n}"})
    initiative = Initiative(
        municipality_id=municipality.id,
        pledge_id=pledge.id,
        name={"sv": "Platssamverkan Torget", "en": "Place partnership Torget"},
    )
    initiative.places.append(places["torget"])
    session.add(initiative)
    session.commit()
    submissions = []
    for n in range(lighting):
        submissions.append(
            SubmissionFactory(
                category=categories["LIGHT"],
                receipt_key=b"k",
                place_id=places["torget"].id,
                status=Status.ACCEPTED,
                created_at=received(3 + n % 6),
                text=RAW_MARKER if n == 0 else "Mörkt vid torget.",
            )
        )
    for _n in range(litter):
        submissions.append(
            SubmissionFactory(
                category=categories["LITTER"],
                receipt_key=b"k",
                place_id=places["parken"].id,
                status=Status.ACCEPTED,
                created_at=received(5),
            )
        )
    SubmissionFactory(
        category=categories["LITTER"],
        receipt_key=b"k",
        status=Status.REJECTED,
        created_at=received(5),
    )
    first = submissions[0] if submissions else None
    if first is not None:
        cluster = Cluster(municipality_id=municipality.id, title=CLUSTER_MARKER)
        session.add(cluster)
        session.flush()
        first.cluster_id = cluster.id
        first.public_summary = SUMMARY
        first.summary_reviewed_at = received(4)
        session.add(
            Contact(
                municipality_id=municipality.id,
                submission_id=first.id,
                email=EMAIL_MARKER,
                consent_at=received(3),
            )
        )
        session.add(Note(municipality_id=municipality.id, submission_id=first.id, body=NOTE_MARKER))
        session.commit()
    session.refresh(pledge)
    return Seeded(municipality, pledge, categories, places, submissions, initiative, app)


def live_report(session: Session, seeded: Seeded, period: Period | None = None) -> Report:
    """The real report (labels need an application context, pushed only for the call)."""
    with seeded.app.app_context():
        return build_report(
            session,
            [seeded.municipality],
            period or Period(seeded.pledge.valid_from, seeded.pledge.valid_to),
            title=seeded.municipality.name,
        )
