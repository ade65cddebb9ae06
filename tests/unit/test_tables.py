"""simline.report tables for people: they fit the width they are given, nothing cut."""

from __future__ import annotations

import dataclasses
import io
import json
import math

import pytest
from rich.console import Console

from simline.engine.results import RunResult
from simline.plan import Plan
from simline.report._layout import FitTable
from simline.report.table import plain_number, render_cost_table, render_table
from simline.stats import summarize
from tests.unit.test_output import _plan, _result


def _text(renderable: object, width: int) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(renderable)
    return buf.getvalue()


def assert_fits(text: str, width: int) -> None:
    for line in text.splitlines():
        assert len(line) <= width, line
    assert "…" not in text


def _renamed(plan: Plan, names: dict[str, str]) -> tuple[Plan, list[RunResult]]:
    """The plan and results of tests.unit.test_output with other station names."""
    stations = tuple(dataclasses.replace(s, name=names[s.name]) for s in plan.stations)
    results = []
    for i in range(3):
        r = _result(i)
        results.append(
            dataclasses.replace(r, stations={names[k]: v for k, v in r.stations.items()})
        )
    return dataclasses.replace(plan, stations=stations), results


#: Names of 12 characters: they must show in full at 80 columns.
NAMES = {"saw": "bandsaw-cell", "weld": "robot-weld-2"}


@pytest.mark.parametrize("width", [80, 120])
def test_run_table_fits_and_shows_names_in_full(width: int) -> None:
    plan, results = _renamed(_plan(), NAMES)
    summary = summarize(plan, results)
    text = _text(render_table(plan, summary, backend="des"), width)
    assert_fits(text, width)
    for name in NAMES.values():
        assert name in text
    assert "OEE" in text and "Parts out" in text and "Off shift" in text
    assert "± 95% CI" in text and "[" not in text  # the CI as ± only


def test_station_table_is_one_table_when_wide_enough_and_split_at_80() -> None:
    plan, results = _renamed(_plan(), NAMES)
    summary = summarize(plan, results)
    wide = _text(render_table(plan, summary, backend="des"), 140)
    narrow = _text(render_table(plan, summary, backend="des"), 80)
    assert wide.count("bandsaw-cell") == 1
    assert narrow.count("bandsaw-cell") == 2  # the station column heads both parts
    # the split falls before OEE and parts out, not inside the states
    part = next(line for line in narrow.splitlines() if line.startswith("Station "))
    assert "Off shift" in part and "OEE" not in part


def _cost() -> dict[str, object]:
    def est(mean: float, half: float) -> dict[str, object]:
        return {"mean": mean, "ci95": [mean - half, mean + half]}

    items = ("material", "labour", "equipment", "energy", "margin", "freight", "insurance")
    items += ("duty", "fees", "inventory", "carbon", "risk", "strategic")
    return {
        "currency": "EUR",
        "unit_cost": est(10.05, 0.03),
        "landed_cost": est(12.48, 0.04),
        "tco": est(13.05, 0.04),
        "breakdown": {k: est(0.5, 0.001) for k in items},
        "unused_capacity": est(0.097, 0.004),
        "co2_kg_per_part": est(1.286, 0.002),
        "annual": {
            "demand": 200000,
            "capacity": est(224590.0, 900.0),
            "lines_needed": 1,
            "tco": est(2609950.0, 7300.0),
            "npv": est(10816000.0, 32000.0),
        },
        "lead_time_door_to_door": est(64835.0, 2.6),
    }


def test_cost_table_names_every_unit_and_shows_the_year() -> None:
    text = _text(render_cost_table(_cost(), hours_per_unit=1 / 60), 80)
    assert_fits(text, 80)
    assert "EUR/part" in text and "kg/part" in text
    assert "TCO per year" in text and "k EUR/yr" in text and "2,610" in text
    assert "NPV of TCO" in text and "10,816" in text
    assert "Lead time, door to door" in text and "1,080.58" in text
    assert "200,000 parts/yr" in text


def test_fit_table_splits_columns_repeating_the_keys() -> None:
    table = FitTable("T", [("key", "left"), ("a", "right"), ("b", "right"), ("c", "right")])
    table.add_row("k" * 10, "x" * 20, "y" * 20, "z" * 20)
    assert table.widths() == [10, 20, 20, 20]
    assert table.parts(80) == [[0, 1, 2, 3]]  # 10 + 3 x 20 + 3 gaps of 2 = 76
    assert table.parts(75) == [[0, 1, 2], [0, 3]]
    assert table.parts(20) == [[0, 1], [0, 2], [0, 3]]  # one column each, even if too wide
    grouped = FitTable("T", table.columns, breaks=(2,))
    grouped.rows = table.rows
    assert grouped.parts(75) == [[0, 1], [0, 2, 3]]  # b and c kept together


def test_fit_table_headers_count_by_their_longest_line() -> None:
    table = FitTable("T", [("key", "left"), ("Throughput\nparts/h", "right")])
    table.add_row("a", "1")
    assert table.widths() == [3, 10]
    with pytest.raises(ValueError, match="needs 2 cells"):
        table.add_row("a")


def test_plain_numbers_have_no_exponent() -> None:
    assert plain_number(2e5) == "200,000"
    assert plain_number(12989.6) == "12,990"
    assert plain_number(0.0815) == "0.0815"
    assert plain_number(0.75) == "0.75"
    assert plain_number(0.0) == "0"
    assert plain_number(math.nan) == "–"
    assert "e" not in json.dumps([plain_number(x) for x in (1.5e-5, 3.2e7)])


@pytest.mark.parametrize(("columns", "width"), [("80", 80), ("200", 200), ("", 120), ("x", 120)])
def test_piped_text_is_columns_wide(
    monkeypatch: pytest.MonkeyPatch, columns: str, width: int
) -> None:
    from simline.cli import _render_text, _text_width

    monkeypatch.setenv("COLUMNS", columns)
    assert _text_width() == width
    plan, results = _renamed(_plan(), NAMES)
    text = _render_text(render_table(plan, summarize(plan, results), backend="des"))
    assert_fits(text, width)
