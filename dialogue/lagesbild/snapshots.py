"""Freezing a period's report as a lägesbild snapshot, reading and comparing snapshots, and
drafting the next pledge from one.

A snapshot is the report's JSON as it was when frozen, with a SHA-256 over its canonical
encoding. The table refuses UPDATE and DELETE at the database level, so later changes to
submissions cannot reach it; freezing again makes a new version of the same period.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dialogue.accounts.access import Scope, require_admin, require_moderator, require_reader
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.db import DbSession, Localized
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _
from dialogue.lagesbild.data import Dimension, Period, Report
from dialogue.lagesbild.models import LagesbildSnapshot
from dialogue.lagesbild.report import build_report
from dialogue.municipalities.models import Municipality
from dialogue.pledges.models import Pledge, PledgeStatus
from dialogue.pledges.services import (
    NextDraft,
    add_next_draft,
    get_pledge_to_continue,
    list_pledges_based_on,
)


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON encoding of ``content``."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


# Freezing


def _of_period(municipality_id: int, period: Period) -> Any:
    return (
        LagesbildSnapshot.municipality_id == municipality_id,
        LagesbildSnapshot.period_start == period.start,
        LagesbildSnapshot.period_end == period.end,
    )


@dataclasses.dataclass(frozen=True)
class FreezePreview:
    """What freezing a period now would save: asked before anything irreversible happens."""

    period: Period
    version: int  # the version the snapshot would get
    earlier: list[LagesbildSnapshot]  # the period's snapshots so far, oldest first
    report: Report  # as it would be frozen

    @property
    def label(self) -> str:
        """What the snapshot will be called: "Lägesbild 2024 v2"."""
        return version_label(self.period, self.version)


def preview_freeze(
    session: DbSession, municipality: Municipality, period: Period, *, scope: Scope
) -> FreezePreview:
    """The report of ``period`` as freezing it now would save it, and the version it would
    get; changes nothing. Moderators only."""
    require_moderator(scope, municipality.id)
    earlier = list(
        session.scalars(
            select(LagesbildSnapshot)
            .where(*_of_period(municipality.id, period))
            .order_by(LagesbildSnapshot.version)
        )
    )
    report = build_report(session, [municipality], period, title=municipality.name)
    version = max((snapshot.version for snapshot in earlier), default=0) + 1
    return FreezePreview(period, version, earlier, report)


def freeze(
    session: DbSession,
    municipality: Municipality,
    period: Period,
    report: Report,
    *,
    actor: Account,
    scope: Scope,
) -> LagesbildSnapshot:
    """Freeze ``report`` as the next version of the period's lägesbild; moderators only."""
    require_moderator(scope, municipality.id)
    if period.end < period.start:
        raise InvalidInputError(
            {"end": _("The end date must be the same as or after the start date.")}
        )
    if report.period != period or report.municipalities != (municipality.slug,):
        raise InvalidInputError({"start": _("The report is not the one of this period.")})
    content = report.to_json()
    latest = session.scalar(
        select(func.max(LagesbildSnapshot.version)).where(*_of_period(municipality.id, period))
    )
    snapshot = LagesbildSnapshot(
        municipality_id=municipality.id,
        period_start=period.start,
        period_end=period.end,
        version=(latest or 0) + 1,
        content=content,
        content_hash=content_hash(content),
        frozen_by_id=actor.id,
    )
    session.add(snapshot)
    try:
        session.flush()
    except IntegrityError as error:  # someone froze the same version at the same moment
        session.rollback()
        raise InvalidInputError(
            {"start": _("Someone else froze this period just now. Freeze it again.")}
        ) from error
    record(
        session,
        actor.id,
        "lagesbild.frozen",
        Target("lagesbild_snapshot", snapshot.id, municipality.id),
        period=period.to_json(),
        version=snapshot.version,
        content_hash=snapshot.content_hash,
    )
    session.commit()
    return snapshot


# Reading


def list_snapshots(
    session: DbSession, municipality_id: int, *, scope: Scope
) -> list[LagesbildSnapshot]:
    """Every snapshot of the municipality, latest period and version first."""
    require_reader(scope, municipality_id)
    query = (
        select(LagesbildSnapshot)
        .where(LagesbildSnapshot.municipality_id == municipality_id)
        .order_by(
            LagesbildSnapshot.period_end.desc(),
            LagesbildSnapshot.period_start.desc(),
            LagesbildSnapshot.version.desc(),
        )
    )
    return list(session.scalars(query))


def get_snapshot(
    session: DbSession, municipality_id: int, snapshot_id: int, *, scope: Scope
) -> LagesbildSnapshot:
    """A snapshot of this municipality; NotFoundError for any other."""
    require_reader(scope, municipality_id)
    snapshot = session.get(LagesbildSnapshot, snapshot_id)
    if snapshot is None or snapshot.municipality_id != municipality_id:
        raise NotFoundError(snapshot_id)
    return snapshot


def frozen_by_names(session: DbSession, found: Sequence[LagesbildSnapshot]) -> dict[int, str]:
    """The name of whoever froze each snapshot, by account id (accounts are never deleted)."""
    ids = {s.frozen_by_id for s in found if s.frozen_by_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(Account.id, Account.name).where(Account.id.in_(ids))).all()
    return {row.id: row.name for row in rows}


@dataclasses.dataclass(frozen=True)
class SnapshotList:
    """The snapshots of a municipality and who froze each, by account id."""

    snapshots: list[LagesbildSnapshot]
    frozen_by: dict[int, str]


def list_snapshots_page(session: DbSession, municipality_id: int, *, scope: Scope) -> SnapshotList:
    """Every snapshot of the municipality with the names of those who froze them."""
    found = list_snapshots(session, municipality_id, scope=scope)
    return SnapshotList(found, frozen_by_names(session, found))


@dataclasses.dataclass(frozen=True)
class SnapshotPage:
    """One snapshot as staff read it: its report, its check, the others and its pledges."""

    snapshot: LagesbildSnapshot
    frozen_by: dict[int, str]
    report: Report
    verified: bool
    others: list[LagesbildSnapshot]
    pledges: list[Pledge]
    next_pledge: NextPledge


def get_snapshot_page(
    session: DbSession, municipality_id: int, snapshot_id: int, *, scope: Scope
) -> SnapshotPage:
    """A snapshot of this municipality with what its page shows; NotFoundError for any other."""
    snapshot = get_snapshot(session, municipality_id, snapshot_id, scope=scope)
    others = [s for s in list_snapshots(session, municipality_id, scope=scope) if s != snapshot]
    return SnapshotPage(
        snapshot=snapshot,
        frozen_by=frozen_by_names(session, [snapshot]),
        report=report_of(snapshot),
        verified=verify(snapshot),
        others=others,
        pledges=list_pledges_based_on(session, municipality_id, snapshot.id),
        next_pledge=plan_next_pledge(session, snapshot),
    )


def report_of(snapshot: LagesbildSnapshot) -> Report:
    return Report.from_json(snapshot.content)


def verify(snapshot: LagesbildSnapshot) -> bool:
    """Whether the content still matches the hash it was frozen with."""
    return content_hash(snapshot.content) == snapshot.content_hash


def period_of(snapshot: LagesbildSnapshot) -> Period:
    return Period(snapshot.period_start, snapshot.period_end)


def period_label(period: Period) -> str:
    """``2023`` for one calendar year, else both dates: ``2023-04-19 - 2023-12-31``."""
    start, end = period.start, period.end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start.isoformat()} – {end.isoformat()}"


def version_label(period: Period, version: int) -> str:
    """ "Lägesbild 2023 v2" in the current language."""
    return str(_("Lägesbild %(period)s v%(version)d", period=period_label(period), version=version))


def label(snapshot: LagesbildSnapshot, locale: str | None = None) -> str:
    """ "Lägesbild 2023 v2": the period and the version, in ``locale``."""

    def text() -> str:
        return version_label(period_of(snapshot), snapshot.version)

    if locale:
        with force_locale(locale):
            return text()
    return text()


def localized_label(snapshot: LagesbildSnapshot, locales: Sequence[str]) -> Localized:
    """The label in each of ``locales``."""
    return {locale: label(snapshot, locale) for locale in locales}


# Comparing


@dataclasses.dataclass(frozen=True)
class ComparedRow:
    key: str
    label: Localized
    a: int | None  # None: not in that snapshot
    b: int | None

    @property
    def difference(self) -> int:
        return (self.b or 0) - (self.a or 0)


@dataclasses.dataclass(frozen=True)
class ComparedBreakdown:
    dimension: Dimension
    rows: tuple[ComparedRow, ...]
    total_a: int
    total_b: int

    @property
    def difference(self) -> int:
        return self.total_b - self.total_a


@dataclasses.dataclass(frozen=True)
class Comparison:
    a: Report
    b: Report
    total_a: int
    total_b: int
    breakdowns: tuple[ComparedBreakdown, ...]

    @property
    def difference(self) -> int:
        return self.total_b - self.total_a


def compare(a: LagesbildSnapshot, b: LagesbildSnapshot) -> Comparison:
    """Two snapshots side by side: per dimension, each row's count in ``a`` and ``b``."""
    report_a, report_b = report_of(a), report_of(b)
    dimensions = [x.dimension for x in report_a.breakdowns]
    dimensions += [x.dimension for x in report_b.breakdowns if x.dimension not in dimensions]
    compared = []
    for dimension in dimensions:
        rows_a = _rows(report_a, dimension)
        rows_b = _rows(report_b, dimension)
        keys = list(rows_a) + [key for key in rows_b if key not in rows_a]
        compared.append(
            ComparedBreakdown(
                dimension,
                tuple(
                    ComparedRow(
                        key,
                        (rows_a.get(key) or rows_b[key])[0],
                        rows_a[key][1] if key in rows_a else None,
                        rows_b[key][1] if key in rows_b else None,
                    )
                    for key in keys
                ),
                sum(count for _label, count in rows_a.values()),
                sum(count for _label, count in rows_b.values()),
            )
        )
    return Comparison(report_a, report_b, report_a.total, report_b.total, tuple(compared))


def _rows(report: Report, dimension: Dimension) -> dict[str, tuple[Localized, int]]:
    found = next((x for x in report.breakdowns if x.dimension == dimension), None)
    return {row.key: (row.label, row.count) for row in (found.rows if found else ())}


# The next pledge


def next_validity(period_end: dt.date) -> tuple[dt.date, dt.date]:
    """From the day after the period, for one year."""
    start = period_end + dt.timedelta(days=1)
    try:
        after = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        after = dt.date(start.year + 1, 3, 1)
    return start, after - dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class NextPledge:
    """What drafting the next pledge from a snapshot makes: its period, and what it copies."""

    copied_from: Pledge | None
    valid_from: dt.date
    valid_to: dt.date


def plan_next_pledge(session: DbSession, snapshot: LagesbildSnapshot) -> NextPledge:
    """The next pledge's period (the year after the snapshot's) and the pledge it continues."""
    valid_from, valid_to = next_validity(snapshot.period_end)
    copied_from = get_pledge_to_continue(session, snapshot.municipality_id, snapshot.period_end)
    return NextPledge(copied_from, valid_from, valid_to)


def create_pledge_from(
    session: DbSession,
    snapshot: LagesbildSnapshot,
    *,
    actor: Account,
    scope: Scope,
    locales: Sequence[str],
) -> Pledge:
    """A draft of the next pledge, based on ``snapshot``; administrators only.

    Title, focus, goal, sources, commitments, initiatives and signatories start as those of
    the pledge it continues (:func:`plan_next_pledge`), for the administrators to rewrite on
    the pledge pages. The new texts (title, source) are written in each of ``locales``.
    """
    require_admin(scope, snapshot.municipality_id)
    based_on = list_pledges_based_on(session, snapshot.municipality_id, snapshot.id)
    if any(p.status == PledgeStatus.DRAFT for p in based_on):
        raise InvalidInputError(
            {"snapshot": _("A draft pledge based on this snapshot already exists.")}
        )
    plan = plan_next_pledge(session, snapshot)
    current, valid_from, valid_to = plan.copied_from, plan.valid_from, plan.valid_to
    source = localized_label(snapshot, locales)
    old_sources = [dict(s) for s in (current.sources if current else []) if dict(s) != source]
    pledge = add_next_draft(
        session,
        current,
        NextDraft(
            municipality_id=snapshot.municipality_id,
            valid_from=valid_from,
            valid_to=valid_to,
            sources=[source, *old_sources],
            based_on_id=snapshot.id,
            title=_new_title(valid_from, locales),
        ),
    )
    record(
        session,
        actor.id,
        "pledge.created",
        Target.of("pledge", pledge),
        title=pledge.title,
        based_on=snapshot.id,
        copied_from=current.id if current else None,
    )
    session.commit()
    return pledge


def _new_title(valid_from: dt.date, locales: Sequence[str]) -> Localized:
    titles: Localized = {}
    for locale in locales:
        with force_locale(locale):
            titles[locale] = str(_("Citizen pledge %(year)d", year=valid_from.year))
    return titles
