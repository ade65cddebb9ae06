"""The backend-neutral plan: a validated scenario compiled for the engines.

A :class:`Plan` is the single input of every engine. It holds plain numbers in the scenario's
own ``time_unit`` (durations), station and product indices instead of names, and every random
quantity as a :class:`Dist` (a code plus sampler-ready parameters). It is frozen and
picklable, so it can be sent to worker processes as it is.

``compile_plan`` (in this module) turns a validated :class:`simline.config.ScenarioConfig`
into a plan; the engines never see the config.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from simline.config import (
    DAYS,
    ConwipReleaseConfig,
    DistributionConfig,
    InterarrivalReleaseConfig,
    ProductConfig,
    ReleaseConfig,
    ScenarioConfig,
    SetupMatrixConfig,
    StationConfig,
    WorkforceConfig,
    parse_duration,
    seconds_per_unit,
    shift_minutes,
)
from simline.config.distributions import empirical_probabilities, moments, scaled_shares
from simline.vocabulary import STATES, DistCode

__all__ = [
    "STATES",
    "BatchPlan",
    "Dist",
    "DistCode",
    "FailurePlan",
    "Plan",
    "ProductPlan",
    "ReleasePlan",
    "SetupPlan",
    "StationPlan",
    "WorkforcePlan",
    "compile_plan",
]


#: The states a server is in at each instant, in the order used by every result array.
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
        """Return a constant duration."""
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
class SetupPlan:
    """The setups of a station when a server switches product, stored sparsely.

    ``changes`` holds ``(from, to, setup)`` for the changes of product listed one by one
    (product indices); ``other`` is the setup of every other change of product (``None``:
    no setup there). Only what the scenario names is stored, so the size grows with the
    listed changes, not with the square of the products. Changes to the same product and
    zero setups are never stored.
    """

    changes: tuple[tuple[int, int, Dist], ...] = ()
    other: Dist | None = None
    _index: Mapping[tuple[int, int], Dist] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {(a, b): dist for a, b, dist in self.changes}
        object.__setattr__(self, "_index", MappingProxyType(index))

    def __getstate__(self) -> tuple[tuple[tuple[int, int, Dist], ...], Dist | None]:
        return self.changes, self.other

    def __setstate__(self, state: tuple[tuple[tuple[int, int, Dist], ...], Dist | None]) -> None:
        object.__setattr__(self, "changes", state[0])
        object.__setattr__(self, "other", state[1])
        self.__post_init__()

    def get(self, prev: int, nxt: int) -> Dist | None:
        """Return the setup from product ``prev`` to product ``nxt`` (``None``: none)."""
        if prev == nxt:
            return None
        dist = self._index.get((prev, nxt))
        return dist if dist is not None else self.other

    @staticmethod
    def from_rows(rows: tuple[tuple[Dist | None, ...], ...]) -> SetupPlan | None:
        """Build from a full ``rows[from][to]`` matrix (``None`` entries: no setup)."""
        changes = tuple(
            (a, b, dist)
            for a, row in enumerate(rows)
            for b, dist in enumerate(row)
            if dist is not None and not dist.is_zero and a != b
        )
        return SetupPlan(changes) if changes else None


@dataclass(frozen=True, slots=True)
class StationPlan:
    """One station: ``servers`` identical units fed by one FIFO buffer.

    ``buffer`` is the number of places in front of the station, ``None`` for unlimited.
    ``process[p]`` is the process time of product index ``p`` (per build for a batch
    station). ``setup.get(a, b)`` is the setup when a server switches from product ``a`` to
    product ``b`` (``None``: no setup); ``setup`` itself is ``None`` when the station has no
    setups. ``operators`` is how many operators a server holds while it works.
    """

    name: str
    kind: Literal["manual", "machine", "robot", "additive"]
    servers: int
    buffer: int | None
    process: tuple[Dist, ...]
    failure: FailurePlan | None
    setup: SetupPlan | None
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
        for (t0, n), (t1, _) in itertools.pairwise(bounds):
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

    def paid_operator_time(self) -> float:
        """Operator time paid over the measured period (operators x time).

        The pool on duty times the time on duty, whether or not there is work; without a
        workforce, ``servers x operators`` of every manned station for the whole period.
        """
        if self.workforce is not None:
            return self.workforce.paid_time(self.warmup, self.horizon)
        return float(sum(s.servers * s.operators * self.length for s in self.stations))

    def station_index(self, name: str) -> int:
        """Return the index of the station called ``name``."""
        for i, station in enumerate(self.stations):
            if station.name == name:
                return i
        raise KeyError(name)

    def first_products(self, station: int) -> tuple[int, ...]:
        """Return the indices of the products whose routing starts at ``station``."""
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

    Notes
    -----
    - Stations keep their layout order; without ``products`` there is one product ``part``
      through all stations in order. Mixes are normalised to sum to 1 (equal shares when
      left out).
    - ``StationPlan.process`` has one entry per product; a product that never visits a station
      with per-product times gets a zero constant there (never used).
    - Setups are kept sparsely (:class:`SetupPlan`): the listed ``from_to`` changes, or one
      setup for every change of product; zero setups are dropped, and a station without any
      setup has ``setup=None``.
    - ``mtbf``/``mttr`` given as plain durations are exponentials with that mean.
    - The workforce becomes a weekly step function of operators on duty, from Monday 00:00.
    """
    unit = config.time_unit
    products_cfg = config.product_configs()
    product_names = tuple(products_cfg)
    index = {name: i for i, name in enumerate(config.stations)}
    return Plan(
        name=config.name,
        time_unit=unit,
        hours_per_unit=seconds_per_unit(unit) / 3600.0,
        warmup=parse_duration(config.run.warmup, unit),
        length=parse_duration(config.run.length, unit),
        replications=config.run.replications,
        seed=config.run.seed,
        stations=tuple(
            _compile_station(name, station, product_names, unit)
            for name, station in config.stations.items()
        ),
        products=_compile_products(products_cfg, index),
        release=_compile_release(config.release, unit),
        workforce=_compile_workforce(config.workforce, unit),
    )


def _compile_dist(dist: DistributionConfig, unit: str) -> Dist:
    """Convert a validated distribution to a :class:`Dist` in ``unit``.

    The mean and squared coefficient of variation come from
    :func:`simline.config.distributions.moments`, which no finite input makes raise.
    """

    def d(value: float | str) -> float:
        return parse_duration(value, unit)

    mean, scv = moments(dist, unit)
    if dist.dist == "constant":
        return Dist.constant(d(dist.value))
    if dist.dist == "exponential":
        return Dist(DistCode.EXPONENTIAL, (mean,), mean, 1.0)
    if dist.dist == "uniform":
        return Dist(DistCode.UNIFORM, (d(dist.low), d(dist.high)), mean, scv)
    if dist.dist == "triangular":
        return Dist(DistCode.TRIANGULAR, (d(dist.low), d(dist.mode), d(dist.high)), mean, scv)
    if dist.dist == "normal":
        return Dist(DistCode.NORMAL, (mean, d(dist.sd)), mean, scv)
    if dist.dist == "lognormal":
        cv = dist.cv
        sigma2 = math.log1p(cv * cv)
        mu = math.log(mean) - sigma2 / 2
        return Dist(DistCode.LOGNORMAL, (mu, math.sqrt(sigma2)), mean, scv)
    if dist.dist == "gamma":
        cv = dist.cv
        return Dist(DistCode.GAMMA, (1 / cv**2, mean * cv**2), mean, scv)
    if dist.dist == "erlang":
        k = dist.k
        return Dist(DistCode.ERLANG, (float(k), mean / k), mean, scv)
    if dist.dist == "weibull":
        return Dist(DistCode.WEIBULL, (dist.shape, d(dist.scale)), mean, scv)
    values = [d(v) for v in dist.values]
    _, cumulative = empirical_probabilities(dist.weights, len(values))
    return Dist(DistCode.EMPIRICAL, (*values, *cumulative), mean, scv)


def _compile_products(
    products: dict[str, ProductConfig], index: dict[str, int]
) -> tuple[ProductPlan, ...]:
    mixes = [p.mix for p in products.values()]
    shares = [1.0] * len(mixes) if any(m is None for m in mixes) else [float(m or 0) for m in mixes]
    shares = scaled_shares(shares)
    total = math.fsum(shares)
    return tuple(
        ProductPlan(name, tuple(index[s] for s in product.routing), share / total)
        for (name, product), share in zip(products.items(), shares, strict=True)
    )


def _compile_station(
    name: str, station: StationConfig, products: tuple[str, ...], unit: str
) -> StationPlan:
    if isinstance(station.process_time, dict):
        zero = Dist.constant(0.0)
        times = station.process_time
        process = tuple(_compile_dist(times[p], unit) if p in times else zero for p in products)
    else:
        one = _compile_dist(station.process_time, unit)
        process = tuple(one for _ in products)
    failure = None
    if station.failures is not None:
        failure = FailurePlan(
            ttf=_compile_dist(station.failures.mtbf, unit),
            ttr=_compile_dist(station.failures.mttr, unit),
            operating=station.failures.basis == "operating",
        )
    batch = None
    if station.batch is not None:
        max_wait = station.batch.max_wait
        per_part = station.per_part_time
        batch = BatchPlan(
            size=station.batch.size,
            max_wait=math.inf if max_wait is None else parse_duration(max_wait, unit),
            per_part=Dist.constant(0.0) if per_part is None else _compile_dist(per_part, unit),
        )
    return StationPlan(
        name=name,
        kind=station.kind,
        servers=station.servers,
        buffer=station.buffer,
        process=process,
        failure=failure,
        setup=_compile_setup(station, products, unit),
        scrap=station.scrap,
        operators=station.operators,
        batch=batch,
    )


def _compile_setup(
    station: StationConfig, products: tuple[str, ...], unit: str
) -> SetupPlan | None:
    setup = station.setup
    if setup is None:
        return None
    if isinstance(setup, SetupMatrixConfig):
        index = {name: i for i, name in enumerate(products)}
        changes = []
        for prev, row in setup.from_to.items():
            for nxt, dist in row.items():
                entry = _compile_dist(dist, unit)
                if not entry.is_zero and prev != nxt:
                    changes.append((index[prev], index[nxt], entry))
        return SetupPlan(tuple(changes)) if changes else None
    one = _compile_dist(setup, unit)
    if one.is_zero or len(products) < 2:
        return None
    return SetupPlan(other=one)


def _compile_release(release: ReleaseConfig, unit: str) -> ReleasePlan:
    if isinstance(release, InterarrivalReleaseConfig):
        return ReleasePlan("interarrival", interarrival=_compile_dist(release.interarrival, unit))
    if isinstance(release, ConwipReleaseConfig):
        return ReleasePlan("conwip", wip=release.conwip)
    return ReleasePlan("saturated")


_DAY = 24 * 60
_WEEK = 7 * _DAY


def _compile_workforce(workforce: WorkforceConfig | None, unit: str) -> WorkforcePlan | None:
    """Operators on duty over a week, as change points, computed in whole minutes."""
    if workforce is None:
        return None
    n = workforce.operators
    delta: defaultdict[int, int] = defaultdict(int)
    for day in workforce.days:
        offset = DAYS.index(day) * _DAY
        for shift in workforce.shifts:
            start, end = shift_minutes(shift)
            start, end = offset + start, offset + end
            pieces = [(start, end)] if end <= _WEEK else [(start, _WEEK), (0, end - _WEEK)]
            for a, b in pieces:
                delta[a] += n
                delta[b] -= n
    per_minute = 60.0 / seconds_per_unit(unit)
    changes: list[tuple[float, int]] = []
    level = 0
    for t in sorted({0, *delta}):
        if t >= _WEEK:
            break
        level += delta.get(t, 0)
        if not changes or changes[-1][1] != level:
            changes.append((t * per_minute, level))
    return WorkforcePlan(operators=n, period=_WEEK * per_minute, changes=tuple(changes))
