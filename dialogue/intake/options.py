"""The lists the intake form offers.

The form is the busiest page of the service and its choices change rarely, so views keep them
in a per-process TTL cache; that also lets the form answer a database outage with the
person's text intact (503, not a blank page).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

from dialogue.categories.models import Category
from dialogue.categories.services import group_categories
from dialogue.db import DbSession, Localized
from dialogue.places.models import Place
from dialogue.pledges.services import get_current_pledge


@dataclasses.dataclass(frozen=True)
class Option:
    id: int
    label: Localized | str  # place names are not translated
    key: str = ""  # a slug or code, for pre-selection from a link


@dataclasses.dataclass(frozen=True)
class CategoryGroup:
    label: Localized
    options: tuple[Option, ...]


@dataclasses.dataclass(frozen=True)
class IntakeOptions:
    category_groups: tuple[CategoryGroup, ...]
    sensitive_category_ids: frozenset[int]
    places: tuple[Option, ...]
    commitments: tuple[Option, ...]

    def place_id_for(self, key: str) -> int | None:
        return next((place.id for place in self.places if place.key == key), None)

    @property
    def category_ids(self) -> frozenset[int]:
        return frozenset(opt.id for group in self.category_groups for opt in group.options)


def load_intake_options(session: DbSession, municipality_id: int, today: dt.date) -> IntakeOptions:
    """Read the form's choices for a municipality from the database."""
    categories = list(
        session.scalars(
            select(Category)
            .where(Category.municipality_id == municipality_id, Category.is_active)
            .order_by(Category.position, Category.id)
        )
    )
    places = session.scalars(
        select(Place).where(Place.municipality_id == municipality_id).order_by(Place.name)
    )
    pledge = get_current_pledge(session, municipality_id, today)
    return IntakeOptions(
        category_groups=_group(categories),
        sensitive_category_ids=frozenset(c.id for c in categories if c.is_sensitive),
        places=tuple(Option(p.id, p.name, p.slug) for p in places),
        commitments=tuple(
            Option(c.id, c.text, str(c.id)) for c in (pledge.commitments if pledge else [])
        ),
    )


def _group(categories: list[Category]) -> tuple[CategoryGroup, ...]:
    return tuple(
        CategoryGroup(g.group.label, tuple(Option(c.id, c.label, c.code) for c in g.categories))
        for g in group_categories(categories)
        if g.categories
    )
