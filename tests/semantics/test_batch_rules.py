"""Timelines of the tie rules at batch stations (``docs/model.md``, "Simultaneous events").

Each plan is deterministic and small enough to follow by hand; it runs on the SimPy engine
and on the event kernel (the recursion runs no batch station), and both must give the
hand-computed figures. They are the smallest scenarios the differential test
(``test_differential.py``) found the engines disagreeing on, before the kernel followed
these rules (issue #11).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from simline.engine import des, fast
from simline.engine.results import RunResult
from simline.plan import BatchPlan, FailurePlan, Plan, ReleasePlan
from tests.semantics.compare import differences
from tests.unit.test_des import const, line, state, station

ENGINES: dict[str, Callable[[Plan], RunResult]] = {
    "des": lambda plan: des.simulate(plan, 0),
    "events": lambda plan: fast.simulate(plan, 0, kernel="events"),
}


def on_every_engine(plan: Plan) -> list[RunResult]:
    """Run ``plan`` on each engine; check that they agree on every figure."""
    runs = [run(plan) for run in ENGINES.values()]
    for other in runs[1:]:
        assert differences(runs[0], other) == []
    return runs


@pytest.mark.parametrize("engine", list(ENGINES))
def test_a_part_goes_to_the_server_already_waiting(engine: str) -> None:
    # Two servers, builds of 1, one part in the line (CONWIP 1), 2.5 a part. When a part
    # leaves, its successor is released at that instant and goes to the server that was
    # waiting, not to the one that has just finished: the servers take turns. Each works
    # 8 parts (20 of operating time) between failures, and fails (1 of repair) as it starts
    # its 9th, 17th, ... part. The line holds one part at a time, so 240 = 92 parts x 2.5
    # + 10 repairs: 46 parts per server, 5 failures each (before parts 9, 17, 25, 33, 41).
    plan = line(
        [
            station(
                "oven",
                2.5,
                servers=2,
                batch=BatchPlan(1, math.inf, const(0.0)),
                failure=FailurePlan(const(20.0), const(1.0), operating=True),
            )
        ],
        release=ReleasePlan("conwip", wip=1),
        length=240.0,
    )
    r = ENGINES[engine](plan)
    assert state(r, "oven") == {
        "busy": 230.0,
        "setup": 0.0,
        "blocked": 0.0,
        "starved": 240.0,
        "down": 10.0,
        "off_shift": 0.0,
    }
    assert r.good == 92
    assert (r.stations["oven"].builds, r.stations["oven"].build_parts) == (92, 92)
    on_every_engine(plan)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_max_wait_ends_before_the_arrival_of_that_instant(engine: str) -> None:
    # Builds of up to 3, max_wait 2, a part every 2 (at 2, 4, ..., 20), 1 a build. The part
    # of 2 waits until 4, when its max_wait ends; the part arriving at 4 comes after that,
    # so the build holds one part: 4-5. Then each part is built alone, 2 after it came:
    # 8 builds (parts of 2 to 16) end by 19; the part of 18 starts at 20, the end.
    plan = line(
        [station("oven", 1.0, buffer=3, batch=BatchPlan(3, 2.0, const(0.0)))],
        release=ReleasePlan("interarrival", interarrival=const(2.0)),
        length=20.0,
    )
    r = ENGINES[engine](plan)
    assert state(r, "oven")["busy"] == 8.0
    assert state(r, "oven")["starved"] == 12.0
    assert (r.stations["oven"].builds, r.stations["oven"].build_parts) == (8, 8)
    assert (r.released, r.good) == (10, 8)
    assert r.lead_time == 3.0
    assert r.wip_integral == 8 * 3.0 + 2.0  # the part of 18 waits 2, the one of 20 none
    on_every_engine(plan)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_a_max_wait_timer_belongs_to_its_part_not_to_its_number(engine: str) -> None:
    # A part every 2, 0.5 at the cutter, then builds of 2 (max_wait 10, never reached: the
    # second part comes 2 after the first), 2 a build. Parts reach the oven at 2.5, 4.5, ...;
    # each pair is built from the arrival of its second part: 4.5-6.5, 8.5-10.5, ..., 29
    # builds by 118.5, lead times 4.5 and 2.5. The event kernel reuses the numbers of parts
    # that left; the max_wait timer of a part built long ago once started a newcomer with
    # the same number alone.
    plan = line(
        [
            station("cut", 0.5),
            station("oven", 2.0, batch=BatchPlan(2, 10.0, const(0.0))),
        ],
        release=ReleasePlan("interarrival", interarrival=const(2.0)),
        length=120.0,
    )
    r = ENGINES[engine](plan)
    assert (r.stations["oven"].builds, r.stations["oven"].build_parts) == (29, 58)
    assert state(r, "oven")["busy"] == 58.0
    assert r.good == 58
    assert r.lead_time == 3.5
    on_every_engine(plan)
