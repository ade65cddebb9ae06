"""What one replication of one scenario produced: raw sums, the same for every backend.

A :class:`RunResult` holds only sums and counts over the measured period (after warm-up), so
its size does not grow with the number of parts. :mod:`simline.stats` turns a list of them
into means and confidence intervals; :mod:`simline.cost` turns them into money.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "ProductResult",
    "RunResult",
    "Series",
    "StationResult",
    "TraceRow",
    "product_results",
    "station_results",
]

#: One event of the trace: (time, part id, product name, station name, event name).
TraceRow = tuple[float, int, str, str, str]


@dataclass(frozen=True, slots=True)
class StationResult:
    """One station over the measured period.

    ``state_time[k]`` is the time the station's servers together spent in state
    ``simline.plan.STATES[k]`` (so the six sum to ``servers * measured_time``).
    ``parts_out`` counts parts that finished processing here (good or scrapped here),
    ``scrap`` those scrapped here; ``builds`` and ``build_parts`` count batch builds
    finished here and the parts they held (0 for a station without batches).
    ``active_time`` and ``active_periods``: the time in the measured period in which none of
    the station's servers waited (starved or blocked), and the number of its
    uninterrupted stretches of positive length (``simline.vocabulary.WAITING_STATES``); the
    bottleneck marker compares their mean length.
    """

    servers: int
    state_time: tuple[float, float, float, float, float, float]
    parts_out: int
    scrap: int
    builds: int = 0
    build_parts: int = 0
    active_time: float = 0.0
    active_periods: int = 0

    @property
    def active_period(self) -> float:
        """Mean length of an active period (``nan`` if the station was never active)."""
        if self.active_periods == 0:
            return float("nan")
        return self.active_time / self.active_periods

    def fraction(self, state: int, measured_time: float) -> float:
        """Time fraction of state index ``state``, averaged over servers."""
        return self.state_time[state] / (self.servers * measured_time)


@dataclass(frozen=True, slots=True)
class ProductResult:
    """One product over the measured period.

    ``released``: parts of this product released; ``good``: good parts that left the line;
    ``scrap``: parts scrapped. Lead time of the good parts is kept as a Welford triple
    (``lead_n``, ``lead_mean``, ``lead_m2``).
    """

    released: int
    good: int
    scrap: int
    lead_n: int
    lead_mean: float
    lead_m2: float


@dataclass(frozen=True, slots=True)
class Series:
    """The line over time, in bins of equal width from time 0 to the horizon.

    Bin ``k`` is ``[k * width, (k + 1) * width)`` (the last one closed at the horizon), in
    the plan's time unit, warm-up included. ``wip_integral[k]``: the time integral of WIP
    over the bin; ``good[k]``: good parts that left the line in it. Its size is the number of
    bins asked for, whatever the number of parts.
    """

    width: float
    wip_integral: tuple[float, ...]
    good: tuple[int, ...]

    @property
    def wip(self) -> tuple[float, ...]:
        """Time-average WIP of each bin."""
        return tuple(x / self.width for x in self.wip_integral)

    def throughput_per_hour(self, hours_per_unit: float) -> tuple[float, ...]:
        """Good parts per hour of each bin."""
        return tuple(n / (self.width * hours_per_unit) for n in self.good)


@dataclass(frozen=True, slots=True)
class RunResult:
    """One replication of one scenario.

    Durations are in the plan's ``time_unit``. Figures without ``_total`` are over the
    measured period only; the ``_total`` counts and ``wip_end`` cover the whole run from time
    0, so that ``released_total == good_total + scrap_total + wip_end`` always holds.
    ``sojourn_sum`` is the total time in line of every part (good or scrap) that left in the
    measured period, for Little's law; ``events`` counts the events the engine processed
    (the fast backend's serial-line recursion counts its steps: releases, station visits
    and two per failure). ``series``: the line over time, when asked for (:class:`Series`).
    """

    scenario: str
    backend: str
    replication: int
    seed: int
    measured_time: float
    hours_per_unit: float
    stations: dict[str, StationResult]
    products: dict[str, ProductResult]
    wip_integral: float
    operator_paid_time: float
    released_total: int
    good_total: int
    scrap_total: int
    wip_end: int
    events: int
    sojourn_sum: float = 0.0
    trace: list[TraceRow] | None = field(default=None, compare=False)
    series: Series | None = None

    @property
    def good(self) -> int:
        """Good parts that left the line in the measured period."""
        return sum(p.good for p in self.products.values())

    @property
    def scrap(self) -> int:
        """Parts scrapped in the measured period."""
        return sum(p.scrap for p in self.products.values())

    @property
    def released(self) -> int:
        """Parts released in the measured period."""
        return sum(p.released for p in self.products.values())

    @property
    def throughput_per_hour(self) -> float:
        """Good parts per hour of measured time."""
        return self.good / (self.measured_time * self.hours_per_unit)

    @property
    def wip(self) -> float:
        """Time-average number of released parts in the line."""
        return self.wip_integral / self.measured_time

    @property
    def lead_time(self) -> float:
        """Mean lead time of good parts finished in the measured period (nan if none)."""
        n = sum(p.lead_n for p in self.products.values())
        if n == 0:
            return float("nan")
        return sum(p.lead_n * p.lead_mean for p in self.products.values()) / n


def station_results(
    names: Iterable[str],
    servers: Iterable[int],
    state_time: Iterable[Iterable[float]],
    counts: Iterable[Iterable[int]],
    activity: Iterable[Iterable[float]],
) -> dict[str, StationResult]:
    """Each station's result by name, from its rows of state times, counts and activity.

    ``state_time`` rows hold the six state times, ``counts`` rows (parts out, scrap, builds,
    build parts), ``activity`` rows (active time, active periods); rows may be lists or
    array rows (values are made plain floats and ints).
    """
    out: dict[str, StationResult] = {}
    rows = zip(names, servers, state_time, counts, activity, strict=True)
    for name, n, times, row, (active_time, periods) in rows:
        busy, setup, blocked, starved, down, off = (float(t) for t in times)
        parts_out, scrap, builds, build_parts = (int(c) for c in row)
        out[name] = StationResult(
            servers=int(n),
            state_time=(busy, setup, blocked, starved, down, off),
            parts_out=parts_out,
            scrap=scrap,
            builds=builds,
            build_parts=build_parts,
            active_time=float(active_time),
            active_periods=int(periods),
        )
    return out


def product_results(
    names: Iterable[str], counts: Iterable[Iterable[int]], lead: Iterable[Iterable[float]]
) -> dict[str, ProductResult]:
    """Each product's result by name.

    ``counts`` rows hold (released, good, scrap, lead n), ``lead`` rows (lead mean, lead m2).
    """
    out: dict[str, ProductResult] = {}
    for name, row, (mean, m2) in zip(names, counts, lead, strict=True):
        released, good, scrap, lead_n = (int(c) for c in row)
        out[name] = ProductResult(
            released=released,
            good=good,
            scrap=scrap,
            lead_n=lead_n,
            lead_mean=float(mean),
            lead_m2=float(m2),
        )
    return out
