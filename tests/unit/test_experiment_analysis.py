"""The best run, constraints with significance, paired differences (analysis.py), by hand."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pytest

from simline.experiment.analysis import best_run, constraint_report, differences

#: Student t quantiles t(0.975, df), from tables.
T2 = 4.302652729749464
T3 = 3.182446305284263
T1 = 12.706204736174707

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


@dataclass(frozen=True)
class Constraint:
    """A stand-in for simline.config.experiment.Constraint (built in parallel)."""

    figure: str
    op: Literal[">=", "<=", ">", "<"]
    value: float
    text: str

    def holds(self, mean: float) -> bool:
        return _OPS[self.op](mean, self.value)


def _c(text: str) -> Constraint:
    figure, op, value = text.split()
    return Constraint(figure, op, float(value), text)  # type: ignore[arg-type]


def test_best_run() -> None:
    means = {"a": 3.0, "b": 1.0, "c": 2.0, "d": math.nan}
    assert best_run(means, {}, "min") == "b"
    assert best_run(means, {}, "max") == "a"
    assert best_run(means, {"b": False, "a": True}, "min") == "c"
    assert best_run(means, {"a": False, "b": False, "c": False}, "min") is None
    assert best_run({"x": 2.0, "y": 2.0}, {}, "min") == "x"  # ties: the first
    assert best_run({"x": 2.0, "y": 2.0}, {}, "max") == "x"
    assert best_run({"nan": math.nan}, {}, "max") is None
    assert best_run({}, {}, "min") is None
    with pytest.raises(ValueError, match="'goal' must be 'min' or 'max'"):
        best_run(means, {}, "best")


def test_constraint_report_by_hand() -> None:
    # tp = [20, 22, 24]: mean 22, s = 2, half-width t(0.975, 2) * 2 / sqrt(3) = 4.968.
    hw = T2 * 2 / math.sqrt(3)
    constraints = [
        _c("tp >= 15"),  # holds, interval [17.03, 26.97] wholly above: significant
        _c("tp >= 20"),  # holds, 20 inside the interval: not significant
        _c("tp >= 30"),  # broken, interval wholly below 30: significant
        _c("tp < 25"),  # holds, 25 inside: not significant
        _c("cost > 1"),  # on another figure
    ]
    values = {"a": {"tp": [20.0, 22.0, 24.0], "cost": [1.5, 1.5, 1.5]}}
    report = constraint_report(constraints, values)
    entries = report["a"]
    assert [e["constraint"] for e in entries] == [c.text for c in constraints]
    assert [e["holds"] for e in entries] == [True, True, False, True, True]
    assert [e["significant"] for e in entries] == [True, False, True, False, True]
    assert entries[0]["mean"] == pytest.approx(22.0)
    assert entries[0]["ci95"] == pytest.approx([22.0 - hw, 22.0 + hw])
    assert entries[4]["ci95"] == [1.5, 1.5]  # no variation: a point, significant
    assert set(entries[0]) == {"constraint", "mean", "ci95", "holds", "significant"}


def test_constraint_report_edge_cases() -> None:
    nan = math.nan
    constraints = [_c("tp >= 22")]
    values = {
        "none": {"tp": [nan, nan, nan]},
        "one": {"tp": [30.0, nan, nan]},
        "equal": {"tp": [22.0, 22.0, 22.0]},
        "some": {"tp": [30.0, nan, 32.0]},
    }
    report = constraint_report(constraints, values)
    assert list(report) == ["none", "one", "equal", "some"]
    none = report["none"][0]
    assert none["mean"] is None and none["ci95"] == [None, None]
    assert none["holds"] is False and none["significant"] is False
    one = report["one"][0]
    assert one["holds"] is True and one["significant"] is False and one["n"] == 1
    equal = report["equal"][0]
    assert equal["holds"] is True and equal["significant"] is False  # on the bound
    some = report["some"][0]
    assert some["n"] == 2 and some["mean"] == pytest.approx(31.0)
    # 31 +- 12.706 * sqrt(2) / sqrt(2): the interval reaches below 22.
    assert some["ci95"] == pytest.approx([31.0 - T1, 31.0 + T1])
    assert some["significant"] is False


def test_differences_by_hand() -> None:
    values = {
        "a": [11.0, 14.0, 14.0, 19.0],  # a - best = [1, 2, 0, 3]: mean 1.5, s^2 = 5/3
        "best": [10.0, 12.0, 14.0, 16.0],
        "c": [9.0, 13.0],  # two replications: paired with the first two of best, [-1, 1]
    }
    out = differences(values, "best", "cost.tco")
    assert [d["id"] for d in out] == ["a", "c"]
    assert all(d["versus"] == "best" for d in out)
    hw_a = T3 * math.sqrt(5 / 3) / 2
    assert out[0]["cost.tco"]["mean"] == pytest.approx(1.5)
    assert out[0]["cost.tco"]["ci95"] == pytest.approx([1.5 - hw_a, 1.5 + hw_a])
    assert out[1]["cost.tco"]["mean"] == pytest.approx(0.0)
    assert out[1]["cost.tco"]["ci95"] == pytest.approx([-T1, T1])
    assert set(out[0]) == {"id", "versus", "cost.tco"}


def test_differences_undefined_pairs_and_errors() -> None:
    nan = math.nan
    out = differences({"best": [1.0, 2.0, 3.0], "x": [2.0, nan, 5.0]}, "best", "lead_time")
    # Pairs (2-1) and (5-3): mean 1.5, n 2 of 3.
    assert out[0]["lead_time"]["mean"] == pytest.approx(1.5)
    assert out[0]["lead_time"]["n"] == 2
    assert differences({"best": [1.0]}, "best", "f") == []
    with pytest.raises(ValueError, match="the best run 'gone' has no values"):
        differences({"a": [1.0]}, "gone", "f")
