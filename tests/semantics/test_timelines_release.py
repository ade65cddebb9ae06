"""Timelines of the release modes: parts waiting outside the line, CONWIP without cards.

Each timeline is written once, worked out by hand, and runs on every engine that supports its
plan (:mod:`tests.semantics.engines`); event times read from the trace are checked on the
SimPy engine, the only one that keeps a trace.
"""

from __future__ import annotations

from simline.engine import des
from simline.plan import Plan, ReleasePlan
from tests.semantics.engines import on_every_engine, run
from tests.unit.test_des import const, events, line, station


def arrivals_faster_than_work() -> Plan:
    """One part every 1, work 10, one place; measured from 30 to 130."""
    return line(
        [station("m", 10.0, buffer=1)],
        release=ReleasePlan("interarrival", interarrival=const(1.0)),
        warmup=30.0,
        length=100.0,
    )


@on_every_engine
def test_interarrival_parts_wait_outside_out_of_wip(engine: str) -> None:
    # At most 2 parts in the line at any time: one in work, one in the place.
    r = run(engine, arrivals_faster_than_work())
    assert r.wip_end == 2
    assert r.wip <= 2.0
    assert r.products["part"].lead_mean == 20.0  # 10 in the buffer, 10 in work, none outside


def test_interarrival_parts_wait_outside_out_of_wip_in_the_trace() -> None:
    r = des.simulate(arrivals_faster_than_work(), 0, trace=True)
    assert len(events(r, "m", "wait")) > 80


@on_every_engine
def test_conwip_with_no_cards_releases_nothing(engine: str) -> None:
    plan = line([station("a", 1.0), station("b", 1.0, buffer=1)], release=ReleasePlan("conwip"))
    result = run(engine, plan)
    assert (result.released_total, result.good_total, result.wip) == (0, 0, 0.0)
