"""Timelines of servers and buffers: single machines, serial lines, blocking, parallel servers.

Each timeline is written once, worked out by hand, and runs on every engine that supports its
plan (:mod:`tests.semantics.engines`); event times read from the trace are checked on the
SimPy engine, the only one that keeps a trace.
"""

from __future__ import annotations

import pytest

from simline.config import parse_scenario
from simline.engine import des
from simline.plan import Plan, ProductPlan, compile_plan
from tests.semantics.engines import on_every_engine, run
from tests.unit.test_des import events, line, state, station

# -- one station ---------------------------------------------------------------------------


@on_every_engine
def test_single_machine_constant_time(engine: str) -> None:
    plan = line([station("m", 2.0)], length=60.0)
    r = run(engine, plan)
    assert r.good == 30
    assert r.stations["m"].parts_out == 30
    assert state(r, "m")["busy"] == 60.0
    assert r.products["part"].lead_mean == 2.0
    assert r.products["part"].lead_m2 == 0.0
    assert r.wip == 1.0
    assert r.seed == plan.seed and r.replication == 0


@on_every_engine
def test_counts_after_warmup_only(engine: str) -> None:
    plan = line([station("m", 2.0)], warmup=10.0, length=60.0)
    r = run(engine, plan)
    assert r.good == 30 and r.released == 30
    assert r.good_total == 35
    assert state(r, "m")["busy"] == 60.0


@on_every_engine
def test_last_station_never_blocks(engine: str) -> None:
    plan = line([station("a", 1.0, buffer=0)], length=50.0)
    r = run(engine, plan)
    assert state(r, "a")["blocked"] == 0.0 and r.good == 50


# -- buffers -------------------------------------------------------------------------------


def buffer_zero() -> Plan:
    """a (1 a part) feeds b (2 a part) with no place between them."""
    return line([station("a", 1.0), station("b", 2.0, buffer=0)], length=1000.0)


@on_every_engine
def test_buffer_zero_blocks_half_the_time(engine: str) -> None:
    r = run(engine, buffer_zero())
    a, b = state(r, "a"), state(r, "b")
    # a: busy [0, 2), then every 2 min busy 1, blocked 1; b: starved [0, 1), then busy.
    assert a["busy"] == 501.0 and a["blocked"] == 499.0
    assert b["starved"] == 1.0 and b["busy"] == 999.0
    assert r.wip_end == 2


def test_buffer_zero_blocks_half_the_time_in_the_trace() -> None:
    r = des.simulate(buffer_zero(), 0, trace=True)
    assert events(r, "b", "start")[:4] == [1.0, 3.0, 5.0, 7.0]


def buffer_of_three() -> Plan:
    """a makes a part every minute, b takes 2, three places between them."""
    return line([station("a", 1.0), station("b", 2.0, buffer=3)], length=100.0)


@on_every_engine
def test_buffer_places_delay_blocking(engine: str) -> None:
    r = run(engine, buffer_of_three())
    assert r.stations["b"].parts_out == 49


def test_buffer_places_delay_blocking_in_the_trace() -> None:
    r = des.simulate(buffer_of_three(), 0, trace=True)
    blocked = events(r, "a", "blocked")
    # b takes a part at 1, 3, 5, ...; a adds one each minute, so the buffer gains one part
    # every 2 minutes: it holds 3 at 7 (parts 5, 6, 7) and part 8 finds it full.
    assert blocked[0] == 8.0


@on_every_engine
def test_unlimited_buffer_never_blocks(engine: str) -> None:
    plan = line([station("a", 1.0), station("b", 2.0)], length=100.0)
    r = run(engine, plan)
    assert state(r, "a")["busy"] == 100.0
    assert r.good == 49  # b finishes at 3, 5, ..., 99
    assert r.wip_end == 101 - 49


@on_every_engine
def test_a_saturated_line_of_constant_stations_makes_what_its_bottleneck_allows(
    engine: str,
) -> None:
    plan = line([station("a", 1.0), station("b", 2.0, buffer=1)], length=60.0)
    result = run(engine, plan)
    # b finishes its first part at 3 (a's first at 1), then one every 2: 3, 5, ..., 59
    assert result.good == 29
    assert result.stations["b"].state_time[3] == pytest.approx(1.0)  # starved until 1
    assert result.stations["a"].state_time[2] > 0.0  # a is blocked behind b


#: A paced line from a scenario file: a every 1.5, b every 2 behind one place, warm-up 10.
PACED = {
    "simline": 1,
    "name": "paced",
    "time_unit": "min",
    "run": {"warmup": 10, "length": 60, "replications": 2, "seed": 5},
    "stations": {
        "a": {"kind": "machine", "process_time": 1.5},
        "b": {"kind": "machine", "process_time": 2, "buffer": 1},
    },
}


@on_every_engine
def test_deterministic_line_matches_exactly(engine: str) -> None:
    # b, the bottleneck, finishes a part every 2: 30 in the 60 measured.
    r = run(engine, compile_plan(parse_scenario(PACED)))
    assert r.good == 30


# -- routings ------------------------------------------------------------------------------


@on_every_engine
def test_a_routing_out_of_layout_order_and_a_station_off_it(engine: str) -> None:
    stations = [station("a", 1.0), station("b", 0.5, buffer=0), station("idle", servers=2)]
    products = [ProductPlan("part", (1, 0), 1.0)]
    result = run(engine, line(stations, products, length=30.0))
    assert result.stations["idle"].state_time[3] == pytest.approx(2 * 30.0)
    assert result.good == 29  # b every 0.5, a every 1: a's first done at 1.5


# -- parallel servers ----------------------------------------------------------------------


@on_every_engine
def test_parallel_servers_share_a_buffer(engine: str) -> None:
    plan = line([station("a", 1.0), station("b", 3.0, servers=3, buffer=0)], length=300.0)
    r = run(engine, plan)
    assert state(r, "a")["blocked"] == 0.0
    assert r.stations["b"].parts_out == pytest.approx(297, abs=3)


def two_feeders() -> Plan:
    """a1 (2 a part, product x) and a2 (1.5, product y) feed c (5 a part, no place)."""
    products = [ProductPlan("x", (0, 2), 0.5), ProductPlan("y", (1, 2), 0.5)]
    stations = [
        station("a1", 2.0, products=2),
        station("a2", 1.5, products=2),
        station("c", 5.0, buffer=0, products=2),
    ]
    return line(stations, products, length=20.0)


@on_every_engine
def test_blocked_servers_unblock_in_the_order_they_blocked(engine: str) -> None:
    # a2 finishes first (1.5), so it blocks first and goes first: c works y, x, y, x from
    # 1.5, 6.5, 11.5, 16.5, and finishes three of them by 20 (y, x, y).
    r = run(engine, two_feeders())
    assert state(r, "c")["busy"] == 18.5 and state(r, "c")["starved"] == 1.5
    assert (r.products["x"].good, r.products["y"].good) == (1, 2)


def test_blocked_servers_unblock_in_the_order_they_blocked_in_the_trace() -> None:
    r = des.simulate(two_feeders(), 0, trace=True)
    assert r.trace is not None
    starts = [row[2] for row in r.trace if row[3] == "c" and row[4] == "start"]
    assert starts[:4] == ["y", "x", "y", "x"]
    assert events(r, "c", "start")[:3] == [1.5, 6.5, 11.5]
