"""The fast backend: against the SimPy engine, against the bare recursion, compile and memory.

``nox -s bench`` prints ``fast-10-station: simline-fast / reference`` (reference: the SimPy
engine) and ``fast-vs-recursion: simline-fast / reference`` (reference: the bare Numba
departure-time recursion on a plain saturated line with the same process times). Kernels are
compiled before timing. Compile time, cache load and peak memory are measured in fresh
processes and stored in ``extra_info``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import numpy as np
import pytest

from benchmarks import line10
from benchmarks.fast_recursion import departures
from simline.config import parse_scenario
from simline.engine import des, fast
from simline.plan import compile_plan

LENGTH = 2 * 24 * 60.0


def _plain(length: float) -> dict[str, Any]:
    data = line10.scenario(length)
    for station in data["stations"].values():
        del station["failures"]
    return data


def _capacity_per_min() -> float:
    return line10.MTBF / (line10.MTBF + line10.MTTR) / max(line10.MEANS)


@pytest.mark.stable
@pytest.mark.benchmark(group="fast-10-station")
def test_des_on_line10(benchmark: Any) -> None:
    plan = compile_plan(parse_scenario(line10.scenario(LENGTH)))
    benchmark.extra_info["role"] = "reference"
    result = benchmark(des.simulate, plan, 0)
    assert 0.6 * _capacity_per_min() * LENGTH < result.good < _capacity_per_min() * LENGTH


@pytest.mark.stable
@pytest.mark.benchmark(group="fast-10-station")
def test_fast_on_line10(benchmark: Any) -> None:
    plan = compile_plan(parse_scenario(line10.scenario(LENGTH)))
    fast.simulate(plan, 0)  # compile (or load from the cache) before timing
    benchmark.extra_info["role"] = "simline-fast"
    result = benchmark(fast.simulate, plan, 0)
    assert 0.6 * _capacity_per_min() * LENGTH < result.good < _capacity_per_min() * LENGTH
    assert result.released_total == result.good_total + result.scrap_total + result.wip_end


@pytest.mark.stable
@pytest.mark.benchmark(group="fast-vs-recursion")
def test_bare_recursion(benchmark: Any) -> None:
    means = np.asarray(line10.MEANS)
    n = int(LENGTH / max(line10.MEANS))
    departures(10, means, line10.BUFFER, 1)
    benchmark.extra_info["role"] = "reference"
    last = benchmark(departures, n, means, line10.BUFFER, 1)
    assert 0.8 * n * max(line10.MEANS) < last < 1.3 * n * max(line10.MEANS)


@pytest.mark.stable
@pytest.mark.benchmark(group="fast-vs-recursion")
def test_fast_on_plain_line(benchmark: Any) -> None:
    plan = compile_plan(parse_scenario(_plain(LENGTH)))
    fast.simulate(plan, 0)
    benchmark.extra_info["role"] = "simline-fast"
    result = benchmark(fast.simulate, plan, 0)
    assert 0.8 * LENGTH / max(line10.MEANS) < result.good < LENGTH / max(line10.MEANS)


_PROBE = """
import resource, sys, time
t0 = time.perf_counter()
from simline.config import parse_scenario
from simline.engine import fast
from simline.plan import compile_plan
from benchmarks import line10
plan = compile_plan(parse_scenario(line10.scenario(float(sys.argv[1]))))
r = fast.simulate(plan, 0)
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, r.good)
"""


def _probe(length: float) -> tuple[float, int, int]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(length)], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


@pytest.mark.unstable
@pytest.mark.benchmark(group="fast-process")
def test_cache_load_and_flat_memory(benchmark: Any) -> None:
    def measure() -> tuple[float, int, int]:
        return _probe(600.0)

    warm_s, small_kb, _ = benchmark.pedantic(measure, rounds=1, iterations=1)
    t0 = time.perf_counter()
    big_s, big_kb, good = _probe(100 * 600.0)
    benchmark.extra_info.update(
        {
            "cached_start_and_run_s": warm_s,
            "peak_rss_kb_small": small_kb,
            "peak_rss_kb_100x": big_kb,
            "run_100x_s": big_s,
            "wall_s": time.perf_counter() - t0,
        }
    )
    assert good > 0
    assert big_kb < 1.2 * small_kb + 20_000  # flat: 100x the parts, about the same memory
