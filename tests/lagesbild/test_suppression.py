"""Small numbers in public: suppressed, and impossible to recover by subtraction."""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction

import pytest

from dialogue.lagesbild.data import Dimension, PlaceSafety, QuoteItem, Report
from dialogue.lagesbild.suppression import (
    Ledger,
    PublicCount,
    PublicReport,
    Shown,
    determined,
    suppress,
)
from tests.lagesbild.public_fixtures import CLUSTER_MARKER, ROUND_MARKER, make_report

T = 5

# The attacker: every equation the public view offers, solved for every hidden number.

Unknown = tuple[str, ...]


def _term(count: PublicCount, name: Unknown) -> tuple[Fraction, Unknown | None]:
    return (Fraction(count.value), None) if count.value is not None else (Fraction(0), name)


def public_equations(public: PublicReport) -> list[tuple[list[Unknown], Fraction]]:
    """(hidden cells, what they add up to) for every sum the public can check."""
    equations: list[tuple[list[Unknown], Fraction]] = []

    def add(parts: list[tuple[PublicCount, Unknown]], total: tuple[PublicCount, Unknown]) -> None:
        known = Fraction(0)
        unknown: list[Unknown] = []
        for count, name in parts:
            value, hidden = _term(count, name)
            known += value
            if hidden:
                unknown.append(hidden)
        total_value, total_hidden = _term(*total)
        # sum(unknown) - total_hidden = total_value - known
        names = unknown + ([("-", *total_hidden)] if total_hidden else [])
        equations.append((names, total_value - known))

    grand = (public.total, ("total",))
    for breakdown in public.breakdowns:
        parts = [(row.count, ("row", breakdown.dimension, row.key)) for row in breakdown.rows]
        add(parts, (breakdown.total, ("btotal", breakdown.dimension)))
        # The attacker knows every breakdown counts the same accepted input.
        add([(breakdown.total, ("btotal", breakdown.dimension))], grand)
        previous = [
            (row.previous, ("prev", breakdown.dimension, row.key)) for row in breakdown.rows
        ]
        add(previous, (breakdown.previous_total, ("prevtotal", breakdown.dimension)))
    matrix = public.matrix
    for i, place in enumerate(matrix.places):
        line = [
            (cell, ("cell", place.key, matrix.categories[j].key))
            for j, cell in enumerate(matrix.cells[i])
        ]
        add(line, (place.count, ("row", Dimension.PLACE, place.key)))
    for j, category in enumerate(matrix.categories):
        column = [
            (matrix.cells[i][j], ("cell", p.key, category.key)) for i, p in enumerate(matrix.places)
        ]
        add(column, (category.count, ("row", Dimension.CATEGORY, category.key)))
    if matrix.places:
        add(
            [(p.count, ("row", Dimension.PLACE, p.key)) for p in matrix.places],
            (matrix.total, ("mtotal",)),
        )
        add(
            [(c.count, ("row", Dimension.CATEGORY, c.key)) for c in matrix.categories],
            (matrix.total, ("mtotal",)),
        )
    for item in public.safety:
        add([(item.count, ("row", Dimension.PLACE, item.key))], (item.count, ("safety", item.key)))
    return equations


def solve_for_hidden(public: PublicReport) -> dict[Unknown, Fraction]:
    """Every hidden number the equations pin down (Gauss-Jordan over the rationals)."""
    rows: list[dict[Unknown, Fraction]] = []
    for names, value in public_equations(public):
        row: dict[Unknown, Fraction] = {}
        for name in names:
            key, sign = (name[1:], -1) if name[0] == "-" else (name, 1)
            row[key] = row.get(key, Fraction(0)) + sign
        row = {k: v for k, v in row.items() if v}
        if row:
            row[("=",)] = value
            rows.append(row)
    pivots: list[tuple[Unknown, dict[Unknown, Fraction]]] = []
    for equation in rows:
        row = equation
        for pivot, other in pivots:
            if row.get(pivot):
                factor = row[pivot]
                for k, v in other.items():
                    row[k] = row.get(k, Fraction(0)) - factor * v
                row = {k: v for k, v in row.items() if v or k == ("=",)}
        variables = [k for k in row if k != ("=",)]
        if not variables:
            continue
        pivot = min(variables)
        scale = row[pivot]
        row = {k: v / scale for k, v in row.items()}
        for index, (other_pivot, other) in enumerate(pivots):
            if other.get(pivot):
                factor = other[pivot]
                merged = dict(other)
                for k, v in row.items():
                    merged[k] = merged.get(k, Fraction(0)) - factor * v
                pivots[index] = (other_pivot, {k: v for k, v in merged.items() if v or k == ("=",)})
        pivots.append((pivot, row))
    return {
        pivot: row.get(("=",), Fraction(0))
        for pivot, row in pivots
        if [k for k in row if k != ("=",)] == [pivot]
    }


def assert_nothing_recoverable(public: PublicReport) -> None:
    solved = solve_for_hidden(public)
    # A zero may be pinned down (it reveals no one); nothing else may.
    assert {name: value for name, value in solved.items() if value} == {}


def line_subtraction_attack(public: PublicReport) -> list[str]:
    """The simple attack: a line with one hidden number gives it as total minus the rest."""
    found = []
    for names, value in public_equations(public):
        if len(names) == 1 and value:
            found.append(f"{names[0]} = {value}")
    return found


def all_counts(public: PublicReport) -> list[PublicCount]:
    counts = [public.total, public.previous_total, public.matrix.total]
    for breakdown in public.breakdowns:
        counts += [breakdown.total, breakdown.previous_total]
        counts += [c for row in breakdown.rows for c in (row.count, row.previous)]
    counts += [line.count for line in (*public.matrix.places, *public.matrix.categories)]
    counts += [cell for line in public.matrix.cells for cell in line]
    counts += [item.count for item in public.safety]
    return counts


# Single numbers


def test_count_below_threshold_is_shown_as_fewer_than_threshold() -> None:
    public = suppress(make_report(categories={"a": 12, "b": 3, "c": 7}), T)
    rows = {row.key: row.count for row in public.breakdowns[0].rows}
    assert rows["b"] == PublicCount(Shown.SMALL, None, T)
    assert rows["a"].value == 12 or rows["c"].value == 7


def test_no_number_below_threshold_is_ever_shown() -> None:
    report = make_report(
        cells=[[4, 9, 0], [7, 1, 6], [12, 5, 3]], previous_categories={"a": 2, "b": 30, "c": 4}
    )
    public = suppress(report, T)
    for count in all_counts(public):
        assert count.value is None or count.value >= T


def test_shown_numbers_are_the_true_numbers() -> None:
    report = make_report(categories={"a": 40, "b": 25, "c": 3, "d": 2})
    public = suppress(report, T)
    true = {row.key: row.count for row in report.breakdown(Dimension.CATEGORY).rows}
    for row in public.breakdowns[0].rows:
        assert row.count.value in (None, true[row.key])


def test_zero_counts_are_suppressed_not_published() -> None:
    public = suppress(make_report(categories={"a": 20, "b": 0, "c": 9}), T)
    rows = {row.key: row.count for row in public.breakdowns[0].rows}
    assert rows["b"].shown == Shown.SMALL


def test_a_zero_is_no_protection_for_a_small_neighbour() -> None:
    # With b and c hidden, 23 - 20 = 3 = b + c would still say "three people" about them.
    public = suppress(make_report(categories={"a": 20, "b": 3, "c": 0, "d": 40}), T)
    rows = {row.key: row.count for row in public.breakdowns[0].rows}
    assert rows["a"].shown == Shown.HIDDEN  # the smallest other row hides as well
    assert rows["d"].value == 40
    assert_nothing_recoverable(public)


def test_complementary_suppression_hides_the_smallest_other_row() -> None:
    public = suppress(make_report(categories={"a": 30, "b": 3, "c": 8, "d": 12}), T)
    rows = {row.key: row.count for row in public.breakdowns[0].rows}
    assert rows["b"].shown == Shown.SMALL
    assert rows["c"].shown == Shown.HIDDEN
    assert rows["a"].value == 30 and rows["d"].value == 12
    assert public.breakdowns[0].total.value == 53


def test_two_small_rows_at_the_limit_do_not_give_each_other_away() -> None:
    # 4 + 4 = 8 and each is at most 4: both would be known without another hidden row.
    public = suppress(make_report(categories={"a": 30, "b": 4, "c": 4, "d": 12}), T)
    rows = {row.key: row.count for row in public.breakdowns[0].rows}
    assert rows["d"].shown == Shown.HIDDEN


def test_change_is_hidden_when_either_side_is_suppressed() -> None:
    report = make_report(
        categories={"a": 30, "b": 3, "c": 8, "d": 12},
        previous_categories={"a": 25, "b": 9, "c": 2, "d": 14},
    )
    rows = {row.key: row for row in suppress(report, T).breakdowns[0].rows}
    assert rows["b"].change is None  # small now
    assert rows["c"].change is None  # small before
    assert rows["a"].change == 5


def test_everything_below_threshold_shows_only_fewer_than() -> None:
    public = suppress(make_report(categories={"a": 2, "b": 1}), T)
    assert public.total.shown == Shown.SMALL
    assert public.has_input
    assert all(row.count.value is None for row in public.breakdowns[0].rows)


def test_report_without_input_says_so() -> None:
    public = suppress(make_report(categories={"a": 0}), T)
    assert not public.has_input


def test_threshold_is_the_municipalitys() -> None:
    report = make_report(categories={"a": 30, "b": 8, "c": 12, "d": 9})
    strict = {row.key: row.count for row in suppress(report, 10).breakdowns[0].rows}
    assert strict["b"].shown == Shown.SMALL and strict["d"].shown == Shown.SMALL
    assert strict["c"].value == 12


def test_mean_safety_only_where_enough_people_rated() -> None:
    safety = (
        PlaceSafety("p0", {"sv": "Torget"}, 20, 12, 2.345, 58.1, 13.5),
        PlaceSafety("p1", {"sv": "Parken"}, 20, 4, 1.0, None, None),
    )
    public = suppress(make_report(places={"p0": 20, "p1": 20}, safety=safety), T)
    means = {item.key: item.mean for item in public.safety}
    assert means == {"p0": 2.3, "p1": None}


def test_order_of_rows_does_not_reveal_hidden_sizes() -> None:
    public = suppress(make_report(categories={"z": 30, "a": 8, "m": 12, "b": 3}), T)
    keys = [row.key for row in public.breakdowns[0].rows]
    assert keys == ["z", "m", "a", "b"]  # shown by size, then hidden by key


def test_public_view_leaves_out_clusters_rounds_and_category_groups() -> None:
    quote = QuoteItem(
        "ABC-123",
        "Belysningen i parken är trasig.",
        {"sv": "Belysning"},
        None,
        reviewed_at="2024-12-01T10:00:00+00:00",
    )
    public = suppress(make_report(quotes=[quote]), T)
    text = repr(public)
    assert CLUSTER_MARKER not in text and ROUND_MARKER not in text
    assert "ABC-123" not in text  # the case reference is not public either
    assert public.breakdown(Dimension.CATEGORY_GROUP) is None
    assert [q.text for q in public.quotes] == ["Belysningen i parken är trasig."]


def test_a_quote_without_a_review_is_not_public() -> None:
    # As in a snapshot frozen before summaries were reviewed: its quotes are left out.
    quote = QuoteItem("ABC-123", "Kalle Andersson på Storgatan 3.", {"sv": "Narkotika"}, None)
    public = suppress(make_report(quotes=[quote]), T)
    assert public.quotes == ()
    assert "Kalle" not in repr(public)


# The subtraction attack


def test_subtraction_attack_fails_on_a_breakdown() -> None:
    public = suppress(make_report(categories={"a": 30, "b": 3, "c": 8, "d": 12}), T)
    assert line_subtraction_attack(public) == []
    assert_nothing_recoverable(public)


def test_subtraction_attack_would_work_without_complementary_suppression() -> None:
    # The attacker is real: against plain threshold suppression it finds the hidden 3.
    ledger = Ledger(T)
    rows = [ledger.quantity(v) for v in (30, 3, 8, 12)]
    total = ledger.quantity(53)
    ledger.line(rows, total)
    assert determined(ledger) == {rows[1]}
    ledger.solve()
    assert determined(ledger) == set()
    assert ledger.hidden == {rows[1], rows[2]}


def test_subtraction_attack_fails_on_the_matrix() -> None:
    cells = [[12, 3, 9], [8, 7, 15], [20, 11, 6]]
    public = suppress(make_report(cells=cells), T)
    assert line_subtraction_attack(public) == []
    assert_nothing_recoverable(public)


def test_matrix_bridge_between_hidden_cells_is_closed() -> None:
    # Every row and column has two hidden cells, yet the 2 joining the two blocks follows
    # from the rest: a bridge. Row and column rules alone would publish this.
    cells = [[3, 3, 20, 20], [2, 2, 2, 20], [20, 20, 3, 3], [20, 20, 3, 3]]
    public = suppress(make_report(cells=cells), T)
    assert line_subtraction_attack(public) == []
    assert_nothing_recoverable(public)
    hidden = sum(cell.value is None for line in public.matrix.cells for cell in line)
    assert hidden == 10  # the nine small cells and one partner


@pytest.mark.parametrize("seed", range(40))
def test_subtraction_attack_fails_on_random_reports(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    places = rng.randint(1, 6)
    categories = rng.randint(1, 6)
    cells = [
        [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30]) for _ in range(categories)]
        for _ in range(places)
    ]
    keys = {f"c{j}": 0 for j in range(categories)}
    previous = {key: rng.randint(0, 12) for key in keys}
    report = make_report(categories=keys, cells=cells, previous_categories=previous)
    public = suppress(report, T)
    assert line_subtraction_attack(public) == []
    assert_nothing_recoverable(public)
    for count in all_counts(public):
        assert count.value is None or count.value >= T


@pytest.mark.parametrize("seed", range(40))
def test_bounds_attack_fails_on_random_breakdowns(seed: int) -> None:
    """An attacker who also uses "each small one is below 5, each hidden one is not"."""
    rng = random.Random(1000 + seed)  # noqa: S311 (reproducible test data, not secrets)
    counts = {
        f"c{i}": rng.choice([0, 1, 2, 3, 4, 4, 4, 5, 6, 8, 20]) for i in range(rng.randint(2, 7))
    }
    breakdown = suppress(make_report(categories=counts), T).breakdowns[0]
    if breakdown.total.value is None:
        return
    hidden_sum = breakdown.total.value - sum(r.count.value or 0 for r in breakdown.rows)
    small = [r for r in breakdown.rows if r.count.shown == Shown.SMALL]
    complementary = [r for r in breakdown.rows if r.count.shown == Shown.HIDDEN]
    for row in small:
        highest = min(T - 1, hidden_sum - T * len(complementary))
        lowest = max(0, hidden_sum - (T - 1) * (len(small) - 1)) if not complementary else 0
        if lowest == highest:
            assert lowest == 0, f"{row.key} is known to be {lowest}"


def test_previous_period_is_suppressed_separately() -> None:
    report = make_report(categories={"a": 30, "b": 30}, previous_categories={"a": 2, "b": 30})
    rows = {row.key: row for row in suppress(report, T).breakdowns[0].rows}
    assert rows["a"].previous.shown == Shown.SMALL
    assert rows["b"].previous.shown == Shown.HIDDEN
    assert rows["a"].count.value == 30


def test_same_place_is_hidden_everywhere_it_is_published() -> None:
    cells = [[3, 1], [20, 30]]
    safety = (PlaceSafety("p0", {"sv": "Torget"}, 4, 0, None, None, None),)
    public = suppress(make_report(cells=cells, safety=safety), T)
    place_row = next(r for r in public.breakdown(Dimension.PLACE).rows if r.key == "p0")
    margin = next(line for line in public.matrix.places if line.key == "p0")
    assert place_row.count.value is None and margin.count.value is None
    assert public.safety[0].count.value is None


def test_generated_at_and_period_are_kept() -> None:
    report = make_report()
    public = suppress(report, T)
    assert public.period == report.period
    assert public.generated_at == dt.datetime(2024, 1, 5, 12, 0, tzinfo=dt.UTC)
    assert isinstance(report, Report)
