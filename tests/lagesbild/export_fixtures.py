"""Hand-built reports and a small municipality with accepted input, for the report's pages,
charts and exports. Imported explicitly by the tests that use them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

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
from dialogue.models import (
    Category,
    Contact,
    Municipality,
    PartOfDay,
    Place,
    Status,
    Submission,
    SubmissionKind,
)
from tests.factories import CategoryFactory, MunicipalityFactory, PlaceFactory, SubmissionFactory

# Falköping's Stora torget: SWEREF 99 TM N 6 448 554, E 414 702 (checked with pyproj).
FALKOPING = (58.17, 13.55)
FALKOPING_SWEREF = (6448554, 414702)


def both(sv: str, en: str) -> dict[str, str]:
    return {"sv": sv, "en": en}


def row(key: str, sv: str, en: str, count: int, previous: int = 0) -> Row:
    return Row(key=key, label=both(sv, en), count=count, previous=previous)


ROUND: dict[str, Any] = {
    "round_id": 7,
    "title": both("Höstens dialog med näringslivet", "The autumn round with businesses"),
    "opens_on": "2024-09-01",
    "closes_on": "2024-10-15",
    "invited": 20,
    "responded": 8,
    "unverified": 1,
    "by_type": [
        {
            "type": "business",
            "label": both("Företag", "Business"),
            "invited": 12,
            "responded": 5,
        },
        {
            "type": "association",
            "label": both("Förening", "Association"),
            "invited": 8,
            "responded": 3,
        },
    ],
    "questions": [
        {
            "id": 1,
            "kind": "importance",
            "text": both("Hur viktigt är löftet om belysning?", "How important is lighting?"),
            "answered": 8,
            "dont_know": 1,
            "mean": 4.25,
            "distribution": [0, 1, 1, 1, 5],
            "mean_by_type": [
                {
                    "type": "business",
                    "label": both("Företag", "Business"),
                    "answered": 5,
                    "mean": 4.4,
                }
            ],
            "choices": [],
            "text_count": 0,
        },
        {
            "id": 2,
            "kind": "top_categories",
            "text": both("Vad oroar er mest?", "What worries you most?"),
            "answered": 6,
            "dont_know": 0,
            "mean": None,
            "distribution": [],
            "mean_by_type": [],
            "choices": [{"key": "TRYGG.LIGHT", "label": both("Belysning", "Lighting"), "count": 4}],
            "text_count": 0,
        },
        {
            "id": 3,
            "kind": "free_text",
            "text": both("Något mer?", "Anything else?"),
            "answered": 1,
            "dont_know": 0,
            "mean": None,
            "distribution": [],
            "mean_by_type": [],
            "choices": [],
            "text_count": 1,
        },
    ],
}


def make_report(**changes: Any) -> Report:
    """A report of ``ort`` for 2024 with a few rows of every dimension, Swedish letters in
    its labels, places with and without coordinates, a round and a quote."""
    breakdowns = (
        Breakdown(
            Dimension.CATEGORY,
            (
                row("TRYGG.LIGHT", "Belysning", "Lighting", 12, 7),
                row("MILJO.LITTER", "Nedskräpning", "Littering", 5, 9),
            ),
        ),
        Breakdown(
            Dimension.CATEGORY_GROUP,
            (
                row("TRYGG", "Trygghet", "Safety", 12, 7),
                row("MILJO", "Utemiljö", "Outdoor environment", 5, 9),
            ),
        ),
        Breakdown(
            Dimension.PLACE,
            (
                row("torget", "Stora torget", "Stora torget", 9, 4),
                row("ranten", "Ränten", "Ränten", 6, 6),
                row("none", "Ingen plats från listan", "No place from the list", 2, 6),
            ),
        ),
        Breakdown(
            Dimension.COMMITMENT,
            (
                row("1", "Löfte 1: tryggare torg", "Commitment 1: a safer square", 4, 1),
                row("none", "Inget löfte", "No commitment", 13, 15),
            ),
        ),
        Breakdown(
            Dimension.KIND,
            (
                row("concern", "Oro", "Concern", 14, 13),
                row("suggestion", "Förslag", "Suggestion", 2, 2),
                row("praise", "Beröm", "Praise", 1, 1),
            ),
        ),
        Breakdown(
            Dimension.SUBMITTER_TYPE,
            (
                row("resident", "Invånare", "Resident", 15, 15),
                row("business", "Företag", "Business", 2, 1),
            ),
        ),
        Breakdown(
            Dimension.PART_OF_DAY,
            (
                row("morning", "Morgon", "Morning", 1, 0),
                row("evening", "Kväll", "Evening", 10, 8),
                row("not_stated", "Inte angivet", "Not stated", 6, 8),
            ),
        ),
        Breakdown(
            Dimension.WEEKDAY,
            tuple(
                row(str(day), sv, en, day, 0)
                for day, sv, en in (
                    (1, "Måndag", "Monday"),
                    (5, "Fredag", "Friday"),
                    (6, "Lördag", "Saturday"),
                )
            ),
        ),
        Breakdown(
            Dimension.MONTH,
            tuple(
                row(f"2024-{month:02d}", f"Månad {month}", f"Month {month}", month % 4, month % 3)
                for month in range(1, 13)
            ),
        ),
    )
    values: dict[str, Any] = {
        "municipalities": ("ort",),
        "title": "Örtofta",
        "period": Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        "previous_period": Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        "total": 17,
        "previous_total": 16,
        "breakdowns": breakdowns,
        "safety": (
            PlaceSafety("torget", both("Stora torget", "Stora torget"), 9, 4, 2.5, *FALKOPING),
            PlaceSafety("ranten", both("Ränten", "Ränten"), 6, 0, None, 58.16, 13.56),
            PlaceSafety("skogen", both("Skogen", "The forest"), 1, 1, 4.0, None, None),
        ),
        "matrix": Matrix(
            places=(
                row("torget", "Stora torget", "Stora torget", 9),
                row("ranten", "Ränten", "Ränten", 6),
            ),
            categories=(
                row("TRYGG.LIGHT", "Belysning", "Lighting", 11),
                row("MILJO.LITTER", "Nedskräpning", "Littering", 4),
            ),
            cells=((8, 1), (3, 3)),
        ),
        "clusters": Clusters(
            clusters=2, clustered=5, largest=(ClusterCount("c1", "Mörk gångtunnel", 3),)
        ),
        "rounds": (ROUND,),
        "quotes": (
            QuoteItem(
                reference="AB12-CD34",
                text="Det är mörkt vid [e-mail address] på kvällarna.",
                category=both("Belysning", "Lighting"),
                place=both("Ränten", "Ränten"),
            ),
        ),
        "generated_at": dt.datetime(2025, 1, 2, 8, 30, tzinfo=dt.UTC),
    }
    values.update(changes)
    return Report(**values)


@dataclasses.dataclass
class Estate:
    """A municipality with one category, a place at Falköping's square and a place without
    coordinates; ``submissions`` are the ones added by :func:`add_input`."""

    municipality: Municipality
    category: Category
    square: Place
    unplaced: Place
    submissions: list[Submission] = dataclasses.field(default_factory=list)


def make_estate(session: Session, slug: str = "est-ort", **municipality: Any) -> Estate:
    found = MunicipalityFactory(slug=slug, name="Östra Åby", **municipality)
    parent = CategoryFactory(
        municipality_id=found.id, code="TRYGG", label=both("Trygghet", "Safety")
    )
    category = CategoryFactory(
        municipality_id=found.id,
        code="TRYGG.LIGHT",
        parent=parent,
        label=both("Belysning och mörker", "Lighting and darkness"),
    )
    square = PlaceFactory(
        municipality_id=found.id,
        slug="torget",
        name="Stora torget",
        latitude=FALKOPING[0],
        longitude=FALKOPING[1],
    )
    unplaced = PlaceFactory(municipality_id=found.id, slug="skogen", name="Skogsbrynet")
    return Estate(found, category, square, unplaced)


def add_input(
    estate: Estate,
    received: dt.datetime,
    *,
    status: Status = Status.ACCEPTED,
    place: Place | None = None,
    **values: Any,
) -> Submission:
    submission: Submission = SubmissionFactory(
        category=estate.category,
        receipt_key=b"k",
        category_id=estate.category.id,
        place_id=place.id if place else None,
        status=status,
        created_at=received,
        kind=values.pop("kind", SubmissionKind.CONCERN),
        part_of_day=values.pop("part_of_day", PartOfDay.EVENING),
        **values,
    )
    estate.submissions.append(submission)
    return submission


def add_contact(session: Session, submission: Submission, email: str) -> Contact:
    contact = Contact(
        municipality_id=submission.municipality_id,
        submission_id=submission.id,
        email=email,
        consent_at=dt.datetime.now(dt.UTC),
    )
    session.add(contact)
    session.commit()
    return contact
