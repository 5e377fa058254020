"""Charts: their geometry, and that each is drawn with a name and followed by its numbers."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask_babel import force_locale

from dialogue.lagesbild import charts
from dialogue.lagesbild.data import Matrix, PlaceSafety
from dialogue.lagesbild.periods import PeriodChoice
from dialogue.lagesbild.report_page import render_report
from tests.lagesbild.export_fixtures import make_report, row

SVG = ""  # inline SVG in HTML carries no namespace


# Geometry ------------------------------------------------------------------------------------


def test_bars_are_as_long_as_their_share_of_the_largest() -> None:
    rows = [row("a", "A", "A", 10), row("b", "B", "B", 5), row("c", "C", "C", 0)]

    chart = charts.bar_chart(rows, "sv", "sv")

    widths = [bar.width for bar in chart.bars]
    assert widths[0] == chart.width - charts.VALUE_SPACE
    assert widths[1] == widths[0] / 2
    assert widths[2] == 0
    assert [bar.y for bar in chart.bars] == [0, charts.BAR_ROW_HEIGHT, 2 * charts.BAR_ROW_HEIGHT]
    assert not chart.truncated
    assert not chart.is_empty


def test_bars_keep_the_natural_order_when_cut_to_the_largest() -> None:
    rows = [row(str(n), f"Dag {n}", f"Day {n}", n % 7) for n in range(30)]

    sorted_chart = charts.bar_chart(rows, "en", "sv")
    ordered_chart = charts.bar_chart(rows, "en", "sv", keep_order=True)

    assert sorted_chart.truncated and len(sorted_chart.bars) == charts.MAX_BARS
    assert [bar.value for bar in sorted_chart.bars][:4] == [6, 6, 6, 6]
    kept = [int(bar.label.split()[1]) for bar in ordered_chart.bars]
    assert kept == sorted(kept)
    assert all(n % 7 >= 2 for n in kept)  # the ten smallest (zeros and ones) are left out
    assert ordered_chart.bars[0].label == "Day 2"


def test_an_empty_bar_chart_says_so() -> None:
    assert charts.bar_chart([row("a", "A", "A", 0)], "sv", "sv").is_empty


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (1, 1), (3, 3), (4, 5), (7, 10), (11, 20), (21, 25), (260, 500)]
)
def test_nice_ceilings(value: int, ceiling: int) -> None:
    assert charts.nice_ceiling(value) == ceiling


def test_the_trend_puts_both_periods_on_one_scale() -> None:
    rows = [row("2024-01", "Jan", "Jan", 5, 8), row("2024-02", "Feb", "Feb", 0, 2)]

    chart = charts.trend_chart(rows)

    assert [p.value for p in chart.current] == [5, 0]
    assert [p.value for p in chart.previous] == [8, 2]
    # One scale for both, from 0 to 10 (the nice number above 8).
    assert [tick.label for tick in chart.y_ticks] == ["0", "2", "4", "6", "8", "10"]
    assert chart.y_ticks[-1].position == chart.top
    assert chart.current[1].y == chart.bottom
    assert chart.current[0].y == (chart.top + chart.bottom) / 2
    assert chart.previous[0].y == chart.bottom - (chart.bottom - chart.top) * 0.8
    assert [tick.label for tick in chart.x_ticks] == ["2024-01", "2024-02"]
    assert chart.current_line == f"{chart.left},{chart.current[0].y:g} {chart.right},{chart.bottom}"


def test_the_heat_map_shades_by_size() -> None:
    matrix = Matrix(
        places=(row("p", "P", "P", 11),),
        categories=(row("a", "A", "A", 8), row("b", "B", "B", 1), row("c", "C", "C", 0)),
        cells=((8, 1, 0),),
    )

    heat = charts.heat_matrix(matrix)

    assert [(cell.value, cell.level) for cell in heat.lines[0]] == [(8, 4), (1, 1), (0, 0)]


def test_the_map_keeps_north_up_and_sizes_dots_by_count() -> None:
    places = [
        PlaceSafety("n", {"sv": "Norr"}, 9, 0, None, 58.20, 13.55),
        PlaceSafety("s", {"sv": "Söder"}, 1, 0, None, 58.10, 13.55),
        PlaceSafety("x", {"sv": "Okänd"}, 3, 0, None, None, None),
    ]

    found = charts.place_map(places, "sv", "sv")

    by_label = {dot.label: dot for dot in found.dots}
    assert set(by_label) == {"Norr", "Söder"}
    assert by_label["Norr"].y < by_label["Söder"].y
    assert by_label["Norr"].x == by_label["Söder"].x == found.width / 2
    assert by_label["Norr"].r == charts.MAX_RADIUS > by_label["Söder"].r
    assert found.unplaced == 1
    for dot in found.dots:
        assert 0 <= dot.x <= found.width and 0 <= dot.y <= found.height


def label_box(dot: charts.Dot) -> charts.Box:
    width = charts.label_width(f"{dot.label} ({dot.count:,})")
    if dot.anchor == "end":
        right = dot.label_x + 2
        return charts.Box(
            right - width, dot.label_y + 5 - charts.LABEL_HEIGHT, right, dot.label_y + 5
        )
    return charts.Box(
        dot.label_x - 2,
        dot.label_y + 5 - charts.LABEL_HEIGHT,
        dot.label_x - 2 + width,
        dot.label_y + 5,
    )


def test_labels_of_places_next_to_each_other_never_overlap() -> None:
    # Stora torget and Centrum lie some twenty metres apart: their dots all but coincide.
    places = [
        PlaceSafety("torget", {"sv": "Stora torget"}, 12, 10, 2.1, 58.16990, 13.55100),
        PlaceSafety("centrum", {"sv": "Centrum"}, 9, 8, 2.9, 58.17000, 13.55110),
        PlaceSafety("station", {"sv": "Resecentrum"}, 7, 7, 3.1, 58.17010, 13.55090),
        PlaceSafety("parken", {"sv": "Stadsparken"}, 4, 4, 4.2, 58.16000, 13.56000),
        PlaceSafety("skolan", {"sv": "Skolgården"}, 2, 0, None, 58.17500, 13.53000),
    ]

    found = charts.place_map(places, "sv", "sv")

    boxes = [label_box(dot) for dot in found.dots]
    for i, box in enumerate(boxes):
        assert box.left >= 0 and box.right <= found.width, found.dots[i].label
        assert box.top >= 0 and box.bottom <= found.height, found.dots[i].label
        for other in boxes[i + 1 :]:
            assert not box.overlaps(other, gap=0)
        for dot in found.dots:  # and no label covers a marker
            marker = charts.Box(dot.x - dot.r, dot.y - dot.r, dot.x + dot.r, dot.y + dot.r)
            assert not box.overlaps(marker, gap=0)
    # A label moved away from its marker is joined to it by a line.
    assert any(dot.leader for dot in found.dots)


def test_many_places_in_one_spot_get_rows_below_the_map() -> None:
    places = [
        PlaceSafety(f"p{n}", {"sv": f"Plats nummer {n}"}, 90 - n, 1, 3.0, 58.17, 13.55)
        for n in range(60)
    ]

    found = charts.place_map(places, "sv", "sv")

    boxes = [label_box(dot) for dot in found.dots]
    assert found.height > charts.MAP_HEIGHT
    for i, box in enumerate(boxes):
        assert box.bottom <= found.height
        assert not any(box.overlaps(other, gap=0) for other in boxes[i + 1 :])


def test_markers_tell_safety_by_shape() -> None:
    places = [
        PlaceSafety("a", {"sv": "A"}, 5, 5, 1.8, 58.10, 13.50),
        PlaceSafety("b", {"sv": "B"}, 5, 5, 3.0, 58.20, 13.50),
        PlaceSafety("c", {"sv": "C"}, 5, 5, 4.5, 58.10, 13.60),
        PlaceSafety("d", {"sv": "D"}, 5, 0, None, 58.20, 13.60),
    ]

    found = charts.place_map(places, "sv", "sv")

    bands = {dot.label: dot.safety for dot in found.dots}
    assert bands == {
        "A": charts.Safety.UNSAFE,
        "B": charts.Safety.MIXED,
        "C": charts.Safety.SAFE,
        "D": charts.Safety.UNRATED,
    }
    assert len(found.dots[0].points.split()) in (3, 4)
    assert [band for band, _text in found.bands] == list(charts.Safety)


def test_a_map_without_coordinates_is_empty() -> None:
    found = charts.place_map([PlaceSafety("x", {"sv": "X"}, 3, 0, None, None, None)], "sv", "sv")

    assert found.is_empty and found.unplaced == 1


# Drawn on the page -----------------------------------------------------------------------------


class Outline(HTMLParser):
    """The tags of a page, with what is needed to check tables and charts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture
def page(app: Flask) -> Iterator[str]:
    report = make_report()
    choice = PeriodChoice(report.period, {"from": "2024-01-01", "to": "2024-12-31"}, {})
    with app.test_request_context("/"), force_locale("en"):
        response = render_report(
            report, choice, form_action="/x", export_links=[], area=None, municipality_links=()
        )
        yield response.get_data(as_text=True)


def svgs(html: str) -> list[ET.Element]:
    return [
        ET.fromstring(found)  # noqa: S314 (the page rendered by this test)
        for found in re.findall(r"<svg class=\"chart-svg.*?</svg>", html, re.S)
    ]


def test_every_chart_is_an_image_with_a_name_and_a_description(page: str) -> None:
    drawn = svgs(page)

    # Nine breakdowns and the map.
    assert len(drawn) == 10
    for svg in drawn:
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_every_chart_is_followed_by_a_table_of_its_numbers(page: str) -> None:
    for anchor in ("by-category", "by-place", "by-weekday", "by-month"):
        section = page.split(f'<section id="{anchor}"', 1)[1].split("</section>", 1)[0]
        assert section.index("<svg") < section.index("<table")
        assert "<caption" in section
    category = page.split('<section id="by-category"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'<th scope="row">Littering</th>\s*<td class="num">5</td>', category)
    safety = page.split('<section id="safety"', 1)[1].split("</section>", 1)[0]
    assert safety.index('<svg class="chart-svg chart-map"') < safety.index("<table")
    assert "The forest" in safety  # no coordinates: in the list, not on the map
    assert "Places without coordinates are only in the list." in safety


def test_every_table_has_a_caption_and_scoped_headers(page: str) -> None:
    outline = Outline()
    outline.feed(page)
    tables = [i for i, (tag, _attrs) in enumerate(outline.tags) if tag == "table"]
    assert len(tables) >= 12
    for index in tables:
        assert outline.tags[index + 1][0] == "caption"
    headers = [attrs for tag, attrs in outline.tags if tag == "th"]
    assert headers and all(attrs.get("scope") in {"row", "col"} for attrs in headers)


def test_the_trend_tells_its_periods_apart_without_colour(page: str) -> None:
    trend = next(svg for svg in svgs(page) if "chart-trend" in (svg.get("class") or ""))

    lines = {line.get("class") for line in trend.iter(f"{SVG}polyline")}
    assert lines == {"trend-current", "trend-previous"}
    assert len(list(trend.iter(f"{SVG}circle"))) == 12  # this period: round markers
    assert len(list(trend.iter(f"{SVG}rect"))) == 12  # the previous one: square markers
    legend = page.split('<ul class="chart-legend">', 1)[1].split("</ul>", 1)[0]
    assert "This period, 2024-01-01 to 2024-12-31" in legend
    assert "Previous period, 2023-01-01 to 2023-12-31" in legend


def test_the_heat_map_prints_its_numbers_and_the_bars_their_values(page: str) -> None:
    matrix = page.split('<section id="matrix"', 1)[1].split("</section>", 1)[0]
    assert '<td class="num heat heat-4">8</td>' in matrix
    assert '<td class="num heat heat-1">1</td>' in matrix
    bars = next(
        svg for svg in svgs(page) if svg.get("aria-labelledby", "").startswith("by-category")
    )
    values = [text.text for text in bars.iter(f"{SVG}text") if text.get("class") == "chart-value"]
    assert values == ["12", "5"]


def test_the_map_draws_safety_as_shapes_with_a_legend(page: str) -> None:
    found = next(svg for svg in svgs(page) if svg.get("class") == "chart-svg chart-map")
    shapes = {
        (element.tag, element.get("class"))
        for element in found.iter()
        if "map-marker" in (element.get("class") or "")
    }
    # Stora torget (mean 2.5) is in between: a square; Ränten has no ratings: a dashed ring.
    assert shapes == {("polygon", "map-marker map-mixed"), ("circle", "map-marker map-unrated")}
    legend = page.split('id="safety-map-legend"', 1)[1].split("</ul>", 1)[0]
    assert "In between (mean 2.5 to 3.4)" in legend and "No safety rating" in legend
    assert "Feels unsafe" not in legend  # only the bands on the map


def test_no_style_attributes_or_outside_resources(page: str) -> None:
    assert " style=" not in page
    assert "<script>" not in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)


def test_rounds_and_quotes_are_shown(page: str) -> None:
    rounds = page.split('<section id="rounds"', 1)[1].split("</section>", 1)[0]
    assert "8 (40%" in rounds.replace("\xa0", "") or "8 (40 %" in rounds.replace("\xa0", " ")
    # Free-text answers are counted, never shown: nobody reviewed them for publication.
    assert "Ring" not in rounds and "1 free-text answer." in rounds
    assert re.search(
        r'<th scope="row">Number of answers</th>(\s*<td class="num">\d</td>){5}', rounds
    )
    quotes = page.split('<section id="quotes"', 1)[1].split("</section>", 1)[0]
    assert "Det är mörkt vid [e-mail address] på kvällarna." in quotes
    assert "AB12-CD34" in quotes


def test_an_empty_report_says_so_instead_of_drawing(app: Flask) -> None:
    report = make_report(
        breakdowns=tuple(
            type(b)(b.dimension, tuple(type(r)(r.key, r.label, 0, 0) for r in b.rows))
            for b in make_report().breakdowns
        ),
        safety=(),
        rounds=(),
        quotes=(),
        generated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    choice = PeriodChoice(report.period, {"from": "2024-01-01", "to": "2024-12-31"}, {})
    with app.test_request_context("/"), force_locale("en"):
        html = render_report(
            report, choice, form_action="/x", export_links=[], area=None, municipality_links=()
        ).get_data(as_text=True)

    assert "No accepted input in this period." in html
    assert "No input round closed in this period." in html
    assert '<svg class="chart-svg chart-bars"' not in html


def test_long_labels_are_cut_in_the_chart_only() -> None:
    long = "Vi ska med fastighetsägare och föreningar " + "öka tryggheten kring torget i centrum"

    chart = charts.bar_chart([row("1", long, long, 3)], "sv", "sv")

    assert len(chart.bars[0].label) <= charts.MAX_BAR_LABEL
    assert chart.bars[0].label.endswith(" …")
    assert long.startswith(chart.bars[0].label.removesuffix(" …"))
