"""One style per kind of date, in every language (docs/contributing.md, "Dates")."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale

from dialogue.submissions.filters import hour_span
from dialogue.web.templating import date, datetime, short_date, short_datetime

DAY = dt.date(2023, 4, 19)
# 18:58 UTC is 20:58 in Stockholm (summer time).
MOMENT = dt.datetime(2023, 4, 19, 18, 58, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("locale", "long", "moment"),
    [
        ("sv", "19 april 2023", "19 april 2023 kl. 20:58"),
        ("en", "19 April 2023", "19 April 2023 at 20:58"),
    ],
)
def test_running_text_writes_the_month_out_and_the_24_hour_clock(
    app: Flask, locale: str, long: str, moment: str
) -> None:
    with app.test_request_context("/"), force_locale(locale):
        assert date(DAY) == long
        assert date(MOMENT) == long
        assert datetime(MOMENT) == moment


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_tables_use_iso_dates_in_every_language(app: Flask, locale: str) -> None:
    with app.test_request_context("/"), force_locale(locale):
        assert short_date(DAY) == "2023-04-19"
        assert date(DAY, "short") == "2023-04-19"
        assert short_datetime(MOMENT) == "2023-04-19 20:58"
        assert datetime(MOMENT, "short") == "2023-04-19 20:58"


def test_a_date_is_the_day_where_the_reader_is(app: Flask) -> None:
    late = dt.datetime(2024, 6, 21, 22, 30, tzinfo=dt.UTC)  # 00:30 on the 22nd in Sweden
    with app.test_request_context("/"), force_locale("sv"):
        assert short_date(late) == "2024-06-22"


def test_other_styles_are_refused(app: Flask) -> None:
    with app.test_request_context("/"), pytest.raises(ValueError, match="style"):
        date(DAY, "medium")


def test_missing_dates_are_empty(app: Flask) -> None:
    with app.test_request_context("/"):
        assert date(None) == ""
        assert datetime(None) == ""


def test_templates_get_the_named_filters(app: Flask) -> None:
    source = "{{ d|date }}|{{ d|short_date }}|{{ m|datetime }}|{{ m|short_datetime }}"
    with app.test_request_context("/"), force_locale("en"):
        shown = render_template_string(source, d=DAY, m=MOMENT)
    assert shown == "19 April 2023|2023-04-19|19 April 2023 at 20:58|2023-04-19 20:58"


def test_a_residents_hour_is_written_in_the_same_style(app: Flask) -> None:
    hour = dt.datetime(2023, 4, 19, 12, 0, tzinfo=dt.UTC)  # 14:00 in Stockholm
    with app.test_request_context("/"), force_locale("en"):
        assert hour_span(hour) == "19 April 2023 at 14:00–15:00"
        assert hour_span(hour, "short") == "2023-04-19 14:00–15:00"
