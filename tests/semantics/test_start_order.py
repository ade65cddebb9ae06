"""The processes start at time 0 in one order on every engine (``docs/model.md``).

The servers start in order, each followed by its calendar failures, then the operator pool,
then the arrivals; each schedules its first event as it starts. So at a later instant where
a calendar failure, a ``max_wait`` and an operator request meet, every engine takes them in
the same order. The case is the one the differential test (``test_differential.py``) found
and shrank: the event kernel scheduled the first failure before the servers' first steps.
"""

from __future__ import annotations

from typing import Any

from simline.engine import des, fast
from tests.semantics.compare import differences
from tests.semantics.deterministic import constant, plan_of

#: An oven (builds of 3, max_wait 5, 2 operators, a calendar failure every 5 of 1) feeds a
#: packer (1 operator); 2 operators on duty for the first hour; CONWIP 4.
OVEN: dict[str, Any] = {
    "simline": 1,
    "name": "oven",
    "time_unit": "min",
    "run": {"warmup": 0, "length": 120, "replications": 1, "seed": 1},
    "release": {"conwip": 4},
    "stations": {
        "oven": {
            "kind": "additive",
            "batch": {"size": 3, "max_wait": 5.0},
            "process_time": constant(3.0),
            "failures": {"mtbf": constant(5.0), "mttr": constant(1.0), "basis": "calendar"},
            "operators": 2,
        },
        "pack": {
            "kind": "additive",
            "batch": {"size": 1},
            "process_time": constant(3.0),
            "operators": 1,
        },
    },
    "workforce": {"operators": 2, "shifts": [["00:00", "01:00"]], "days": ["mon"]},
}


def test_a_build_due_at_a_failure_is_handed_over_and_queues_for_operators_first() -> None:
    # Parts 0-2 are built 0-3; part 3 waits from 0, its max_wait ends at 5, the instant of
    # the oven's first failure. The build is handed over first, its server asks for its
    # 2 operators (the packer holds one) and only then fails; it keeps its place in the
    # pool's queue, gets them at 6, after the repair, and builds 6-9.
    r = des.simulate(plan_of(OVEN), 0, trace=True)
    assert r.trace is not None
    at_5 = [(part, event) for t, part, _, name, event in r.trace if t == 5.0 and name == "oven"]
    assert at_5 == [(3, "start"), (3, "wait_operator"), (-1, "fail")]
    at_6 = [(part, event) for t, part, _, name, event in r.trace if t == 6.0 and name == "oven"]
    assert at_6[-2:] == [(-1, "repair"), (3, "operator")]
    assert (r.stations["oven"].builds, r.stations["oven"].state_time[0]) == (10, 30.0)


def test_every_engine_takes_that_instant_in_the_same_order() -> None:
    plan = plan_of(OVEN)
    reference = des.simulate(plan, 0)
    assert differences(reference, fast.simulate(plan, 0, kernel="events")) == []
