"""Replications in rounds until the confidence intervals are narrow enough (precision.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from simline.experiment.precision import half_width_target, replications_wanted
from simline.stats import estimate


@dataclass(frozen=True)
class Precision:
    """A stand-in for simline.config.experiment.Precision (built in parallel)."""

    figure: str = "throughput_per_hour"
    relative: float | None = None
    absolute: float | None = None
    min: int = 5
    max: int = 200


def _half_width(values: list[float]) -> float:
    n = len(values)
    return float(stats.t.ppf(0.975, n - 1)) * float(np.std(values, ddof=1)) / math.sqrt(n)


def test_absolute_target_projects_the_total() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    hw = _half_width(values)  # 2.776 * 1.581 / sqrt(5) = 1.963
    p = Precision(absolute=0.5)
    assert replications_wanted({"a": values}, p) == {"a": math.ceil(5 * (hw / 0.5) ** 2)}
    assert replications_wanted({"a": values}, p) == {"a": 78}
    assert replications_wanted({"a": values}, Precision(absolute=hw)) == {}
    assert replications_wanted({"a": values}, Precision(absolute=hw * 1.001)) == {}


def test_relative_target_uses_the_absolute_mean() -> None:
    values = [-9.0, -10.0, -11.0, -10.0, -10.0]  # mean -10, s^2 = 0.5
    hw = _half_width(values)
    assert half_width_target(-10.0, Precision(relative=0.01)) == pytest.approx(0.1)
    want = math.ceil(5 * (hw / 0.1) ** 2)
    assert replications_wanted({"a": values}, Precision(relative=0.01, max=1000)) == {"a": want}
    assert replications_wanted({"a": values}, Precision(relative=0.01)) == {"a": 200}
    assert replications_wanted({"a": values}, Precision(relative=hw / 10 + 1e-12)) == {}


def test_at_least_one_more_and_at_most_max() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    hw = _half_width(values)
    # Barely missing: the projection rounds to n, but a missing run gets n + 1.
    assert replications_wanted({"a": values}, Precision(absolute=hw * 0.9999)) == {"a": 6}
    assert replications_wanted({"a": values}, Precision(absolute=1e-6, max=40)) == {"a": 40}
    # A target of 0 (relative to a mean of 0) cannot be met: straight to max.
    zero = [-1.0, 1.0, -1.0, 1.0, 0.0]
    assert replications_wanted({"z": zero}, Precision(relative=0.1, max=50)) == {"z": 50}


def test_min_and_max_bound_the_rounds() -> None:
    p = Precision(absolute=100.0, min=8, max=20)
    assert replications_wanted({"few": [1.0, 2.0, 3.0]}, p) == {"few": 8}
    assert replications_wanted({"few": [1.0, 1.0]}, p) == {"few": 8}
    assert replications_wanted({"full": [float(v) for v in range(20)]}, p) == {}
    assert replications_wanted({"over": [float(v) for v in range(25)]}, p) == {}
    assert replications_wanted({}, p) == {}


def test_only_missing_runs_in_order() -> None:
    p = Precision(absolute=0.5)
    values = {"wide": [1.0, 5.0, 2.0, 6.0, 3.0], "flat": [2.0] * 5, "tight": [2.0, 2.1] * 3}
    assert list(replications_wanted(values, p)) == ["wide"]


def test_undefined_values() -> None:
    p = Precision(absolute=0.1, max=100)
    nan = math.nan
    # Nothing defined: nothing asked (the figure stays null).
    assert replications_wanted({"none": [nan] * 6}, p) == {}
    # One defined value: no half-width yet, twice the replications.
    assert replications_wanted({"one": [nan, nan, 3.0, nan, nan, nan]}, p) == {"one": 12}
    # Some undefined: the half-width of the defined ones, the projection on all n.
    partly = [1.0, nan, 2.0, 3.0, nan, 4.0, 5.0, nan]
    hw = estimate(partly).half_width
    assert hw == pytest.approx(_half_width([1.0, 2.0, 3.0, 4.0, 5.0]))
    wide = Precision(absolute=1.0, max=100)
    assert replications_wanted({"partly": partly}, wide) == {"partly": math.ceil(8 * hw**2)}


def test_deterministic() -> None:
    rng = np.random.default_rng(3)
    values = {f"r{i}": list(rng.normal(10, 1 + i, 7)) for i in range(4)}
    p = Precision(relative=0.02)
    assert replications_wanted(values, p) == replications_wanted(dict(values), p)


@pytest.mark.parametrize(
    "precision",
    [Precision(relative=0.01, min=5, max=2000), Precision(absolute=0.2, min=10, max=2000)],
    ids=["relative", "absolute"],
)
def test_rounds_stop_and_meet_the_target(precision: Precision) -> None:
    rng = np.random.default_rng(20260901)
    truth = {"a": (10.0, 1.0), "b": (20.0, 3.0), "c": (-15.0, 0.5), "d": (5.0, 0.5)}
    streams = {k: rng.normal(m, s, 2000) for k, (m, s) in truth.items()}
    counts = dict.fromkeys(truth, 2)
    rounds = 0
    while True:
        values = {k: list(streams[k][:n]) for k, n in counts.items()}
        wanted = replications_wanted(values, precision)
        if not wanted:
            break
        for k, total in wanted.items():
            assert total > counts[k]
            counts[k] = total
        rounds += 1
        assert rounds < 30
    assert rounds >= 2
    for k, n in counts.items():
        est = estimate(streams[k][:n])
        assert est.half_width <= half_width_target(est.mean, precision)
        assert precision.min <= n <= precision.max
