"""Template filters for submissions, registered by the app factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask_babel import format_datetime, format_time

from dialogue.submissions.models import RESIDENT_TIME_GRAIN


def hour_span(value: dt.datetime) -> str:
    """A resident's time, stored to the hour, as the hour it lies in ("14:00 to 15:00").

    A time that is not on the hour was stored exactly (see ``resident_time``) and shows as is.
    """
    if (value.minute, value.second, value.microsecond) != (0, 0, 0):
        return str(format_datetime(value, "short"))
    end = format_time(value + RESIDENT_TIME_GRAIN, "short")
    return f"{format_datetime(value, 'short')}–{end}"


FILTERS: dict[str, Callable[..., Any]] = {"hour_span": hour_span}
