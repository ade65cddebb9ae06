"""The SimPy engine on random plans: availability, setups, scrap, CONWIP, arrivals, the mix.

The hand-made timelines of failures, shifts, batches and release modes are in
``tests/semantics/test_timelines_*.py``, run on every engine; these tests check figures of
random plans against their expected values.
"""

from __future__ import annotations

import itertools

import pytest

from simline.engine.des import simulate
from simline.plan import (
    BatchPlan,
    Dist,
    FailurePlan,
    ProductPlan,
    ReleasePlan,
)
from tests.unit.test_des import check_accounting, const, events, expo, line, state, station


def interarrival(gap: float | Dist) -> ReleasePlan:
    return ReleasePlan("interarrival", interarrival=const(gap) if isinstance(gap, float) else gap)


# -- failures ------------------------------------------------------------------------------


def test_exponential_failures_availability() -> None:
    # A saturated station with failures: down fraction near mttr / (mtbf + mttr).
    for operating in (True, False):
        fail = FailurePlan(expo(20.0), expo(5.0), operating=operating)
        plan = line([station("m", expo(1.0), failure=fail)], length=40_000.0, seed=5)
        r = simulate(plan, 0)
        assert state(r, "m")["down"] / plan.length == pytest.approx(0.2, abs=0.03)
        check_accounting(r, plan)


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
