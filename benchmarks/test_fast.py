"""The fast backend: against the SimPy engine, against the bare recursion, compile and memory.

``nox -s bench`` prints ``fast-10-station: simline-fast / reference`` (reference: the SimPy
engine) and ``fast-vs-recursion: simline-fast / reference`` (reference: the bare Numba
departure-time recursion on a plain saturated line with the same process times). Both lines
are serial lines of single servers, which the fast backend runs as its own recursion
(:mod:`simline.kernels.tandem`); ``simline-fast-event-kernel`` is the same line forced onto
the event kernel, which runs every other scenario. Kernels are compiled before timing.
Compile time, cache load and peak memory are measured in fresh processes and stored in
``extra_info``: compile time with an empty cache and the load from the cache in a second
process, peak memory at 1e5 and 1e6 parts (flat), at 1e5 and 1e7 parts on both kernels, and
the start-up of ``simline run CONFIG --backend fast -r 1 -q`` with a warm cache. The slow
ones (cold compile, 1e7 parts) run only with benchmarks enabled or ``SIMLINE_BENCH_BIG=1``.
Each fresh process is measured by its own CPU time (``RUSAGE_CHILDREN``, or the child's
``time.process_time``) and wall time; with ``--benchmark-timer=time.process_time`` the
benchmark's statistics count the child too (:mod:`benchmarks.children`), not only this
process waiting for it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest
import yaml

from benchmarks import children, line10
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
    assert fast.tandem_steps(plan) is not None  # a serial line: the recursion runs it
    fast.simulate(plan, 0)  # compile (or load from the cache) before timing
    benchmark.extra_info["role"] = "simline-fast"
    result = benchmark(fast.simulate, plan, 0)
    assert 0.6 * _capacity_per_min() * LENGTH < result.good < _capacity_per_min() * LENGTH
    assert result.released_total == result.good_total + result.scrap_total + result.wip_end


@pytest.mark.stable
@pytest.mark.benchmark(group="fast-10-station")
def test_fast_event_kernel_on_line10(benchmark: Any) -> None:
    """The same line forced onto the event kernel, which runs every other scenario."""
    plan = compile_plan(parse_scenario(line10.scenario(LENGTH)))
    fast.simulate(plan, 0, kernel="events")
    benchmark.extra_info["role"] = "simline-fast-event-kernel"
    result = benchmark(fast.simulate, plan, 0, kernel="events")
    assert 0.6 * _capacity_per_min() * LENGTH < result.good < _capacity_per_min() * LENGTH


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
t1, c1 = time.perf_counter(), time.process_time()
r = fast.simulate(plan, 0, kernel=sys.argv[2])
t2, c2 = time.perf_counter(), time.process_time()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:  # Linux: this process's own peak (ru_maxrss keeps the forking parent's size past exec)
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
print(t2 - t0, t2 - t1, peak, r.good, c2 - c1)
"""


class Probe(NamedTuple):
    """One fresh process running line10 on the fast engine.

    ``total_s``, ``run_s``: wall seconds from the first import, and of the first run (which
    compiles or loads the kernel); ``run_cpu_s``: that first run's CPU time in the child;
    ``child``: the whole child, its CPU time (``RUSAGE_CHILDREN``) and wall time from exec
    to exit; ``peak_kb``: its peak RSS; ``good``: the parts it made.
    """

    total_s: float
    run_s: float
    peak_kb: int
    good: int
    run_cpu_s: float
    child: children.Child


def _probe(length: float, env: dict[str, str] | None = None, kernel: str = "auto") -> Probe:
    child = children.run(
        children.python("-c", _PROBE, str(length), kernel), environ=env or children.env()
    )
    assert child.returncode == 0, child.stderr
    out = child.stdout.split()
    return Probe(float(out[0]), float(out[1]), int(out[2]), int(out[3]), float(out[4]), child)


def _length_for(parts: float) -> float:
    """Length of a line10 run (min) that makes a little more than ``parts`` parts.

    Blocking and starving keep line10 at about 78 % of its bottleneck's capacity.
    """
    return parts / (0.75 * _capacity_per_min())


@pytest.mark.unstable
@pytest.mark.benchmark(group="fast-process")
def test_cache_load_and_flat_memory(benchmark: Any) -> None:
    """Warm cache: a new process loads the kernels and runs 1e5 parts; memory stays flat.

    Flat: a process making 1e6 parts peaks no higher. 1e7 parts on both kernels (about half
    a minute) are measured only in ``nox -s bench`` (benchmarks enabled) or with
    ``SIMLINE_BENCH_BIG=1``, not in the normal suite. The benchmark's time is the child's
    CPU time when it times process time (:mod:`benchmarks.children`).
    """
    if benchmark.enabled:
        _probe(600.0)  # the kernel in the cache: compiling takes memory
    children.time_children(benchmark)
    small = benchmark.pedantic(_probe, args=(_length_for(1e5),), rounds=1, iterations=1)
    medium = _probe(_length_for(1e6))
    benchmark.extra_info.update(
        {
            "cache_load_and_1e5_parts_s": small.total_s,
            "run_1e5_parts_s": small.run_s,
            "child_cpu_s": small.child.cpu_s,
            "child_wall_s": small.child.wall_s,
            "peak_rss_kb_1e5": small.peak_kb,
            "peak_rss_kb_1e6": medium.peak_kb,
        }
    )
    assert small.good > 1e5 and medium.good > 1e6
    assert medium.peak_kb < 1.01 * small.peak_kb + 1024  # KiB: 10x the parts, same memory
    if benchmark.disabled and not os.environ.get("SIMLINE_BENCH_BIG"):
        return
    for kernel in ("auto", "events"):  # line10 runs on the recursion; the event kernel too
        tag = "" if kernel == "auto" else "_event_kernel"
        _probe(600.0, kernel=kernel)  # compile into the cache first: compiling takes memory
        small = _probe(_length_for(1e5), kernel=kernel)
        big = _probe(_length_for(1e7), kernel=kernel)
        benchmark.extra_info.update(
            {
                f"run_1e7_parts_s{tag}": big.run_s,
                f"run_1e7_parts_cpu_s{tag}": big.run_cpu_s,
                f"peak_rss_kb_1e5{tag}": small.peak_kb,
                f"peak_rss_kb_1e7{tag}": big.peak_kb,
                f"parts_1e7{tag}": big.good,
            }
        )
        assert big.good > 1e7
        assert big.peak_kb < 1.1 * small.peak_kb + 20_000  # flat: 100x the parts, same memory


@pytest.mark.unstable
@pytest.mark.benchmark(group="fast-process")
def test_compile_then_cache_load(benchmark: Any, tmp_path: Path) -> None:
    """Compile time in a process with an empty cache, then the load in a second process.

    For line10's own kernel (the recursion) and for the event kernel, each in an empty
    ``NUMBA_CACHE_DIR`` of its own. Measured in the child: the CPU and wall time of its first
    run (``compile_cpu_s``, ``compile_s``; ``cache_load_cpu_s``, ``cache_load_s`` for the
    second process) and of the whole process (``*_child_cpu_s``, ``*_child_wall_s``). The
    benchmark's own time is the recursion's cold process, child included, when it times
    process time.
    """
    if benchmark.disabled and not os.environ.get("SIMLINE_BENCH_BIG"):
        pytest.skip("compiles from scratch: run with benchmarks enabled or SIMLINE_BENCH_BIG=1")
    children.time_children(benchmark)
    for kernel in ("auto", "events"):
        tag = "" if kernel == "auto" else "_event_kernel"
        cache = tmp_path / f"numba{tag}"
        env = children.env(NUMBA_CACHE_DIR=str(cache))
        if kernel == "auto":
            cold = benchmark.pedantic(
                _probe, args=(600.0,), kwargs={"env": env, "kernel": kernel}, rounds=1
            )
        else:
            cold = _probe(600.0, env, kernel)
        assert any(cache.rglob("*.nbi")), "the cold process wrote no cache"
        warm = _probe(600.0, env, kernel)
        benchmark.extra_info.update(
            {
                f"compile_s{tag}": cold.run_s,
                f"compile_cpu_s{tag}": cold.run_cpu_s,
                f"cold_child_cpu_s{tag}": cold.child.cpu_s,
                f"cold_child_wall_s{tag}": cold.child.wall_s,
                f"cache_load_s{tag}": warm.run_s,
                f"cache_load_cpu_s{tag}": warm.run_cpu_s,
                f"warm_child_cpu_s{tag}": warm.child.cpu_s,
                f"warm_child_wall_s{tag}": warm.child.wall_s,
            }
        )
        assert cold.good == warm.good  # compiled or loaded: the same numbers
        assert warm.run_cpu_s < 0.5 * cold.run_cpu_s  # the second process did not compile
        assert warm.child.cpu_s < cold.child.cpu_s


@pytest.mark.unstable
@pytest.mark.benchmark(group="fast-process")
def test_cli_start_up_with_warm_cache(benchmark: Any, tmp_path: Path) -> None:
    """``simline run CONFIG --backend fast -r 1 -q`` from start to exit (goal: < 1.5 s).

    The child's CPU and wall time (medians of the rounds) in ``extra_info``; the benchmark's
    own time is the child's CPU time when it times process time.
    """
    config = tmp_path / "line10.yaml"
    config.write_text(yaml.safe_dump(line10.scenario(LENGTH)))
    command = children.python("-m", "simline", "run", str(config), "--backend", "fast")
    command += ["-r", "1", "-q"]
    first = children.run(command)  # warm the cache
    assert first.returncode == 0, first.stderr
    assert "line10" in first.stdout
    children.time_children(benchmark)
    runs: list[children.Child] = []

    def start() -> children.Child:
        runs.append(children.run(command))
        return runs[-1]

    benchmark.pedantic(start, rounds=3, iterations=1)
    children.record(benchmark, "", runs)
    benchmark.extra_info["start_up_s"] = benchmark.extra_info["wall_s"]
    assert all(run.returncode == 0 and run.stdout == first.stdout for run in runs)
    assert benchmark.extra_info["wall_s"] < 10.0
