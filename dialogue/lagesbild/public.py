"""What the public sees of the lägesbild: suppressed figures of a pledge's period, "you said,
we do", and the snapshots published pledges are based on.

Everything here passes through :func:`dialogue.lagesbild.suppression.suppress`: no exact
count below the municipality's threshold, no submitted text, no contact details, no notes,
no cluster titles and no free texts of input rounds. The only free text is a chosen quote's
public summary, and only one a moderator marked reviewed (a snapshot's quote without a review
is left out). Caching is the views' business.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from dialogue.db import DbSession, Localized
from dialogue.errors import NotFoundError
from dialogue.lagesbild.data import NOT_STATED, Dimension, Period
from dialogue.lagesbild.models import LagesbildSnapshot
from dialogue.lagesbild.report import build_report
from dialogue.lagesbild.snapshots import report_of
from dialogue.lagesbild.suppression import (
    PublicCount,
    PublicReport,
    PublicRow,
    suppress,
)
from dialogue.municipalities.models import Municipality
from dialogue.pledges.models import Commitment, Initiative, Pledge, ProgressUpdate
from dialogue.pledges.services import list_pledges_based_on

TOP = 5


def counting_period(pledge: Pledge, today: dt.date) -> Period | None:
    """The pledge's validity up to today; None before it starts."""
    if today < pledge.valid_from:
        return None
    return Period(pledge.valid_from, min(pledge.valid_to, today))


def pledge_report(
    session: DbSession, municipality_id: int, pledge: Pledge, today: dt.date
) -> PublicReport | None:
    """The public figures of ``pledge``'s period so far; None before the period starts."""
    period = counting_period(pledge, today)
    municipality = session.get(Municipality, municipality_id)
    if period is None or municipality is None:
        return None
    report = build_report(session, [municipality], period, title=municipality.name)
    return suppress(report, municipality.small_number_threshold)


@dataclasses.dataclass(frozen=True)
class PlaceAction:
    """A place residents raised, and the pledge's initiatives there."""

    row: PublicRow
    initiatives: tuple[Initiative, ...]


@dataclasses.dataclass(frozen=True)
class CommitmentNews:
    commitment: Commitment
    number: int
    latest: ProgressUpdate | None


@dataclasses.dataclass(frozen=True)
class YouSaidWeDo:
    """ "Ni sa - vi gör": what residents raised most, and what is being done."""

    categories: tuple[PublicRow, ...]
    places: tuple[PlaceAction, ...]
    commitments: tuple[CommitmentNews, ...]
    total: PublicCount
    period: Period


def you_said_we_do(pledge: Pledge, public: PublicReport, limit: int = TOP) -> YouSaidWeDo:
    """The top categories and places (shown counts only) beside initiatives and updates."""
    category = public.breakdown(Dimension.CATEGORY)
    place = public.breakdown(Dimension.PLACE)
    by_place: dict[str, list[Initiative]] = {}
    for initiative in pledge.initiatives:
        for found in initiative.places:
            by_place.setdefault(found.slug, []).append(initiative)
    places = tuple(
        PlaceAction(row, tuple(by_place.get(row.key, ())))
        for row in (place.top(limit) if place else ())
        if row.key != NOT_STATED
    )
    return YouSaidWeDo(
        categories=category.top(limit) if category else (),
        places=places,
        commitments=tuple(
            CommitmentNews(c, n, c.progress_updates[0] if c.progress_updates else None)
            for n, c in enumerate(pledge.commitments, start=1)
        ),
        total=public.total,
        period=public.period,
    )


# Snapshots the public may read: those a published pledge is based on.


def get_public_snapshot(
    session: DbSession, municipality_id: int, snapshot_id: int
) -> LagesbildSnapshot:
    """A snapshot a published (or closed) pledge of this municipality is based on."""
    snapshot = session.get(LagesbildSnapshot, snapshot_id)
    if snapshot is None or snapshot.municipality_id != municipality_id:
        raise NotFoundError(snapshot_id)
    if not list_pledges_based_on(session, municipality_id, snapshot.id, public_only=True):
        raise NotFoundError(snapshot_id)
    return snapshot


def public_snapshot(snapshot: LagesbildSnapshot, threshold: int) -> PublicReport:
    return suppress(report_of(snapshot), threshold)


@dataclasses.dataclass(frozen=True)
class PublicSnapshotPage:
    """A public snapshot's page: its suppressed figures and the pledges based on it."""

    snapshot: LagesbildSnapshot
    report: PublicReport
    pledges: list[Pledge]


def get_public_snapshot_page(
    session: DbSession, municipality_id: int, snapshot_id: int, threshold: int
) -> PublicSnapshotPage:
    """What the public page of a snapshot shows; NotFoundError unless the snapshot is public."""
    snapshot = get_public_snapshot(session, municipality_id, snapshot_id)
    return PublicSnapshotPage(
        snapshot,
        public_snapshot(snapshot, threshold),
        public_pledges_based_on(session, snapshot),
    )


def public_pledges_based_on(session: DbSession, snapshot: LagesbildSnapshot) -> list[Pledge]:
    return list_pledges_based_on(session, snapshot.municipality_id, snapshot.id, public_only=True)


def get_basis(session: DbSession, pledge: Pledge) -> LagesbildSnapshot | None:
    """The snapshot ``pledge`` is based on, if any (same municipality only)."""
    if pledge.based_on_id is None:
        return None
    snapshot = session.get(LagesbildSnapshot, pledge.based_on_id)
    if snapshot is None or snapshot.municipality_id != pledge.municipality_id:
        return None
    return snapshot


def export_rows(
    public: PublicReport,
    *,
    count_text: Callable[[PublicCount], str],
    label: Callable[[Localized | None], str],
    titles: dict[Dimension, str],
    headings: tuple[str, str, str, str],
    total_label: str,
) -> list[list[str]]:
    """The public export: the total, then one line per breakdown row; suppressed values as
    text. ``headings`` name the columns: dimension, value, count, previous period's count."""
    lines = [
        list(headings),
        [total_label, "", count_text(public.total), count_text(public.previous_total)],
    ]
    for breakdown in public.breakdowns:
        title = titles[breakdown.dimension]
        for row in breakdown.rows:
            lines.append([title, label(row.label), count_text(row.count), count_text(row.previous)])
    return lines
