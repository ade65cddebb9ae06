"""Timelines of batch stations: full builds, ``max_wait``, builds without places, with shifts.

Each timeline is written once, worked out by hand, and runs on every engine that supports its
plan (:mod:`tests.semantics.engines`; the recursion runs no batch station); event times read
from the trace are checked on the SimPy engine, the only one that keeps a trace. The tie
rules at batch stations have their own timelines in ``test_batch_rules.py``.
"""

from __future__ import annotations

import math

from simline.engine import des
from simline.plan import BatchPlan, FailurePlan, Plan, ProductPlan, ReleasePlan, WorkforcePlan
from tests.semantics.engines import on_every_engine, run
from tests.unit.test_des import const, events, line, state, station


def max_wait_builds() -> Plan:
    """Parts arrive every 3 from t = 3; a build of up to 4 starts 5 after its oldest part."""
    batch = BatchPlan(size=4, max_wait=5.0, per_part=const(1.0))
    return line(
        [station("print", 20.0, batch=batch)],
        release=ReleasePlan("interarrival", interarrival=const(3.0)),
        length=80.0,
    )


@on_every_engine
def test_batch_starts_after_max_wait_with_fewer_parts(engine: str) -> None:
    # Builds of 2 at 8 (done 30), of 4 at 30 (done 54), then of 4 at 54 (done 78).
    r = run(engine, max_wait_builds())
    assert r.stations["print"].builds == 3 and r.stations["print"].build_parts == 10
    assert r.good == 10


def test_batch_starts_after_max_wait_with_fewer_parts_in_the_trace() -> None:
    r = des.simulate(max_wait_builds(), 0, trace=True)
    starts = events(r, "print", "start")
    assert starts[:2] == [8.0, 8.0]  # two parts (3, 6) at 8, done at 8 + 20 + 2 = 30
    assert starts[2:6] == [30.0] * 4  # then full: parts 9, 12, 15, 18, done at 54
    assert events(r, "print", "finish")[:6] == [30.0, 30.0, 54.0, 54.0, 54.0, 54.0]


def full_builds() -> Plan:
    """a (1 a part) feeds builds of 3 (10 a build, no max_wait) with 5 places."""
    batch = BatchPlan(size=3, max_wait=math.inf, per_part=const(0.0))
    return line([station("a", 1.0), station("print", 10.0, batch=batch, buffer=5)], length=100.0)


@on_every_engine
def test_full_batch_starts_at_once(engine: str) -> None:
    r = run(engine, full_builds())
    assert r.stations["print"].build_parts == 3 * r.stations["print"].builds
    assert r.stations["print"].builds == 9  # starts 3, 13, ..., 83: done 13, ..., 93


def test_full_batch_starts_at_once_in_the_trace() -> None:
    r = des.simulate(full_builds(), 0, trace=True)
    assert events(r, "print", "start")[:3] == [3.0, 3.0, 3.0]


def builds_without_places() -> Plan:
    """Three servers of 1 feed builds of up to 3 (10 a build, max_wait 5) with no place."""
    batch = BatchPlan(size=3, max_wait=5.0, per_part=const(0.0))
    return line(
        [station("a", 1.0, servers=3), station("print", 10.0, batch=batch, buffer=0)],
        length=40.0,
    )


@on_every_engine
def test_batch_without_places_takes_the_blocked_parts(engine: str) -> None:
    # No place in front of the printer: the first part goes straight onto it (a build of
    # one); meanwhile three parts block upstream and make the next build. A plan only: a
    # scenario file cannot ask for it, and the kernels refuse it (test_kernel_support.py).
    r = run(engine, builds_without_places())
    assert r.stations["print"].builds == 3 and r.stations["print"].build_parts == 7


def test_batch_without_places_takes_the_blocked_parts_in_the_trace() -> None:
    r = des.simulate(builds_without_places(), 0, trace=True)
    assert events(r, "print", "start")[:7] == [1.0, 11.0, 11.0, 11.0, 21.0, 21.0, 21.0]


@on_every_engine
def test_saturated_first_batch_is_always_full_and_blocks_on_its_parts(engine: str) -> None:
    # 4 parts every 10 + 4 * 0.5 = 12; post takes 5 each behind no place: a blocks.
    batch = BatchPlan(size=4, max_wait=60.0, per_part=const(0.5))
    plan = line([station("print", 10.0, batch=batch), station("post", 5.0, buffer=0)],
                length=200.0)  # fmt: skip
    r = run(engine, plan)
    out = r.stations["print"]
    assert out.build_parts == 4 * out.builds
    assert state(r, "print")["blocked"] > 0.0


@on_every_engine
def test_batch_with_failures_setups_and_shifts_matches_the_simpy_engine(engine: str) -> None:
    # Two products, each from its own first station, to a two-server printer with calendar
    # failures, product changes and one operator, then a manned packer.
    fail = FailurePlan(const(17.0), const(4.0), operating=False)
    s = const(1.5)
    batch = BatchPlan(size=3, max_wait=4.0, per_part=const(0.25))
    products = [ProductPlan("x", (0, 2, 3), 0.5), ProductPlan("y", (1, 2, 3), 0.5)]
    stations = [
        station("ax", 1.0, products=2),
        station("ay", 1.75, products=2),
        station("print", (const(6.0), const(7.0)), batch=batch, buffer=4, failure=fail,
                setup=((None, s), (s, None)), operators=1, servers=2),
        station("c", 2.5, buffer=2, operators=1, products=2),
    ]  # fmt: skip
    workforce = WorkforcePlan(2, 24.0, ((0.0, 2), (9.0, 1), (18.0, 0)))
    plan = line(stations, products, length=24.0 * 5, warmup=3.0, workforce=workforce)
    r = run(engine, plan)
    out = r.stations["print"]
    assert out.builds > 0 and state(r, "print")["setup"] > 0.0
