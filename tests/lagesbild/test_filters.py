from __future__ import annotations

from flask import Flask, render_template_string
from flask_babel import force_locale

from dialogue.lagesbild.suppression import PublicCount, Shown


def render(app: Flask, source: str, **context: object) -> str:
    with app.test_request_context("/"), force_locale("en"):
        return render_template_string(source, **context)


def test_public_counts_are_written_as_the_public_may_read_them(app: Flask) -> None:
    counts = [
        PublicCount(Shown.EXACT, 12, 5),
        PublicCount(Shown.SMALL, None, 5),
        PublicCount(Shown.HIDDEN, None, 5),
    ]
    html = render(app, "{% for c in counts %}{{ c|count_text }};{% endfor %}", counts=counts)
    assert html == "12;fewer than 5;hidden;"


def test_changes_and_shares_are_written_as_people_write_them(app: Flask) -> None:
    html = render(
        app,
        "{% for n in changes %}{{ n|signed }} {% endfor %}{{ 1|share(4) }} {{ 1|share(0) }}",
        changes=[3, -2, 0],
    )
    assert html == "+3 −2 ±0 25% –"


def test_a_missing_mean_is_a_dash(app: Flask) -> None:
    assert render(app, "{{ none|mean_text }} {{ 3.26|mean_text }}") == "– 3.3"
