"""Landed cost: from the factory gate to the market, per good part.

With ``P`` the price at the gate (the line's unit cost plus a supplier's margin, if any):

- a shipment is one container of ``Q = min(units_per_container, A)`` parts (``A`` the
  parts per year): a container is never filled with more than a year's demand, so there is
  at least one shipment a year; without containers it is a week of demand, ``A / 52``;
- freight: ``rate_per_part``, or ``rate_per_kg * mass_kg``, or ``rate_per_container / Q``
  (a container is paid in full, however full it is);
- insurance: ``insurance_rate * (P + freight)``;
- duty: ``duty_rate`` times its base: ``cif`` = P + freight + insurance (EU customs value),
  ``fob`` and ``price`` = P (simline has no separate leg to the port of loading, so the two
  coincide);
- fees: ``fees_rate * P + fees_per_shipment / shipment``;
- inventory, at the site's carrying rate ``h`` per year: goods in transit on
  ``P + freight + duty``; on the landed value, half a shipment ``Q / 2`` of cycle stock with
  containers (weekly deliveries without containers are the baseline every option shares and
  are not charged)
  and the safety stock ``z(service_level) * cv_weekly * weekly demand * sqrt(transit in
  weeks)`` that the transit adds (the line's own lead time is hours, the same order for
  every option, and is left out, so zero transit means zero inventory cost);
- carbon: (energy per part x grid factor + transport emissions) at the site's carbon price.

Reference: ``shared/reference/cost-model.md`` sec. 2, items 3-10 and 29.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

from simline.config.units import duration_seconds

if TYPE_CHECKING:
    from simline.config import ScenarioConfig

__all__ = [
    "TRANSPORT_CO2_KG_PER_TKM",
    "Landed",
    "landed",
    "parts_per_shipment",
    "shipment_warnings",
    "transit_hours",
]

#: Transport emissions per tonne-km by mode. Sea: DEFRA 2025, container ship > 8000 TEU
#: (via climatiq). Road and air are assumptions (typical DEFRA orders of magnitude for an
#: articulated HGV and long-haul freight, to verify) used only when a scenario gives
#: ``distance_km`` without ``co2_kg_per_part``.
TRANSPORT_CO2_KG_PER_TKM: dict[str, float] = {
    "sea": 0.01266,
    "road": 0.1,
    "air": 0.6,
    "none": 0.0,
}

#: Weeks in a year, for weekly demand and weekly shipments.
_WEEKS = 52.0


@dataclass(frozen=True, slots=True)
class Landed:
    """The logistics items per good part in one replication."""

    freight: float
    insurance: float
    duty: float
    fees: float
    inventory: float
    carbon: float
    co2_kg_per_part: float
    transit_h: float


def transit_hours(config: ScenarioConfig) -> float:
    """Door-to-door transit time in hours (0 without logistics)."""
    logistics = config.logistics
    if logistics is None:
        return 0.0
    return duration_seconds(logistics.transit, config.time_unit) / 3600.0


def parts_per_shipment(config: ScenarioConfig, annual_volume: float) -> float:
    """Parts in one shipment: a container, but never more than a year's volume.

    Without containers a shipment is a week of demand, ``annual_volume / 52``. With
    ``units_per_container`` it is ``min(units_per_container, annual_volume)``: a market that
    takes fewer parts a year than a container holds gets one part-full container a year.
    """
    logistics = config.logistics
    if logistics is None or logistics.mode == "none" or logistics.units_per_container is None:
        return annual_volume / _WEEKS
    capacity = float(logistics.units_per_container)
    return annual_volume if annual_volume < capacity else capacity


def shipment_warnings(config: ScenarioConfig, annual_volume: float) -> list[str]:
    """Say when a container holds more than a year's volume (``path: message`` strings).

    Parameters
    ----------
    config
        The scenario.
    annual_volume
        Parts per year shipped: ``demand.annual``, or the mean capacity of one line.
    """
    logistics = config.logistics
    if logistics is None or logistics.mode == "none" or logistics.units_per_container is None:
        return []
    capacity = logistics.units_per_container
    if not annual_volume < capacity:
        return []
    what = "demand.annual" if config.demand is not None else "one line's yearly capacity"
    return [
        f"logistics.units_per_container: a container holds {capacity:,} parts, more than a "
        f"year's volume ({what}: {annual_volume:,.6g}); costed as one part-full container a "
        f"year, which carries the whole container rate and fees per shipment"
    ]


def landed(
    config: ScenarioConfig,
    *,
    price: float,
    kwh_per_part: float,
    mass_kg: float | None,
    annual_volume: float,
) -> Landed:
    """Compute the logistics items per good part.

    Parameters
    ----------
    config
        The scenario: site, logistics and demand.
    price
        ``P``: the value at the factory gate per part (unit cost plus a supplier's margin).
    kwh_per_part
        Electricity per good part at the site.
    mass_kg
        Mean mass of a good part, ``None`` if not given.
    annual_volume
        Parts per year shipped (``demand.annual``, or the line's capacity).

    Raises
    ------
    ValueError
        If freight is per kg, or emissions are derived from a distance, and a product has no
        ``mass_kg``; or a container rate has no ``units_per_container``: a scenario that was
        not validated (validation refuses both, naming the file, line and path, before
        anything is simulated).
    """
    site = config.site
    assert site is not None
    logistics = config.logistics
    demand = config.demand
    h = site.inventory_carrying_rate
    transit_h = transit_hours(config)
    freight = insurance = duty = fees = 0.0
    transport_co2 = 0.0
    shipment = parts_per_shipment(config, annual_volume)
    if logistics is not None and logistics.mode != "none":
        if logistics.rate_per_part is not None:
            freight = logistics.rate_per_part
        elif logistics.rate_per_kg is not None:
            freight = logistics.rate_per_kg * _need_mass(mass_kg, "logistics.rate_per_kg")
        elif logistics.rate_per_container is not None:
            if logistics.units_per_container is None:
                raise ValueError(
                    "logistics has 'rate_per_container' but no 'units_per_container'; "
                    "validate it first (LogisticsConfig refuses that)"
                )
            freight = logistics.rate_per_container / shipment
        insurance = logistics.insurance_rate * (price + freight)
        base = price + freight + insurance if logistics.duty_base == "cif" else price
        duty = logistics.duty_rate * base
        fees = logistics.fees_rate * price + logistics.fees_per_shipment / shipment
        if logistics.co2_kg_per_part is not None:
            transport_co2 = logistics.co2_kg_per_part
        elif logistics.distance_km is not None:
            mass = _need_mass(mass_kg, "logistics.distance_km")
            transport_co2 = (
                mass / 1000.0 * logistics.distance_km * TRANSPORT_CO2_KG_PER_TKM[logistics.mode]
            )
    value = price + freight + insurance + duty + fees
    inventory = h * (price + freight + duty) * transit_h / 8760.0
    if logistics is not None and logistics.mode != "none" and logistics.units_per_container:
        inventory += h * value * (shipment / 2.0) / annual_volume
    if demand is not None and demand.cv_weekly > 0 and transit_h > 0:
        z = NormalDist().inv_cdf(demand.service_level)
        sigma = demand.cv_weekly * demand.annual / _WEEKS
        safety = max(z, 0.0) * sigma * math.sqrt(transit_h / (24.0 * 7.0))
        inventory += h * value * safety / annual_volume
    co2 = kwh_per_part * site.grid_co2_kg_per_kwh + transport_co2
    return Landed(
        freight=freight,
        insurance=insurance,
        duty=duty,
        fees=fees,
        inventory=inventory,
        carbon=co2 / 1000.0 * site.co2_price_per_t,
        co2_kg_per_part=co2,
        transit_h=transit_h,
    )


def _need_mass(mass_kg: float | None, path: str) -> float:
    if mass_kg is None:
        raise ValueError(
            f"{path} needs the 'mass_kg' of every product; validate the scenario first "
            "(ScenarioConfig refuses it without)"
        )
    return mass_kg
