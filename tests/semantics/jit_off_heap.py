"""Run by ``test_heap_reserve.py`` with ``NUMBA_DISABLE_JIT=1`` (not collected by itself).

With the JIT off the event kernel runs as Python on numpy arrays, whose indexing is checked:
a push past the end of the event heap raises ``IndexError`` instead of writing past it. The
kernel counts the most events one event pushed (``ci[C_MOST_PUSHED]``; the start of the run
counts as one); it may never exceed the room the heap keeps above its overflow limit
(:func:`simline.kernels.layout.heap_reserve`).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from hypothesis import HealthCheck, given, settings

from simline.engine import fast
from simline.kernels.layout import C_MOST_PUSHED, DEADLOCK, OVERFLOW, heap_reserve
from simline.kernels.line import simulate_line
from tests.semantics.stochastic import plan_of, stochastic_scenarios

assert os.environ.get("NUMBA_DISABLE_JIT") == "1", "run with NUMBA_DISABLE_JIT=1"

#: Generated plans, each run as Python for up to 2,000 time units.
EXAMPLES = int(os.environ.get("SIMLINE_HEAP_EXAMPLES", "60"))
#: The most pushes one event made, per example (the test must see events that push several).
MOST: list[int] = []


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
    packed, state = fast.line_run(plan, 0)
    status = simulate_line(packed, state)  # an IndexError here: a push past the heap
    assert status & ~(OVERFLOW | DEADLOCK) == 0
    reserve = heap_reserve(state.sv.shape[0], state.bld.shape[1])
    most = int(state.ci[C_MOST_PUSHED])
    assert most <= reserve, f"one event pushed {most} events; the reserve is {reserve}"
    MOST.append(most)


def test_events_that_push_several_were_seen() -> None:
    """The bound was put to the test: runs happened, and some events pushed several."""
    assert len(MOST) >= EXAMPLES // 4
    assert max(MOST) >= 3
