"""The report page, shared by a municipality's report and a police area's."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from dialogue.config import current_settings
from dialogue.i18n import current_locale
from dialogue.lagesbild import charts
from dialogue.lagesbild.data import Dimension, Report
from dialogue.lagesbild.periods import PeriodChoice
from dialogue.web.responses import Response, page


@dataclasses.dataclass(frozen=True)
class Section:
    """One breakdown on the page: its heading, its rows and its chart."""

    dimension: Dimension
    title: str
    caption: str
    anchor: str
    rows: Sequence[Any]
    chart: Any
    is_trend: bool


def sections(report: Report, locale: str, fallback: str) -> list[Section]:
    found = {breakdown.dimension: breakdown for breakdown in report.breakdowns}
    out = []
    for dimension in charts.DIMENSION_ORDER:
        breakdown = found.get(dimension)
        if breakdown is None:
            continue
        trend = dimension == Dimension.MONTH
        chart = (
            charts.trend_chart(breakdown.rows)
            if trend
            else charts.bar_chart(
                breakdown.rows,
                locale,
                fallback,
                keep_order=dimension in charts.ORDERED_DIMENSIONS,
            )
        )
        out.append(
            Section(
                dimension=dimension,
                title=str(charts.DIMENSION_TITLES[dimension]),
                caption=str(charts.DIMENSION_CAPTIONS[dimension]),
                anchor=f"by-{dimension.value.replace('_', '-')}",
                rows=breakdown.rows,
                chart=chart,
                is_trend=trend,
            )
        )
    return out


def render_report(
    report: Report,
    choice: PeriodChoice,
    *,
    form_action: str,
    export_links: Sequence[tuple[str, str]],
    status: int = 200,
    **context: Any,
) -> Response:
    """The report page, for a municipality or a police area."""
    locale, fallback = current_locale(), current_settings().default_locale
    return page(
        "lagesbild/report.html",
        status,
        report=report,
        choice=choice,
        errors=choice.error_items(),
        sections=sections(report, locale, fallback),
        place_map=charts.place_map(report.safety, locale, fallback),
        heat=charts.heat_matrix(report.matrix),
        form_action=form_action,
        export_links=export_links,
        **context,
    )
