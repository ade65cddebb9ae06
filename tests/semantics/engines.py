"""Run one plan on each engine of the model: the SimPy engine, the event kernel, the recursion.

The timelines of ``tests/semantics/test_timelines_*.py`` are written once and run on every
engine with :func:`run`, parametrized by :data:`on_every_engine`:

- ``des``: :func:`simline.engine.des.simulate`, the reference;
- ``events``: the event kernel, ``fast.simulate(plan, 0, kernel="events")`` (forced past the
  recursion even on the serial lines it would take);
- ``tandem``: the departure-time recursion, ``fast.simulate(plan, 0, kernel="tandem")``.

A plan an engine cannot run is skipped on that engine, the reason in the skip (``pytest -rs``
lists them): :func:`simline.engine.fast.supports` for both kernels, and what
:func:`simline.engine.fast.tandem_steps` refuses for the recursion. Each kernel run must also
give every figure of the SimPy engine's run (:func:`agree`) and keep the books
(:func:`tests.unit.test_des.check_accounting`), so a timeline's hand-computed figures are
the least that is checked. The kernels keep no trace (``fast.simulate`` refuses
``trace=True``): the event times a timeline reads from the trace are checked on the SimPy
engine only, by a test of its own named ``..._in_the_trace``.
"""

from __future__ import annotations

import pytest

from simline.engine import des, fast
from simline.engine.results import RunResult
from simline.plan import Plan
from tests.semantics.compare import differences
from tests.unit.test_des import check_accounting

#: The engines, as the ids of the parametrized tests.
ENGINES = ("des", "events", "tandem")

#: Decorator: run the test once per engine, its argument ``engine`` one of :data:`ENGINES`.
on_every_engine = pytest.mark.parametrize("engine", ENGINES)

#: The ``backend`` each engine writes into its results.
BACKEND = {"des": "des", "events": "fast", "tandem": "fast"}


def recursion_refuses(plan: Plan) -> str | None:
    """Why the recursion cannot run ``plan`` (the rules of :func:`fast.tandem_steps`), or None."""
    if fast.tandem_steps(plan) is not None:
        return None
    routing = plan.products[0].routing
    if len(plan.products) != 1:
        why = f"{len(plan.products)} products"
    elif plan.workforce is not None and any(s.operators > 0 for s in plan.stations):
        why = "stations that need operators from a workforce"
    elif any(s.batch is not None for s in plan.stations):
        why = "a batch station"
    elif any(s.failure is not None and not s.failure.operating for s in plan.stations):
        why = "failures in calendar time"
    elif len(set(routing)) != len(routing):
        why = "a routing that visits a station twice"
    elif any(plan.stations[i].servers != 1 for i in routing):
        why = "a station with parallel servers on the routing"
    else:  # a rule of tandem_steps not named above: its rings' size, or one added since
        why = "this plan (buffers too large for its rings?)"
    return f"the recursion runs serial lines of single servers only, not {why}"


def run(engine: str, plan: Plan) -> RunResult:
    """Run replication 0 of ``plan`` on ``engine``; skip if that engine cannot run it.

    A kernel's run is checked against the SimPy engine's on every figure (:func:`agree`), the
    recursion's against the event kernel's too; every run keeps the books.
    """
    if engine == "des":
        result = des.simulate(plan, 0)
    else:
        reason = fast.supports(plan)
        if reason is not None:
            pytest.skip(f"the fast engine does not support this plan: {reason}")
        if engine == "tandem":
            refused = recursion_refuses(plan)
            if refused is not None:
                pytest.skip(refused)
        result = fast.simulate(plan, 0, kernel=engine)
        agree(des.simulate(plan, 0), result, plan)
        if engine == "tandem":
            assert differences(fast.simulate(plan, 0, kernel="events"), result) == []
    assert result.backend == BACKEND[engine]
    check_accounting(result, plan)
    return result


def agree(a: RunResult, b: RunResult, plan: Plan) -> None:
    """Assert that kernel run ``b`` gives every figure of the SimPy engine's run ``a``.

    Every figure (:func:`tests.semantics.compare.differences`: counts exactly, times to a
    relative 1e-9), and the state times, lead times and WIP integral to a relative 1e-12.
    """
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
    assert differences(a, b) == []
