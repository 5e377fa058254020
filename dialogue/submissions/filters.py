"""Template filters for submissions, registered by the app factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask_babel import format_datetime, format_time

from dialogue.submissions import labels
from dialogue.submissions.models import RESIDENT_TIME_GRAIN
from dialogue.submissions.personal_data import highlight


def hour_span(value: dt.datetime) -> str:
    """A resident's time, stored to the hour, as the hour it lies in ("14:00 to 15:00").

    A time that is not on the hour was stored exactly (see ``resident_time``) and shows as is.
    """
    if (value.minute, value.second, value.microsecond) != (0, 0, 0):
        return str(format_datetime(value, "short"))
    end = format_time(value + RESIDENT_TIME_GRAIN, "short")
    return f"{format_datetime(value, 'short')}–{end}"


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
