"""The SimPy engine: the reference implementation of every rule in ``docs/model.md``.

One call of :func:`simulate` runs one replication: build the line from the plan
(:mod:`simline.engine.build`), run the environment to the horizon, collect a
:class:`~simline.engine.results.RunResult`. It is pure: no global state, no output, and the
same numbers for the same ``(plan, replication)`` on every call.

Examples
--------
>>> from simline.engine.des import simulate
>>> result = simulate(plan, replication=0)  # doctest: +SKIP
>>> result.throughput_per_hour  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from simline.engine._deadlock import Deadlock, deadlock_message
from simline.engine._line import SeriesBins
from simline.engine.build import build
from simline.engine.results import RunResult, Series, product_results, station_results
from simline.errors import SimulationError

if TYPE_CHECKING:
    from simline.engine._streams import Streams
    from simline.engine.results import TraceRow
    from simline.plan import Plan

__all__ = ["simulate"]


def simulate(
    plan: Plan,
    replication: int,
    *,
    trace: bool = False,
    streams: Streams = "numpy",
    bins: int = 0,
) -> RunResult:
    """Run one replication of ``plan`` with SimPy.

    Parameters
    ----------
    plan
        The compiled scenario.
    replication
        The replication number: it selects the random streams, so different replications
        are independent and the same one always gives the same numbers.
    trace
        Also return the list of events as :data:`~simline.engine.results.TraceRow` tuples,
        in time order: ``release``, ``wait`` (queued outside a full first buffer),
        ``arrive`` (into a buffer or straight onto a server), ``setup``, ``start``,
        ``finish``, ``blocked``, ``leave`` (the line, good), ``scrap``, ``pause`` and
        ``resume`` (work interrupted by a failure or a shift end, and restarted), ``fail``
        and ``repair`` (part id -1 and product ``""`` for calendar failures, which belong to
        the server). Its length grows with the run; leave it off for long runs.
    streams
        Where the random numbers come from. ``"numpy"`` (the default): one numpy generator
        per (station or release, purpose), :func:`simline.engine.rng.stream`, and numpy's
        variate algorithms. ``"kernel"``: the fast engine's own streams, seeded as it seeds
        them, and its variate algorithms (:mod:`simline.kernels.random`), one compiled call
        per draw; a run then draws the very numbers the fast engine draws for the same seed
        and replication, so where both make their draws in the same order, the two give the
        same figures exactly (the same-stream tests, ``tests/semantics/test_same_stream.py``).
        Slower; meant for tests.
    bins
        Keep the line's time series (:class:`~simline.engine.results.Series`) in this many
        bins of equal width over the whole run, warm-up included (0: none). Its memory is the
        bins', whatever the number of parts.

    Returns
    -------
    RunResult
        Sums over the measured period and totals over the whole run, with
        ``backend="des"``. Time integrals (states, WIP) cover ``[warmup, warmup + length]``;
        counts take the events in ``(warmup, warmup + length]``: what happens at the
        warm-up's last instant belongs to the warm-up, what happens at the horizon counts.
        ``events`` is the number of SimPy events the environment processed (those that
        stopped ``env.run`` excluded).

    Raises
    ------
    SimulationError
        If the measured length is not positive, a batch station could never start, or the
        line deadlocks (stations blocked, each waiting for room at another, for ever: see
        :mod:`simline.engine._deadlock`).
    ValueError
        If ``streams`` is neither ``"numpy"`` nor ``"kernel"``.
    """
    if not plan.length > 0.0 or plan.warmup < 0.0:
        raise SimulationError(
            f"'length' must be > 0 and 'warmup' >= 0 (got {plan.length!r}, {plan.warmup!r})"
        )
    env = simpy.Environment()
    rows: list[TraceRow] | None = [] if trace else None
    line = build(env, plan, replication, rows, streams)
    if bins < 0:
        raise ValueError(f"'bins' must be >= 0 (got {bins})")
    if bins > 0:
        line.series = SeriesBins(bins, plan.horizon)
    warmup = plan.warmup
    horizon = plan.horizon
    stops = 0
    try:
        if warmup > 0.0:
            env.run(until=warmup)
            stops += 1
        _finish_instant(env, warmup)
        line.start_measuring()
        env.run(until=horizon)
        stops += 1
        _finish_instant(env, horizon)
    except Deadlock as lock:
        raise SimulationError(
            deadlock_message(plan, replication, lock.time, lock.stations)
        ) from None

    for station in line.stations:
        station.close(horizon)
    stations = station_results(
        [station.name for station in line.stations],
        [sp.servers for sp in plan.stations],
        [station.acc for station in line.stations],
        [(st.parts_out, st.scrap, st.builds, st.build_parts) for st in line.stations],
        [(st.active_time, st.active_periods) for st in line.stations],
    )
    line.close(horizon)
    products = product_results(
        line.product_names,
        zip(line.p_released, line.p_good, line.p_scrap, line.lead_n, strict=True),
        zip(line.lead_mean, line.lead_m2, strict=True),
    )
    paid = plan.paid_operator_time()
    return RunResult(
        scenario=plan.name,
        backend="des",
        replication=replication,
        seed=plan.seed,
        measured_time=plan.length,
        hours_per_unit=plan.hours_per_unit,
        stations=stations,
        products=products,
        wip_integral=line.wip_acc,
        operator_paid_time=float(paid),
        released_total=line.released_total,
        good_total=line.good_total,
        scrap_total=line.scrap_total,
        wip_end=line.wip,
        events=_processed(env, stops),
        sojourn_sum=line.sojourn,
        trace=rows,
        series=None
        if line.series is None
        else Series(line.series.width, tuple(line.series.wip), tuple(line.series.good)),
    )


def _finish_instant(env: simpy.Environment, t: float) -> None:
    """Process every event still scheduled at exactly ``t`` (and those they schedule at ``t``).

    ``run(until=t)`` stops before the other events at ``t``; counts are over
    ``(warmup, horizon]``, so the events at ``warmup`` belong to the warm-up and those at the
    horizon to the measured period.
    """
    while env.peek() == t:
        env.step()


def _processed(env: simpy.Environment, stops: int) -> int:
    """Events processed, not counting the ``stops`` events that ended ``env.run`` calls.

    SimPy numbers every scheduled event from one counter, so scheduled minus pending is
    exact and costs nothing during the run. Each stop event is scheduled twice (SimPy
    schedules it again when it stops the run) and processed both times here. This reads two
    private attributes of SimPy 4's ``Environment``.
    """
    scheduled: int = next(env._eid)
    return scheduled - len(env._queue) - 2 * stops
