"""simline.engine.fast: what it supports, its errors, and a small run's bookkeeping."""

from __future__ import annotations

import dataclasses

import pytest

from simline.engine import fast
from simline.errors import ConfigError, SimulationError
from simline.plan import BatchPlan, Dist, DistCode, Plan, ProductPlan, ReleasePlan, StationPlan


def plan(**changes: object) -> Plan:
    station = StationPlan(
        name="saw",
        kind="machine",
        servers=2,
        buffer=3,
        process=(Dist(DistCode.EXPONENTIAL, (1.0,), 1.0, 1.0),),
        failure=None,
        setup=None,
        scrap=0.1,
        operators=0,
        batch=None,
    )
    base = Plan(
        name="tiny",
        time_unit="min",
        hours_per_unit=1 / 60,
        warmup=10.0,
        length=200.0,
        replications=1,
        seed=3,
        stations=(station,),
        products=(ProductPlan("part", (0,), 1.0),),
        release=ReleasePlan("interarrival", Dist(DistCode.EXPONENTIAL, (0.6,), 0.6, 1.0)),
        workforce=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_runs_and_conserves_parts() -> None:
    r = fast.simulate(plan(), 0)
    assert r.backend == "fast"
    assert r.released_total == r.good_total + r.scrap_total + r.wip_end
    assert sum(r.stations["saw"].state_time) == pytest.approx(2 * 200.0)
    assert r.scrap > 0 and r.good > 0
    assert r == fast.simulate(plan(), 0)


def test_batches_are_not_supported_yet() -> None:
    p = plan()
    batch = BatchPlan(size=2, max_wait=float("inf"), per_part=Dist.constant(0.0))
    p = dataclasses.replace(p, stations=(dataclasses.replace(p.stations[0], batch=batch),))
    assert "batch" in (fast.supports(p) or "")
    with pytest.raises(ConfigError, match=r"fast \(Numba\) backend does not support additive"):
        fast.simulate(p, 0)


def test_trace_and_bad_window_are_errors() -> None:
    with pytest.raises(ConfigError, match="no trace"):
        fast.simulate(plan(), 0, trace=True)
    with pytest.raises(SimulationError, match="'length' must be > 0"):
        fast.simulate(plan(length=0.0), 0)
