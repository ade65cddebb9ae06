"""The departure-time recursion against the event kernel: the same numbers on serial lines.

Both kernels draw from the same streams in the same order, so on every line the recursion
accepts they must give the same result: counts exactly, sums up to rounding. Lines are
generated (every release mode, finite, zero and unlimited buffers, scrap, failures in
operating time, warm-up, stations off the routing, a routing out of layout order) and
hand-made with constant times, where simultaneous events are the rule. The hand-computed
timelines of serial lines are in ``tests/semantics/test_timelines_servers.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simline.config import parse_scenario
from simline.engine import des, fast
from simline.engine.results import RunResult
from simline.plan import BatchPlan, FailurePlan, Plan, ProductPlan, ReleasePlan, WorkforcePlan
from tests.strategies import distributions
from tests.unit.test_des import check_accounting, const, line, station


def same_numbers(a: RunResult, b: RunResult) -> None:
    """Assert two runs of one plan agree: counts exactly, times to rounding."""
    length = a.measured_time
    for name, st_a in a.stations.items():
        st_b = b.stations[name]
        assert st_b.state_time == pytest.approx(st_a.state_time, rel=1e-9, abs=1e-9 * length)
        assert (st_b.parts_out, st_b.scrap) == (st_a.parts_out, st_a.scrap), name
    for name, p in a.products.items():
        q = b.products[name]
        assert (q.released, q.good, q.scrap, q.lead_n) == (p.released, p.good, p.scrap, p.lead_n)
        assert q.lead_mean == pytest.approx(p.lead_mean, rel=1e-9, abs=1e-9 * length)
        assert q.lead_m2 == pytest.approx(p.lead_m2, rel=1e-6, abs=1e-6 * length)
    assert b.wip_integral == pytest.approx(a.wip_integral, rel=1e-9, abs=1e-9 * length)
    assert b.sojourn_sum == pytest.approx(a.sojourn_sum, rel=1e-9, abs=1e-9 * length)
    assert (b.released_total, b.good_total, b.scrap_total, b.wip_end) == (
        a.released_total, a.good_total, a.scrap_total, a.wip_end
    )  # fmt: skip


def both(plan: Plan, replication: int = 0) -> RunResult:
    """Run ``plan`` on both fast kernels, assert they agree; return the recursion's run."""
    assert fast.tandem_steps(plan) is not None
    events = fast.simulate(plan, replication, kernel="events")
    tandem = fast.simulate(plan, replication, kernel="tandem")
    same_numbers(events, tandem)
    check_accounting(tandem, plan)
    return tandem


@st.composite
def serial_lines(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario mapping the recursion accepts, with 1 to 5 stations on the routing."""
    n = draw(st.integers(1, 6))
    names = [f"s{i}" for i in range(n)]
    routing = draw(st.permutations(names))[: draw(st.integers(1, n))]
    stations: dict[str, Any] = {}
    for name in names:
        spec: dict[str, Any] = {"kind": "machine", "process_time": draw(distributions())}
        buffer = draw(st.one_of(st.none(), st.integers(0, 4)))
        if buffer is not None:
            spec["buffer"] = buffer
        if draw(st.booleans()):
            spec["failures"] = {
                "mtbf": draw(st.sampled_from([5.0, 30.0, 120.0])),
                "mttr": draw(distributions(1.0, 10.0)),
            }
        if draw(st.booleans()):
            spec["scrap"] = draw(st.sampled_from([0.05, 0.3]))
        if name not in routing:
            spec["servers"] = draw(st.integers(1, 3))
        stations[name] = spec
    release = draw(
        st.one_of(
            st.just("saturated"),
            st.builds(lambda d: {"interarrival": d}, distributions(0.8, 4.0)),
            st.builds(lambda k: {"conwip": k}, st.integers(1, 8)),
        )
    )
    return {
        "simline": 1,
        "name": "serial",
        "time_unit": "min",
        "run": {
            "warmup": draw(st.sampled_from([0, 17.5, 120])),
            "length": draw(st.sampled_from([60, 480, 1440])),
            "replications": 1,
            "seed": draw(st.integers(0, 2**32 - 1)),
        },
        "products": {"part": {"routing": routing}},
        "release": release,
        "stations": stations,
    }


@settings(max_examples=150, deadline=None)
@given(serial_lines(), st.integers(0, 3))
def test_recursion_gives_the_event_kernels_numbers(data: dict[str, Any], rep: int) -> None:
    from simline.plan import compile_plan

    both(compile_plan(parse_scenario(data)), rep)


def fails_every(ttf: float, ttr: float) -> FailurePlan:
    return FailurePlan(const(ttf), const(ttr), operating=True)


@pytest.mark.parametrize(
    "stations",
    [
        # constant times: a part is done exactly when a place frees downstream
        [station("a", 1.0, buffer=0), station("b", 1.0, buffer=0), station("c", 1.0, buffer=0)],
        [station("a", 1.0), station("b", 2.0, buffer=0), station("c", 1.0, buffer=1)],
        [station("a", 2.0), station("b", 1.0, buffer=2), station("c", 3.0, buffer=1)],
        # time to failure ends exactly with the work: the failure comes at the next start
        [station("a", 1.0, failure=fails_every(3.0, 2.0)), station("b", 1.5, buffer=1)],
        [station("a", 1.0), station("b", 1.0, buffer=0, failure=fails_every(2.5, 0.5))],
    ],
)
@pytest.mark.parametrize(
    "release",
    [
        ReleasePlan("saturated"),
        ReleasePlan("interarrival", interarrival=const(1.0)),
        ReleasePlan("interarrival", interarrival=const(2.5)),
        ReleasePlan("conwip", wip=3),
    ],
)
@pytest.mark.parametrize("warmup", [0.0, 7.0])
def test_simultaneous_events_on_constant_lines(
    stations: list[Any], release: ReleasePlan, warmup: float
) -> None:
    plan = line(stations, release=release, warmup=warmup, length=60.0)
    tandem = both(plan)
    same_numbers(des.simulate(plan, 0), tandem)  # constant times: the SimPy engine's too


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"servers": 2}, "two servers"),
        ({"failure": FailurePlan(const(5.0), const(1.0), operating=False)}, "calendar failures"),
        ({"batch": BatchPlan(2, float("inf"), const(0.0))}, "builds"),
        ({"operators": 1}, "operators"),
    ],
)
def test_the_event_kernel_runs_what_the_recursion_cannot(change: dict[str, Any], why: str) -> None:
    plan = line(
        [station("a", 1.0, **change), station("b", 1.0, buffer=2)],
        workforce=WorkforcePlan(1, 24.0 * 60, ((0.0, 1),)) if "operators" in change else None,
    )
    assert fast.tandem_steps(plan) is None, why
    assert fast.simulate(plan, 0) == fast.simulate(plan, 0, kernel="events")
    with pytest.raises(ValueError, match="not a serial line"):
        fast.simulate(plan, 0, kernel="tandem")


def test_a_routing_that_comes_back_goes_to_the_event_kernel() -> None:
    """The plan API allows revisits (files do not): one station, two steps, shared state."""
    stations = [station("a", 1.0, buffer=1), station("b", 1.5, buffer=1)]
    plan = line(stations, [ProductPlan("part", (0, 1, 0), 1.0)])
    assert fast.tandem_steps(plan) is None
    assert fast.simulate(plan, 0) == fast.simulate(plan, 0, kernel="events")


def test_bad_kernel_name_and_negative_seed_are_errors() -> None:
    plan = line([station("a", 1.0)])
    with pytest.raises(ValueError, match="'kernel' must be"):
        fast.simulate(plan, 0, kernel="event")
    with pytest.raises(ValueError, match="non-negative"):
        fast.simulate(plan, -1)


def test_two_products_go_to_the_event_kernel() -> None:
    products = [ProductPlan("x", (0, 1), 0.5), ProductPlan("y", (0, 1), 0.5)]
    plan = line([station("a", 1.0, products=2), station("b", 1.0, products=2)], products)
    assert fast.tandem_steps(plan) is None
