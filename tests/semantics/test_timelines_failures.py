"""Timelines of failures: calendar and operating time, of working, starved and blocked servers.

Each timeline is written once, worked out by hand, and runs on every engine that supports its
plan (:mod:`tests.semantics.engines`); event times read from the trace are checked on the
SimPy engine, the only one that keeps a trace.
"""

from __future__ import annotations

from simline.engine import des
from simline.plan import FailurePlan, Plan, ReleasePlan
from tests.semantics.engines import on_every_engine, run
from tests.unit.test_des import const, events, line, state, station


def calendar_failures() -> Plan:
    """Parts of 3; failures every 10 of calendar time after each repair of 5."""
    fail = FailurePlan(const(10.0), const(5.0), operating=False)
    return line([station("m", 3.0, failure=fail)], length=40.0)


@on_every_engine
def test_calendar_failure_interrupts_work_and_resumes(engine: str) -> None:
    # Down 10-15 and 25-30; the part started at 9 resumes at 15 with 2 left (done at 17),
    # the one started at 23 at 30 (done at 31): finishes 3, 6, 9, 17, 20, 23, 31, 34, 37
    # and 40, the instant of the next failure and the end (work due then is finished).
    r = run(engine, calendar_failures())
    assert state(r, "m")["down"] == 10.0
    assert r.good == 10


def test_calendar_failure_interrupts_work_and_resumes_in_the_trace() -> None:
    r = des.simulate(calendar_failures(), 0, trace=True)
    assert events(r, "m", "finish")[:7] == [3.0, 6.0, 9.0, 17.0, 20.0, 23.0, 31.0]
    assert events(r, "m", "fail") == [10.0, 25.0, 40.0]
    assert events(r, "m", "repair") == [15.0, 30.0]


def operating_failures() -> Plan:
    """Arrivals every 5, work 3, a failure after every 10 of working time, repairs of 5."""
    fail = FailurePlan(const(10.0), const(5.0), operating=True)
    return line(
        [station("m", 3.0, failure=fail)],
        release=ReleasePlan("interarrival", interarrival=const(5.0)),
        length=35.0,
    )


@on_every_engine
def test_operating_failure_counts_only_working_time(engine: str) -> None:
    # Working time reaches 10 at t = 21, in the 4th part (started at 20): down 21-26, that
    # part done at 28; then the parts of 25 and 30 at 31 and 34.
    r = run(engine, operating_failures())
    assert state(r, "m")["down"] == 5.0
    assert r.good == 6


def test_operating_failure_counts_only_working_time_in_the_trace() -> None:
    r = des.simulate(operating_failures(), 0, trace=True)
    assert events(r, "m", "fail") == [21.0]
    assert events(r, "m", "repair") == [26.0]
    assert events(r, "m", "finish") == [8.0, 13.0, 18.0, 28.0, 31.0, 34.0]


def starved_failure() -> Plan:
    """b (1 a part) fails at 6 while starved, repaired at 9, behind a (7 a part)."""
    fail = FailurePlan(const(6.0), const(3.0), operating=False)
    return line([station("a", 7.0), station("b", 1.0, failure=fail)], length=12.0)


@on_every_engine
def test_calendar_failure_of_a_starved_server_delays_its_next_start(engine: str) -> None:
    # The part that came at 7 starts at 9, after the repair.
    r = run(engine, starved_failure())
    assert state(r, "b") == {
        "busy": 1.0, "setup": 0.0, "blocked": 0.0, "starved": 8.0, "down": 3.0, "off_shift": 0.0
    }  # fmt: skip


def test_calendar_failure_of_a_starved_server_delays_its_next_start_in_the_trace() -> None:
    r = des.simulate(starved_failure(), 0, trace=True)
    assert events(r, "b", "arrive")[0] == 7.0
    assert events(r, "b", "start")[0] == 9.0


def blocked_failure() -> Plan:
    """a (1 a part) fails at 3 until 7, blocked behind b (5 a part, no place)."""
    fail = FailurePlan(const(3.0), const(4.0), operating=False)
    return line([station("a", 1.0, failure=fail), station("b", 5.0, buffer=0)], length=10.0)


@on_every_engine
def test_calendar_failure_of_a_blocked_server_holds_its_part(engine: str) -> None:
    # a blocks at 2 behind b and fails at 3 until 7; b frees at 6 but waits for the part.
    r = run(engine, blocked_failure())
    assert state(r, "b")["starved"] == 2.0
    assert state(r, "a")["down"] == 4.0


def test_calendar_failure_of_a_blocked_server_holds_its_part_in_the_trace() -> None:
    r = des.simulate(blocked_failure(), 0, trace=True)
    assert events(r, "b", "start")[:2] == [1.0, 7.0]


def failure_at_a_finish() -> Plan:
    """Constant 2 to failure on a calendar basis, 1 a part, repairs of 1."""
    failure = FailurePlan(const(2.0), const(1.0), operating=False)
    return line([station("m", 1.0, failure=failure)], length=3.0)


@on_every_engine
def test_work_ending_exactly_at_a_calendar_failure_is_finished(engine: str) -> None:
    # The part due at t=2 is done; the one started at 2 is paused by the failure.
    r = run(engine, failure_at_a_finish())
    assert r.good == 2
    assert state(r, "m")["down"] == 1.0


def test_work_ending_exactly_at_a_calendar_failure_is_finished_in_the_trace() -> None:
    r = des.simulate(failure_at_a_finish(), 0, trace=True)
    assert events(r, "m", "finish") == [1.0, 2.0]
    assert events(r, "m", "fail") == [2.0]
    assert events(r, "m", "pause") == [2.0]  # the part started at 2.0, not the one due then
