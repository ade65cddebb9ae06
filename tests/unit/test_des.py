"""The SimPy engine: accounting, determinism, streams, trace, and the plan helpers of the tests.

The hand-made timelines of simple lines are in ``tests/semantics/test_timelines_servers.py``,
run on every engine; the helpers below (:func:`line`, :func:`station`, :func:`state`,
:func:`events`, :func:`check_accounting`) build and read their plans.
"""

from __future__ import annotations

import math

import pytest

from simline.engine.des import simulate
from simline.engine.results import RunResult
from simline.errors import SimulationError
from simline.plan import (
    BatchPlan,
    Dist,
    DistCode,
    FailurePlan,
    Plan,
    ProductPlan,
    ReleasePlan,
    SetupPlan,
    StationPlan,
    WorkforcePlan,
)

# -- plans built by hand -------------------------------------------------------------------


def const(x: float) -> Dist:
    return Dist.constant(x)


def expo(mean: float) -> Dist:
    return Dist(DistCode.EXPONENTIAL, (mean,), mean, 1.0)


def station(
    name: str,
    process: float | Dist | tuple[Dist, ...] = 1.0,
    *,
    servers: int = 1,
    buffer: int | None = None,
    failure: FailurePlan | None = None,
    setup: tuple[tuple[Dist | None, ...], ...] | None = None,
    scrap: float = 0.0,
    operators: int = 0,
    batch: BatchPlan | None = None,
    products: int = 1,
) -> StationPlan:
    if isinstance(process, tuple):
        times = process
    else:
        one = const(process) if isinstance(process, int | float) else process
        times = (one,) * products
    kind = "manual" if operators else "additive" if batch else "machine"
    table = SetupPlan.from_rows(setup) if setup is not None else None
    return StationPlan(name, kind, servers, buffer, times, failure, table, scrap, operators, batch)


def line(
    stations: list[StationPlan],
    products: list[ProductPlan] | None = None,
    *,
    release: ReleasePlan | None = None,
    warmup: float = 0.0,
    length: float = 60.0,
    seed: int = 1,
    workforce: WorkforcePlan | None = None,
) -> Plan:
    if products is None:
        products = [ProductPlan("part", tuple(range(len(stations))), 1.0)]
    return Plan(
        name="test",
        time_unit="min",
        hours_per_unit=1 / 60,
        warmup=warmup,
        length=length,
        replications=1,
        seed=seed,
        stations=tuple(stations),
        products=tuple(products),
        release=release or ReleasePlan("saturated"),
        workforce=workforce,
    )


def state(result: RunResult, name: str) -> dict[str, float]:
    keys = ("busy", "setup", "blocked", "starved", "down", "off_shift")
    return dict(zip(keys, result.stations[name].state_time, strict=True))


def events(result: RunResult, name: str, what: str) -> list[float]:
    assert result.trace is not None
    return [row[0] for row in result.trace if row[3] == name and row[4] == what]


def check_accounting(result: RunResult, plan: Plan) -> None:
    """Invariants every run keeps."""
    for sp in plan.stations:
        total = sum(result.stations[sp.name].state_time)
        assert total == pytest.approx(sp.servers * plan.length, rel=1e-9, abs=1e-9)
        assert min(result.stations[sp.name].state_time) >= -1e-9
    assert result.released_total == result.good_total + result.scrap_total + result.wip_end


# -- scrap, a random figure -----------------------------------------------------------------


def test_scrap_leaves_at_once_and_is_counted() -> None:
    plan = line([station("a", 1.0, scrap=0.25), station("b", 1.0, buffer=0)], length=4000.0)
    r = simulate(plan, 0)
    out = r.stations["a"].parts_out
    assert r.stations["a"].scrap == r.products["part"].scrap == r.scrap
    assert r.scrap / out == pytest.approx(0.25, abs=0.03)
    assert abs(r.stations["b"].parts_out - (out - r.scrap)) <= 1
    assert state(r, "a")["blocked"] < 0.05 * 4000
    check_accounting(r, plan)


# -- accounting, determinism, common random numbers ---------------------------------------


def stochastic_plan(seed: int = 7, extra: bool = False) -> Plan:
    fail = FailurePlan(expo(50.0), expo(5.0), operating=True)
    stations = [
        station("cut", expo(1.0), buffer=2, failure=fail),
        station("weld", expo(1.1), buffer=0, servers=2, scrap=0.05),
        station("pack", expo(0.9), buffer=3, failure=FailurePlan(expo(40.0), expo(4.0), False)),
    ]
    if extra:
        stations.append(station("paint", expo(0.5), buffer=1))
    return line(stations, warmup=100.0, length=2000.0, seed=seed)


def test_state_times_sum_and_units_are_conserved() -> None:
    plan = stochastic_plan()
    r = simulate(plan, 3)
    check_accounting(r, plan)
    assert r.events > r.good_total
    assert 0.0 < r.wip < 20.0
    assert r.operator_paid_time == 0.0


def test_same_plan_and_replication_give_the_same_result() -> None:
    plan = stochastic_plan()
    assert simulate(plan, 2) == simulate(plan, 2)
    assert simulate(plan, 2).good != simulate(plan, 3).good


def test_streams_belong_to_stations_by_name() -> None:
    # "cut" never blocks behind an unlimited buffer, so its timeline cannot depend on the
    # stations after it: adding one must not change a single number drawn at "cut".
    def plan_with(extra: bool) -> Plan:
        stations = [station("cut", expo(1.0), failure=FailurePlan(expo(30.0), expo(3.0), True))]
        stations.append(station("weld", expo(0.8)))
        if extra:
            stations.append(station("paint", expo(0.7), buffer=0))
        return line(stations, length=500.0, seed=11)

    def cut_rows(r: RunResult) -> list[tuple[float, int, str]]:
        assert r.trace is not None
        return [(t, pid, ev) for t, pid, _, st, ev in r.trace if st == "cut"]

    one = simulate(plan_with(False), 0, trace=True)
    two = simulate(plan_with(True), 0, trace=True)
    assert cut_rows(one) == cut_rows(two)
    assert len(cut_rows(one)) > 1000


def test_trace_is_off_by_default_and_ordered_in_time() -> None:
    plan = stochastic_plan()
    assert simulate(plan, 0).trace is None
    rows = simulate(plan, 0, trace=True).trace
    assert rows is not None
    times = [row[0] for row in rows]
    assert times == sorted(times)
    assert {row[4] for row in rows} >= {"release", "arrive", "start", "finish", "leave", "scrap"}


def test_events_count_processed_events() -> None:
    r = simulate(line([station("m", 2.0)], length=60.0), 0)
    # One process start and one timeout per part finished by t = 60.
    assert r.events == 31


def test_bad_plans_are_refused() -> None:
    with pytest.raises(SimulationError, match="length"):
        simulate(line([station("m")], length=0.0), 0)
    batch = BatchPlan(size=4, max_wait=math.inf, per_part=const(0.0))
    plan = line([station("a"), station("b", batch=batch, buffer=2)])
    with pytest.raises(SimulationError, match="could never start"):
        simulate(plan, 0)
