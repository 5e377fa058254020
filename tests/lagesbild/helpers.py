"""Helpers the tests of this folder import: plain functions and classes, no fixtures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from dialogue.models import (
    Category,
    Cluster,
    Commitment,
    Municipality,
    PartOfDay,
    Place,
    Pledge,
    PoliceArea,
    Status,
    Submission,
    SubmissionKind,
    SubmitterType,
)
from tests.factories import (
    CategoryFactory,
    CommitmentFactory,
    MunicipalityFactory,
    PlaceFactory,
    PledgeFactory,
    PoliceAreaFactory,
    SubmissionFactory,
)


@dataclass
class Town:
    """A municipality with groups ``TRYGG`` (``TRYGG.LIGHT``, ``TRYGG.YOUTH``) and ``MILJO``
    (``MILJO.LITTER``), places ``torget`` and ``parken`` (no coordinates: ``skogen``) and a
    published 2024 pledge with two commitments."""

    municipality: Municipality
    categories: dict[str, Category]
    places: dict[str, Place]
    pledge: Pledge
    commitments: list[Commitment]
    clusters: dict[str, Cluster] = field(default_factory=dict)


CATEGORIES = {
    "TRYGG": (None, "Trygghet", "Safety"),
    "TRYGG.LIGHT": ("TRYGG", "Belysning", "Lighting"),
    "TRYGG.YOUTH": ("TRYGG", "Ungdomar", "Young people"),
    "MILJO": (None, "Utemiljö", "Outdoor environment"),
    "MILJO.LITTER": ("MILJO", "Nedskräpning", "Littering"),
}

PLACES = {
    "torget": ("Stora torget", 58.17, 13.55),
    "parken": ("Stadsparken", 58.16, 13.56),
    "skogen": ("Skogen", None, None),
}


def make_town(session: Session, slug: str = "ort", police_area: PoliceArea | None = None) -> Town:
    municipality = MunicipalityFactory(
        slug=slug, name=slug.title(), police_area=police_area or PoliceAreaFactory()
    )
    categories: dict[str, Category] = {}
    for code, (parent, sv, en) in CATEGORIES.items():
        categories[code] = CategoryFactory(
            municipality_id=municipality.id,
            code=code,
            parent=categories[parent] if parent else None,
            label={"sv": sv, "en": en},
        )
    places = {
        key: PlaceFactory(
            municipality_id=municipality.id, slug=key, name=name, latitude=lat, longitude=lon
        )
        for key, (name, lat, lon) in PLACES.items()
    }
    pledge = PledgeFactory(municipality_id=municipality.id)
    commitments = [
        CommitmentFactory(pledge=pledge, text={"sv": f"Löfte {n}", "en": f"Commitment {n}"})
        for n in (1, 2)
    ]
    return Town(municipality, categories, places, pledge, commitments)


def cluster(session: Session, town: Town, title: str) -> Cluster:
    found = Cluster(municipality_id=town.municipality.id, title=title)
    session.add(found)
    session.commit()
    town.clusters[title] = found
    return found


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def add(
    town: Town,
    received: dt.datetime,
    *,
    status: Status = Status.ACCEPTED,
    category: str = "TRYGG.LIGHT",
    place: str | None = None,
    commitment: int | None = None,
    kind: SubmissionKind = SubmissionKind.CONCERN,
    submitter: SubmitterType = SubmitterType.RESIDENT,
    part_of_day: PartOfDay | None = None,
    occurred_on: dt.date | None = None,
    safety: int | None = None,
    cluster: Cluster | None = None,
    **more: Any,
) -> Submission:
    """A submission of ``town`` received at ``received`` (UTC), accepted unless told."""
    submission: Submission = SubmissionFactory(
        category=town.categories[category],
        receipt_key=b"k",
        category_id=town.categories[category].id,
        place_id=town.places[place].id if place else None,
        commitment_id=town.commitments[commitment].id if commitment is not None else None,
        kind=kind,
        submitter_type=submitter,
        part_of_day=part_of_day,
        occurred_on=occurred_on,
        safety_rating=safety,
        cluster_id=cluster.id if cluster else None,
        status=status,
        created_at=received,
        **more,
    )
    return submission
