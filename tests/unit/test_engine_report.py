"""The engine report's arithmetic (benchmarks/engine_report.py) on timings made up for it.

Its real run (base = head, the "before" figures of issue #11) is in docs/performance.md;
here the ratios, events/s and medians it derives from the workers' timings are pinned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks import engine_report, gate


def _workloads() -> list[dict[str, Any]]:
    names = [
        ("des general-line", 1),
        ("fast general-line", 4),
        ("des two-product", 2),
        ("fast two-product", 10),
        ("fast transfer-line-plain", 5),
        ("bare transfer-line-plain", 5),
    ]
    return [{"name": n, "replications": r} for n, r in names]


def _side(label: str, factor: float) -> gate.Side:
    side = gate.Side(label, Path(label))
    rounds = [1.0, 1.2, 0.8]
    for w in _workloads():
        side.seconds[w["name"]] = [0.1 * f for f in rounds]
        side.counts[w["name"]] = {(900, 1000)}
    side.seconds["fast general-line"] = [0.1 * factor * f for f in rounds]
    side.seconds["fast transfer-line-plain"] = [0.15 * factor] * 3
    side.events["fast general-line"] = [16_000] * 3
    side.events["des general-line"] = [16_500] * 3
    side.kernels.update({"fast general-line": "events", "fast two-product": "events"})
    return side


def _report(head_factor: float = 1.0) -> tuple[dict[str, Any], list[list[str]]]:
    sides = {"base": _side("base", 1.0), "head": _side("head", head_factor)}
    compiles: dict[str, dict[str, list[dict[str, Any]]]] = {
        "events": {"base": [{"child_cpu_s": 40.0, "wall_s": 45.0, "first_call_cpu_s": 38.0}],
                   "head": [{"child_cpu_s": 8.0, "wall_s": 9.0, "first_call_cpu_s": 7.0}]},
        "tandem": {"base": [{"error": "boom"}], "head": []},
    }  # fmt: skip
    start_ups: dict[str, list[dict[str, Any]]] = {
        "base": [{"child_cpu_s": 1.5, "wall_s": 1.4}, {"child_cpu_s": 1.7, "wall_s": 2.0}],
        "head": [{"child_cpu_s": 0.9, "wall_s": 0.8}],
    }
    return engine_report._figures(sides, _workloads(), compiles, start_ups)


def _row(rows: list[list[str]], label: str) -> list[str]:
    return next(r for r in rows if r[0] == label)


def test_fast_over_des_is_per_replication_and_per_round() -> None:
    figures, rows = _report(head_factor=0.5)
    entry = figures["fast_over_des"]["fast/des general-line (events)"]
    # fast: 0.1 s for 4 replications, des 0.1 s for 1, in every round: 0.25; head twice as fast
    assert entry["base"]["median"] == pytest.approx(0.25)
    assert entry["head"]["median"] == pytest.approx(0.125)
    assert entry["base"]["rounds"] == 3 and entry["kernel"] == {"base": "events", "head": "events"}
    assert figures["fast_over_des"]["fast/des two-product"]["base"]["median"] == pytest.approx(0.2)
    row = _row(rows, "fast/des general-line (events)")
    assert row[1] == "events" and row[6] == "0.5" and row[7] == "<= 0.025"


def test_events_per_second_and_per_part() -> None:
    figures, _ = _report()
    rate = figures["events_per_s"]["events/s general-line (events)"]["base"]
    assert rate["median"] == pytest.approx(16_000 / 0.1)
    assert rate["min"] == pytest.approx(16_000 / 0.12) and rate["max"] == pytest.approx(2e5)
    per_part = figures["events_per_part"]["events/s general-line (des)"]
    assert per_part == {"base": pytest.approx(16.5), "head": pytest.approx(16.5)}


def test_compile_start_up_and_recursion_figures() -> None:
    figures, rows = _report(head_factor=2.0)
    cold = figures["cold_compile"]["events"]["child_cpu_s"]
    assert (cold["base"]["median"], cold["head"]["median"]) == (40.0, 8.0)
    assert figures["cold_compile"]["tandem"]["child_cpu_s"]["base"]["rounds"] == 0  # failed
    assert _row(rows, "cold compile events: child CPU s")[6] == "0.2"
    assert _row(rows, "cold compile tandem: child CPU s")[2] == "-"
    wall = figures["start_up"]["wall_s"]
    assert wall["base"]["median"] == pytest.approx(1.7) and wall["head"]["median"] == 0.8
    recursion = figures["recursion_over_bare"]
    assert recursion["base"]["median"] == pytest.approx(1.5)
    assert recursion["head"]["median"] == pytest.approx(3.0)


def test_changed_and_varying_counts_are_noted() -> None:
    sides = {"base": _side("base", 1.0), "head": _side("head", 1.0)}
    assert engine_report._counts_changed(sides, ["fast general-line"]) == []
    sides["head"].counts["fast general-line"] = {(901, 1000)}
    (note,) = engine_report._counts_changed(sides, ["fast general-line"])
    assert note.startswith("fast general-line: counts changed")
    sides["head"].counts["fast general-line"] = {(901, 1000), (900, 1000)}
    (note,) = engine_report._counts_changed(sides, ["fast general-line"])
    assert "vary" in note


def test_a_base_that_does_not_exist_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert engine_report.main(["no-such-revision-xyz", "--quick"]) == 1
    assert "does not exist" in capsys.readouterr().err
