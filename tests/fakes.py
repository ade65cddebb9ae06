"""A stand-in engine result for tests of the layers above the engines (runner, CLI)."""

from __future__ import annotations

import numpy as np

from simline.engine.results import ProductResult, RunResult, StationResult
from simline.plan import Plan


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
