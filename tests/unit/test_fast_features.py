"""The fast backend against the hand-made timelines of ``test_des_features.py``.

The plans are deterministic (constant times), so both engines give the same numbers: each
test checks the hand-computed figures and that every figure of the fast run equals the
SimPy engine's (state times, parts out, scrap, builds, good parts, lead times, WIP).
"""

from __future__ import annotations

import math

import pytest

from simline.engine import des, fast
from simline.engine.results import RunResult
from simline.plan import (
    BatchPlan,
    FailurePlan,
    Plan,
    ProductPlan,
    ReleasePlan,
    WorkforcePlan,
)
from tests.unit.test_des import check_accounting, const, expo, line, state, station

DAY = 24.0


def day_shift(hours: float, operators: int = 1) -> WorkforcePlan:
    """``operators`` on duty during the first ``hours`` of every day (time unit: hours)."""
    return WorkforcePlan(operators, DAY, ((0.0, operators), (hours, 0)))


def interarrival(gap: float) -> ReleasePlan:
    return ReleasePlan("interarrival", interarrival=const(gap))


def same(plan: Plan) -> RunResult:
    """Run ``plan`` on both engines; assert every figure agrees; return the fast run.

    The fast run is the event kernel's; where the plan is a serial line the recursion runs
    too, and must agree as well.
    """
    a = des.simulate(plan, 0)
    b = _same_as(a, plan, fast.simulate(plan, 0, kernel="events"))
    if fast.tandem_steps(plan) is not None:
        _same_as(a, plan, fast.simulate(plan, 0, kernel="tandem"))
    return b


def _same_as(a: RunResult, plan: Plan, b: RunResult) -> RunResult:
    assert b.backend == "fast"
    for name, st in a.stations.items():
        other = b.stations[name]
        assert other.state_time == pytest.approx(st.state_time, rel=1e-12, abs=1e-9), name
        assert (other.parts_out, other.scrap) == (st.parts_out, st.scrap), name
        assert (other.builds, other.build_parts) == (st.builds, st.build_parts), name
    for name, p in a.products.items():
        q = b.products[name]
        assert (q.released, q.good, q.scrap, q.lead_n) == (p.released, p.good, p.scrap, p.lead_n)
        assert q.lead_mean == pytest.approx(p.lead_mean, rel=1e-12, abs=1e-12)
    assert b.wip_integral == pytest.approx(a.wip_integral, rel=1e-12, abs=1e-9)
    assert (b.released_total, b.good_total, b.scrap_total, b.wip_end) == (
        a.released_total, a.good_total, a.scrap_total, a.wip_end
    )  # fmt: skip
    assert b.operator_paid_time == pytest.approx(a.operator_paid_time)
    check_accounting(b, plan)
    return b


# -- operators and shifts ------------------------------------------------------------------


def test_shift_end_pauses_work_that_resumes_with_its_remaining_time() -> None:
    # A 3 h job with 2 h of shift left finishes 1 h into the next shift (finishes 3, 6, 25, 28).
    plan = line([station("hand", 3.0, operators=1)], length=30.0, workforce=day_shift(8.0))
    r = same(plan)
    assert r.good == 4
    assert state(r, "hand")["busy"] == 14.0
    assert state(r, "hand")["off_shift"] == 16.0
    assert r.operator_paid_time == 14.0


def test_repairs_go_on_off_shift_and_down_comes_first() -> None:
    fail = FailurePlan(const(9.0), const(3.0), operating=False)
    plan = line(
        [station("hand", 3.0, operators=1, failure=fail)], length=30.0, workforce=day_shift(8.0)
    )
    r = same(plan)
    assert r.good == 4
    assert state(r, "hand") == {
        "busy": 14.0, "setup": 0.0, "blocked": 0.0, "starved": 0.0, "down": 6.0, "off_shift": 10.0
    }  # fmt: skip


def test_lights_out_stations_ignore_shifts() -> None:
    plan = line(
        [station("robot", 2.0), station("hand", 1.0, operators=1)],
        length=48.0,
        workforce=day_shift(8.0),
    )
    r = same(plan)
    assert state(r, "robot")["busy"] + state(r, "robot")["blocked"] == 48.0
    assert state(r, "robot")["off_shift"] == 0.0
    assert state(r, "hand")["off_shift"] == 32.0


def test_servers_wait_first_come_first_served_for_operators() -> None:
    plan = line([station("hand", 2.0, servers=2, operators=1)], length=24.0,
                workforce=WorkforcePlan(1, 24.0, ((0.0, 1),)))  # fmt: skip
    r = same(plan)
    assert state(r, "hand")["busy"] == 24.0
    assert state(r, "hand")["starved"] == 24.0
    assert r.good == 12


def test_pool_decrease_takes_operators_from_the_most_recently_started() -> None:
    # b pauses at 10 with 10 left, resumes when a finishes at 20, finishes at 30.
    workforce = WorkforcePlan(2, 100.0, ((0.0, 2), (10.0, 1)))
    products = [ProductPlan("x", (0,), 0.5), ProductPlan("y", (1,), 0.5)]
    stations = [
        station("a", 20.0, operators=1, products=2),
        station("b", 20.0, operators=1, products=2),
    ]
    plan = line(stations, products, length=50.0, workforce=workforce)
    r = same(plan)
    assert state(r, "a") == {
        "busy": 40.0, "setup": 0.0, "blocked": 0.0, "starved": 10.0, "down": 0.0, "off_shift": 0.0
    }  # fmt: skip
    # a: busy 0-20, waits 20-30 (b was queued first), busy 30-50; b: busy 0-10 and 20-30.
    assert state(r, "b")["busy"] == 20.0
    assert state(r, "b")["starved"] == 30.0
    assert r.products["y"].good == 1


def test_without_workforce_manned_stations_never_wait() -> None:
    plan = line([station("hand", 2.0, servers=2, operators=2)], length=60.0)
    r = same(plan)
    assert state(r, "hand")["busy"] == 120.0
    assert r.operator_paid_time == 2 * 2 * 60.0


def _scenario_plan(data: dict[str, object]) -> Plan:
    from simline.config import parse_scenario
    from simline.plan import compile_plan

    return compile_plan(parse_scenario(data))


def test_work_ending_exactly_at_a_shift_end_is_finished_not_paused() -> None:
    plan = _scenario_plan(
        {"simline": 1, "name": "n", "time_unit": "h", "run": {"length": "1w"},
         "stations": {"a": {"kind": "manual", "process_time": 1}},
         "workforce": {"operators": 1, "shifts": [["22:00", "06:00"]], "days": ["mon"]}}
    )  # fmt: skip
    r = same(plan)
    assert r.good == 8
    assert state(r, "a")["busy"] == 8.0
    assert r.wip_end == 1  # the part started at 06:00 waits for next Monday's night


def test_overlapping_shifts_add_their_crews_up_to_the_last_minute() -> None:
    plan = _scenario_plan(
        {"simline": 1, "name": "o", "time_unit": "h", "run": {"length": "1w"},
         "stations": {"a": {"kind": "manual", "servers": 4, "process_time": 1}},
         "workforce": {"operators": 2, "shifts": [["06:00", "14:00"], ["12:00", "20:00"]],
                       "days": ["mon"]}}
    )  # fmt: skip
    r = same(plan)
    assert r.good == 32
    assert r.operator_paid_time == 32.0


def test_work_ending_exactly_at_a_calendar_failure_is_finished() -> None:
    # The part due at t=2 is done; the one started at 2 is paused by the failure.
    failure = FailurePlan(const(2.0), const(1.0), operating=False)
    plan = line([station("m", 1.0, failure=failure)], length=3.0)
    r = same(plan)
    assert r.good == 2
    assert state(r, "m")["down"] == 1.0


def test_manned_station_with_operating_failures_and_setups() -> None:
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
    r = same(plan)
    assert state(r, "b")["setup"] > 0.0 and state(r, "b")["down"] > 0.0


def test_saturated_manned_first_station_releases_then_waits() -> None:
    # Released at 0 and off shift until 8: the part is in the line (WIP) while it waits.
    workforce = WorkforcePlan(1, 24.0, ((0.0, 0), (8.0, 1), (16.0, 0)))
    plan = line([station("hand", 2.0, operators=1)], length=48.0, workforce=workforce)
    r = same(plan)
    assert r.good == 8
    assert r.wip_end == 1
    assert state(r, "hand")["off_shift"] == 32.0


# -- batches -------------------------------------------------------------------------------


def test_batch_starts_after_max_wait_with_fewer_parts() -> None:
    # Builds of 2 at 8 (done 30), of 4 at 30 (done 54), then of 4 at 54 (done 78).
    batch = BatchPlan(size=4, max_wait=5.0, per_part=const(1.0))
    plan = line([station("print", 20.0, batch=batch)], release=interarrival(3.0), length=80.0)
    r = same(plan)
    assert r.stations["print"].builds == 3 and r.stations["print"].build_parts == 10
    assert r.good == 10


def test_full_batch_starts_at_once() -> None:
    batch = BatchPlan(size=3, max_wait=math.inf, per_part=const(0.0))
    plan = line([station("a", 1.0), station("print", 10.0, batch=batch, buffer=5)], length=100.0)
    r = same(plan)
    assert r.stations["print"].build_parts == 3 * r.stations["print"].builds
    assert r.stations["print"].builds == 9  # starts 3, 13, ..., 83: done 13, ..., 93


def test_saturated_first_batch_is_always_full_and_blocks_on_its_parts() -> None:
    # 4 parts every 10 + 4 * 0.5 = 12; post takes 5 each behind no place: a blocks.
    batch = BatchPlan(size=4, max_wait=60.0, per_part=const(0.5))
    plan = line([station("print", 10.0, batch=batch), station("post", 5.0, buffer=0)],
                length=200.0)  # fmt: skip
    r = same(plan)
    out = r.stations["print"]
    assert out.build_parts == 4 * out.builds
    assert state(r, "print")["blocked"] > 0.0


def test_batch_with_failures_setups_and_shifts_matches_the_simpy_engine() -> None:
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
    r = same(plan)
    out = r.stations["print"]
    assert out.builds > 0 and state(r, "print")["setup"] > 0.0


def test_random_batches_and_shifts_keep_the_books() -> None:
    batch = BatchPlan(size=5, max_wait=3.0, per_part=expo(0.2))
    stations = [
        station("a", expo(0.5), operators=1),
        station("print", expo(4.0), batch=batch, buffer=10, scrap=0.1),
    ]
    workforce = WorkforcePlan(1, 24.0, ((0.0, 1), (16.0, 0)))
    plan = line(stations, length=24.0 * 20, warmup=24.0, workforce=workforce, seed=4)
    r = fast.simulate(plan, 0)
    check_accounting(r, plan)
    out = r.stations["print"]
    assert 0 < out.builds <= out.build_parts <= 5 * out.builds
    assert state(r, "a")["off_shift"] == pytest.approx(8.0 * 20)
