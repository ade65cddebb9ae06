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

With ``legs`` instead of the single-leg keys, each leg ``j`` has its own shipment
``Q_j = min(u_j, A)`` (``u_j`` its ``units_per_container``, or the container of the leg
before); freight is the sum of the legs' freight per part, fees per shipment the sum of
``fees_per_shipment_j / Q_j``, transit the sum of the legs' transit, transport emissions the
sum of the legs'. The shipment at the market (cycle stock) is the last leg's ``Q``.

Pallets, losses and stock at the market (all 0 or as above when left out):

- ``per_pallet / units_per_pallet`` per part is added to ``inventory`` (storage, handling,
  receiving at the market);
- with ``loss_rate`` ``l``, a share ``l`` of the shipped parts is lost at the market before
  use, so each good part carries ``1 / (1 - l)`` parts' worth of what was paid on every
  shipped part up to then: the caller divides the price items by ``1 - l``, and here
  freight, insurance, duty, fees, in-transit inventory and the per-pallet cost are divided.
  Stock carried at the market (its value per good part) and carbon are not;
- ``stock_on_hand`` replaces ``Q / 2`` as the parts held at the market (cycle stock).

Reference: ``shared/reference/cost-model.md`` sec. 2, items 3-10 and 29.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from simline.config.units import duration_seconds
from simline.cost._array import is_array, larger, normal_quantile, where

if TYPE_CHECKING:
    from simline.config import ScenarioConfig

__all__ = [
    "TRANSPORT_CO2_KG_PER_TKM",
    "Landed",
    "cbam_per_part",
    "landed",
    "parts_per_shipment",
    "shipment_warnings",
    "transit_hours",
]


@dataclass(frozen=True, slots=True)
class _Leg:
    """One leg as the cost sees it: a rate, its container (inherited), fees and emissions."""

    mode: str
    rate_per_container: float | None
    rate_per_kg: float | None
    rate_per_part: float | None
    units_per_container: int | None
    transit: object
    fees_per_shipment: float
    co2_kg_per_part: float | None
    distance_km: float | None


def _legs(config: ScenarioConfig) -> list[_Leg]:
    """List the legs of the delivery: ``legs``, or the single-leg keys as one; none for ``none``."""
    logistics = config.logistics
    if logistics is None or logistics.mode == "none":
        return []
    sources: list[Any] = list(logistics.legs) if logistics.legs is not None else [logistics]
    legs = []
    units: int | None = None
    for src in sources:
        units = src.units_per_container if src.units_per_container is not None else units
        legs.append(
            _Leg(
                mode=src.mode,
                rate_per_container=src.rate_per_container,
                rate_per_kg=src.rate_per_kg,
                rate_per_part=src.rate_per_part,
                units_per_container=units,
                transit=src.transit,
                fees_per_shipment=src.fees_per_shipment,
                co2_kg_per_part=src.co2_kg_per_part,
                distance_km=src.distance_km,
            )
        )
    return legs


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
    if logistics.legs is not None:
        return (
            _total(duration_seconds(leg.transit, config.time_unit) for leg in logistics.legs)
            / 3600.0
        )
    return duration_seconds(logistics.transit, config.time_unit) / 3600.0


def parts_per_shipment(config: ScenarioConfig, annual_volume: float) -> float:
    """Parts in one shipment at the market: a container, but never more than a year's volume.

    Without containers a shipment is a week of demand, ``annual_volume / 52``. With
    ``units_per_container`` it is ``min(units_per_container, annual_volume)``: a market that
    takes fewer parts a year than a container holds gets one part-full container a year.
    With ``legs`` it is the last leg's shipment.
    """
    legs = _legs(config)
    return _shipment(legs[-1], annual_volume) if legs else annual_volume / _WEEKS


def _shipment(leg: _Leg, annual_volume: float) -> float:
    if leg.units_per_container is None:
        return annual_volume / _WEEKS
    capacity = float(leg.units_per_container)
    return where(annual_volume < capacity, annual_volume, capacity)


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
    if logistics is None:
        return []
    what = "demand.annual" if config.demand is not None else "one line's yearly capacity"
    out = []
    for i, leg in enumerate(_legs(config)):
        capacity = leg.units_per_container
        if capacity is None or not annual_volume < capacity:
            continue
        if logistics.legs is not None:
            if logistics.legs[i].units_per_container is None:
                continue  # said on the leg that gave the container
            path = f"logistics.legs.{i}.units_per_container"
        else:
            path = "logistics.units_per_container"
        out.append(
            f"{path}: a container holds {capacity:,} parts, more than a "
            f"year's volume ({what}: {annual_volume:,.6g}); costed as one part-full container a "
            f"year, which carries the whole container rate and fees per shipment"
        )
    return out


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
    freight = insurance = duty = fees = pallet = 0.0
    transport_co2 = 0.0
    legs = _legs(config)
    shipment = parts_per_shipment(config, annual_volume)
    keep = 1.0
    if logistics is not None:
        keep = 1.0 - logistics.loss_rate
        if logistics.units_per_pallet is not None:
            pallet = logistics.per_pallet / logistics.units_per_pallet
    if logistics is not None and legs:
        per_shipment = 0.0
        for leg in legs:
            q = _shipment(leg, annual_volume)
            freight += _freight(leg, q, mass_kg)
            per_shipment += leg.fees_per_shipment / q
            transport_co2 += _transport_co2(leg, mass_kg)
        insurance = logistics.insurance_rate * (price + freight)
        base = price + freight + insurance if logistics.duty_base == "cif" else price
        duty = logistics.duty_rate * base
        fees = logistics.fees_rate * price + per_shipment
    value = price + freight + insurance + duty + fees
    inventory = h * (price + freight + duty) * transit_h / 8760.0
    if logistics is not None and logistics.stock_on_hand is not None:
        inventory += h * value * logistics.stock_on_hand / annual_volume
    elif legs and legs[-1].units_per_container:
        inventory += h * value * (shipment / 2.0) / annual_volume
    if demand is not None:
        holds = (
            (demand.cv_weekly > 0) & (transit_h > 0)
            if is_array(demand.cv_weekly, transit_h)
            else demand.cv_weekly > 0 and transit_h > 0
        )
        if is_array(holds) or holds:
            z = normal_quantile(demand.service_level)
            sigma = demand.cv_weekly * demand.annual / _WEEKS
            safety = larger(z, 0.0) * sigma * np.sqrt(transit_h / (24.0 * 7.0))
            inventory += where(holds, h * value * safety / annual_volume, 0.0)
    if is_array(keep) or keep != 1.0:
        # in transit: paid on every shipped part; the stock at the market is of good parts
        in_transit = h * (price + freight + duty) * transit_h / 8760.0
        inventory += in_transit * (1.0 / keep - 1.0)
        freight, insurance, duty, fees, pallet = (
            x / keep for x in (freight, insurance, duty, fees, pallet)
        )
    co2 = kwh_per_part * site.grid_co2_kg_per_kwh + transport_co2
    border = cbam_per_part(config) / keep
    return Landed(
        freight=freight,
        insurance=insurance,
        duty=duty,
        fees=fees,
        inventory=inventory + pallet,
        carbon=co2 / 1000.0 * site.co2_price_per_t + border,
        co2_kg_per_part=co2,
        transit_h=transit_h,
    )


def _freight(leg: _Leg, shipment: float, mass_kg: float | None) -> float:
    if leg.rate_per_part is not None:
        return leg.rate_per_part
    if leg.rate_per_kg is not None:
        return leg.rate_per_kg * _need_mass(mass_kg, "logistics.rate_per_kg")
    if leg.rate_per_container is not None:
        if leg.units_per_container is None:
            raise ValueError(
                "logistics has 'rate_per_container' but no 'units_per_container'; "
                "validate it first (LogisticsConfig refuses that)"
            )
        return leg.rate_per_container / shipment
    return 0.0


def _transport_co2(leg: _Leg, mass_kg: float | None) -> float:
    if leg.co2_kg_per_part is not None:
        return leg.co2_kg_per_part
    if leg.distance_km is not None:
        mass = _need_mass(mass_kg, "logistics.distance_km")
        return mass / 1000.0 * leg.distance_km * TRANSPORT_CO2_KG_PER_TKM[leg.mode]
    return 0.0


def _need_mass(mass_kg: float | None, path: str) -> float:
    if mass_kg is None:
        raise ValueError(
            f"{path} needs the 'mass_kg' of every product; validate the scenario first "
            "(ScenarioConfig refuses it without)"
        )
    return mass_kg


def _total(values: Any) -> float:
    """``math.fsum`` of numbers; the plain sum once one is an array of futures."""
    items = list(values)
    return cast("float", sum(items)) if is_array(*items) else math.fsum(items)


def cbam_per_part(config: ScenarioConfig) -> float:
    """CBAM certificates per imported part: embedded t CO2e x (price - price paid abroad).

    A carbon price paid abroad above the certificate price gives no refund (the charge is
    at least 0). 0 without ``logistics.cbam``.
    """
    cbam = config.logistics.cbam if config.logistics is not None else None
    if cbam is None:
        return 0.0
    return (
        cbam.embedded_co2_kg_per_part
        / 1000.0
        * larger(cbam.price_per_t - cbam.paid_abroad_per_t, 0.0)
    )
