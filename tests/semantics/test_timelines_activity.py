"""Timelines of active periods: when a station counts as active, and how its periods count.

A station is active while none of its servers is starved or blocked; its active periods are
its longest stretches of positive length in which it is (``docs/model.md``, "The
bottleneck"). Each timeline is worked out by hand and runs on every engine.
"""

from __future__ import annotations

from simline.plan import Plan
from tests.semantics.engines import on_every_engine, run
from tests.unit.test_des import line, station


def blocking_pair(warmup: float = 0.0, length: float = 1000.0) -> Plan:
    """a (1 a part) feeds b (2 a part) with no place between them."""
    return line([station("a", 1.0), station("b", 2.0, buffer=0)], warmup=warmup, length=length)


@on_every_engine
def test_blocking_ends_an_active_period(engine: str) -> None:
    r = run(engine, blocking_pair())
    a, b = r.stations["a"], r.stations["b"]
    # a: active [0, 2), blocked [2, 3), active [3, 4), ... , active [999, 1000]: the first
    # period of 2, then 499 of 1. b: starved [0, 1), then busy to the end: one of 999.
    assert (a.active_periods, a.active_time) == (500, 501.0)
    assert (b.active_periods, b.active_time) == (1, 999.0)
    assert b.active_period == 999.0


@on_every_engine
def test_only_the_measured_part_of_a_period_counts(engine: str) -> None:
    r = run(engine, blocking_pair(warmup=10.5, length=100.0))
    a, b = r.stations["a"], r.stations["b"]
    # measured [10.5, 110.5]: a is active [9, 10] (before), [11, 12], ..., [109, 110]: 50
    # periods of 1; b is busy throughout: one period, the whole 100.
    assert (a.active_periods, a.active_time) == (50, 50.0)
    assert (b.active_periods, b.active_time) == (1, 100.0)


@on_every_engine
def test_a_hand_over_at_one_instant_does_not_end_a_period(engine: str) -> None:
    # a takes 2 a part, b 1 with an unlimited buffer: a hands on and starts the next part at
    # the same instant, so it is one period; b is starved [0, 2) and then half of every 2.
    r = run(engine, line([station("a", 2.0), station("b", 1.0)], length=100.0))
    a, b = r.stations["a"], r.stations["b"]
    assert (a.active_periods, a.active_time) == (1, 100.0)
    assert (b.active_periods, b.active_time) == (49, 49.0)


@on_every_engine
def test_a_station_is_active_only_while_no_server_waits(engine: str) -> None:
    # two servers of 3 behind a machine of 1 with an unlimited buffer: the second server
    # starts at 2; from then on neither ever waits: one period, [2, 60].
    r = run(engine, line([station("a", 1.0), station("b", 3.0, servers=2)], length=60.0))
    b = r.stations["b"]
    assert (b.active_periods, b.active_time) == (1, 58.0)


# -- the time series -----------------------------------------------------------------------


@on_every_engine
def test_the_series_bins_wip_and_good_parts(engine: str) -> None:
    from simline.engine import des, fast

    plan = blocking_pair(length=10.0)
    # bins of 2.5 over [0, 10]: WIP is 1 in [0, 1), then 2 (one part in b, one on a).
    # Good parts leave b at 3, 5, 7, 9: none, one (3), two (5 and 7), one (9).
    if engine == "des":
        r = des.simulate(plan, 0, bins=4)
    else:
        run(engine, plan)  # skips an engine that cannot run the plan
        r = fast.simulate(plan, 0, kernel=engine, bins=4)
    assert r.series is not None
    assert r.series.width == 2.5
    assert r.series.wip_integral == (4.0, 5.0, 5.0, 5.0)
    assert r.series.good == (0, 1, 2, 1)
    assert sum(r.series.good) == r.good_total
    assert sum(r.series.wip_integral) == r.wip_integral
