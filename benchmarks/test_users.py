"""What users run: every shipped scenario on both engines, the CLI, a comparison, an experiment.

Each benchmark also checks its result, so that a change that makes it fast by making it
wrong fails here:

- ``shipped-fast``: the fast engine on every file of ``configs/*.yaml`` and
  ``configs/reshoring/*.yaml`` (found by glob: a new shipped scenario is covered at once),
  all its replications with its own run settings, one job;
- ``shipped-des``: the SimPy engine on the same files, one replication of at most a day of
  warm-up and a week measured;
- ``users``: ``simline.compare`` of the reshoring study (as the README runs ``simline
  compare configs/reshoring/*.yaml --sensitivity``) and ``simline.experiment`` of a small
  full-factorial copy of ``experiments/transfer-buffers.yaml`` (replications per second of
  process time and of wall time in ``extra_info``);
- ``process``: the warm start-up of ``simline run`` and the SimPy engine's peak memory at
  two run lengths, each in a fresh process whose CPU time is the child's
  (:mod:`benchmarks.children`).

Every replication is checked against what its scenario allows (:func:`check_replication`):
parts are conserved (``released == good + scrap + WIP at the end``), every station's six
state times add up to its servers times the measured time, the paid operator time is the
workforce's, and the good parts lie between 60 % of the scenario's capacity and 5 % above
it. The capacity (:func:`capacity`) is derived from the scenario alone: each station's
servers, availability, on-shift time and mean work per part, the operator pool and the
release rate. Run again with the same seed, each result is the same.

The slow parts (SimPy memory at 2e4 and 2e5 parts) run only with benchmarks enabled or
``SIMLINE_BENCH_BIG=1``; in the plain suite the memory check uses 5e3 and 5e4 parts.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
import statistics
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

import simline.api
from benchmarks import children, line10
from simline.config import load_scenario
from simline.engine import des, fast
from simline.engine.results import RunResult
from simline.experiment.replicate import run_replications
from simline.plan import Plan, WorkforcePlan, compile_plan

ROOT = children.ROOT
SHIPPED = sorted(
    [*(ROOT / "configs").glob("*.yaml"), *(ROOT / "configs" / "reshoring").glob("*.yaml")]
)
RESHORING = sorted((ROOT / "configs" / "reshoring").glob("*.yaml"))
#: A run may make this little of its capacity (every shipped scenario makes over 80 %).
FLOOR = 0.6
#: ... and this much more than it, for the randomness of the work (a sum of thousands of
#: draws) and of the arrivals.
CEILING = 1.05


def _big(benchmark: Any) -> bool:
    return not benchmark.disabled or bool(os.environ.get("SIMLINE_BENCH_BIG"))


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT / "configs").with_suffix(""))


# --- what a scenario allows ----------------------------------------------------------------


def _on_duty(workforce: WorkforcePlan, operators: int, start: float, end: float) -> float:
    """Time between ``start`` and ``end`` during which at least ``operators`` are on duty."""
    bounds = [*workforce.changes, (workforce.period, 0)]
    total = 0.0
    cycle = math.floor(start / workforce.period)
    while cycle * workforce.period < end:
        base = cycle * workforce.period
        for (t0, n), (t1, _) in itertools.pairwise(bounds):
            if n >= operators:
                total += max(0.0, min(end, base + t1) - max(start, base + t0))
        cycle += 1
    return total


class Capacity(NamedTuple):
    """The most good parts a plan's measured period allows, what limits it, and slack."""

    parts: float
    limit: str
    held: float


def capacity(plan: Plan) -> Capacity:
    """The expected good parts the plan's measured period can make at most.

    Per station: its servers' time (on-shift time when manned, times the availability
    ``mtbf / (mtbf + mttr)`` when it fails) over the mean work a released part brings it
    (the product mix times the visits times the mean process time; for a batch station the
    build time shared by a full build, plus the time per part). Also the operator pool (paid
    time over the operator time a part needs) and, for interarrival release, the arrivals.
    Setups, blocking and starving only lower it. ``held``: the parts that can be on the
    limiting station's servers or past it when the measurement starts (on servers, in finite
    buffers), which it need not process again (an unlimited buffer past it counts none).
    """
    shares = [p.mix for p in plan.products]
    shares = [s / sum(shares) for s in shares]
    limits: dict[str, float] = {}
    pool = 0.0
    for i, station in enumerate(plan.stations):
        work = 0.0
        for p, product in enumerate(plan.products):
            mean = station.process[p].mean
            if station.batch is not None:
                mean = mean / station.batch.size + station.batch.per_part.mean
            work += shares[p] * product.routing.count(i) * mean
        if work <= 0.0:
            continue
        available = station.servers * plan.length
        if station.operators > 0 and plan.workforce is not None:
            shift = _on_duty(plan.workforce, station.operators, plan.warmup, plan.horizon)
            available = station.servers * shift
            pool += station.operators * work
        if station.failure is not None:
            up, down = station.failure.ttf.mean, station.failure.ttr.mean
            available *= up / (up + down)
        limits[station.name] = available / work
    if pool > 0.0 and plan.workforce is not None:
        limits["workforce"] = plan.workforce.paid_time(plan.warmup, plan.horizon) / pool
    if plan.release.mode == "interarrival" and plan.release.interarrival is not None:
        limits["release"] = plan.length / plan.release.interarrival.mean
    limit = min(limits, key=limits.__getitem__)
    names = [s.name for s in plan.stations]
    at = names.index(limit) if limit in names else -1
    after: set[int] = set(range(len(names)))
    if at >= 0:
        after = {
            s
            for prod in plan.products
            if at in prod.routing
            for s in prod.routing[prod.routing.index(at) :]
        }
    held = 0.0
    for s in after:
        station = plan.stations[s]
        held += station.servers * (station.batch.size if station.batch is not None else 1)
        held += (station.buffer or 0) if s != at else 0  # the limit's queue: still to do
    return Capacity(limits[limit], limit, held)


def check_replication(plan: Plan, result: RunResult, bound: Capacity | None = None) -> None:
    """Assert that one replication is what its plan allows (see the module's docstring)."""
    bound = capacity(plan) if bound is None else bound
    assert result.released_total == result.good_total + result.scrap_total + result.wip_end
    assert min(result.released_total, result.good_total, result.scrap_total, result.wip_end) >= 0
    assert result.good <= result.good_total and result.released <= result.released_total
    assert result.measured_time == pytest.approx(plan.length)
    assert result.operator_paid_time == pytest.approx(plan.paid_operator_time())
    for station in plan.stations:
        got = result.stations[station.name]
        assert min(got.state_time) >= 0.0
        assert sum(got.state_time) == pytest.approx(station.servers * plan.length, rel=1e-6)
        if station.scrap == 0.0:
            assert got.scrap == 0
    if all(s.scrap == 0.0 for s in plan.stations):
        assert result.scrap_total == 0
    good = result.good
    assert FLOOR * bound.parts <= good <= CEILING * bound.parts + bound.held, (
        f"{plan.name}: {good} good parts; its capacity is {bound.parts:.0f} ({bound.limit})"
    )
    assert 0.0 < result.lead_time < math.inf


def test_capacity_is_the_bottleneck() -> None:
    """The bound the checks use, against two lines whose capacity is known by hand."""
    from simline.config import parse_scenario

    line = compile_plan(parse_scenario(line10.scenario(2880.0)))
    availability = line10.MTBF / (line10.MTBF + line10.MTTR)
    assert capacity(line) == pytest.approx((availability / 1.1 * 2880.0, "m3", 1 + 6 * 6))
    # Inspection, 1.2 min a part, is staffed 2 x 8 h on weekdays: 160 h in the two weeks.
    robots = compile_plan(load_scenario(ROOT / "configs" / "robot-machining.yaml"))
    assert capacity(robots) == (pytest.approx(160 * 60 / 1.2), "inspect", 1)


def _short(plan: Plan) -> Plan:
    """At most a day of warm-up and a week measured, one replication (for the SimPy engine)."""
    day = 24.0 / plan.hours_per_unit
    return dataclasses.replace(
        plan, warmup=min(plan.warmup, day), length=min(plan.length, 7 * day), replications=1
    )


# --- every shipped scenario on both engines ------------------------------------------------


@pytest.mark.stable
@pytest.mark.benchmark(group="shipped-fast")
@pytest.mark.parametrize("path", SHIPPED, ids=_id)
def test_fast_on_shipped_scenario(benchmark: Any, path: Path) -> None:
    """Every replication of the scenario as shipped, on the fast engine, in this thread."""
    plan = compile_plan(load_scenario(path))
    reason = fast.supports(plan)
    if reason is not None:
        pytest.skip(f"the fast engine does not run {reason}")
    first = run_replications(plan, backend="fast", jobs=1)  # compiles or loads the kernels
    benchmark.extra_info.update(
        {
            "replications": plan.replications,
            "kernel": "tandem" if fast.tandem_steps(plan) else "events",
        }
    )
    results = benchmark(run_replications, plan, backend="fast", jobs=1)
    assert results == first  # the same seed: the same numbers
    assert [r.replication for r in results] == list(range(plan.replications))
    assert len({r.seed for r in results}) == 1
    bound = capacity(plan)
    for result in results:
        assert result.backend == "fast"
        check_replication(plan, result, bound)
    benchmark.extra_info["good_per_replication"] = statistics.mean(r.good for r in results)
    benchmark.extra_info["capacity"] = bound.parts


@pytest.mark.stable
@pytest.mark.benchmark(group="shipped-des")
@pytest.mark.parametrize("path", SHIPPED, ids=_id)
def test_des_on_shipped_scenario(benchmark: Any, path: Path) -> None:
    """One replication of the scenario, at most a week measured, on the SimPy engine."""
    plan = _short(compile_plan(load_scenario(path)))
    first = des.simulate(plan, 0)
    result = benchmark(des.simulate, plan, 0)
    assert result == first
    assert result.backend == "des"
    check_replication(plan, result)
    benchmark.extra_info.update(
        {"length": plan.length, "good": result.good, "events": result.events}
    )


# --- the command line ----------------------------------------------------------------------


START_CONFIG = ROOT / "configs" / "robot-machining.yaml"  # the README's first command


@pytest.mark.unstable
@pytest.mark.benchmark(group="process")
def test_simline_run_warm_start_up(benchmark: Any) -> None:
    """``simline run configs/robot-machining.yaml -r 1 --length 1d -q --format json``.

    From start to exit in a fresh process, the kernels in the cache (a first call puts them
    there when benchmarks are enabled): the child's CPU time and wall time in ``extra_info``.
    """
    command = children.python("-m", "simline", "run", str(START_CONFIG))
    command += ["-r", "1", "--length", "1d", "-q", "--format", "json"]
    if benchmark.enabled:
        children.run(command)  # warm the cache
    children.time_children(benchmark)
    runs: list[children.Child] = []

    def start() -> children.Child:
        runs.append(children.run(command))
        return runs[-1]

    child = benchmark.pedantic(start, rounds=5, iterations=1)
    children.record(benchmark, "", runs)
    assert child.returncode == 0, child.stderr
    out = json.loads(child.stdout)
    assert out["scenario"] == "robot-machining"
    assert (out["backend"], out["replications"]) == ("fast", 1)
    plan = dataclasses.replace(compile_plan(load_scenario(START_CONFIG)), length=24 * 60.0)
    bound = capacity(plan)
    good = out["good_parts"]["mean"]
    assert FLOOR * bound.parts <= good <= CEILING * bound.parts + bound.held
    assert out["throughput_per_hour"]["mean"] == pytest.approx(good / 24)
    assert all(r.stdout == child.stdout for r in runs)  # -r 1 with the file's seed: the same


# --- the reshoring study -------------------------------------------------------------------


@pytest.mark.stable
@pytest.mark.benchmark(group="users")
def test_compare_reshoring_study(benchmark: Any) -> None:
    """``simline compare configs/reshoring/*.yaml --sensitivity``, as a library call, one job."""
    if benchmark.enabled:  # load the kernels before timing; the same numbers each time
        study = simline.api.compare(RESHORING, jobs=1, sensitivity=True)
    outcome = benchmark(simline.api.compare, RESHORING, jobs=1, sensitivity=True)
    out = outcome.to_dict()
    if benchmark.enabled:
        assert out == study.to_dict()
    names = [s["scenario"] for s in out["scenarios"]]
    assert names == [yaml.safe_load(p.read_text())["name"] for p in RESHORING]
    assert out["compared_on"] == "tco" and outcome.backend == "fast"
    for plan, results in zip(outcome.plans, outcome.results, strict=True):
        assert len(results) == out["replications"] == plan.replications
        bound = capacity(plan)
        for result in results:
            check_replication(plan, result, bound)
    tco: dict[str, float] = {}
    for scenario in out["scenarios"]:
        cost = scenario["cost"]
        parts = {k: v["mean"] for k, v in cost["breakdown"].items()}
        unit, landed = cost["unit_cost"]["mean"], cost["landed_cost"]["mean"]
        tco[scenario["scenario"]] = cost["tco"]["mean"]
        assert unit > 0.0
        assert unit == pytest.approx(
            sum(parts[k] for k in ("material", "labour", "equipment", "energy"))
        )
        assert unit <= landed <= tco[scenario["scenario"]]
        assert sum(parts.values()) == pytest.approx(tco[scenario["scenario"]])
        assert min(parts.values()) >= 0.0
    ranked = sorted(tco, key=tco.__getitem__)
    assert [out["winner"], out["runner_up"]] == ranked[:2]
    assert outcome.winner == out["winner"]
    margin = out["margin"]
    assert margin["mean"] == pytest.approx(tco[ranked[1]] - tco[ranked[0]])
    assert margin["ci95"][0] <= margin["mean"] <= margin["ci95"][1]
    assert out["significant"] == (margin["ci95"][0] > 0.0)
    assert out["verdict"].startswith(f"Winner on TCO: {out['winner']}")
    first = names[0]
    assert [(d["scenario"], d["versus"]) for d in out["differences"]] == [
        (n, first) for n in names[1:]
    ]
    for diff in out["differences"]:
        assert diff["tco"]["mean"] == pytest.approx(tco[diff["scenario"]] - tco[first])
    assert outcome.sensitivity
    for row in outcome.sensitivity:
        assert row.tco_base == pytest.approx(tco[row.scenario])
    benchmark.extra_info.update({"winner": out["winner"], "tco": tco})


# --- an experiment -------------------------------------------------------------------------


def _small_experiment(directory: Path) -> Path:
    """``experiments/transfer-buffers.yaml`` as a 2 x 2 factorial of two of its buffers."""
    data = yaml.safe_load((ROOT / "experiments" / "transfer-buffers.yaml").read_text())
    for key in ("optimize", "select"):
        data.pop(key)
    data["experiment"] = "transfer-buffers-small"
    data["scenarios"] = [str(ROOT / "configs" / "transfer-line.yaml")]
    data["factors"] = {"stations.grind.buffer": [2, 10], "stations.wash.buffer": [2, 6]}
    data["design"] = "full"
    path = directory / "transfer-buffers-small.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.unstable
@pytest.mark.benchmark(group="users")
def test_experiment_replications_per_second(benchmark: Any, tmp_path: Path) -> None:
    """``simline experiment`` of 4 runs x 5 replications into a fresh store, one job."""
    path = _small_experiment(tmp_path)
    store = tmp_path / "store"
    simline.api.run(ROOT / "configs" / "transfer-line.yaml", replications=1, length="1h", jobs=1)
    cpu: list[float] = []
    wall: list[float] = []

    def once() -> simline.api.ExperimentResult:
        c0, t0 = time.process_time(), time.perf_counter()
        result = simline.api.experiment(path, store=store, fresh=True, jobs=1)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
        return result

    result = benchmark.pedantic(once, rounds=3 if benchmark.enabled else 1, iterations=1)
    replications = sum(run.replications for run in result.runs)
    benchmark.extra_info["replications"] = replications
    benchmark.extra_info["replications_per_s"] = replications / statistics.median(cpu)
    benchmark.extra_info["replications_per_s_wall"] = replications / statistics.median(wall)
    assert len(result.runs) == 4 and not result.failed
    assert all(run.replications == 5 and run.status == "done" for run in result.runs)
    assert result.best is not None and result.best["id"] in {run.spec.id for run in result.runs}
    out = result.to_dict()
    assert json.loads((store / "summary.json").read_text()) == json.loads(json.dumps(out))
    for run in result.runs:
        scenario = store / "scenarios" / f"{run.spec.id}.yaml"
        plan = compile_plan(load_scenario(scenario))
        assert plan.replications == 5 and plan.length == 7 * 24 * 60.0
        bound = capacity(plan)
        tph = run.figures["throughput_per_hour"]["mean"]
        assert FLOOR * bound.parts <= tph * 7 * 24 <= CEILING * bound.parts + bound.held
    # A run of the store, run again with `simline run`, gives the store's figures.
    run = result.runs[0]
    again = simline.api.run(store / "scenarios" / f"{run.spec.id}.yaml", jobs=1).to_dict()
    for figure in ("throughput_per_hour", "wip", "lead_time", "good_parts"):
        assert again[figure] == run.figures[figure], figure


# --- the SimPy engine's memory at two run lengths ------------------------------------------


_DES_PROBE = """
import sys, time
from simline.config import parse_scenario
from simline.engine import des
from simline.plan import compile_plan
from benchmarks import line10
plan = compile_plan(parse_scenario(line10.scenario(float(sys.argv[1]))))
t0 = time.process_time()
r = des.simulate(plan, 0)
run_s = time.process_time() - t0
with open("/proc/self/status") as status:  # this process's own peak (see test_fast._PROBE)
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(run_s, peak, r.good)
"""


def _des_probe(parts: float) -> tuple[children.Child, float, int, int]:
    length = parts / (0.75 * line10.MTBF / (line10.MTBF + line10.MTTR) / max(line10.MEANS))
    child = children.run(children.python("-c", _DES_PROBE, str(length)))
    assert child.returncode == 0, child.stderr
    run_s, peak, good = child.stdout.split()
    return child, float(run_s), int(peak), int(good)


@pytest.mark.unstable
@pytest.mark.benchmark(group="process")
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_des_flat_memory(benchmark: Any) -> None:
    """Peak memory of a fresh process running the SimPy engine, at 10x the run length.

    The engine keeps sums, not parts: 10x the parts, the same memory. 5e3 and 5e4 parts in
    the plain suite (3 s of CPU); 2e4 and 2e5 (about 8 s) with benchmarks enabled or
    ``SIMLINE_BENCH_BIG=1``.
    """
    small_parts = 2e4 if _big(benchmark) else 5e3
    children.time_children(benchmark)
    small, small_run, small_peak, small_good = benchmark.pedantic(
        _des_probe, args=(small_parts,), rounds=1, iterations=1
    )
    big, big_run, big_peak, big_good = _des_probe(10 * small_parts)
    benchmark.extra_info.update(
        {
            "parts_small": small_good,
            "parts_big": big_good,
            "peak_rss_kb_small": small_peak,
            "peak_rss_kb_big": big_peak,
            "run_s_small": small_run,
            "run_s_big": big_run,
            "child_cpu_s_small": small.cpu_s,
            "child_cpu_s_big": big.cpu_s,
        }
    )
    assert small_good > small_parts and big_good > 10 * small_parts
    # KiB: flat. A list of one float per part would add 32 bytes a part, 1.4 MiB at 4.5e4.
    assert big_peak - small_peak < 1024 + 0.01 * small_peak
