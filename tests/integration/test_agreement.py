"""The fast backend agrees with the SimPy engine: every shipped scenario, determinism, jobs.

Agreement rule: for each headline figure (throughput, lead time, WIP, and each station's
busy / setup / blocked / starved / down / off_shift fractions) both backends run R = 10
replications of the same scenario (independent streams: the generators differ). The
difference of the two means must lie within the 99.9 % confidence interval of a difference of
independent means (Welch: ``t_{0.9995, df} * sqrt(s1^2/n1 + s2^2/n2)``, Welch-Satterthwaite
degrees of freedom). A figure with no spread in either backend (a deterministic figure) must
match exactly (relative 1e-9). The seeds are fixed, so the outcome is deterministic.

Every analytic case of ``test_theory.py`` also runs on both backends (``BACKENDS`` in
``conftest.py``), each checked against theory.

The shipped scenarios (``configs/*.yaml`` and the reshoring study's ``configs/reshoring/``,
with their additive builds and operator shifts) run as they are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from simline.config import load_scenario
from simline.engine import des, fast
from simline.engine.results import RunResult
from simline.experiment.replicate import resolve_backend, run_replications
from simline.plan import STATES, Plan, compile_plan
from tests.reference import welch_disagreement

_SHIPPED = Path(__file__).parents[2] / "configs"
CONFIGS = sorted(_SHIPPED.glob("*.yaml")) + sorted(_SHIPPED.glob("reshoring/*.yaml"))
R = 10
CONFIDENCE = 0.999


def _figures(plan: Plan) -> dict[str, Callable[[RunResult], float]]:
    figures: dict[str, Callable[[RunResult], float]] = {
        "throughput": lambda r: r.throughput_per_hour,
        "lead_time": lambda r: r.lead_time,
        "wip": lambda r: r.wip,
    }
    for station in plan.stations:
        for k, state in enumerate(STATES):
            figures[f"{station.name}.{state}"] = lambda r, n=station.name, k=k: r.stations[
                n
            ].fraction(k, r.measured_time)
    return figures


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_shipped_scenario_agrees(path: Path) -> None:
    plan = dataclasses.replace(compile_plan(load_scenario(path)), replications=R)
    runs_des = [des.simulate(plan, i) for i in range(R)]
    runs_fast = [fast.simulate(plan, i) for i in range(R)]
    failures = []
    for name, figure in _figures(plan).items():
        des_values = [figure(r) for r in runs_des]
        fast_values = [figure(r) for r in runs_fast]
        message = welch_disagreement(name, des_values, fast_values, CONFIDENCE)
        if message is not None:
            failures.append(message)
    assert not failures, "\n".join(failures)
    for r in runs_fast:
        assert r.backend == "fast"
        assert r.released_total == r.good_total + r.scrap_total + r.wip_end


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_auto_picks_fast(path: Path) -> None:
    plan = compile_plan(load_scenario(path))
    assert fast.supports(plan) is None
    assert resolve_backend("auto", plan)[0] == "fast"


def test_same_seed_same_result_and_jobs_do_not_matter() -> None:
    plan = compile_plan(load_scenario(CONFIGS[0]))
    plan = dataclasses.replace(plan, replications=2)
    assert fast.simulate(plan, 1) == fast.simulate(plan, 1)
    serial = run_replications(plan, backend="fast", jobs=1)
    parallel = run_replications(plan, backend="fast", jobs=2)
    assert parallel == serial
    assert serial[0] != serial[1]
