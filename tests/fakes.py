"""A stand-in engine result for tests of the layers above the engines (runner, CLI)."""

from __future__ import annotations

import numpy as np

from simline.engine.results import ProductResult, RunResult, StationResult
from simline.plan import Dist, DistCode, Plan, ProductPlan, ReleasePlan, StationPlan


def fake_result(
    plan: Plan,
    replication: int,
    *,
    good: tuple[int, int],
    busy: tuple[float, float],
    wip: tuple[float, float],
    trace: list[tuple[float, int, str, str, str]] | None,
) -> RunResult:
    """A one-station result drawn from (seed, replication) only, like a real backend's streams.

    Good parts, busy time and the WIP integral are drawn uniformly from the given ranges;
    ``trace`` is attached as it is.
    """
    rng = np.random.default_rng([plan.seed, replication])
    n_good = int(rng.integers(*good))
    busy_time = float(rng.uniform(*busy))
    good_count = n_good
    return RunResult(
        scenario=plan.name,
        backend="des",
        replication=replication,
        seed=plan.seed,
        measured_time=plan.length,
        hours_per_unit=plan.hours_per_unit,
        stations={
            "saw": StationResult(
                1, (busy_time, 0.0, 0.0, plan.length - busy_time, 0.0, 0.0), good_count, 0
            )
        },
        products={
            "part": ProductResult(
                good_count, good_count, 0, good_count, float(rng.uniform(1, 3)), 0.0
            )
        },
        wip_integral=float(rng.uniform(*wip)),
        operator_paid_time=0.0,
        released_total=good_count,
        good_total=good_count,
        scrap_total=0,
        wip_end=0,
        events=4 * good_count,
        trace=trace,
    )


def one_station_plan(
    *,
    name: str,
    time_unit: str,
    warmup: float,
    length: float,
    replications: int,
    seed: int,
) -> Plan:
    """One exponential station (mean 1) fed by Poisson arrivals (mean 2): rho = 0.5."""
    station = StationPlan(
        name="saw",
        kind="machine",
        servers=1,
        buffer=None,
        process=(Dist(DistCode.EXPONENTIAL, (1.0,), 1.0, 1.0),),
        failure=None,
        setup=None,
        scrap=0.0,
        operators=0,
        batch=None,
    )
    return Plan(
        name=name,
        time_unit=time_unit,
        hours_per_unit=1 / 60,
        warmup=warmup,
        length=length,
        replications=replications,
        seed=seed,
        stations=(station,),
        products=(ProductPlan("part", (0,), 1.0),),
        release=ReleasePlan("interarrival", Dist(DistCode.EXPONENTIAL, (2.0,), 2.0, 1.0)),
        workforce=None,
    )
