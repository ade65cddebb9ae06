"""What the futures of an ``uncertainty`` block cost against the simulation they are drawn on.

Group ``uncertainty``: the reference is simulating the three scenarios of the reshoring study
with the fast engine (warm kernels, each with its own replications, one job), as ``simline
compare configs/reshoring/*.yaml`` does; ``futures`` is costing all three over the study's
2,000 paired futures (:func:`simline.cost.uncertainty.compare_futures`), the figures the
comparison adds. The summary prints ``futures / reference``: the issue's goal is under 0.1.

Each benchmark checks its result: every replication makes good parts, and every scenario's
TCO varies over the futures (the inputs were drawn) with its P50 within 25 % of the TCO at
the scenario's own values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from benchmarks import children
from simline.config import load_scenario
from simline.cost import scenario_cost
from simline.cost.uncertainty import compare_futures
from simline.experiment.replicate import run_replications
from simline.plan import compile_plan

RESHORING = sorted((children.ROOT / "configs" / "reshoring").glob("*.yaml"))


@pytest.fixture(scope="module")
def study() -> tuple[list[Any], list[Any], list[Any]]:
    """The reshoring scenarios, their plans and one simulation of each (which compiles)."""
    configs = [load_scenario(p) for p in RESHORING]
    plans = [compile_plan(c) for c in configs]
    results = [run_replications(p, backend="fast", jobs=1) for p in plans]
    return configs, plans, results


@pytest.mark.stable
def test_simulating_the_study(benchmark: Any, study: Any) -> None:
    _, plans, _ = study
    benchmark.group = "uncertainty"
    benchmark.extra_info["role"] = "reference"
    results = benchmark(lambda: [run_replications(p, backend="fast", jobs=1) for p in plans])
    assert all(r.good > 0 for reps in results for r in reps)


@pytest.mark.stable
def test_costing_its_futures(benchmark: Any, study: Any) -> None:
    configs, _, results = study
    benchmark.group = "uncertainty"
    benchmark.extra_info["role"] = "futures"
    futures = benchmark(lambda: compare_futures(configs, results, [1.0] * len(configs)))
    assert futures is not None and futures.samples == 2000
    for config, reps, cost in zip(configs, results, futures.costs, strict=True):
        tco = cost.figures["tco"]
        assert np.ptp(tco) > 0
        base = scenario_cost(config, reps).estimate("tco").mean
        assert abs(float(np.median(tco)) / base - 1) < 0.25
