"""The backend-neutral plan: a validated scenario compiled for the engines.

A :class:`Plan` is the single input of every engine. It holds plain numbers in the scenario's
own ``time_unit`` (durations), station and product indices instead of names, and every random
quantity as a :class:`Dist` (a code plus sampler-ready parameters). It is frozen and
picklable, so it can be sent to worker processes as it is.

``compile_plan`` (in this module) turns a validated :class:`simline.config.ScenarioConfig`
into a plan; the engines never see the config.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from simline.config import ScenarioConfig

__all__ = [
    "STATES",
    "BatchPlan",
    "Dist",
    "DistCode",
    "FailurePlan",
    "Plan",
    "ProductPlan",
    "ReleasePlan",
    "StationPlan",
    "WorkforcePlan",
    "compile_plan",
]

#: The states a server is in at each instant, in the order used by every result array.
STATES: tuple[str, ...] = ("busy", "setup", "blocked", "starved", "down", "off_shift")


class DistCode(IntEnum):
    """Distribution codes, shared by every backend.

    The ``params`` of a :class:`Dist` for each code, all durations in the plan's time unit:

    - ``CONSTANT``: ``(value,)``
    - ``EXPONENTIAL``: ``(mean,)``
    - ``UNIFORM``: ``(low, high)``
    - ``TRIANGULAR``: ``(low, mode, high)``
    - ``NORMAL``: ``(mean, sd)``; a negative draw is drawn again (truncated at 0)
    - ``LOGNORMAL``: ``(mu, sigma)`` of the underlying normal
    - ``GAMMA``: ``(shape, scale)``
    - ``ERLANG``: ``(k, scale)`` with ``k`` a whole number, ``scale = mean / k``
    - ``WEIBULL``: ``(shape, scale)``
    - ``EMPIRICAL``: ``(v_1, ..., v_n, c_1, ..., c_n)``: values, then cumulative probabilities
      (``c_n == 1``)
    """

    CONSTANT = 0
    EXPONENTIAL = 1
    UNIFORM = 2
    TRIANGULAR = 3
    NORMAL = 4
    LOGNORMAL = 5
    GAMMA = 6
    ERLANG = 7
    WEIBULL = 8
    EMPIRICAL = 9


@dataclass(frozen=True, slots=True)
class Dist:
    """A compiled random duration.

    Parameters
    ----------
    code
        Which distribution.
    params
        Sampler-ready parameters, see :class:`DistCode`.
    mean
        The distribution's mean in the plan's time unit (for a truncated normal, the mean of
        the untruncated one).
    scv
        Squared coefficient of variation (variance / mean**2), for analytic checks.
    """

    code: DistCode
    params: tuple[float, ...]
    mean: float
    scv: float

    @staticmethod
    def constant(value: float) -> Dist:
        """A constant duration."""
        return Dist(DistCode.CONSTANT, (float(value),), float(value), 0.0)

    @property
    def is_zero(self) -> bool:
        """Whether the duration is always 0."""
        return self.code == DistCode.CONSTANT and self.params[0] == 0.0


@dataclass(frozen=True, slots=True)
class FailurePlan:
    """Breakdowns of each server of a station.

    ``ttf`` is the time to failure, counted in working time (busy or setup) when
    ``operating`` is true and in calendar time otherwise; ``ttr`` is the repair time.
    """

    ttf: Dist
    ttr: Dist
    operating: bool


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """Additive builds: a build takes up to ``size`` parts.

    It starts when ``size`` parts wait, or ``max_wait`` after the first waiting part arrived
    (``math.inf``: only when full). Its duration is the station's process time (of the first
    part's product) plus ``per_part`` drawn once per part in the build.
    """

    size: int
    max_wait: float
    per_part: Dist


@dataclass(frozen=True, slots=True)
class StationPlan:
    """One station: ``servers`` identical units fed by one FIFO buffer.

    ``buffer`` is the number of places in front of the station, ``None`` for unlimited.
    ``process[p]`` is the process time of product index ``p`` (per build for a batch
    station). ``setup[a][b]`` is the setup when a server switches from product ``a`` to
    product ``b`` (``None``: no setup); ``setup`` itself is ``None`` when the station has no
    setups. ``operators`` is how many operators a server holds while it works.
    """

    name: str
    kind: Literal["manual", "machine", "robot", "additive"]
    servers: int
    buffer: int | None
    process: tuple[Dist, ...]
    failure: FailurePlan | None
    setup: tuple[tuple[Dist | None, ...], ...] | None
    scrap: float
    operators: int
    batch: BatchPlan | None


@dataclass(frozen=True, slots=True)
class ProductPlan:
    """A product: its routing as station indices and its normalised share of releases."""

    name: str
    routing: tuple[int, ...]
    mix: float


@dataclass(frozen=True, slots=True)
class ReleasePlan:
    """How parts enter the line.

    ``mode`` is ``"saturated"`` (the first station of a routing never starves),
    ``"interarrival"`` (parts arrive every ``interarrival``, the product drawn by mix) or
    ``"conwip"`` (``wip`` parts in the line; one released each time one leaves).
    """

    mode: Literal["saturated", "interarrival", "conwip"]
    interarrival: Dist | None = None
    wip: int = 0


@dataclass(frozen=True, slots=True)
class WorkforcePlan:
    """The operator pool as a weekly step function.

    ``changes`` holds ``(t, n)`` pairs sorted by ``t`` with the first at ``t == 0``: from
    ``t`` (time since Monday 00:00, in the plan's time unit) ``n`` operators are on duty,
    until the next change; the pattern repeats every ``period`` (one week).
    """

    operators: int
    period: float
    changes: tuple[tuple[float, int], ...]

    def on_duty(self, t: float) -> int:
        """Operators on duty at simulated time ``t``."""
        phase = t % self.period
        n = self.changes[0][1]
        for start, count in self.changes:
            if start <= phase:
                n = count
            else:
                break
        return n

    def paid_time(self, start: float, end: float) -> float:
        """Operator time on duty between ``start`` and ``end`` (operators x time)."""
        return self._cumulative(end) - self._cumulative(start)

    def _cumulative(self, t: float) -> float:
        cycles, phase = divmod(t, self.period)
        per_cycle = 0.0
        upto = 0.0
        bounds = [*self.changes, (self.period, 0)]
        for (t0, n), (t1, _) in zip(bounds[:-1], bounds[1:], strict=True):
            per_cycle += n * (t1 - t0)
            if phase > t0:
                upto += n * (min(phase, t1) - t0)
        return cycles * per_cycle + upto


@dataclass(frozen=True, slots=True)
class Plan:
    """A scenario ready to simulate. Durations are in ``time_unit``."""

    name: str
    time_unit: str
    hours_per_unit: float
    warmup: float
    length: float
    replications: int
    seed: int
    stations: tuple[StationPlan, ...]
    products: tuple[ProductPlan, ...]
    release: ReleasePlan
    workforce: WorkforcePlan | None

    @property
    def horizon(self) -> float:
        """Warm-up plus measured length."""
        return self.warmup + self.length

    def station_index(self, name: str) -> int:
        """The index of the station called ``name``."""
        for i, station in enumerate(self.stations):
            if station.name == name:
                return i
        raise KeyError(name)

    def first_products(self, station: int) -> tuple[int, ...]:
        """Indices of the products whose routing starts at ``station``."""
        return tuple(p for p, prod in enumerate(self.products) if prod.routing[0] == station)


def compile_plan(config: ScenarioConfig) -> Plan:
    """Compile a validated scenario into a :class:`Plan`.

    Parameters
    ----------
    config
        A scenario validated by :func:`simline.config.load_scenario`.

    Returns
    -------
    Plan
        Durations converted to ``config.time_unit``, names to indices, distributions to
        :class:`Dist`.
    """
    raise NotImplementedError  # replaced by the config helper's implementation
