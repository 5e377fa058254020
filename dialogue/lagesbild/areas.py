"""A police area's lägesbild: which area an analyst may read, and its default period."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope
from dialogue.db import DbSession
from dialogue.errors import NotFoundError
from dialogue.lagesbild.data import Period
from dialogue.lagesbild.report import default_period
from dialogue.municipalities.models import Municipality, PoliceArea


def get_area(session: DbSession, slug: str | None, *, scope: Scope) -> PoliceArea:
    """The area with its municipalities, if ``scope`` is one of its analysts; else NotFoundError
    (as if the area did not exist)."""
    area = session.scalar(
        select(PoliceArea)
        .where(PoliceArea.slug == slug)
        .options(selectinload(PoliceArea.municipalities))
    )
    if area is None or area.id not in scope.police_areas:
        raise NotFoundError(slug)
    return area


def area_default_period(
    session: DbSession, municipalities: list[Municipality], default_timezone: str
) -> Period:
    """From the earliest start to the latest end of the municipalities' default periods."""
    zone = municipalities[0].timezone or default_timezone
    today = dt.datetime.now(ZoneInfo(zone)).date()
    periods = [default_period(session, m.id, today) for m in municipalities]
    return Period(min(p.start for p in periods), max(p.end for p in periods))
