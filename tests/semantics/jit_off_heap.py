"""Run by ``test_heap_reserve.py`` with ``NUMBA_DISABLE_JIT=1`` (not collected by itself).

With the JIT off the event kernel runs as Python: its helpers are looked up in the module at
each call, so the pushes of each event can be counted (by the event counter ``ci[C_EVENTS]``,
which each event raises before it is handled), and numpy checks every index (a push past the
heap raises ``IndexError``). No event may push more than the room the heap keeps above its
overflow limit (``_heap_reserve``), and neither may the start of the run.
"""

from __future__ import annotations

import collections
import dataclasses
import os
from typing import Any

from hypothesis import HealthCheck, given, settings

from simline.engine import fast
from simline.kernels import line
from tests.semantics.stochastic import plan_of, stochastic_scenarios

assert os.environ.get("NUMBA_DISABLE_JIT") == "1", "run with NUMBA_DISABLE_JIT=1"

#: Generated plans, each run as Python for up to 2,000 time units.
EXAMPLES = int(os.environ.get("SIMLINE_HEAP_EXAMPLES", "60"))
#: The most pushes one event made, per example (the test must see events that push several).
MOST: list[int] = []


def pushes_per_event(plan: Any) -> tuple[collections.Counter[int], int]:
    """Run ``plan`` on the event kernel; count the pushes of each event (0: the start)."""
    counts: collections.Counter[int] = collections.Counter()
    real = line._push

    def counting(ht: Any, he: Any, ci: Any, *rest: Any) -> None:
        counts[int(ci[line.C_EVENTS])] += 1
        real(ht, he, ci, *rest)

    line._push = counting
    try:
        fast.simulate(plan, 0, kernel="events")
    finally:
        line._push = real
    servers = sum(s.servers for s in plan.stations)
    build = max((s.batch.size for s in plan.stations if s.batch is not None), default=1)
    return counts, line._heap_reserve(servers, build)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(stochastic_scenarios(max_stations=4))
def test_no_event_pushes_more_than_the_heap_reserves(data: dict[str, Any]) -> None:
    plan = plan_of(data)
    if fast.supports(plan) is not None:
        return
    plan = dataclasses.replace(plan, warmup=0.0, length=min(plan.length, 2000.0))
    try:
        counts, reserve = pushes_per_event(plan)
    except fast.SimulationError:  # a deadlock: the pushes until then were counted
        return
    start = counts.pop(0, 0)
    assert start <= reserve, f"the start pushes {start} events; the reserve is {reserve}"
    most = max(counts.values(), default=0)
    assert most <= reserve, f"an event pushes {most} events; the reserve is {reserve}"
    MOST.append(most)


def test_events_that_push_several_were_seen() -> None:
    """The bound was put to the test: runs happened, and some events pushed several."""
    assert len(MOST) >= EXAMPLES // 4
    assert max(MOST) >= 3
