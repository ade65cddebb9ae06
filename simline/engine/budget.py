"""How long a run will take, estimated from its rates before it runs; and the runs refused.

A run's cost is its number of events: every part visiting a station (taken, worked, handed
on), every failure and repair, every arrival and every shift change. :func:`estimate` bounds
them from above from the plan's rates: each station works at most on what the release and
the stations before it let through and at most as fast as its servers allow
(:func:`simline.capacity.station_loads` without failures, shifts or setups), each server
fails at most once per ``mtbf + mttr``, and the shift pattern changes ``len(changes)``
times a week; all over ``warmup + length``, times the replications. The events per part
visit and the events each engine processes per second are measured (:data:`ENGINE_SPEED`),
so the estimate is a wall time too.

:func:`check_budget` refuses, as bad input (:class:`~simline.errors.ConfigError`, exit
status 2):

- always, a run that cannot run correctly: a horizon that is not a finite number, a horizon
  so long that the shortest duration of the scenario would be lost to the rounding of
  floating-point time (:data:`MAX_HORIZON_RATIO`), or one that never ends (work of zero
  duration everywhere: the clock never moves);
- unless forced, a run estimated to take longer than :data:`MAX_WALL_S`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simline.errors import ConfigError

if TYPE_CHECKING:
    from simline.plan import Dist, Plan

__all__ = [
    "ENGINE_SPEED",
    "MAX_HORIZON_RATIO",
    "MAX_WALL_S",
    "RunEstimate",
    "check_budget",
    "describe_duration",
    "estimate",
]

#: Per engine: (events per part visit, per failure, per arrival or shift change) and the
#: events per second of one worker. Measured on the development machine (one core of a
#: 2-core x86-64 VM, one replication of ``benchmarks/line10.py`` and of the transfer-line,
#: two-product and manual-assembly configs): at most 1.8 events per visit on both engines;
#: des 3.3e5 to 5.9e5 events/s, the fast engine's event kernel 7.4e6 to 1.3e7 (its
#: serial-line recursion 1e7 to 3.9e7). The slowest of each is taken, so the estimate errs
#: on the long side.
ENGINE_SPEED: dict[str, tuple[tuple[float, float, float], float]] = {
    "des": ((2.0, 3.0, 1.0), 3.0e5),
    "fast": ((2.0, 3.0, 1.0), 7.0e6),
}

#: A run estimated to take longer than this (seconds of wall time, replications spread over
#: the workers) is refused unless ``--force`` is given: 4 hours.
MAX_WALL_S = 4 * 3600.0

#: The horizon may be at most this many times the shortest mean duration of the scenario.
#: Time is a float64: at ``t`` its resolution is ``t * 2**-52``, so at this ratio a duration
#: added at the end of the run loses up to 0.1 % of its length to rounding (and beyond it the
#: clock may stop moving at all).
MAX_HORIZON_RATIO = 1e-3 * 2.0**52


@dataclass(frozen=True, slots=True)
class RunEstimate:
    """The estimated cost of a run (an upper bound, roughly).

    ``visits``, ``failures`` and ``others`` (arrivals and shift changes) are per replication;
    ``events`` and ``seconds`` are for all replications on the given engine, ``seconds``
    divided among the workers.
    """

    visits: float
    failures: float
    others: float
    events: float
    seconds: float


def _work(dist: Dist) -> float:
    return max(dist.mean, 0.0)


def _visits_per_unit(plan: Plan) -> float:
    """Station visits per time unit at most (``math.inf``: no bound, the clock never moves).

    Each station processes at most what it is offered and at most what it can make, from
    :func:`simline.capacity.station_loads` with failures, shifts and setups left out, so
    that the figure bounds a run's from above.
    """
    from simline.capacity import station_loads

    loads = station_loads(plan, ideal=True).values()
    per_hour = math.fsum(min(sl.offered_per_hour, sl.capacity_per_hour) for sl in loads)
    return per_hour * plan.hours_per_unit


def _durations(plan: Plan) -> list[float]:
    """Every mean duration of the scenario (process, setup, failure, repair, arrival)."""
    means: list[float] = []
    for sp in plan.stations:
        means += [d.mean for d in sp.process]
        if sp.failure is not None:
            means += [sp.failure.ttf.mean, sp.failure.ttr.mean]
        if sp.setup is not None:
            means += [d.mean for _, _, d in sp.setup.changes]
            if sp.setup.other is not None:
                means.append(sp.setup.other.mean)
        if sp.batch is not None:
            means.append(sp.batch.per_part.mean)
    if plan.release.interarrival is not None:
        means.append(plan.release.interarrival.mean)
    return means


def estimate(plan: Plan, backend: str, *, workers: int = 1) -> RunEstimate:
    """Estimate the events and the wall time of every replication of ``plan``.

    Parameters
    ----------
    plan
        The compiled scenario.
    backend
        ``"des"`` or ``"fast"``: the engine that will run it.
    workers
        Replications run in parallel.

    Returns
    -------
    RunEstimate
        Infinite figures when the run never ends (nothing takes time).
    """
    horizon = plan.horizon
    rate = _visits_per_unit(plan)
    visits = horizon * rate if rate < math.inf else math.inf
    failures = 0.0
    for sp in plan.stations:
        if sp.failure is not None:
            cycle = _work(sp.failure.ttf) + _work(sp.failure.ttr)
            failures += sp.servers * (horizon / cycle if cycle > 0.0 else math.inf)
    others = 0.0
    release = plan.release
    if release.mode == "interarrival" and release.interarrival is not None:
        gap = _work(release.interarrival)
        others += horizon / gap if gap > 0.0 else math.inf
    workforce = plan.workforce
    if workforce is not None and workforce.period > 0.0:
        others += len(workforce.changes) * (horizon / workforce.period + 1.0)
    (per_visit, per_failure, per_other), speed = ENGINE_SPEED.get(backend, ENGINE_SPEED["des"])
    events = plan.replications * (per_visit * visits + per_failure * failures + per_other * others)
    if math.isnan(events):
        events = math.inf
    seconds = events / speed / max(min(workers, plan.replications), 1)
    return RunEstimate(visits, failures, others, events, seconds)


def describe_duration(seconds: float) -> str:
    """Return a wall time for a message: minutes, hours or days."""
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.0f} hours"
    if seconds < 3 * 365 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / (365 * 86400):.2g} years"


def check_budget(
    plan: Plan,
    backend: str,
    *,
    workers: int = 1,
    force: bool = False,
    file: str | None = None,
) -> RunEstimate:
    """Refuse a run that cannot run correctly, or that would take too long unless forced.

    Parameters
    ----------
    plan
        The compiled scenario.
    backend
        The engine that will run it (``"des"`` or ``"fast"``).
    workers
        Replications run in parallel.
    force
        Run even when the estimate is over :data:`MAX_WALL_S` (``--force``).
    file
        The scenario file, for the message.

    Returns
    -------
    RunEstimate
        The estimate, when the run may go ahead.

    Raises
    ------
    ConfigError
        If the horizon is not finite or too long for float time (even when forced), the run
        would never end (even when forced), or it is estimated to take longer than
        :data:`MAX_WALL_S` and ``force`` is false.
    """
    horizon = plan.horizon
    if not math.isfinite(horizon):
        raise ConfigError(
            f"warmup + length must be a finite time (got {horizon!r} {plan.time_unit})",
            file=file,
            path="run.length",
        )
    positive = [m for m in _durations(plan) if m > 0.0]
    shortest = min(positive, default=0.0)
    if shortest > 0.0 and horizon > MAX_HORIZON_RATIO * shortest:
        raise ConfigError(
            f"warmup + length must be at most {MAX_HORIZON_RATIO:.3g} times the shortest "
            f"mean duration ({shortest:g} {plan.time_unit}), or time rounding would distort "
            f"the results (got {horizon:g} {plan.time_unit})",
            file=file,
            path="run.length",
        )
    found = estimate(plan, backend, workers=workers)
    if not math.isfinite(found.events):
        raise ConfigError(
            "the run would never end: the line does work of zero duration, so simulated "
            "time never advances",
            file=file,
            path="stations",
        )
    if found.seconds > MAX_WALL_S and not force:
        raise ConfigError(
            f"the run is estimated at {found.events:.2g} events, about "
            f"{describe_duration(found.seconds)} on the {backend} engine with {workers} "
            f"worker{'s' if workers != 1 else ''} (the limit is "
            f"{describe_duration(MAX_WALL_S)}); shorten run.length or run.replications, or "
            "give --force to run it anyway",
            file=file,
            path="run.length",
        )
    return found
