"""The period a report shows, read from the URL (``from``, ``to``: local dates, both included).

A period that cannot be read leaves the default period shown, the typed dates kept and an error
per field for the page's error summary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from dialogue.i18n import _
from dialogue.lagesbild.data import Period
from dialogue.web.forms import parse_date

FROM, TO = "from", "to"
# Field ids on the page, which the error summary links to.
FIELD_IDS = {FROM: "period-from", TO: "period-to"}
MAX_TYPED_CHARS = 100
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
MAX_PERIOD_DAYS = 5 * 366


@dataclasses.dataclass(frozen=True)
class PeriodChoice:
    """The period a page shows, the dates as typed, and what was wrong with them."""

    period: Period
    typed: Mapping[str, str]
    errors: Mapping[str, str]  # by field name (``from``, ``to``)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def url_args(self) -> dict[str, Any]:
        """The period as URL arguments, for export links and links to other reports."""
        return {FROM: self.period.start.isoformat(), TO: self.period.end.isoformat()}

    def error_items(self) -> list[tuple[str, str]]:
        return [(FIELD_IDS[name], self.errors[name]) for name in (FROM, TO) if name in self.errors]


def choose_period(args: Mapping[str, str], default: Period) -> PeriodChoice:
    """The period asked for in ``args``; a date left out takes the default period's."""
    typed = {name: (args.get(name) or "").strip()[:MAX_TYPED_CHARS] for name in (FROM, TO)}
    fallback = {FROM: default.start, TO: default.end}
    days: dict[str, dt.date] = {}
    errors: dict[str, str] = {}
    for name in (FROM, TO):
        if not typed[name]:
            days[name] = fallback[name]
            continue
        day = parse_date(typed[name])
        if day is None:
            errors[name] = _("Enter the date as year-month-day, like 2024-05-17.")
        elif not FIRST_DAY <= day <= LAST_DAY:
            errors[name] = _(
                "Enter a date from %(first)s to %(last)s.",
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            )
        else:
            days[name] = day
    if not errors:
        if days[TO] < days[FROM]:
            errors[TO] = _("The last date must be the same as or after the first.")
        elif (days[TO] - days[FROM]).days + 1 > MAX_PERIOD_DAYS:
            errors[TO] = _("Choose a period of at most five years.")
    shown = Period(days[FROM], days[TO]) if not errors else default
    if not any(typed.values()):
        typed = {FROM: default.start.isoformat(), TO: default.end.isoformat()}
    else:
        typed = {name: typed[name] or fallback[name].isoformat() for name in (FROM, TO)}
    return PeriodChoice(shown, typed, errors)
