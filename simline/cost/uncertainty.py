"""The cost over many futures: P10/P50/P90, chances of winning, drivers and payback.

The ``uncertainty`` block of a scenario (:mod:`simline.config.uncertainty`) draws its cost
inputs ``samples`` times. Every future is costed on every replication already simulated, in
one pass: the drawn inputs go into the scenario as arrays (one entry per future) and the cost
model (:func:`simline.cost.tco.replication_cost`) computes with them as with numbers. So a
study costs no new simulation, and thousands of futures cost about what a handful of single
costings do.

Per future, a figure is its mean over the replications, as in the run's own estimate. The
spread over futures is the inputs' uncertainty; the replications' own noise (the 95 % CI of
the run) is not added to it.

Futures of several scenarios are paired: future ``k`` of each is costed with the ``k``-th draw
of its inputs, and an input drawn in two scenarios *at the same site* takes the same value in
both (the same uniform number behind it; see :func:`stream_key`), like the common random
numbers of the simulation. At different sites the inputs are drawn independently: the wages
of the Netherlands and of China are not one number.

Payback of scenario B against A: B's extra capital, ``I_B - I_A`` (capex of every server of
every line needed), repaid by the cash it saves each year, ``S_t = A_A(t) - A_B(t)`` with
``A(t) = Q x (tco - capital + P_t - P)``: the yearly TCO without depreciation and imputed
interest (they are the capital itself), with the gate price drifting with wages and currency
as in the NPV. The payback is the year in which the cumulative savings reach the extra
capital, interpolated within the year; ``inf`` ("never") when it is not reached within
:data:`PAYBACK_YEARS_MAX` years, ``nan`` (does not apply) when B needs no more capital.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from simline.config.uncertainty import canonical_path, quantiles, uncertain_inputs, with_values
from simline.cost.tco import replication_cost

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

    from simline.config import ScenarioConfig
    from simline.engine.results import RunResult

__all__ = [
    "PAYBACK_YEARS_MAX",
    "PERCENTILES",
    "FutureComparison",
    "FutureCosts",
    "Versus",
    "compare_futures",
    "futures_cost",
    "percentiles",
    "share_text",
    "stream_key",
    "versus",
]

#: The percentiles reported of every figure over the futures.
PERCENTILES: tuple[int, ...] = (10, 50, 90)
#: Years over which a payback is sought; beyond, it is "never".
PAYBACK_YEARS_MAX = 50
#: The figures costed per future, with their JSON names.
_FIGURES: tuple[tuple[str, str], ...] = (("tco", "tco"), ("tco_year", "annual_tco"), ("npv", "npv"))
_KEPT = ("tco", "tco_year", "npv", "price", "capital", "labour_share", "capacity")


def stream_key(config: ScenarioConfig, path: str) -> str:
    """Name an input's stream of futures: its ``shared`` name, else the site and the path."""
    canonical = canonical_path(path)
    block = config.uncertainty
    for name, paths in (block.shared if block is not None else {}).items():
        if canonical in {canonical_path(p) for p in paths}:
            return f"shared:{name}"
    site = config.site.name if config.site is not None and config.site.name else ""
    return f"{site}:{canonical}"


def _uniforms(seed: int, key: str, samples: int) -> NDArray[np.float64]:
    return np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))]).random(samples)


def percentiles(values: NDArray[np.float64]) -> dict[str, float | None]:
    """``{"p10", "p50", "p90", "mean"}`` of finite values (``None`` for an infinite one)."""
    out: dict[str, float | None] = {}
    points = np.percentile(values, PERCENTILES) if values.size else [math.nan] * 3
    for p, v in zip(PERCENTILES, points, strict=True):
        out[f"p{p}"] = float(v) if math.isfinite(v) else None
    mean = float(np.mean(values)) if values.size else math.nan
    out["mean"] = mean if math.isfinite(mean) else None
    return out


def _ranks(x: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """Ranks of finite values that vary (ties share their mean rank); ``None`` otherwise."""
    if x.size < 3 or not np.all(np.isfinite(x)) or np.ptp(x) == 0:
        return None
    from scipy.stats import rankdata

    return np.asarray(rankdata(x), dtype=np.float64)


def _rank_correlation(rx: NDArray[np.float64], ry: NDArray[np.float64]) -> float:
    """Spearman's rank correlation: Pearson's correlation of the ranks."""
    return float(np.corrcoef(rx, ry)[0, 1])


@dataclass(frozen=True, slots=True)
class FutureCosts:
    """One scenario costed over its futures.

    ``draws``: the inputs' values per future (by the path as written); ``figures``: per
    future, the mean over replications of ``tco``, ``tco_year``, ``npv`` and what the payback
    needs; ``investment``: capital of every server of every line needed (reporting currency).
    """

    scenario: str
    samples: int
    seed: int
    draws: dict[str, NDArray[np.float64]]
    figures: dict[str, NDArray[np.float64]]
    investment: NDArray[np.float64]
    wage_growth: NDArray[np.float64]
    fx_growth: NDArray[np.float64]
    volume: NDArray[np.float64]
    horizon_years: int = 0
    drivers: list[dict[str, Any]] = field(default_factory=list)
    ranks: dict[str, NDArray[np.float64] | None] = field(default_factory=dict)
    """Each input's draws as ranks, for the rank correlations."""
    streams: dict[str, str] = field(default_factory=dict)
    """Each input's stream (:func:`stream_key`)."""

    def to_json(self) -> dict[str, Any]:
        """Return the ``cost.uncertainty`` block."""
        out: dict[str, Any] = {
            "samples": self.samples,
            "seed": self.seed,
            "horizon_years": self.horizon_years,
            "inputs": {path: percentiles(values) for path, values in self.draws.items()},
        }
        for figure, name in _FIGURES:
            out[name] = percentiles(self.figures[figure])
        out["drivers"] = self.drivers
        return out

    def cash_cost(self, years: int) -> NDArray[np.float64]:
        """Yearly cash cost ``A(t)``, ``t = 1 .. years``: shape ``(futures, years)``."""
        f = self.figures
        t = np.arange(years, dtype=np.float64)
        log_f = np.log1p(self.fx_growth)
        growth_f = np.exp(np.outer(log_f, t))
        growth_wf = np.exp(np.outer(np.log1p(self.wage_growth) + log_f, t))
        share = f["labour_share"][:, None]
        price = f["price"][:, None]
        per_part = (f["tco"] - f["capital"] - f["price"])[:, None] + price * (
            (1.0 - share) * growth_f + share * growth_wf
        )
        return np.asarray(self.volume[:, None] * per_part, dtype=np.float64)


def futures_cost(
    config: ScenarioConfig,
    results: Sequence[RunResult],
    *,
    rate: float = 1.0,
    samples: int | None = None,
    seed: int | None = None,
) -> FutureCosts | None:
    """Cost a scenario over the futures of its ``uncertainty`` block (no simulation).

    Parameters
    ----------
    config
        The scenario as simulated.
    results
        Its replications.
    rate
        Exchange rate into the reporting currency.
    samples, seed
        Override the block's (a comparison uses one count and seed for every scenario). A
        scenario without the block is costed on that many identical futures when ``samples``
        is given, else ``None`` is returned.
    """
    block = config.uncertainty
    if block is None and samples is None:
        return None
    n = samples if samples is not None else block.samples  # type: ignore[union-attr]
    s = seed if seed is not None else (block.seed if block is not None else 0)
    inputs = uncertain_inputs(config)
    draws = {
        path: quantiles(dist, _uniforms(s, stream_key(config, path), n), config.time_unit)
        for path, dist in inputs.items()
    }
    future = with_values(config, draws)
    kept: dict[str, list[NDArray[np.float64]]] = {name: [] for name in _KEPT}
    with np.errstate(divide="ignore", invalid="ignore"):
        for result in results:
            figures = replication_cost(future, result, rate=rate, stations=False).figures
            for name in _KEPT:
                kept[name].append(np.broadcast_to(np.asarray(figures[name], float), (n,)))
    means = {name: np.mean(np.stack(v), axis=0) for name, v in kept.items()}
    volume = _volume(future, means["capacity"], n)
    costs = FutureCosts(
        scenario=config.name,
        samples=n,
        seed=s,
        draws=draws,
        figures=means,
        investment=_investment(future, volume, means["capacity"], n) * rate,
        wage_growth=np.broadcast_to(np.asarray(future.tco.wage_growth, float), (n,)),
        fx_growth=np.broadcast_to(np.asarray(future.tco.fx_growth, float), (n,)),
        volume=volume,
        horizon_years=config.tco.horizon_years,
    )
    costs.ranks.update({path: _ranks(x) for path, x in draws.items()})
    costs.streams.update({path: stream_key(config, path) for path in draws})
    costs.drivers.extend(_drivers([costs], means["tco"]))
    return costs


def _volume(config: ScenarioConfig, capacity: NDArray[np.float64], n: int) -> NDArray[np.float64]:
    if config.demand is not None:
        return np.broadcast_to(np.asarray(config.demand.annual, float), (n,))
    return capacity


def _investment(
    config: ScenarioConfig, volume: NDArray[np.float64], capacity: NDArray[np.float64], n: int
) -> NDArray[np.float64]:
    """Capex of every server of every line the yearly volume needs."""
    per_line = sum(
        (np.asarray(s.capex, float) * s.servers for s in config.stations.values()),
        start=np.zeros(n),
    )
    if config.demand is None:
        return per_line
    with np.errstate(divide="ignore", invalid="ignore"):
        lines = np.maximum(1.0, np.ceil(volume / capacity - 1e-9))
    return per_line * np.where(np.isfinite(lines), lines, 1.0)


def _drivers(costs: Sequence[FutureCosts], target: NDArray[np.float64]) -> list[dict[str, Any]]:
    """Each drawn input's rank correlation with ``target``, the strongest first.

    An input of a ``shared`` stream is listed once (``"shared"``: the stream's name), however
    many of the scenarios draw it; an input that does not vary drives nothing.
    """
    rows: list[dict[str, Any]] = []
    target_ranks = _ranks(target)
    if target_ranks is None:
        return rows
    seen: set[str] = set()
    for cost in costs:
        for path, rx in cost.ranks.items():
            stream = cost.streams.get(path, "")
            if rx is None or stream in seen:
                continue
            shared = stream.removeprefix("shared:") if stream.startswith("shared:") else None
            if shared is not None:
                seen.add(stream)
            rho = _rank_correlation(rx, target_ranks)
            rows.append(
                {
                    "scenario": cost.scenario,
                    "input": path,
                    "shared": shared,
                    "rank_correlation": rho,
                    # beyond 3 standard errors of a rank correlation of independent samples
                    "significant": bool(abs(rho) > 3.0 / math.sqrt(max(rx.size - 1, 1))),
                }
            )
    rows.sort(key=lambda r: -abs(r["rank_correlation"]))
    return rows


@dataclass(frozen=True, slots=True)
class Versus:
    """A scenario against the first over paired futures.

    ``difference`` and ``drivers``: of the TCO per good part (year one, the verdict's basis);
    ``npv_difference`` and ``npv_drivers``: of the NPV of the TCO over the horizon, which
    wage and currency growth move too.
    """

    scenario: str
    versus: str
    difference: NDArray[np.float64]
    npv_difference: NDArray[np.float64]
    payback: NDArray[np.float64]
    drivers: list[dict[str, Any]]
    npv_drivers: list[dict[str, Any]]
    payback_of: str | None = None
    """Whose extra capital ``payback`` repays: the one of the pair that invests more
    (``None``: neither does)."""

    @property
    def probability_cheaper(self) -> float:
        """Share of futures in which the scenario's TCO per part is lower (ties count half)."""
        return _below_zero(self.difference)

    @property
    def probability_cheaper_over_horizon(self) -> float:
        """Share of futures in which the NPV of its TCO over the horizon is lower."""
        return _below_zero(self.npv_difference)

    def to_json(self) -> dict[str, Any]:
        """Return ``{"scenario", "versus", "probability_cheaper", "tco_difference", ...}``.

        ``payback_years`` is of the extra capital of the one of the pair that invests more
        (``of``), repaid by its savings against the other (``against``), over the futures in
        which it does invest more (``applies``: their share); ``null`` when neither does.
        """
        applies = ~np.isnan(self.payback)
        pay: dict[str, Any] | None = None
        if applies.any():
            years = self.payback[applies]
            pay = dict[str, Any](percentiles(years))
            pay["mean"] = float(np.mean(years)) if np.isfinite(years).all() else None
            pay["share_never"] = float(np.mean(np.isinf(years)))
            pay["applies"] = float(np.mean(applies))
            pay["of"] = self.payback_of
            pay["against"] = self.versus if self.payback_of == self.scenario else self.scenario
        return {
            "scenario": self.scenario,
            "versus": self.versus,
            "probability_cheaper": self.probability_cheaper,
            "tco_difference": percentiles(self.difference),
            "probability_cheaper_over_horizon": self.probability_cheaper_over_horizon,
            "npv_difference": percentiles(self.npv_difference),
            "payback_years": pay,
            "drivers": self.drivers,
            "npv_drivers": self.npv_drivers,
        }


def _below_zero(values: NDArray[np.float64]) -> float:
    return float(np.mean(np.where(values < 0, 1.0, np.where(values == 0, 0.5, 0.0))))


def versus(scenario: FutureCosts, reference: FutureCosts) -> Versus:
    """Compare a scenario with the reference over their paired futures."""
    diff = scenario.figures["tco"] - reference.figures["tco"]
    npv = scenario.figures["npv"] - reference.figures["npv"]
    both = [reference, scenario]
    # the payback of whichever invests more, against the other: the same figure whatever
    # order the scenarios are given in
    extra = float(np.median(scenario.investment - reference.investment))
    investor, other = (scenario, reference) if extra >= 0 else (reference, scenario)
    years = payback(investor, other)
    return Versus(
        scenario=scenario.scenario,
        versus=reference.scenario,
        difference=diff,
        npv_difference=npv,
        payback=years,
        drivers=_drivers(both, diff),
        npv_drivers=_drivers(both, npv),
        payback_of=investor.scenario if not np.isnan(years).all() else None,
    )


def payback(scenario: FutureCosts, reference: FutureCosts) -> NDArray[np.float64]:
    """Years until the scenario's cash savings against the reference repay its extra capital."""
    years = PAYBACK_YEARS_MAX
    extra = scenario.investment - reference.investment
    savings = reference.cash_cost(years) - scenario.cash_cost(years)
    cumulative = np.cumsum(savings, axis=1)
    reached = cumulative >= extra[:, None]
    year = reached.argmax(axis=1)
    rows = np.arange(extra.size)
    before = np.where(year > 0, cumulative[rows, year - 1], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        within = year + (extra - before) / savings[rows, year]
    out = np.where(reached.any(axis=1), within, math.inf)
    return np.where(extra > 0, out, math.nan)


@dataclass(frozen=True, slots=True)
class FutureComparison:
    """Scenarios over the same futures: each one's costs, and each against the first."""

    samples: int
    seed: int
    source: str
    """The scenario whose ``uncertainty.samples`` and ``seed`` every scenario used."""
    costs: list[FutureCosts]
    versus: list[Versus]
    overridden: list[str] = field(default_factory=list)
    """Scenarios whose own ``samples`` or ``seed`` differ from the source's (not used)."""

    def cheapest_shares(self) -> dict[str, float]:
        """Each scenario's share of the futures in which its TCO is the lowest (ties shared)."""
        tco = np.stack([c.figures["tco"] for c in self.costs])
        lowest = np.nanmin(tco, axis=0) if np.isfinite(tco).any() else tco[0]
        best = tco == lowest[None, :]
        weight = best / np.maximum(best.sum(axis=0), 1)[None, :]
        return {c.scenario: float(np.mean(w)) for c, w in zip(self.costs, weight, strict=True)}

    def to_json(self) -> dict[str, Any]:
        """Return the ``uncertainty`` block of ``simline compare --format json``."""
        return {
            "samples": self.samples,
            "seed": self.seed,
            "futures_from": self.source,
            "overridden": list(self.overridden),
            "probability_cheapest": self.cheapest_shares(),
            "differences": [v.to_json() for v in self.versus],
        }

    def verdict(self) -> str:
        """One sentence per scenario against the first: how often cheaper, payback."""
        parts = []
        for v in self.versus:
            pay = v.to_json()["payback_years"]
            text = (
                f"Over {self.samples:,} futures {v.scenario} is cheaper than {v.versus} in "
                f"{share_text(v.probability_cheaper)} of them"
            )
            whose = "its" if pay is None or pay["of"] == v.scenario else f"{pay['of']}'s"
            if pay is not None and pay["p50"] is None:
                text += f"; {whose} extra capital does not pay back within 50 years in most"
            elif pay is not None:
                text += (
                    f", and {whose} extra capital pays back against "
                    f"{pay['against']} in {pay['p50']:.1f} years (P50)"
                )
            parts.append(text + ".")
        return " ".join(parts)


def share_text(p: float) -> str:
    """Write a probability as a percentage that never rounds a chance to none or to certainty."""
    if 0 < p < 0.001:
        return "<0.1%"
    if 0.999 < p < 1:
        return ">99.9%"
    return f"{p:.1%}"


def compare_futures(
    configs: Sequence[ScenarioConfig],
    results: Sequence[Sequence[RunResult]],
    rates: Sequence[float],
) -> FutureComparison | None:
    """Cost every scenario over the same futures (``None`` if none has ``uncertainty``).

    The first scenario with an ``uncertainty`` block sets the number of futures and the seed
    for all; each scenario draws its own inputs (none: its cost is the same in every future).
    """
    source = next((c for c in configs if c.uncertainty is not None), None)
    if source is None or source.uncertainty is None:
        return None
    samples, seed = source.uncertainty.samples, source.uncertainty.seed
    costs = []
    for config, reps, rate in zip(configs, results, rates, strict=True):
        cost = futures_cost(config, reps, rate=rate, samples=samples, seed=seed)
        assert cost is not None
        costs.append(cost)
    return FutureComparison(
        samples=samples,
        seed=seed,
        source=source.name,
        costs=costs,
        overridden=[
            c.name
            for c in configs
            if c.uncertainty is not None
            and (c.uncertainty.samples, c.uncertainty.seed) != (samples, seed)
        ],
        versus=[versus(c, costs[0]) for c in costs[1:]],
    )
