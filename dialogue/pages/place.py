"""What a place's public page shows: the pledge's work there and what was heard there.

Figures come from the same suppressed report as the pledge page
(:func:`dialogue.lagesbild.public.pledge_report`, then
:func:`dialogue.lagesbild.suppression.suppress`): a place's count, its safety mean and its
categories are read from that public report, never counted here, so a number hidden on the
pledge page is hidden on the place page too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.db import DbSession, Localized
from dialogue.lagesbild.data import Dimension, Period
from dialogue.lagesbild.suppression import PublicCount, PublicReport
from dialogue.pages.municipality import public_figures
from dialogue.places.models import Place
from dialogue.places.services import get_place
from dialogue.pledges.models import Initiative, Pledge, PledgeStatus
from dialogue.pledges.services import get_current_pledge

_PUBLIC = (PledgeStatus.PUBLISHED, PledgeStatus.CLOSED)


@dataclasses.dataclass(frozen=True)
class CategoryCount:
    label: Localized
    count: PublicCount


@dataclasses.dataclass(frozen=True)
class PlaceFigures:
    """Accepted input about one place in the current pledge's period so far."""

    period: Period
    threshold: int
    count: PublicCount | None  # None: nothing was heard about the place
    safety_mean: float | None  # only when enough people rated it
    categories: tuple[CategoryCount, ...]  # the categories shown exactly, largest first


@dataclasses.dataclass(frozen=True)
class SubPlace:
    place: Place
    count: PublicCount | None


@dataclasses.dataclass(frozen=True)
class PlacePage:
    place: Place
    ancestors: tuple[Place, ...]  # outermost first
    sub_places: tuple[SubPlace, ...]
    pledge: Pledge | None
    initiatives: tuple[Initiative, ...]  # the current pledge's, here or in a sub-place
    earlier_initiatives: tuple[Initiative, ...]  # of other public pledges
    figures: PlaceFigures | None

    @property
    def is_empty(self) -> bool:
        has_figures = self.figures is not None and self.figures.count is not None
        return not (self.sub_places or self.initiatives or self.earlier_initiatives or has_figures)


def get_place_page(
    session: DbSession, municipality_id: int, slug: str, today: dt.date
) -> PlacePage:
    """A public place's page; NotFoundError for a place not of this municipality."""
    place = get_place(session, municipality_id, slug)
    children = list(
        session.scalars(select(Place).where(Place.parent_id == place.id).order_by(Place.name))
    )
    pledge = get_current_pledge(session, municipality_id, today)
    report = public_figures(session, municipality_id, pledge, today) if pledge else None
    initiatives = _public_initiatives_at(session, [place.id, *(child.id for child in children)])
    current = tuple(i for i in initiatives if pledge is not None and i.pledge_id == pledge.id)
    return PlacePage(
        place=place,
        ancestors=_ancestors(place),
        sub_places=tuple(SubPlace(child, _count(report, child.slug)) for child in children),
        pledge=pledge,
        initiatives=current,
        earlier_initiatives=tuple(i for i in initiatives if i not in current),
        figures=_figures(report, place.slug) if report is not None else None,
    )


def _ancestors(place: Place) -> tuple[Place, ...]:
    found: list[Place] = []
    parent = place.parent
    while parent is not None and parent not in found:  # a loop in the data ends here
        found.insert(0, parent)
        parent = parent.parent
    return tuple(found)


def _public_initiatives_at(session: DbSession, place_ids: list[int]) -> list[Initiative]:
    """Initiatives of published or closed pledges at these places, newest pledge first."""
    query = (
        select(Initiative)
        .join(Pledge, Initiative.pledge_id == Pledge.id)
        .where(
            Initiative.places.any(Place.id.in_(place_ids)),
            Pledge.status.in_(_PUBLIC),
        )
        .options(selectinload(Initiative.places), selectinload(Initiative.pledge))
        .order_by(Pledge.valid_from.desc(), Initiative.position, Initiative.id)
    )
    return list(session.scalars(query))


def _count(report: PublicReport | None, key: str) -> PublicCount | None:
    breakdown = report.breakdown(Dimension.PLACE) if report is not None else None
    if breakdown is None:
        return None
    return next((row.count for row in breakdown.rows if row.key == key), None)


def _figures(report: PublicReport, key: str) -> PlaceFigures:
    safety = next((item for item in report.safety if item.key == key), None)
    matrix = report.matrix
    row = next((n for n, line in enumerate(matrix.places) if line.key == key), None)
    categories: list[CategoryCount] = []
    if row is not None:
        categories = [
            CategoryCount(category.label, cell)
            for category, cell in zip(matrix.categories, matrix.cells[row], strict=True)
            if cell.is_exact and cell.value
        ]
        categories.sort(key=lambda item: -(item.count.value or 0))
    return PlaceFigures(
        period=report.period,
        threshold=report.threshold,
        count=_count(report, key),
        safety_mean=safety.mean if safety is not None else None,
        categories=tuple(categories),
    )
