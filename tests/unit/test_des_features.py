"""The SimPy engine: failures, shifts, setups, batches and release modes, by hand-made timelines."""

from __future__ import annotations

import itertools
import math

import pytest

from simline.engine.des import simulate
from simline.plan import (
    BatchPlan,
    Dist,
    FailurePlan,
    Plan,
    ProductPlan,
    ReleasePlan,
    WorkforcePlan,
)
from tests.unit.test_des import check_accounting, const, events, expo, line, state, station


def interarrival(gap: float | Dist) -> ReleasePlan:
    return ReleasePlan("interarrival", interarrival=const(gap) if isinstance(gap, float) else gap)


# -- failures ------------------------------------------------------------------------------


def test_calendar_failure_interrupts_work_and_resumes() -> None:
    # Parts of 3; failures every 10 of calendar time after each repair of 5.
    fail = FailurePlan(const(10.0), const(5.0), operating=False)
    plan = line([station("m", 3.0, failure=fail)], length=40.0)
    r = simulate(plan, 0, trace=True)
    assert events(r, "m", "finish")[:7] == [3.0, 6.0, 9.0, 17.0, 20.0, 23.0, 31.0]
    assert events(r, "m", "fail") == [10.0, 25.0, 40.0]
    assert events(r, "m", "repair") == [15.0, 30.0]
    assert state(r, "m")["down"] == 10.0
    check_accounting(r, plan)


def test_operating_failure_counts_only_working_time() -> None:
    # Arrivals every 5, work 3: working time reaches 10 at t = 21, in the 4th part.
    fail = FailurePlan(const(10.0), const(5.0), operating=True)
    plan = line([station("m", 3.0, failure=fail)], release=interarrival(5.0), length=35.0)
    r = simulate(plan, 0, trace=True)
    assert events(r, "m", "fail") == [21.0]
    assert events(r, "m", "repair") == [26.0]
    assert events(r, "m", "finish") == [8.0, 13.0, 18.0, 28.0, 31.0, 34.0]
    assert state(r, "m")["down"] == 5.0
    check_accounting(r, plan)


def test_calendar_failure_of_a_starved_server_delays_its_next_start() -> None:
    # b fails at 6 while starved and is repaired at 9: the part that came at 7 starts then.
    fail = FailurePlan(const(6.0), const(3.0), operating=False)
    plan = line([station("a", 7.0), station("b", 1.0, failure=fail)], length=12.0)
    r = simulate(plan, 0, trace=True)
    assert events(r, "b", "arrive")[0] == 7.0
    assert events(r, "b", "start")[0] == 9.0
    assert state(r, "b") == {
        "busy": 1.0, "setup": 0.0, "blocked": 0.0, "starved": 8.0, "down": 3.0, "off_shift": 0.0
    }  # fmt: skip


def test_calendar_failure_of_a_blocked_server_holds_its_part() -> None:
    # a blocks at 2 behind b (buffer 0) and fails at 3 until 7; b frees at 6 but waits.
    fail = FailurePlan(const(3.0), const(4.0), operating=False)
    plan = line([station("a", 1.0, failure=fail), station("b", 5.0, buffer=0)], length=10.0)
    r = simulate(plan, 0, trace=True)
    assert events(r, "b", "start")[:2] == [1.0, 7.0]
    assert state(r, "b")["starved"] == 2.0
    assert state(r, "a")["down"] == 4.0
    check_accounting(r, plan)


def test_exponential_failures_availability() -> None:
    # A saturated station with failures: down fraction near mttr / (mtbf + mttr).
    for operating in (True, False):
        fail = FailurePlan(expo(20.0), expo(5.0), operating=operating)
        plan = line([station("m", expo(1.0), failure=fail)], length=40_000.0, seed=5)
        r = simulate(plan, 0)
        assert state(r, "m")["down"] / plan.length == pytest.approx(0.2, abs=0.03)
        check_accounting(r, plan)


# -- operators and shifts ------------------------------------------------------------------

DAY = 24.0


def day_shift(hours: float, operators: int = 1) -> WorkforcePlan:
    """``operators`` on duty during the first ``hours`` of every day (time unit: hours)."""
    return WorkforcePlan(operators, DAY, ((0.0, operators), (hours, 0)))


def test_shift_end_pauses_work_that_resumes_with_its_remaining_time() -> None:
    # A 3 h job with 2 h of shift left finishes 1 h into the next shift.
    plan = line([station("hand", 3.0, operators=1)], length=30.0, workforce=day_shift(8.0))
    r = simulate(plan, 0, trace=True)
    assert events(r, "hand", "finish") == [3.0, 6.0, 25.0, 28.0]
    assert events(r, "hand", "pause") == [8.0]
    assert events(r, "hand", "resume") == [24.0]
    # the trace says when the part waited for an operator and when work went on
    assert events(r, "hand", "wait_operator") == [8.0]
    assert events(r, "hand", "operator") == [24.0]
    assert state(r, "hand")["busy"] == 14.0
    assert state(r, "hand")["off_shift"] == 16.0
    assert r.operator_paid_time == 14.0
    check_accounting(r, plan)


def test_repairs_go_on_off_shift_and_down_comes_first() -> None:
    # Shift 0-8 each day, calendar failures 9 after each repair, repairs of 3: the failures
    # at 9 and 21 fall off shift; work paused at 8 resumes at 24, when both are back.
    fail = FailurePlan(const(9.0), const(3.0), operating=False)
    plan = line(
        [station("hand", 3.0, operators=1, failure=fail)], length=30.0, workforce=day_shift(8.0)
    )
    r = simulate(plan, 0, trace=True)
    assert events(r, "hand", "fail") == [9.0, 21.0]
    assert events(r, "hand", "repair") == [12.0, 24.0]
    assert events(r, "hand", "finish") == [3.0, 6.0, 25.0, 28.0]
    assert state(r, "hand") == {
        "busy": 14.0, "setup": 0.0, "blocked": 0.0, "starved": 0.0, "down": 6.0, "off_shift": 10.0
    }  # fmt: skip


def test_lights_out_stations_ignore_shifts() -> None:
    plan = line(
        [station("robot", 2.0), station("hand", 1.0, operators=1)],
        length=48.0,
        workforce=day_shift(8.0),
    )
    r = simulate(plan, 0)
    assert state(r, "robot")["busy"] + state(r, "robot")["blocked"] == 48.0
    assert state(r, "robot")["off_shift"] == 0.0
    assert state(r, "hand")["off_shift"] == 32.0
    check_accounting(r, plan)


def test_servers_wait_first_come_first_served_for_operators() -> None:
    # Two manual servers share one operator: one works, the other waits (starved).
    plan = line([station("hand", 2.0, servers=2, operators=1)], length=24.0,
                workforce=WorkforcePlan(1, 24.0, ((0.0, 1),)))  # fmt: skip
    r = simulate(plan, 0)
    assert state(r, "hand")["busy"] == 24.0
    assert state(r, "hand")["starved"] == 24.0
    assert r.good == 12


def test_pool_decrease_takes_operators_from_the_most_recently_started() -> None:
    # Two operators until 10, then one: a and b start at 0, a took its operator first, so b
    # (the most recently started) gives its operator back.
    workforce = WorkforcePlan(2, 100.0, ((0.0, 2), (10.0, 1)))
    products = [ProductPlan("x", (0,), 0.5), ProductPlan("y", (1,), 0.5)]
    stations = [
        station("a", 20.0, operators=1, products=2),
        station("b", 20.0, operators=1, products=2),
    ]
    plan = line(stations, products, length=50.0, workforce=workforce)
    r = simulate(plan, 0, trace=True)
    assert events(r, "a", "pause") == []
    assert events(r, "b", "pause") == [10.0]
    assert events(r, "a", "finish")[0] == 20.0
    # a finishes at 20, b takes the operator (queued first) and needs 10 more.
    assert events(r, "b", "resume") == [20.0]
    assert events(r, "b", "finish")[0] == 30.0
    check_accounting(r, plan)


def test_without_workforce_manned_stations_never_wait() -> None:
    plan = line([station("hand", 2.0, servers=2, operators=2)], length=60.0)
    r = simulate(plan, 0)
    assert state(r, "hand")["busy"] == 120.0
    assert r.operator_paid_time == 2 * 2 * 60.0


# -- setups --------------------------------------------------------------------------------


def test_setup_on_every_product_change() -> None:
    s = const(0.5)
    products = [ProductPlan("x", (0,), 0.5), ProductPlan("y", (0,), 0.5)]
    plan = line([station("m", 1.0, setup=((None, s), (s, None)), products=2)], products,
                length=2000.0)  # fmt: skip
    r = simulate(plan, 0, trace=True)
    assert r.trace is not None
    kinds = [row[2] for row in r.trace if row[4] == "start"]
    changes = sum(a != b for a, b in itertools.pairwise(kinds))
    assert changes > 500
    assert len(events(r, "m", "setup")) in (changes, changes + 1)
    st = state(r, "m")
    assert st["busy"] + st["setup"] == 2000.0
    assert st["setup"] == pytest.approx(0.5 * changes, abs=0.5)
    check_accounting(r, plan)


def test_setup_matrix_entries_only() -> None:
    # Changes x -> y cost 2; y -> x cost nothing.
    products = [ProductPlan("x", (0,), 0.5), ProductPlan("y", (0,), 0.5)]
    plan = line([station("m", 1.0, setup=((None, const(2.0)), (None, None)), products=2)],
                products, length=3000.0)  # fmt: skip
    r = simulate(plan, 0, trace=True)
    assert r.trace is not None
    kinds = [row[2] for row in r.trace if row[4] == "start"]
    xy = sum(a == "x" and b == "y" for a, b in itertools.pairwise(kinds))
    assert state(r, "m")["setup"] == pytest.approx(2.0 * xy, abs=2.0)


# -- batches -------------------------------------------------------------------------------


def test_batch_starts_after_max_wait_with_fewer_parts() -> None:
    # Parts arrive every 3 from t = 3; a build of up to 4 starts 5 after its oldest part.
    batch = BatchPlan(size=4, max_wait=5.0, per_part=const(1.0))
    plan = line([station("print", 20.0, batch=batch)], release=interarrival(3.0), length=80.0)
    r = simulate(plan, 0, trace=True)
    starts = events(r, "print", "start")
    assert starts[:2] == [8.0, 8.0]  # two parts (3, 6) at 8, done at 8 + 20 + 2 = 30
    assert starts[2:6] == [30.0] * 4  # then full: parts 9, 12, 15, 18, done at 54
    assert events(r, "print", "finish")[:6] == [30.0, 30.0, 54.0, 54.0, 54.0, 54.0]
    assert r.stations["print"].builds == 3 and r.stations["print"].build_parts == 10
    check_accounting(r, plan)


def test_full_batch_starts_at_once() -> None:
    batch = BatchPlan(size=3, max_wait=math.inf, per_part=const(0.0))
    plan = line([station("a", 1.0), station("print", 10.0, batch=batch, buffer=5)], length=100.0)
    r = simulate(plan, 0, trace=True)
    assert events(r, "print", "start")[:3] == [3.0, 3.0, 3.0]
    assert r.stations["print"].build_parts == 3 * r.stations["print"].builds


def test_batch_without_places_takes_the_blocked_parts() -> None:
    # No place in front of the printer: the first part goes straight onto it (a build of
    # one); meanwhile three parts block upstream and make the next build.
    batch = BatchPlan(size=3, max_wait=5.0, per_part=const(0.0))
    plan = line(
        [station("a", 1.0, servers=3), station("print", 10.0, batch=batch, buffer=0)],
        length=40.0,
    )
    r = simulate(plan, 0, trace=True)
    assert events(r, "print", "start")[:7] == [1.0, 11.0, 11.0, 11.0, 21.0, 21.0, 21.0]
    assert r.stations["print"].builds == 3 and r.stations["print"].build_parts == 7
    check_accounting(r, plan)


def test_saturated_first_batch_is_always_full_and_scrap_checks_parts() -> None:
    batch = BatchPlan(size=10, max_wait=60.0, per_part=expo(0.1))
    plan = line([station("print", 5.0, batch=batch, scrap=0.2), station("post", 0.2, buffer=0)],
                length=5000.0)  # fmt: skip
    r = simulate(plan, 0)
    out = r.stations["print"]
    assert out.build_parts == 10 * out.builds
    assert out.scrap / out.parts_out == pytest.approx(0.2, abs=0.03)
    assert state(r, "print")["blocked"] > 0.0
    check_accounting(r, plan)


# -- release modes -------------------------------------------------------------------------


def test_conwip_keeps_wip_exactly() -> None:
    stations = [station("a", expo(1.0), buffer=1), station("b", expo(1.2), buffer=1)]
    plan = line(stations, release=ReleasePlan("conwip", wip=5), warmup=50.0, length=3000.0)
    r = simulate(plan, 0)
    assert r.wip == pytest.approx(5.0, rel=1e-12)
    assert r.wip_end == 5
    assert r.released == r.good + r.scrap
    check_accounting(r, plan)


def test_interarrival_parts_wait_outside_out_of_wip() -> None:
    # One part every 1, work 10, one place: at most 2 parts in the line at any time.
    plan = line(
        [station("m", 10.0, buffer=1)], release=interarrival(1.0), warmup=30.0, length=100.0
    )
    r = simulate(plan, 0, trace=True)
    assert r.wip_end == 2
    assert r.wip <= 2.0
    assert r.products["part"].lead_mean == 20.0  # 10 in the buffer, 10 in work, none outside
    assert len(events(r, "m", "wait")) > 80
    check_accounting(r, plan)


def test_interarrival_poisson_utilisation() -> None:
    # M/M/1 at load 0.8: the busy fraction is near 0.8 and Little's law holds.
    plan = line([station("m", expo(0.8))], release=interarrival(expo(1.0)), length=50_000.0)
    r = simulate(plan, 0)
    assert state(r, "m")["busy"] / plan.length == pytest.approx(0.8, abs=0.02)
    assert r.wip == pytest.approx(r.sojourn_sum / plan.length, rel=0.02)
    check_accounting(r, plan)


def test_product_mix_is_drawn_by_shares() -> None:
    products = [ProductPlan("x", (0,), 0.75), ProductPlan("y", (0,), 0.25)]
    plan = line([station("m", 1.0, products=2)], products, length=8000.0)
    r = simulate(plan, 0)
    assert r.products["x"].good / r.good == pytest.approx(0.75, abs=0.02)


def _scenario_plan(data: dict[str, object]) -> Plan:
    from simline.config import parse_scenario
    from simline.plan import compile_plan

    return compile_plan(parse_scenario(data))


def test_work_ending_exactly_at_a_shift_end_is_finished_not_paused() -> None:
    # Night shift 22:00-06:00 on Monday, 1 h parts: exactly 8 parts, none left paused.
    plan = _scenario_plan(
        {"simline": 1, "name": "n", "time_unit": "h", "run": {"length": "1w"},
         "stations": {"a": {"kind": "manual", "process_time": 1}},
         "workforce": {"operators": 1, "shifts": [["22:00", "06:00"]], "days": ["mon"]}}
    )  # fmt: skip
    r = simulate(plan, 0, trace=True)
    assert r.good == 8
    assert events(r, "a", "finish")[-1] == 30.0  # Tuesday 06:00, the shift's end
    # the next part starts at 30.0 and pauses there for the night, with all its time left
    assert events(r, "a", "pause") == [30.0]
    check_accounting(r, plan)


def test_overlapping_shifts_add_their_crews_up_to_the_last_minute() -> None:
    # 2 operators 06-14 and 2 more 12-20 on 4 servers, 1 h parts: 2*8 + 2*8 = 32 parts.
    plan = _scenario_plan(
        {"simline": 1, "name": "o", "time_unit": "h", "run": {"length": "1w"},
         "stations": {"a": {"kind": "manual", "servers": 4, "process_time": 1}},
         "workforce": {"operators": 2, "shifts": [["06:00", "14:00"], ["12:00", "20:00"]],
                       "days": ["mon"]}}
    )  # fmt: skip
    r = simulate(plan, 0)
    assert r.good == 32
    assert r.operator_paid_time == 32.0


def test_work_ending_exactly_at_a_calendar_failure_is_finished() -> None:
    # Constant 2 h to failure on a calendar basis, 1 h parts: the part due at t=2 is done.
    failure = FailurePlan(const(2.0), const(1.0), operating=False)
    plan = line([station("m", 1.0, failure=failure)], length=3.0)
    r = simulate(plan, 0, trace=True)
    assert events(r, "m", "finish") == [1.0, 2.0]
    assert events(r, "m", "fail") == [2.0]
    assert events(r, "m", "pause") == [2.0]  # the part started at 2.0, not the one due then
