from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dialogue.submissions.models import resident_time


def test_a_residents_time_is_kept_to_the_hour() -> None:
    moment = dt.datetime(2026, 12, 5, 21, 37, 12, 345678, tzinfo=dt.UTC)
    assert resident_time(moment) == dt.datetime(2026, 12, 5, 21, tzinfo=dt.UTC)
    now = resident_time()
    assert (now.minute, now.second, now.microsecond) == (0, 0, 0)
    assert now.tzinfo is not None


def test_the_hour_never_moves_a_submission_to_another_local_day_month_or_year() -> None:
    stockholm = ZoneInfo("Europe/Stockholm")
    moment = dt.datetime(2025, 12, 31, 0, 59, 59, tzinfo=dt.UTC)
    for _hour in range(24 * 366):  # every hour of a year, both summer-time switches included
        stored = resident_time(moment)
        assert stored.astimezone(stockholm).date() == moment.astimezone(stockholm).date()
        moment += dt.timedelta(hours=1)


def test_a_later_action_is_never_stored_before_what_already_happened() -> None:
    moderator_change = dt.datetime(2026, 12, 5, 21, 20, tzinfo=dt.UTC)
    withdrawn = dt.datetime(2026, 12, 5, 21, 50, tzinfo=dt.UTC)
    assert resident_time(withdrawn, not_before=moderator_change) == moderator_change
    earlier = dt.datetime(2026, 12, 5, 19, 20, tzinfo=dt.UTC)
    assert resident_time(withdrawn, not_before=earlier) == dt.datetime(
        2026, 12, 5, 21, tzinfo=dt.UTC
    )
