"""Summaries across replications: means with 95% confidence intervals, paired differences.

Every figure simline reports is a mean over independent replications with a Student t 95%
confidence interval. This module works on per-replication *scalars* only: a
:class:`SummaryAccumulator` takes one :class:`~simline.engine.results.RunResult` at a time,
keeps a handful of numbers from it and lets it go, so a long experiment never holds its
results (or their traces) in memory.

Missing values
--------------
A replication can leave a figure undefined: the lead time of a replication in which no good
part left the line is ``nan``. :func:`estimate` ignores ``nan`` values and reports the
number of replications that defined the figure as :attr:`Estimate.n`; when none did, the
estimate is ``nan`` with ``n == 0`` (``null`` in JSON). Dropping them conditions the figure
on its being defined, which is the only reading that has a meaning for a lead time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simline.engine.results import RunResult, StationResult
    from simline.plan import Plan

__all__ = [
    "BOTTLENECK_METHOD",
    "COMPARED_FIGURES",
    "LEVEL",
    "LINE_FIGURES",
    "PRODUCT_FIGURES",
    "STATION_FIGURES",
    "Bottleneck",
    "Estimate",
    "FigureKey",
    "LineComparison",
    "ProductSummary",
    "RunSummary",
    "StationActivity",
    "StationSummary",
    "SummaryAccumulator",
    "compare_lines",
    "estimate",
    "find_bottleneck",
    "line_oee_candidates",
    "paired_difference",
    "planned_time_per_part",
    "replication_figures",
    "station_oee",
    "summarize",
]

#: The confidence level of every interval simline reports.
LEVEL = 0.95

#: Figures of each product, in output order.
PRODUCT_FIGURES: tuple[str, ...] = ("throughput_per_hour", "lead_time", "good_parts", "scrap_parts")

#: Figures of each station, in output order: the six states, then utilization and parts out
#: (the spec's keys), then simline's ``oee`` (docs/model.md, "OEE").
STATION_FIGURES: tuple[str, ...] = (
    "busy",
    "setup",
    "blocked",
    "starved",
    "down",
    "off_shift",
    "utilization",
    "parts_out",
    "oee",
)

#: Figures of the whole line, in output order.
LINE_FIGURES: tuple[str, ...] = (
    "throughput_per_hour",
    "lead_time",
    "wip",
    "good_parts",
    "scrap_parts",
)

#: A figure's place in the output: ``("wip",)``, ``("products", "bracket", "lead_time")``,
#: ``("stations", "saw", "busy")``.
FigureKey = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean over replications with its 95% confidence interval.

    Parameters
    ----------
    mean
        The sample mean (``nan`` when no replication defined the figure).
    lo, hi
        Bounds of the Student t 95% confidence interval; equal to ``mean`` when ``n <= 1``
        or when every replication gave the same value.
    n
        How many replications defined the figure (``nan`` values are not counted).
    """

    mean: float
    lo: float
    hi: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the width of the confidence interval (``0`` for one replication)."""
        return (self.hi - self.lo) / 2.0

    def to_json(self, replications: int | None = None) -> dict[str, object]:
        """Return the figure as the spec's JSON object, ``{"mean": x, "ci95": [lo, hi]}``.

        ``nan`` becomes ``None`` (JSON ``null``), so the result always serialises to valid JSON.
        Given the number of replications that ran, an estimate that fewer of them defined
        (a lead time when some replications had no finished good part) also carries
        ``"n": k`` (``0 < k``), so a narrow interval from few replications is not mistaken for
        a tight one; a figure no replication defined is ``null`` already.
        """
        out: dict[str, object] = {
            "mean": _finite_or_none(self.mean),
            "ci95": [_finite_or_none(self.lo), _finite_or_none(self.hi)],
        }
        if replications is not None and 0 < self.n < replications:
            out["n"] = self.n
        return out


def _finite_or_none(x: float) -> float | None:
    return None if math.isnan(x) else x


_NAN_ESTIMATE = Estimate(math.nan, math.nan, math.nan, 0)


def estimate(values: Iterable[float]) -> Estimate:
    """Mean and Student t 95% confidence interval of per-replication values.

    Parameters
    ----------
    values
        One value per replication; ``nan`` values (an undefined figure) are ignored.

    Returns
    -------
    Estimate
        ``mean ± t(0.975, n - 1) · s / √n`` with ``s`` the sample standard deviation.
        With one value the interval is that value; with none, everything is ``nan`` and
        ``n == 0``.

    Examples
    --------
    >>> e = estimate([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> e.mean, round(e.lo, 4), round(e.hi, 4), e.n
    (3.0, 1.0368, 4.9632, 5)
    """
    kept = [float(v) for v in values]
    kept = [v for v in kept if not math.isnan(v)]
    n = len(kept)
    if n == 0:
        return _NAN_ESTIMATE
    mean = math.fsum(kept) / n
    if n == 1:
        return Estimate(mean, mean, mean, 1)
    var = math.fsum((v - mean) ** 2 for v in kept) / (n - 1)
    if var == 0.0:
        return Estimate(mean, mean, mean, n)
    # lazy, and scipy.special rather than scipy.stats (whose import costs a command 0.7 s
    # CPU more): stdtrit is the function that scipy.stats.t.ppf evaluates, the same numbers
    from scipy.special import stdtrit

    half = float(stdtrit(n - 1, 0.5 + LEVEL / 2.0)) * math.sqrt(var / n)
    return Estimate(mean, mean - half, mean + half, n)


def paired_difference(a_values: Sequence[float], b_values: Sequence[float]) -> Estimate:
    """Mean difference ``a - b`` of paired replications, with its 95% confidence interval.

    Replication ``i`` of ``a`` and of ``b`` must share their random numbers (the same seed
    and replication index: common random numbers), which is what makes the interval of the
    difference tighter than the two intervals apart.

    Parameters
    ----------
    a_values, b_values
        One value per replication each, in the same replication order.

    Returns
    -------
    Estimate
        The estimate of ``a - b`` over the pairs in which both values are defined.

    Raises
    ------
    ValueError
        If the two sequences differ in length.
    """
    if len(a_values) != len(b_values):
        raise ValueError(
            f"paired values must be as many on each side (got {len(a_values)} and {len(b_values)})"
        )
    return estimate(float(a) - float(b) for a, b in zip(a_values, b_values, strict=True))


@dataclass(frozen=True, slots=True)
class ProductSummary:
    """One product's figures over replications (see :data:`PRODUCT_FIGURES`)."""

    throughput_per_hour: Estimate
    lead_time: Estimate
    good_parts: Estimate
    scrap_parts: Estimate


@dataclass(frozen=True, slots=True)
class StationSummary:
    """One station's figures over replications: state fractions, utilization, parts out."""

    busy: Estimate
    setup: Estimate
    blocked: Estimate
    starved: Estimate
    down: Estimate
    off_shift: Estimate
    utilization: Estimate
    parts_out: Estimate
    oee: Estimate


#: How :class:`Bottleneck` names the station (docs/model.md, "The bottleneck").
BOTTLENECK_METHOD = "utilization of available time, ties by active period"


@dataclass(frozen=True, slots=True)
class StationActivity:
    """What the bottleneck marker reads of one station in one replication.

    ``utilization``: the share of the time the station could work (not down, not off shift)
    in which it worked, ``(busy + setup) / (busy + setup + blocked + starved)`` over its
    servers (``nan`` if it could never work); ``active_period``: the mean length of its
    uninterrupted active periods (``nan`` if it was never active).
    """

    utilization: float
    active_period: float

    @classmethod
    def of(cls, result: StationResult) -> StationActivity:
        """Read both figures off one station's result."""
        busy, setup, blocked, starved, _down, _off = result.state_time
        could = busy + setup + blocked + starved
        return cls((busy + setup) / could if could > 0 else math.nan, result.active_period)


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """The station that limits the line, and how sure that is.

    In each replication on its own, the bottleneck is the station that works the largest
    share of the time it could work (:class:`StationActivity`): it waits least for parts and
    for room downstream. Stations that never wait tie at 1; of them, the one with the longer
    uninterrupted active periods (Roser, Nakano and Tanaka 2001) holds the flow up longer,
    and of those still tied the one later in the layout (the parts an earlier one makes pile
    up in front of it).

    Parameters
    ----------
    station
        The station named in the most replications (ties: the higher mean utilization of
        available time); ``None`` when no station ever worked, or when ``reason`` says the
        line is limited by its release.
    share
        Per station named in some replication, the share of the replications that named it.
    utilization
        Per station, its utilization of available time over the replications.
    active_period
        Per station, the mean length of its active periods (scenario time unit), over the
        replications in which it was active.
    reason
        ``None``, or why no station is named although stations worked: ``"release"``, the
        line makes what its release lets in.
    method
        :data:`BOTTLENECK_METHOD`.
    """

    station: str | None
    share: dict[str, float]
    utilization: dict[str, Estimate]
    active_period: dict[str, Estimate]
    reason: str | None = None
    method: str = BOTTLENECK_METHOD

    def to_json(self, replications: int | None = None) -> dict[str, object]:
        """Return the spec's ``bottleneck`` object (``station`` is ``null`` if none is named)."""
        return {
            "station": self.station,
            "method": self.method,
            "reason": self.reason,
            "share": dict(self.share),
            "utilization": {n: e.to_json(replications) for n, e in self.utilization.items()},
            "active_period": {n: e.to_json(replications) for n, e in self.active_period.items()},
        }


#: Utilizations of available time closer than this count as a tie (rounding of time sums).
_TIE = 1e-9


def _named(row: dict[str, StationActivity]) -> str | None:
    """Name one replication's bottleneck (see :class:`Bottleneck`); ``None`` if none worked."""
    order = {name: i for i, name in enumerate(row)}
    worked = [n for n, a in row.items() if not math.isnan(a.utilization) and a.utilization > 0]
    if not worked:
        return None
    top = max(row[n].utilization for n in worked)
    tied = [n for n in worked if row[n].utilization >= top - _TIE]

    def period(name: str) -> float:
        value = row[name].active_period
        return -math.inf if math.isnan(value) else value

    return max(tied, key=lambda n: (period(n), order[n]))


#: Under interarrival release the line takes in what arrives when its release rate reaches
#: this share of the arrival rate (its 95 % CI's upper end does): 1 % of the arrivals may be
#: the noise of a finite run, not a queue outside the line.
_KEEPS_UP = 0.99


def limited_by_release(plan: Plan, released_per_hour: Estimate) -> bool:
    """Whether the line makes what its release lets in, so that no station limits it.

    - ``saturated``: never (the release is as fast as the first station).
    - ``interarrival``: when every station's load is below 1 (:mod:`simline.capacity`: it can
      make what it is offered) and the line took in what arrived (the released rate's CI
      reaches :data:`_KEEPS_UP` of the arrival rate; blocking can lose capacity that the
      loads do not see, and then arrivals queue outside and a station does limit the line).
    - ``conwip``: when the CONWIP level is below the line's critical WIP, the parts in work
      when every station runs at the pace of the busiest (Hopp and Spearman's ``W0 = r_b T0``:
      the sum over stations of load x servers): with fewer parts the busiest station must
      wait for one, however fast the others are.
    """
    from simline.capacity import LOAD_LIMIT, station_loads

    release = plan.release
    if release.mode == "saturated":
        return False
    loads = station_loads(plan)
    if release.mode == "interarrival":
        if release.interarrival is None or not release.interarrival.mean > 0:
            return False
        if any(load.load >= LOAD_LIMIT for load in loads.values()):
            return False
        arrivals = 1.0 / (release.interarrival.mean * plan.hours_per_unit)
        return released_per_hour.hi >= _KEEPS_UP * arrivals
    servers = {sp.name: sp.servers for sp in plan.stations}
    critical = math.fsum(load.load * servers[name] for name, load in loads.items())
    return release.wip < critical


def find_bottleneck(
    rows: Sequence[dict[str, StationActivity]], *, release_limited: bool = False
) -> Bottleneck:
    """Name the bottleneck from each replication's :class:`StationActivity` per station.

    Parameters
    ----------
    rows
        One dict per replication, station name to its activity, in layout order.
    release_limited
        Whether the line is limited by its release: then no station is named, but the
        shares and figures are kept for the reader.
    """
    names = list(rows[0]) if rows else []
    votes = dict.fromkeys(names, 0)
    for row in rows:
        named = _named(row)
        if named is not None:
            votes[named] += 1
    voted = sum(votes.values())
    utilization = {n: estimate(row[n].utilization for row in rows) for n in names}
    periods = {n: estimate(row[n].active_period for row in rows) for n in names}
    share = {name: k / len(rows) for name, k in votes.items() if k > 0}
    station: str | None = None
    if voted and not release_limited:
        station = max(share, key=lambda n: (share[n], utilization[n].mean))
    reason = "release" if release_limited and voted else None
    return Bottleneck(station, share, utilization, periods, reason)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Every figure of one scenario over its replications.

    Durations (``lead_time``, ``measured_time``) are in the scenario's time unit.
    ``products`` and ``stations`` keep the scenario's order. ``oee`` is the line's OEE: in
    each replication that of its bottleneck for the good parts leaving the line
    (docs/model.md, "OEE").
    """

    scenario: str
    replications: int
    measured_time: float
    hours_per_unit: float
    throughput_per_hour: Estimate
    lead_time: Estimate
    wip: Estimate
    good_parts: Estimate
    scrap_parts: Estimate
    products: dict[str, ProductSummary] = field(default_factory=dict)
    stations: dict[str, StationSummary] = field(default_factory=dict)
    bottleneck: Bottleneck = field(default_factory=lambda: Bottleneck(None, {}, {}, {}))
    oee: Estimate = _NAN_ESTIMATE

    def figures(self) -> Iterator[tuple[FigureKey, Estimate]]:
        """Every figure with its key, in output order.

        The line, products, stations, the bottleneck's two figures of each station, OEE.
        """
        for name in LINE_FIGURES:
            yield (name,), getattr(self, name)
        for product, ps in self.products.items():
            for name in PRODUCT_FIGURES:
                yield ("products", product, name), getattr(ps, name)
        for station, ss in self.stations.items():
            for name in STATION_FIGURES:
                yield ("stations", station, name), getattr(ss, name)
        for station, e in self.bottleneck.utilization.items():
            yield ("bottleneck", "utilization", station), e
        for station, e in self.bottleneck.active_period.items():
            yield ("bottleneck", "active_period", station), e
        yield ("oee",), self.oee


def planned_time_per_part(plan: Plan, station: int, product: int) -> float:
    """Return the planned (mean) time of one part of ``product`` at a station, for OEE.

    The mean process time; at a batch station the mean build time of a full build (its
    process time plus ``size`` per-part times) shared by its ``size`` parts.
    """
    sp = plan.stations[station]
    mean = sp.process[product].mean
    if sp.batch is None:
        return mean
    return (mean + sp.batch.size * sp.batch.per_part.mean) / sp.batch.size


def _planned_times(plan: Plan) -> list[float]:
    """Per station, the planned time per part over the products that visit it (by ``mix``)."""
    out = []
    for k in range(len(plan.stations)):
        visits = [(p.mix * p.routing.count(k), i) for i, p in enumerate(plan.products)]
        weight = math.fsum(w for w, _ in visits)
        total = math.fsum(w * planned_time_per_part(plan, k, i) for w, i in visits if w > 0)
        out.append(total / weight if weight > 0 else math.nan)
    return out


def _planned_busy_time(result: StationResult, measured_time: float) -> float:
    """Measured time times servers, less off shift (planned downtime, ISO 22400's PBT)."""
    return result.servers * measured_time - result.state_time[5]


def station_oee(good: float, planned_per_part: float, planned_busy_time: float) -> float:
    """OEE: the planned time of the good parts over the planned busy time (``nan`` if none).

    Equal to availability x performance x quality (docs/model.md, "OEE").
    """
    if not planned_busy_time > 0 or math.isnan(planned_per_part):
        return math.nan
    return good * planned_per_part / planned_busy_time


def line_oee_candidates(plan: Plan, result: RunResult) -> dict[str, float]:
    """Per station, the line's OEE in one replication were that station the bottleneck.

    The planned time at the station of the good parts that left the line (each product's
    good parts times its visits there and its planned time per part) over the station's
    planned busy time; :func:`replication_figures` keeps that of the replication's
    bottleneck as the line's ``oee``.
    """
    out: dict[str, float] = {}
    for k, station in enumerate(plan.stations):
        sr = result.stations[station.name]
        planned = math.fsum(
            result.products[p.name].good * p.routing.count(k) * planned_time_per_part(plan, k, i)
            for i, p in enumerate(plan.products)
            if k in p.routing
        )
        pbt = _planned_busy_time(sr, result.measured_time)
        out[station.name] = planned / pbt if pbt > 0 else math.nan
    return out


def replication_figures(plan: Plan, result: RunResult) -> dict[FigureKey, float]:
    """Every figure of one replication, keyed as in :meth:`RunSummary.figures`.

    Parameters
    ----------
    plan
        The plan the replication ran (for the order of products and stations).
    result
        One replication's raw sums.

    Returns
    -------
    dict
        Plain floats, ``nan`` where the replication leaves a figure undefined (the lead time
        when no good part left the line). This is all :func:`summarize` keeps of a result;
        pairing two scenarios' dicts replication by replication gives their paired differences.
    """
    hours = result.measured_time * result.hours_per_unit
    out: dict[FigureKey, float] = {
        ("throughput_per_hour",): result.throughput_per_hour,
        ("lead_time",): result.lead_time,
        ("wip",): result.wip,
        ("good_parts",): float(result.good),
        ("scrap_parts",): float(result.scrap),
    }
    for product in plan.products:
        pr = result.products[product.name]
        key = ("products", product.name)
        out[(*key, "throughput_per_hour")] = pr.good / hours
        out[(*key, "lead_time")] = pr.lead_mean if pr.lead_n > 0 else math.nan
        out[(*key, "good_parts")] = float(pr.good)
        out[(*key, "scrap_parts")] = float(pr.scrap)
    planned = _planned_times(plan)
    for index, station in enumerate(plan.stations):
        sr = result.stations[station.name]
        key = ("stations", station.name)
        fractions = [sr.fraction(k, result.measured_time) for k in range(6)]
        for name, value in zip(STATION_FIGURES[:6], fractions, strict=True):
            out[(*key, name)] = value
        out[(*key, "utilization")] = fractions[0] + fractions[1]
        out[(*key, "parts_out")] = float(sr.parts_out)
        good = float(sr.parts_out - sr.scrap)
        pbt = _planned_busy_time(sr, result.measured_time)
        out[(*key, "oee")] = station_oee(good, planned[index], pbt)
    activity = {s.name: StationActivity.of(result.stations[s.name]) for s in plan.stations}
    for name, act in activity.items():
        out[("bottleneck", "utilization", name)] = act.utilization
    for name, act in activity.items():
        out[("bottleneck", "active_period", name)] = act.active_period
    bottleneck = _named(activity)
    out[("oee",)] = (
        math.nan if bottleneck is None else line_oee_candidates(plan, result)[bottleneck]
    )
    return out


class SummaryAccumulator:
    """Collects replications one at a time and summarises them.

    Only the per-replication figures of :func:`replication_figures` are kept, so memory grows
    with the number of replications and figures, never with the parts simulated.

    Parameters
    ----------
    plan
        The plan every added result ran.
    """

    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._values: dict[FigureKey, list[float]] = {}
        self._measured: list[float] = []
        self._activity: list[dict[str, StationActivity]] = []
        self._released_per_hour: list[float] = []
        self._hours_per_unit = plan.hours_per_unit

    def __len__(self) -> int:
        return len(self._measured)

    def add(self, result: RunResult) -> None:
        """Keep the figures of one replication."""
        figures = replication_figures(self._plan, result)
        for key, value in figures.items():
            self._values.setdefault(key, []).append(value)
        self._measured.append(result.measured_time)
        self._activity.append(  # what replication_figures read for the bottleneck, kept
            {
                s.name: StationActivity(
                    figures[("bottleneck", "utilization", s.name)],
                    figures[("bottleneck", "active_period", s.name)],
                )
                for s in self._plan.stations
            }
        )
        hours = result.measured_time * result.hours_per_unit
        self._released_per_hour.append(result.released / hours if hours > 0 else math.nan)
        self._hours_per_unit = result.hours_per_unit

    def summary(self) -> RunSummary:
        """Means and confidence intervals of every figure over the replications added."""
        est = {key: estimate(values) for key, values in self._values.items()}

        def get(key: FigureKey) -> Estimate:
            return est.get(key, _NAN_ESTIMATE)

        products = {
            p.name: ProductSummary(*(get(("products", p.name, f)) for f in PRODUCT_FIGURES))
            for p in self._plan.products
        }
        stations = {
            s.name: StationSummary(*(get(("stations", s.name, f)) for f in STATION_FIGURES))
            for s in self._plan.stations
        }
        n = len(self._measured)
        measured = math.fsum(self._measured) / n if n else self._plan.length
        return RunSummary(
            scenario=self._plan.name,
            replications=n,
            measured_time=measured,
            hours_per_unit=self._hours_per_unit,
            throughput_per_hour=get(("throughput_per_hour",)),
            lead_time=get(("lead_time",)),
            wip=get(("wip",)),
            good_parts=get(("good_parts",)),
            scrap_parts=get(("scrap_parts",)),
            products=products,
            stations=stations,
            bottleneck=find_bottleneck(
                self._activity,
                release_limited=limited_by_release(self._plan, estimate(self._released_per_hour)),
            ),
            oee=get(("oee",)),
        )


def summarize(plan: Plan, results: Iterable[RunResult]) -> RunSummary:
    """Means and 95% confidence intervals of every figure over replications.

    Parameters
    ----------
    plan
        The plan the results ran.
    results
        One :class:`~simline.engine.results.RunResult` per replication (any iterable: they
        are consumed one at a time).

    Returns
    -------
    RunSummary
        Every figure of the spec's output as an :class:`Estimate`.
    """
    acc = SummaryAccumulator(plan)
    for result in results:
        acc.add(result)
    return acc.summary()


@dataclass(frozen=True, slots=True)
class LineComparison:
    """Scenarios compared on the line's own figures, paired over replications.

    ``differences[k]`` is scenario ``k + 1`` minus the first, figure by figure:
    ``throughput_per_hour``, ``lead_time_hours``, ``wip``, ``bottleneck_utilization`` (each
    scenario's own bottleneck) and ``stations`` (utilization of each station both have).
    The winner has the highest mean throughput; ``margin`` is the winner minus the runner-up,
    paired, and ``significant`` says whether its 95% CI lies above 0.
    """

    scenarios: list[str]
    bottlenecks: list[str | None]
    differences: list[dict[str, object]]
    winner: str
    runner_up: str
    margin: Estimate
    significant: bool


#: Line figures compared between scenarios, in output order (lead time in hours, so that
#: scenarios in different time units compare).
COMPARED_FIGURES: tuple[str, ...] = (
    "throughput_per_hour",
    "lead_time_hours",
    "wip",
    "bottleneck_utilization",
)


def _line_values(
    plan: Plan, results: Sequence[RunResult], bottleneck: str | None
) -> dict[str, list[float]]:
    values: dict[str, list[float]] = {}
    for result in results:
        figures = replication_figures(plan, result)
        row = {
            "throughput_per_hour": figures[("throughput_per_hour",)],
            "lead_time_hours": figures[("lead_time",)] * result.hours_per_unit,
            "wip": figures[("wip",)],
            "bottleneck_utilization": math.nan
            if bottleneck is None
            else figures[("stations", bottleneck, "utilization")],
        }
        for station in plan.stations:
            row[f"stations.{station.name}"] = figures[("stations", station.name, "utilization")]
        for key, value in row.items():
            values.setdefault(key, []).append(value)
    return values


def compare_lines(plans: Sequence[Plan], results: Sequence[Sequence[RunResult]]) -> LineComparison:
    """Compare simulated lines (no cost model) with paired differences against the first.

    Parameters
    ----------
    plans
        The scenarios' plans, run with the same seed and replication count (common random
        numbers).
    results
        Each scenario's replications, in replication order.

    Raises
    ------
    ValueError
        If fewer than two scenarios are given or their replication counts differ.
    """
    if len(plans) < 2 or len(plans) != len(results):
        raise ValueError(f"compare needs two scenarios or more (got {len(plans)})")
    counts = {len(r) for r in results}
    if len(counts) != 1:
        raise ValueError(f"paired comparison needs equal replication counts (got {sorted(counts)})")
    bottlenecks = [summarize(p, r).bottleneck.station for p, r in zip(plans, results, strict=True)]
    values = [_line_values(p, r, b) for p, r, b in zip(plans, results, bottlenecks, strict=True)]
    first = values[0]
    differences: list[dict[str, object]] = []
    for plan, mine in zip(plans[1:], values[1:], strict=True):
        entry: dict[str, object] = {"scenario": plan.name, "versus": plans[0].name}
        for figure in COMPARED_FIGURES:
            entry[figure] = paired_difference(mine[figure], first[figure])
        entry["stations"] = {
            key.removeprefix("stations."): paired_difference(mine[key], first[key])
            for key in mine
            if key.startswith("stations.") and key in first
        }
        differences.append(entry)
    means = [estimate(v["throughput_per_hour"]).mean for v in values]
    order = sorted(
        range(len(plans)), key=lambda i: -means[i] if math.isfinite(means[i]) else math.inf
    )
    win, run = order[0], order[1]
    margin = paired_difference(
        values[win]["throughput_per_hour"], values[run]["throughput_per_hour"]
    )
    return LineComparison(
        scenarios=[p.name for p in plans],
        bottlenecks=bottlenecks,
        differences=differences,
        winner=plans[win].name,
        runner_up=plans[run].name,
        margin=margin,
        significant=margin.n > 1 and margin.lo > 0,
    )
