"""Template filters for submissions, registered by the app factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dialogue.i18n import _
from dialogue.submissions import labels
from dialogue.submissions.models import RESIDENT_TIME_GRAIN
from dialogue.submissions.personal_data import highlight
from dialogue.web.templating import clock, date, datetime


def hour_span(value: dt.datetime, style: str | None = None) -> str:
    """A resident's time, stored to the hour, as the hour it lies in ("19 april 2023 kl.
    14:00 to 15:00"; ``"short"`` in tables: "2023-04-19 14:00 to 15:00"), in the date styles of
    :mod:`dialogue.web.templating`.

    A time that is not on the hour was stored exactly (see ``resident_time``) and shows as is.
    """
    if (value.minute, value.second, value.microsecond) != (0, 0, 0):
        return datetime(value, style)
    hours = f"{clock(value)}–{clock(value + RESIDENT_TIME_GRAIN)}"
    if style == "short":
        return f"{date(value, style)} {hours}"
    return _("%(date)s at %(time)s", date=date(value, style), time=hours)


FILTERS: dict[str, Callable[..., Any]] = {
    "hour_span": hour_span,
    # Submitted text with what looks like personal data marked: ``text|highlight``.
    "highlight": highlight,
    "status_label": labels.status_label,
    "priority_label": labels.priority_label,
    "kind_label": labels.kind_label,
    "submitter_label": labels.submitter_label,
    "part_of_day_label": labels.part_of_day_label,
}
