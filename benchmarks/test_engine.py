"""The SimPy engine on the 10-station line with failures, against a hand-written SimPy model.

``nox -s bench`` prints ``engine-10-station: simline-des / reference`` (ratio of medians in
one run): the engine's overhead over the hand-written model. The benchmarks also assert that
both produce what the line can produce, so they double as tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import line10
from simline.config import parse_scenario
from simline.engine.des import simulate
from simline.plan import compile_plan

LENGTH = 2 * 24 * 60.0  # two days in minutes


def _capacity_per_min() -> float:
    """Upper bound on throughput: the bottleneck's rate discounted by its availability."""
    availability = line10.MTBF / (line10.MTBF + line10.MTTR)
    return availability / max(line10.MEANS)


@pytest.mark.stable
@pytest.mark.benchmark(group="engine-10-station")
def test_handwritten_simpy(benchmark: Any) -> None:
    benchmark.extra_info["role"] = "reference"
    parts = benchmark(line10.handwritten, LENGTH)
    benchmark.extra_info["parts"] = parts
    assert 0.6 * _capacity_per_min() * LENGTH < parts < _capacity_per_min() * LENGTH


@pytest.mark.stable
@pytest.mark.benchmark(group="engine-10-station")
def test_simline_des(benchmark: Any) -> None:
    plan = compile_plan(parse_scenario(line10.scenario(LENGTH)))
    benchmark.extra_info["role"] = "simline-des"
    result = benchmark(simulate, plan, 0)
    parts = result.good
    benchmark.extra_info["parts"] = parts
    benchmark.extra_info["events"] = result.events
    if benchmark.stats is not None and benchmark.stats.stats.median > 0:
        median = benchmark.stats.stats.median
        benchmark.extra_info["parts_per_s"] = parts / median
        benchmark.extra_info["events_per_s"] = result.events / median
    assert 0.6 * _capacity_per_min() * LENGTH < parts < _capacity_per_min() * LENGTH
    assert result.released_total == result.good_total + result.scrap_total + result.wip_end
