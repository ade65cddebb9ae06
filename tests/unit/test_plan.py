"""compile_plan: units, indices, mix, default product, setups, batches, the workforce."""

from __future__ import annotations

import math
import pickle
from typing import Any

from simline.config import parse_scenario
from simline.plan import (
    BatchPlan,
    Dist,
    DistCode,
    FailurePlan,
    ReleasePlan,
    SetupPlan,
    compile_plan,
)

H = 60.0  # minutes per hour
DAY = 24 * H
WEEK = 7 * DAY


def plan_of(stations: dict[str, Any] | None = None, **extra: Any) -> Any:
    data: dict[str, Any] = {
        "simline": 1,
        "name": "p",
        "run": {"length": "2d", "warmup": "8h", "replications": 4, "seed": 11},
        "stations": stations
        or {
            "saw": {"kind": "machine", "process_time": 1},
            "weld": {"kind": "manual", "process_time": 2},
            "inspect": {"kind": "robot", "process_time": 0.5},
        },
    }
    data.update(extra)
    return compile_plan(parse_scenario(data))


def test_run_settings_and_units() -> None:
    plan = plan_of()
    assert (plan.name, plan.time_unit) == ("p", "min")
    assert plan.hours_per_unit == 1 / 60
    assert (plan.warmup, plan.length, plan.horizon) == (480.0, 2880.0, 3360.0)
    assert (plan.replications, plan.seed) == (4, 11)
    assert plan_of(time_unit="s").hours_per_unit == 1 / 3600
    hours = plan_of(time_unit="h")
    assert hours.hours_per_unit == 1.0
    assert (hours.warmup, hours.length) == (8.0, 48.0)


def test_default_product_runs_through_all_stations_in_order() -> None:
    plan = plan_of()
    assert [s.name for s in plan.stations] == ["saw", "weld", "inspect"]
    assert len(plan.products) == 1
    product = plan.products[0]
    assert (product.name, product.routing, product.mix) == ("part", (0, 1, 2), 1.0)
    assert plan.release == ReleasePlan("saturated")
    assert plan.workforce is None
    assert plan.first_products(0) == (0,)
    pickle.loads(pickle.dumps(plan))


def test_routings_are_station_indices_and_mix_is_normalised() -> None:
    products = {
        "a": {"routing": ["inspect", "saw"], "mix": 3},
        "b": {"routing": ["weld"], "mix": 1},
    }
    plan = plan_of(products=products)
    assert [(p.name, p.routing) for p in plan.products] == [("a", (2, 0)), ("b", (1,))]
    assert [p.mix for p in plan.products] == [0.75, 0.25]
    assert plan.first_products(2) == (0,)
    assert plan.first_products(1) == (1,)
    equal = plan_of(products={k: {"routing": v["routing"]} for k, v in products.items()})
    assert [p.mix for p in equal.products] == [0.5, 0.5]


def test_station_defaults() -> None:
    plan = plan_of()
    saw, weld, inspect = plan.stations
    assert (saw.kind, saw.servers, saw.buffer, saw.scrap, saw.operators) == (
        "machine",
        1,
        None,
        0.0,
        0,
    )
    assert (saw.failure, saw.setup, saw.batch) == (None, None, None)
    assert weld.operators == 1
    assert inspect.operators == 0
    assert saw.process == (Dist.constant(1.0),)


def test_station_settings() -> None:
    stations = {
        "saw": {
            "kind": "machine",
            "servers": 2,
            "buffer": 10,
            "scrap": 0.01,
            "operators": 1,
            "process_time": "90s",
            "failures": {"mtbf": "8h", "mttr": "const(20min)"},
        },
        "oven": {
            "kind": "robot",
            "buffer": "inf",
            "process_time": 30,
            "failures": {"mtbf": "weibull(shape=2, scale=10h)", "mttr": 15, "basis": "calendar"},
        },
    }
    saw, oven = plan_of(stations).stations
    assert (saw.servers, saw.buffer, saw.scrap, saw.operators) == (2, 10, 0.01, 1)
    assert saw.process == (Dist.constant(1.5),)
    assert saw.failure == FailurePlan(
        Dist(DistCode.EXPONENTIAL, (480.0,), 480.0, 1.0), Dist.constant(20.0), operating=True
    )
    assert oven.buffer is None
    assert oven.failure is not None and not oven.failure.operating
    assert oven.failure.ttf.code == DistCode.WEIBULL
    assert oven.failure.ttf.params == (2.0, 600.0)
    assert oven.failure.ttr == Dist(DistCode.EXPONENTIAL, (15.0,), 15.0, 1.0)


def test_per_product_process_times() -> None:
    stations = {
        "a": {"kind": "machine", "process_time": {"x": 1, "y": "exp(2)"}},
        "b": {"kind": "machine", "process_time": {"y": 3}},
    }
    products = {"x": {"routing": ["a"]}, "y": {"routing": ["a", "b"]}}
    a, b = plan_of(stations, products=products).stations
    assert a.process == (Dist.constant(1.0), Dist(DistCode.EXPONENTIAL, (2.0,), 2.0, 1.0))
    # x never visits b: a zero constant stands there
    assert b.process == (Dist.constant(0.0), Dist.constant(3.0))


def test_setup_matrix() -> None:
    products = {"a": {"routing": ["s"]}, "b": {"routing": ["s"]}, "c": {"routing": ["s"]}}
    same = plan_of(
        {"s": {"kind": "machine", "process_time": 1, "setup": "15min"}}, products=products
    )
    fifteen = Dist.constant(15.0)
    assert same.stations[0].setup == SetupPlan(other=fifteen)
    assert [[same.stations[0].setup.get(a, b) for b in range(3)] for a in range(3)] == [
        [None, fifteen, fifteen],
        [fifteen, None, fifteen],
        [fifteen, fifteen, None],
    ]
    listed = {"from_to": {"a": {"b": "20min", "c": 0}, "c": {"a": "exp(5)"}}}
    plan = plan_of(
        {"s": {"kind": "machine", "process_time": 1, "setup": listed}}, products=products
    )
    setup = plan.stations[0].setup
    assert setup is not None
    assert [[setup.get(a, b) for b in range(3)] for a in range(3)] == [
        [None, Dist.constant(20.0), None],
        [None, None, None],
        [Dist(DistCode.EXPONENTIAL, (5.0,), 5.0, 1.0), None, None],
    ]
    zero = plan_of({"s": {"kind": "machine", "process_time": 1, "setup": 0}}, products=products)
    assert zero.stations[0].setup is None
    one_product = plan_of({"s": {"kind": "machine", "process_time": 1, "setup": 5}})
    assert one_product.stations[0].setup is None


def test_batch_plan() -> None:
    stations = {
        "print": {
            "kind": "additive",
            "servers": 2,
            "process_time": "6h",
            "batch": {"size": 24, "max_wait": "4h"},
            "per_part_time": "10min",
        },
        "cure": {"kind": "machine", "process_time": 30, "batch": {"size": 8}, "buffer": 8},
    }
    printer, cure = plan_of(stations).stations
    assert printer.batch == BatchPlan(24, 240.0, Dist.constant(10.0))
    assert printer.process == (Dist.constant(360.0),)
    assert cure.batch == BatchPlan(8, math.inf, Dist.constant(0.0))


def test_release() -> None:
    assert plan_of(release={"conwip": 12}).release == ReleasePlan("conwip", wip=12)
    release = plan_of(release={"interarrival": "exp(90s)"}).release
    assert release == ReleasePlan(
        "interarrival", interarrival=Dist(DistCode.EXPONENTIAL, (1.5,), 1.5, 1.0)
    )


def workforce(time_unit: str = "min", **kw: Any) -> Any:
    plan = plan_of(workforce=kw, time_unit=time_unit)
    assert plan.workforce is not None
    return plan.workforce


def test_workforce_back_to_back_shifts_merge() -> None:
    wf = workforce(
        operators=3, shifts=[["06:00", "14:00"], ["14:00", "22:00"]], days=["mon", "tue"]
    )
    assert wf.operators == 3
    assert wf.period == WEEK
    assert wf.changes == ((0.0, 0), (6 * H, 3), (22 * H, 0), (DAY + 6 * H, 3), (DAY + 22 * H, 0))
    assert wf.on_duty(0) == 0
    assert wf.on_duty(6 * H) == 3
    assert wf.on_duty(14 * H) == 3
    assert wf.on_duty(22 * H) == 0
    assert wf.on_duty(WEEK + 7 * H) == 3
    assert wf.paid_time(0, WEEK) == 2 * 16 * H * 3
    assert wf.paid_time(0, 3 * WEEK) == 3 * 2 * 16 * H * 3
    assert wf.paid_time(10 * H, 12 * H) == 2 * H * 3


def test_workforce_overlapping_shifts_add_up() -> None:
    wf = workforce(operators=2, shifts=[["06:00", "14:00"], ["12:00", "20:00"]], days=["wed"])
    wed = 2 * DAY
    assert wf.changes == (
        (0.0, 0),
        (wed + 6 * H, 2),
        (wed + 12 * H, 4),
        (wed + 14 * H, 2),
        (wed + 20 * H, 0),
    )
    assert wf.on_duty(wed + 13 * H) == 4
    assert wf.paid_time(0, WEEK) == 2 * 16 * H


def test_workforce_overnight_shift_and_sunday_wrap() -> None:
    wf = workforce(operators=1, shifts=[["22:00", "06:00"]], days=["fri", "sun"])
    fri, sun = 4 * DAY, 6 * DAY
    assert wf.changes == (
        (0.0, 1),
        (6 * H, 0),
        (fri + 22 * H, 1),
        (fri + 30 * H, 0),
        (sun + 22 * H, 1),
    )
    assert wf.on_duty(WEEK + H) == 1  # Monday 01:00 of week 2: Sunday's night shift
    assert wf.on_duty(WEEK + 7 * H) == 0
    assert wf.paid_time(0, WEEK) == 16 * H


def test_workforce_around_the_clock_defaults() -> None:
    wf = workforce(operators=4)
    assert wf.changes == ((0.0, 4),)
    assert wf.paid_time(0, WEEK) == 4 * WEEK
    full_day = workforce(operators=1, shifts=[["00:00", "24:00"]])
    assert full_day.changes == ((0.0, 1),)


def test_workforce_in_hours_and_seconds() -> None:
    wf = workforce("h", operators=2, shifts=[["07:30", "16:00"]], days=["mon"])
    assert wf.period == 168.0
    assert wf.changes == ((0.0, 0), (7.5, 2), (16.0, 0))
    wf = workforce("s", operators=1, shifts=[["00:00", "00:01"]], days=["mon"])
    assert wf.changes == ((0.0, 1), (60.0, 0))
    assert wf.period == 604800.0
