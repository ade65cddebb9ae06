"""The fast backend on a random plan with batches and shifts: it keeps the books.

The hand-made timelines the fast backend was checked on here are in
``tests/semantics/test_timelines_*.py``, written once and run on every engine.
"""

from __future__ import annotations

import pytest

from simline.engine import fast
from simline.plan import BatchPlan, WorkforcePlan
from tests.unit.test_des import check_accounting, expo, line, state, station


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
