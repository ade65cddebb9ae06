"""Total cost of ownership of one scenario: per replication, then mean and 95% CI.

Per good part (Moser's stack, hardest figure first)::

    unit_cost   = material + labour + equipment + energy
    landed_cost = unit_cost + margin + freight + insurance + duty + fees + inventory + carbon
                  + overhead
    tco         = landed_cost + risk + strategic

``margin`` is ``tco.supplier_margin * unit_cost`` (0 for an own plant); the price at the
gate is ``P = unit_cost + margin``. ``risk = (ip_risk_rate + quality_risk_rate +
disruption_rate) * P``; ``strategic = innovation_rate * P + (travel_per_year +
management_per_year) / annual volume``; ``overhead = tco.overhead_rate * P``
(administrative overhead of buying, inside the landed cost). With ``logistics.loss_rate``
``l`` the items made or bought before the loss (material, labour, equipment, energy, margin,
so ``unit_cost`` too) are divided by ``1 - l``, as :mod:`simline.cost.landed` divides the
logistics items; risk, strategic and overhead stay shares of ``P``. The annual volume is
``demand.annual``, or the line's capacity (throughput x the hours of a simulated year,
:func:`~simline.cost.unit.year_hours`) when there is no demand.

Over the horizon, year ``t = 1 .. horizon_years`` costs ``Q * (tco + P_t - P)`` with
``P_t = P * (1 + s_L * ((1 + wage_growth)^(t-1) - 1)) * (1 + fx_growth)^(t-1)`` (``s_L`` the
labour share of ``P``), discounted at the site's interest rate. The sum is taken in closed
form (:func:`net_present_value`: three geometric series), so a long horizon costs nothing.
Capex is inside the unit cost through depreciation and interest and is not counted again.

Every figure is computed per replication from its :class:`~simline.engine.results.RunResult`
and only then averaged, so the confidence intervals carry through. No function here
simulates: cost inputs that do not change the line are applied to results already there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from simline.cost._array import is_array, where
from simline.cost.landed import landed, shipment_warnings
from simline.cost.unit import (
    MACHINE_HOUR_ITEMS,
    calendar_warnings,
    line_cost,
    require_site,
    year_hours,
)
from simline.stats import Estimate, estimate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from simline.config import ScenarioConfig
    from simline.engine.results import RunResult

__all__ = [
    "BREAKDOWN",
    "MONEY",
    "ReplicationCost",
    "ScenarioCost",
    "net_present_value",
    "not_costed",
    "replication_cost",
    "scenario_cost",
]

#: The items of the cost of a good part, in stacking order; they sum to ``tco``.
BREAKDOWN: tuple[str, ...] = (
    "material",
    "labour",
    "equipment",
    "energy",
    "margin",
    "freight",
    "insurance",
    "duty",
    "fees",
    "inventory",
    "carbon",
    "overhead",
    "risk",
    "strategic",
)

#: Figures in money (converted by an exchange rate); the others are physical.
MONEY: frozenset[str] = frozenset(
    {
        *BREAKDOWN,
        "unit_cost",
        "landed_cost",
        "tco",
        "unused_capacity",
        "tco_year",
        "npv",
        "price",
        "capital",
    }
)


def _discounted_sum(log_growth: float, log_discount: float, years: int) -> float:
    """``sum for t = 1..years of r^(t-1) / d^t`` with ``r = exp(log_growth)``, ``d`` likewise.

    A geometric series with ratio ``q = r / d``: ``(1 / d) * (q^years - 1) / (q - 1)``, taken
    through ``expm1`` of the logarithms so that it stays exact when ``q`` is near 1 (and is
    ``years / d`` when ``q == 1``).
    """
    step = log_growth - log_discount
    if is_array(step):
        first = np.exp(-log_discount)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.expm1(years * step) / np.expm1(step)
        return first * np.where(step == 0.0, years, ratio)  # type: ignore[no-any-return]
    first = math.exp(-log_discount)
    if step == 0.0:
        return years * first
    return first * math.expm1(years * step) / math.expm1(step)


def net_present_value(
    annual: float,
    tco: float,
    price: float,
    labour_share: float,
    *,
    wage_growth: float,
    fx_growth: float,
    interest_rate: float,
    years: int,
) -> float:
    """Present value of the yearly TCO over ``years``, with wages and the currency drifting.

    Year ``t`` costs ``annual * (tco + P_t - P)`` with
    ``P_t = P * (1 + s * (w^(t-1) - 1)) * f^(t-1)``, ``w = 1 + wage_growth``,
    ``f = 1 + fx_growth``, ``s = labour_share``, discounted by ``(1 + interest_rate)^t``.
    Since ``P_t - P = P * ((1 - s) * f^(t-1) + s * (w f)^(t-1) - 1)``, the sum is three
    geometric series, each in closed form (a growing annuity):

        NPV = annual * ((tco - P) * S(1) + P * (1 - s) * S(f) + P * s * S(w f))

    with ``S(r) = sum for t = 1..years of r^(t-1) / (1 + i)^t``. The cost does not depend
    on ``years``, and growth equal to the discount rate is exact (``S = years / (1 + i)``).

    Examples
    --------
    >>> round(net_present_value(100, 2.0, 1.0, 0.0, wage_growth=0, fx_growth=0,
    ...                         interest_rate=0.0, years=5), 9)
    1000.0
    """
    log1p = np.log1p if is_array(interest_rate, wage_growth, fx_growth) else math.log1p
    log_d = log1p(interest_rate)
    log_w = log1p(wage_growth)
    log_f = log1p(fx_growth)
    flat = _discounted_sum(0.0, log_d, years)
    currency = _discounted_sum(log_f, log_d, years)
    wages = _discounted_sum(log_w + log_f, log_d, years)
    return annual * (
        (tco - price) * flat
        + price * (1.0 - labour_share) * currency
        + price * labour_share * wages
    )


@dataclass(frozen=True, slots=True)
class ReplicationCost:
    """Every cost figure of one replication (money per good part unless named otherwise).

    ``figures`` holds the :data:`BREAKDOWN` items, ``unit_cost``, ``landed_cost``, ``tco``,
    ``unused_capacity``, ``co2_kg_per_part``, ``capacity`` (parts per year of one line),
    ``tco_year``, ``npv`` and the line figures the comparison needs (``throughput_per_hour``,
    ``lead_time_h``, ``lead_time_door_to_door_h``, ``wip``).
    """

    figures: dict[str, float]
    stations: dict[str, dict[str, float]] = field(default_factory=dict)


def replication_cost(
    config: ScenarioConfig, result: RunResult, *, rate: float = 1.0, stations: bool = True
) -> ReplicationCost:
    """Cost figures of one replication.

    Parameters
    ----------
    config
        The scenario with its cost keys.
    result
        One replication of its line.
    rate
        Money figures are multiplied by it (an exchange rate into a reporting currency).
    stations
        Whether to give each station's figures too (the futures of an uncertainty study need
        only the line's).
    """
    site = require_site(config)
    line = line_cost(config, result)
    tco_cfg = config.tco
    throughput = result.throughput_per_hour
    capacity = throughput * year_hours(config)
    annual = config.demand.annual if config.demand is not None else capacity
    lead_h = result.lead_time * result.hours_per_unit
    unit = line.unit_cost
    margin = tco_cfg.supplier_margin * unit
    price = unit + margin
    logistics = landed(
        config,
        price=price,
        kwh_per_part=line.kwh_per_part,
        mass_kg=line.mass_kg,
        annual_volume=where(annual > 0, annual, math.nan),
    )
    # parts lost at the market before use: each good part carries the price of 1 / keep
    keep = 1.0 - config.logistics.loss_rate if config.logistics is not None else 1.0
    risk = (tco_cfg.ip_risk_rate + tco_cfg.quality_risk_rate + tco_cfg.disruption_rate) * price
    yearly = tco_cfg.travel_per_year + tco_cfg.management_per_year
    strategic = tco_cfg.innovation_rate * price + yearly / where(annual > 0, annual, math.nan)
    overhead = tco_cfg.overhead_rate * price
    made = {
        "material": line.material,
        "labour": line.labour,
        "equipment": line.equipment,
        "energy": line.energy,
        "margin": margin,
    }
    if is_array(keep) or keep != 1.0:
        made = {k: v / keep for k, v in made.items()}
        unit /= keep
        price_used = price / keep
    else:
        price_used = price
    items = {
        **made,
        "freight": logistics.freight,
        "insurance": logistics.insurance,
        "duty": logistics.duty,
        "fees": logistics.fees,
        "inventory": logistics.inventory,
        "carbon": logistics.carbon,
        "overhead": overhead,
        "risk": risk,
        "strategic": strategic,
    }
    landed_cost = price_used + sum(
        items[k]
        for k in ("freight", "insurance", "duty", "fees", "inventory", "carbon", "overhead")
    )
    tco = landed_cost + risk + strategic
    labour_share = where(
        price > 0, line.labour * (1.0 + tco_cfg.supplier_margin) / where(price > 0, price, 1.0), 0.0
    )
    npv = net_present_value(
        annual,
        tco,
        price_used,
        labour_share,
        wage_growth=tco_cfg.wage_growth,
        fx_growth=tco_cfg.fx_growth,
        interest_rate=site.interest_rate,
        years=tco_cfg.horizon_years,
    )
    figures = {
        **items,
        "unit_cost": unit,
        "landed_cost": landed_cost,
        "tco": tco,
        "unused_capacity": line.unused_capacity,
        "tco_year": tco * annual,
        "npv": npv,
        "co2_kg_per_part": logistics.co2_kg_per_part,
        "capacity": capacity,
        "price": price_used,
        "labour_share": labour_share,
        "capital": line.capital / keep,
        "throughput_per_hour": throughput,
        "lead_time_h": lead_h,
        "lead_time_door_to_door_h": lead_h + logistics.transit_h,
        "wip": result.wip,
    }
    for key in MONEY:
        figures[key] *= rate
    if not stations:
        return ReplicationCost(figures=figures)
    per_station = {
        name: {
            "machine_hour_rate": sc.machine_hour_rate * rate,
            "cost_per_part": sc.cost_per_part * rate,
            "cost_per_build_part": sc.cost_per_build_part * rate,
            **{
                f"machine_hour_items.{item}": sc.machine_hour_items[item] * rate
                for item in MACHINE_HOUR_ITEMS
            },
        }
        for name, sc in line.stations.items()
    }
    return ReplicationCost(figures=figures, stations=per_station)


@dataclass(frozen=True, slots=True)
class ScenarioCost:
    """Cost figures of one scenario over its replications.

    ``replications`` keeps the per-replication figures, for paired differences;
    ``warnings`` says where the figures rest on an assumption the inputs strain (each a
    ``path: message`` line); ``site`` is the site's name (its profile's, when named
    by ``site: nl`` or ``base:``), ``None`` when it has none; ``not_costed`` names the cost
    keys that count as 0 because the scenario leaves them out (:func:`not_costed`).
    """

    scenario: str
    currency: str
    demand: float | None
    time_unit: str
    hours_per_unit: float
    replications: list[ReplicationCost]
    warnings: list[str] = field(default_factory=list)
    site: str | None = None
    not_costed: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: {"stations": {}, "products": {}}
    )

    def values(self, figure: str) -> list[float]:
        """Return the per-replication values of a figure."""
        return [r.figures[figure] for r in self.replications]

    def estimate(self, figure: str) -> Estimate:
        """Mean and 95% CI of a figure over the replications."""
        return estimate(self.values(figure))

    def station_estimate(self, station: str, figure: str) -> Estimate:
        """Mean and 95% CI of a station's figure."""
        return estimate(r.stations[station][figure] for r in self.replications)

    @property
    def lines_needed(self) -> int | None:
        """Lines the annual demand needs at the mean simulated capacity (``None`` if unknown)."""
        capacity = self.estimate("capacity").mean
        if self.demand is None or not math.isfinite(capacity) or capacity <= 0:
            return None
        return max(1, math.ceil(self.demand / capacity - 1e-9))

    def to_json(self) -> dict[str, Any]:
        """Return the ``cost`` block of ``spec/cost.md`` (plus ``margin`` and lead times)."""
        reps = len(self.replications)

        def est(name: str) -> dict[str, object]:
            return self.estimate(name).to_json(reps)

        stations: dict[str, Any] = {}
        if self.replications:
            for name in self.replications[0].stations:
                entry: dict[str, Any] = {
                    "machine_hour_rate": self.station_estimate(name, "machine_hour_rate").to_json(
                        reps
                    ),
                    "machine_hour_items": {
                        item: self.station_estimate(name, f"machine_hour_items.{item}").to_json(
                            reps
                        )
                        for item in MACHINE_HOUR_ITEMS
                    },
                    "cost_per_part": self.station_estimate(name, "cost_per_part").to_json(reps),
                }
                per_build = self.station_estimate(name, "cost_per_build_part")
                if per_build.n > 0:
                    entry["cost_per_build_part"] = per_build.to_json(reps)
                stations[name] = entry
        return {
            "site": self.site,
            "currency": self.currency,
            "unit_cost": est("unit_cost"),
            "landed_cost": est("landed_cost"),
            "tco": est("tco"),
            "breakdown": {name: est(name) for name in BREAKDOWN},
            "unused_capacity": est("unused_capacity"),
            "stations": stations,
            "annual": {
                "demand": self.demand,
                "capacity": est("capacity"),
                "lines_needed": self.lines_needed,
                "tco": est("tco_year"),
                "npv": est("npv"),
            },
            "co2_kg_per_part": est("co2_kg_per_part"),
            "lead_time_door_to_door": estimate(
                v / self.hours_per_unit for v in self.values("lead_time_door_to_door_h")
            ).to_json(reps),
            "warnings": list(self.warnings),
            "not_costed": {kind: dict(names) for kind, names in self.not_costed.items()},
        }


def scenario_cost(
    config: ScenarioConfig,
    results: Sequence[RunResult],
    *,
    rate: float = 1.0,
    currency: str | None = None,
) -> ScenarioCost:
    """Cost of a scenario from its replications, without simulating anything.

    Parameters
    ----------
    config
        The scenario with its cost keys (may differ from the simulated one in cost keys only).
    results
        Its replications.
    rate
        Multiplies every money figure (an exchange rate into ``currency``).
    currency
        The currency of the figures; the scenario's own when left out.

    Raises
    ------
    ConfigError
        If the scenario has no site or its cost keys cannot give a cost.
    """
    reps = [replication_cost(config, r, rate=rate) for r in results]
    hpu = results[0].hours_per_unit if results else 1.0
    demand = config.demand.annual if config.demand is not None else None
    if demand is not None:
        volume = demand
    else:
        volume = estimate(r.figures["capacity"] for r in reps).mean if reps else math.nan
    return ScenarioCost(
        scenario=config.name,
        currency=currency or config.currency,
        demand=demand,
        time_unit=config.time_unit,
        hours_per_unit=hpu,
        replications=reps,
        warnings=[*calendar_warnings(config), *shipment_warnings(config, volume)],
        site=None if config.site is None else config.site.name,
        not_costed=not_costed(config),
    )


def not_costed(config: ScenarioConfig) -> dict[str, dict[str, list[str]]]:
    """Name the stations and products whose cost keys are missing, so they cost 0.

    A station without ``capex`` (or with 0) has no depreciation, interest or maintenance;
    one without ``energy`` (or with both powers 0) draws nothing; a product without
    ``material_cost`` (or with 0) costs no material. Each is named with its keys, in the
    order of the file; a station or product with all of them given is not named.

    Returns
    -------
    dict
        ``{"stations": {name: [keys]}, "products": {name: [keys]}}``.
    """
    stations: dict[str, list[str]] = {}
    for name, station in config.stations.items():
        keys = []
        if station.capex == 0:
            keys.append("capex")
        energy = station.energy
        if energy is None or (energy.busy_kw == 0 and energy.idle_kw == 0):
            keys.append("energy")
        if keys:
            stations[name] = keys
    products = {
        name: ["material_cost"]
        for name, product in config.product_configs().items()
        if product.material_cost == 0
    }
    return {"stations": stations, "products": products}
