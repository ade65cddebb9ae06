"""Timelines of operators and shifts: pauses at a shift's end, the pool's queue, overlapping crews.

Each timeline is written once, worked out by hand, and runs on every engine that supports its
plan (:mod:`tests.semantics.engines`); event times read from the trace are checked on the
SimPy engine, the only one that keeps a trace. Times are in hours here: a day is 24.
"""

from __future__ import annotations

from simline.config import parse_scenario
from simline.engine import des
from simline.plan import FailurePlan, Plan, ProductPlan, WorkforcePlan, compile_plan
from tests.semantics.engines import on_every_engine, run
from tests.unit.test_des import const, events, line, state, station

DAY = 24.0


def day_shift(hours: float, operators: int = 1) -> WorkforcePlan:
    """``operators`` on duty during the first ``hours`` of every day (time unit: hours)."""
    return WorkforcePlan(operators, DAY, ((0.0, operators), (hours, 0)))


def scenario_plan(data: dict[str, object]) -> Plan:
    """Validate and compile a scenario mapping."""
    return compile_plan(parse_scenario(data))


# -- the shift's end -----------------------------------------------------------------------


def shift_end() -> Plan:
    """A 3 h job at a manual station, on duty 0-8 every day."""
    return line([station("hand", 3.0, operators=1)], length=30.0, workforce=day_shift(8.0))


@on_every_engine
def test_shift_end_pauses_work_that_resumes_with_its_remaining_time(engine: str) -> None:
    # A 3 h job with 2 h of shift left finishes 1 h into the next shift (finishes 3, 6, 25, 28).
    r = run(engine, shift_end())
    assert r.good == 4
    assert state(r, "hand")["busy"] == 14.0
    assert state(r, "hand")["off_shift"] == 16.0
    assert r.operator_paid_time == 14.0


def test_shift_end_pauses_work_that_resumes_with_its_remaining_time_in_the_trace() -> None:
    r = des.simulate(shift_end(), 0, trace=True)
    assert events(r, "hand", "finish") == [3.0, 6.0, 25.0, 28.0]
    assert events(r, "hand", "pause") == [8.0]
    assert events(r, "hand", "resume") == [24.0]
    # the trace says when the part waited for an operator and when work went on
    assert events(r, "hand", "wait_operator") == [8.0]
    assert events(r, "hand", "operator") == [24.0]


def repairs_off_shift() -> Plan:
    """Shift 0-8 each day, calendar failures 9 after each repair, repairs of 3."""
    fail = FailurePlan(const(9.0), const(3.0), operating=False)
    return line(
        [station("hand", 3.0, operators=1, failure=fail)], length=30.0, workforce=day_shift(8.0)
    )


@on_every_engine
def test_repairs_go_on_off_shift_and_down_comes_first(engine: str) -> None:
    # The failures at 9 and 21 fall off shift; work paused at 8 resumes at 24, when both
    # the operator and the machine are back.
    r = run(engine, repairs_off_shift())
    assert r.good == 4
    assert state(r, "hand") == {
        "busy": 14.0, "setup": 0.0, "blocked": 0.0, "starved": 0.0, "down": 6.0, "off_shift": 10.0
    }  # fmt: skip


def test_repairs_go_on_off_shift_and_down_comes_first_in_the_trace() -> None:
    r = des.simulate(repairs_off_shift(), 0, trace=True)
    assert events(r, "hand", "fail") == [9.0, 21.0]
    assert events(r, "hand", "repair") == [12.0, 24.0]
    assert events(r, "hand", "finish") == [3.0, 6.0, 25.0, 28.0]


#: Night shift 22:00-06:00 on Monday, 1 h parts.
NIGHT_SHIFT = {
    "simline": 1, "name": "n", "time_unit": "h", "run": {"length": "1w"},
    "stations": {"a": {"kind": "manual", "process_time": 1}},
    "workforce": {"operators": 1, "shifts": [["22:00", "06:00"]], "days": ["mon"]},
}  # fmt: skip


@on_every_engine
def test_work_ending_exactly_at_a_shift_end_is_finished_not_paused(engine: str) -> None:
    # Exactly 8 parts, none left paused.
    r = run(engine, scenario_plan(NIGHT_SHIFT))
    assert r.good == 8
    assert state(r, "a")["busy"] == 8.0
    assert r.wip_end == 1  # the part started at 06:00 waits for next Monday's night


def test_work_ending_exactly_at_a_shift_end_is_finished_not_paused_in_the_trace() -> None:
    r = des.simulate(scenario_plan(NIGHT_SHIFT), 0, trace=True)
    assert events(r, "a", "finish")[-1] == 30.0  # Tuesday 06:00, the shift's end
    # the next part starts at 30.0 and pauses there for the night, with all its time left
    assert events(r, "a", "pause") == [30.0]


@on_every_engine
def test_saturated_manned_first_station_releases_then_waits(engine: str) -> None:
    # Released at 0 and off shift until 8: the part is in the line (WIP) while it waits.
    workforce = WorkforcePlan(1, 24.0, ((0.0, 0), (8.0, 1), (16.0, 0)))
    plan = line([station("hand", 2.0, operators=1)], length=48.0, workforce=workforce)
    r = run(engine, plan)
    assert r.good == 8
    assert r.wip_end == 1
    assert state(r, "hand")["off_shift"] == 32.0


# -- who works when ------------------------------------------------------------------------


@on_every_engine
def test_lights_out_stations_ignore_shifts(engine: str) -> None:
    plan = line(
        [station("robot", 2.0), station("hand", 1.0, operators=1)],
        length=48.0,
        workforce=day_shift(8.0),
    )
    r = run(engine, plan)
    assert state(r, "robot")["busy"] + state(r, "robot")["blocked"] == 48.0
    assert state(r, "robot")["off_shift"] == 0.0
    assert state(r, "hand")["off_shift"] == 32.0


@on_every_engine
def test_without_workforce_manned_stations_never_wait(engine: str) -> None:
    plan = line([station("hand", 2.0, servers=2, operators=2)], length=60.0)
    r = run(engine, plan)
    assert state(r, "hand")["busy"] == 120.0
    assert r.operator_paid_time == 2 * 2 * 60.0


#: 2 operators 06-14 and 2 more 12-20 on 4 servers, 1 h parts.
OVERLAPPING_SHIFTS = {
    "simline": 1, "name": "o", "time_unit": "h", "run": {"length": "1w"},
    "stations": {"a": {"kind": "manual", "servers": 4, "process_time": 1}},
    "workforce": {"operators": 2, "shifts": [["06:00", "14:00"], ["12:00", "20:00"]],
                  "days": ["mon"]},
}  # fmt: skip


@on_every_engine
def test_overlapping_shifts_add_their_crews_up_to_the_last_minute(engine: str) -> None:
    # 2*8 + 2*8 = 32 parts.
    r = run(engine, scenario_plan(OVERLAPPING_SHIFTS))
    assert r.good == 32
    assert r.operator_paid_time == 32.0


# -- the operator pool ---------------------------------------------------------------------


@on_every_engine
def test_servers_wait_first_come_first_served_for_operators(engine: str) -> None:
    # Two manual servers share one operator: one works, the other waits (starved).
    plan = line([station("hand", 2.0, servers=2, operators=1)], length=24.0,
                workforce=WorkforcePlan(1, 24.0, ((0.0, 1),)))  # fmt: skip
    r = run(engine, plan)
    assert state(r, "hand")["busy"] == 24.0
    assert state(r, "hand")["starved"] == 24.0
    assert r.good == 12


def pool_decrease() -> Plan:
    """Two operators until 10, then one, for a and b (20 a part), one product each."""
    workforce = WorkforcePlan(2, 100.0, ((0.0, 2), (10.0, 1)))
    products = [ProductPlan("x", (0,), 0.5), ProductPlan("y", (1,), 0.5)]
    stations = [
        station("a", 20.0, operators=1, products=2),
        station("b", 20.0, operators=1, products=2),
    ]
    return line(stations, products, length=50.0, workforce=workforce)


@on_every_engine
def test_pool_decrease_takes_operators_from_the_most_recently_started(engine: str) -> None:
    # a and b start at 0, a took its operator first, so b (the most recently started) gives
    # its operator back at 10 with 10 left; it resumes when a finishes at 20 and is done
    # at 30.
    r = run(engine, pool_decrease())
    assert state(r, "a") == {
        "busy": 40.0, "setup": 0.0, "blocked": 0.0, "starved": 10.0, "down": 0.0, "off_shift": 0.0
    }  # fmt: skip
    # a: busy 0-20, waits 20-30 (b was queued first), busy 30-50; b: busy 0-10 and 20-30.
    assert state(r, "b")["busy"] == 20.0
    assert state(r, "b")["starved"] == 30.0
    assert r.products["y"].good == 1


def test_pool_decrease_takes_operators_from_the_most_recently_started_in_the_trace() -> None:
    r = des.simulate(pool_decrease(), 0, trace=True)
    assert events(r, "a", "pause") == []
    assert events(r, "b", "pause") == [10.0]
    assert events(r, "a", "finish")[0] == 20.0
    # a finishes at 20, b takes the operator (queued first) and needs 10 more.
    assert events(r, "b", "resume") == [20.0]
    assert events(r, "b", "finish")[0] == 30.0


# -- every feature of a manned server ------------------------------------------------------


@on_every_engine
def test_manned_station_with_operating_failures_and_setups(engine: str) -> None:
    # Every feature of a manned server at once, against the SimPy engine. Each product has
    # its own first station (no mix draw), so the product sequence at b is deterministic.
    fail = FailurePlan(const(5.0), const(2.0), operating=True)
    s = const(0.5)
    products = [ProductPlan("x", (0, 2), 0.5), ProductPlan("y", (1, 2), 0.5)]
    stations = [
        station("ax", 1.5, servers=2, operators=1, products=2),
        station("ay", 2.0, operators=2, products=2),
        station("b", 1.0, buffer=1, operators=1, failure=fail, products=2,
                setup=((None, s), (s, None))),
    ]  # fmt: skip
    workforce = WorkforcePlan(3, 24.0, ((0.0, 2), (7.0, 1), (15.0, 0), (20.0, 3)))
    plan = line(stations, products, length=24.0 * 7, warmup=5.0, workforce=workforce)
    r = run(engine, plan)
    assert state(r, "b")["setup"] > 0.0 and state(r, "b")["down"] > 0.0
