"""simline.engine.fast: what it supports, its errors, and a small run's bookkeeping."""

from __future__ import annotations

import dataclasses

import numpy as np
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


def test_every_feature_is_supported_but_the_trace() -> None:
    p = plan()
    batch = BatchPlan(size=2, max_wait=float("inf"), per_part=Dist.constant(0.0))
    p = dataclasses.replace(p, stations=(dataclasses.replace(p.stations[0], batch=batch),))
    assert fast.supports(p) is None
    r = fast.simulate(p, 0)
    assert r.stations["saw"].build_parts == 2 * r.stations["saw"].builds > 0


def test_trace_and_bad_window_are_errors() -> None:
    with pytest.raises(ConfigError, match="no trace"):
        fast.simulate(plan(), 0, trace=True)
    with pytest.raises(SimulationError, match="'length' must be > 0"):
        fast.simulate(plan(length=0.0), 0)


def test_kernel_draws_the_streams_of_the_random_module() -> None:
    """A saturated single machine finishes parts at the cumulative sums of its process draws.

    The kernel has its own inlined copy of the generator and the exponential sampler; this
    pins it to :func:`simline.kernels.random.sample` (itself checked against the reference
    generator), draw for draw.
    """
    from simline.kernels import distributions as kd

    station = dataclasses.replace(plan().stations[0], servers=1, buffer=None, scrap=0.0)
    p = plan(stations=(station,), release=ReleasePlan("saturated", None), warmup=0.0)
    r = fast.simulate(p, 4)
    row = fast._stream_states(p, 4)[0]  # station 0, purpose process
    finishes = np.cumsum(kd.sample(kd.EXPONENTIAL, (1.0,), row.copy(), 2000))
    assert r.stations["saw"].parts_out == int(np.sum(finishes <= p.length))
    assert r.stations["saw"].state_time[0] == pytest.approx(p.length)


def test_only_used_streams_are_seeded() -> None:
    states = fast._stream_states(plan(), 0)
    seeded = {i for i in range(states.shape[0]) if states[i].any()}
    # station 0: process and scrap; release (owner 1): arrival (one product: no mix draw)
    assert seeded == {0, 4, 7 + 5}


def test_a_full_heap_is_flagged_and_the_wrapper_grows_it() -> None:
    from simline.kernels.line import OVERFLOW, simulate_line

    p = plan()
    packed, m = fast.line_run(p, 0)
    # room for one event below the limit: the start overflows it
    n = 6 * m.sv.shape[0] + 2 * m.bld.shape[1] + 17
    small = m._replace(ht=np.zeros(n), he=np.zeros((n, 4), dtype=np.int64))
    assert simulate_line(packed, small) == OVERFLOW
    with pytest.raises(ValueError, match="event heap"):
        m = fast.line_run(p, 0)[1]
        short = m._replace(ht=np.zeros(n - 1), he=np.zeros((n - 1, 4), dtype=np.int64))
        simulate_line(packed, short)
    assert fast.simulate(p, 0).good > 0


def test_later_replications_start_at_the_capacity_that_sufficed() -> None:
    """A line whose unlimited buffer outgrows the first guess: doubled once, remembered."""
    from pathlib import Path

    from simline.config import load_scenario
    from simline.plan import compile_plan

    config = Path(__file__).parents[2] / "configs" / "two-product.yaml"
    p = compile_plan(load_scenario(config))
    first = fast.simulate(p, 0)
    assert fast._first_doubling(p) > 0  # it had to grow, and remembers by how much
    again = [fast.simulate(p, i) for i in range(1, 3)]
    fresh = [fast.simulate(dataclasses.replace(p), i) for i in range(1, 3)]  # from scratch
    assert again == fresh  # the capacities never change a result
    assert first != again[0]
