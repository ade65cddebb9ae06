"""The general line of issue #11 on the SimPy engine and on the fast engine's event kernel.

``benchmarks/scenarios/general-line.yaml``: ten stations, two products with
sequence-dependent setups, parallel servers at three stations, two manual stations on two
shifts from an operator pool of two, failures on both bases, finite buffers. The recursion
cannot run it, so the fast engine runs it on its event kernel. ``nox -s bench`` prints
``general-line: event-kernel / reference`` (reference: the SimPy engine), one replication of
the line as shipped (a day of warm-up, four weeks measured) on each.

Each benchmark checks its result (:func:`benchmarks.test_users.check_replication`: parts
conserved, state times adding up to the servers' time, the paid operator time, good parts
within the capacity the scenario allows), that the same seed gives the same result, and
stores the events the engine counted in ``extra_info`` (the event kernel counts the events
it pops from its heap, the SimPy engine the events it processed; ``events_per_s`` divides by
the benchmark's median). :func:`test_engines_agree_on_general_line` checks that both engines
agree on every headline figure over 10 replications of a week (fixed seeds, so its outcome
is fixed too). ``benchmarks/engine_report.py`` measures the same line before and after a
change.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from benchmarks import children
from benchmarks.test_users import capacity, check_replication
from simline.config import load_scenario
from simline.engine import des, fast
from simline.engine.results import RunResult
from simline.plan import STATES, Plan, compile_plan
from tests.reference import welch_disagreement

GENERAL = children.ROOT / "benchmarks" / "scenarios" / "general-line.yaml"
#: Replications of the agreement test, and its confidence (as tests/integration's rule).
R = 10
CONFIDENCE = 0.999


def _plan() -> Plan:
    return compile_plan(load_scenario(GENERAL))


def test_general_line_has_what_the_issue_asks() -> None:
    """Ten stations, two products with setups, three parallel stations, a pool on shifts."""
    plan = _plan()
    assert len(plan.stations) == 10 and len(plan.products) == 2
    assert sum(1 for s in plan.stations if s.servers > 1) == 3
    manual = [s for s in plan.stations if s.operators > 0]
    assert len(manual) == 2
    assert plan.workforce is not None  # two operators, 2 x 8 h a weekday
    week = 7 * 24 / plan.hours_per_unit
    assert plan.workforce.paid_time(0.0, week) == pytest.approx(2 * 2 * 8 * 5 / plan.hours_per_unit)
    assert all(s.buffer is not None for s in plan.stations)
    assert sum(1 for s in plan.stations if s.failure is not None) >= 5
    assert fast.supports(plan) is None
    assert fast.tandem_steps(plan) is None  # the event kernel, not the recursion


def _checked(plan: Plan, result: RunResult, first: RunResult, backend: str) -> None:
    assert result == first  # the same seed: the same numbers
    assert result.backend == backend
    check_replication(plan, result)
    setups = sum(result.stations[s.name].state_time[STATES.index("setup")] for s in plan.stations)
    assert setups > 0.0  # the products alternate, so the setups happen
    assert result.released_total < result.events < 40 * result.released_total  # 16 in 2026


@pytest.mark.stable
@pytest.mark.benchmark(group="general-line")
def test_des_on_general_line(benchmark: Any) -> None:
    plan = _plan()
    first = des.simulate(plan, 0)
    benchmark.extra_info["role"] = "reference"
    result = benchmark(des.simulate, plan, 0)
    _checked(plan, result, first, "des")
    benchmark.extra_info["events"] = result.events
    if benchmark.stats:
        benchmark.extra_info["events_per_s"] = result.events / benchmark.stats.stats.median


@pytest.mark.stable
@pytest.mark.benchmark(group="general-line")
def test_event_kernel_on_general_line(benchmark: Any) -> None:
    plan = _plan()
    assert fast.tandem_steps(plan) is None  # auto picks the event kernel
    first = fast.simulate(plan, 0)  # compile (or load from the cache) before timing
    benchmark.extra_info["role"] = "event-kernel"
    result = benchmark(fast.simulate, plan, 0)
    _checked(plan, result, first, "fast")
    benchmark.extra_info["events"] = result.events
    if benchmark.stats:
        benchmark.extra_info["events_per_s"] = result.events / benchmark.stats.stats.median


def _figures(plan: Plan, result: RunResult) -> dict[str, float]:
    out = {
        "throughput": result.throughput_per_hour,
        "lead_time": result.lead_time,
        "wip": result.wip,
    }
    for station in plan.stations:
        got = result.stations[station.name]
        for k, state in enumerate(STATES):
            out[f"{station.name}.{state}"] = got.fraction(k, result.measured_time)
    return out


def test_engines_agree_on_general_line() -> None:
    """Throughput, lead time, WIP and every station's six state shares, 10 replications."""
    plan = _plan()
    week = dataclasses.replace(plan, length=7 * 24 / plan.hours_per_unit)
    bound = capacity(week)
    runs: dict[str, list[dict[str, float]]] = {"des": [], "fast": []}
    for i in range(R):
        for backend, simulate in (("des", des.simulate), ("fast", fast.simulate)):
            result = simulate(week, i)
            check_replication(week, result, bound)
            runs[backend].append(_figures(week, result))
    names = list(runs["des"][0])
    assert len(names) == 3 + 6 * len(plan.stations)
    failures = [
        message
        for name in names
        if (
            message := welch_disagreement(
                name, [r[name] for r in runs["des"]], [r[name] for r in runs["fast"]], CONFIDENCE
            )
        )
        is not None
    ]
    assert not failures, failures
