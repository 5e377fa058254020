"""What a municipality's public pledge pages show: the pledge, and what was heard.

The pledge comes from :mod:`dialogue.pledges.services`; the lägesbild's suppressed figures
of its period ("Ni sa - vi gör") from :mod:`dialogue.lagesbild.public`, computed at most once
per cache period.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from dialogue.cache import ProcessCache, TTLCache
from dialogue.db import DbSession
from dialogue.errors import NotFoundError
from dialogue.lagesbild import public
from dialogue.lagesbild.models import LagesbildSnapshot
from dialogue.lagesbild.suppression import PublicReport
from dialogue.pledges.models import Pledge
from dialogue.pledges.services import get_current_pledge, get_pledge, list_public_pledges

# Public lägesbild figures by pledge, computed at most once per cache period.
PUBLIC_FIGURES = ProcessCache("public_report", TTLCache[PublicReport | None])


@dataclasses.dataclass(frozen=True)
class PledgePage:
    """A public pledge with the figures of its period so far and the snapshot it is based on."""

    pledge: Pledge
    other_pledges: list[Pledge]
    figures: PublicReport | None
    you_said: public.YouSaidWeDo | None
    basis: LagesbildSnapshot | None


def get_pledge_page(
    session: DbSession, municipality_id: int, pledge_id: int | None, today: dt.date
) -> PledgePage:
    """The page of a public pledge, or of the current one (``pledge_id`` None).

    NotFoundError for a pledge that is not public here, or when there is no current pledge.
    """
    if pledge_id is None:
        current = get_current_pledge(session, municipality_id, today)
        if current is None:
            raise NotFoundError("pledge")
        pledge_id = current.id
    pledge = get_pledge(session, municipality_id, pledge_id)
    others = [p for p in list_public_pledges(session, municipality_id) if p.id != pledge.id]
    figures = public_figures(session, municipality_id, pledge, today)
    return PledgePage(
        pledge=pledge,
        other_pledges=others,
        figures=figures,
        you_said=public.you_said_we_do(pledge, figures) if figures else None,
        basis=public.get_basis(session, pledge),
    )


def public_figures(
    session: DbSession, municipality_id: int, pledge: Pledge, today: dt.date
) -> PublicReport | None:
    """The pledge's suppressed public figures so far, computed at most once per cache period
    for the pledge page and the place pages alike."""
    return PUBLIC_FIGURES.get().get(
        f"{municipality_id}:{pledge.id}",
        lambda: public.pledge_report(session, municipality_id, pledge, today),
    )
