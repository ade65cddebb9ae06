"""Machine-hour rates after VDI 3258 Blatt 1: the fixed cost of a station per year.

The imputed items of a station (per server) are

- depreciation ``K_A = (W + disposal_cost - residual_value) / life_years`` with
  ``W = replacement_value`` (left out: ``capex``),
- imputed interest on the average capital ``K_Z = capex / 2 * interest_rate``,
- space ``K_R = floor_m2 * rent_per_m2_year``,
- maintenance ``K_I = maintenance_per_year``, or ``capex * maintenance_rate``.

A year of simulated time carries one year of the fixed items, whatever the shift calendar;
energy is charged by simulated state and tools per busy hour (:mod:`simline.cost.unit`).
The quoted machine-hour rate divides the fixed items by the yearly running hours ``T_L``:
``planned_hours_per_year`` when the station gives it, else the simulated busy hours scaled
to a year. Reference: ``shared/reference/cost-model.md`` sec. 3.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simline.config import SiteConfig, StationConfig

__all__ = ["FixedItems", "depreciation_rate", "fixed_items"]


@dataclass(frozen=True, slots=True)
class FixedItems:
    """The VDI 3258 fixed items of one station per year (all servers), in the site currency."""

    depreciation: float
    interest: float
    space: float
    maintenance: float

    @property
    def total(self) -> float:
        """The sum of the four items."""
        return self.depreciation + self.interest + self.space + self.maintenance


def fixed_items(name: str, station: StationConfig, site: SiteConfig) -> FixedItems:
    """Return the yearly fixed items of a station at a site.

    Parameters
    ----------
    name
        The station's name (for the error message).
    station
        Its configuration: ``capex``, ``replacement_value``, ``disposal_cost``,
        ``residual_value``, ``maintenance_per_year`` (or ``maintenance_rate``) and
        ``floor_m2`` are per server.
    site
        The site's interest rate and rent.

    Raises
    ------
    ValueError
        If the station has a ``capex`` but no ``life_years``: a station that was not
        validated (validation refuses it, naming the scenario file, line and path, before
        anything is simulated).
    """
    servers = station.servers
    capex = station.capex * servers
    base = station.depreciation_base * servers
    if station.life_years is None and np.any(base > 0):
        what = "capex" if np.any(capex > 0) else "a depreciation base"
        raise ValueError(
            f"station {name!r} has {what} but no life_years; validate it first "
            "(StationConfig refuses that)"
        )
    life = station.life_years
    per_year = station.maintenance_per_year
    return FixedItems(
        depreciation=base / life if life is not None else 0.0,
        interest=capex / 2.0 * site.interest_rate,
        space=station.floor_m2 * servers * site.rent_per_m2_year,
        maintenance=capex * station.maintenance_rate if per_year is None else per_year * servers,
    )


def depreciation_rate(
    capex: float, life_years: float, utilisation: float, hours_per_year: float = 8760.0
) -> float:
    """Depreciation per worked machine hour, ``capex / (life_years * hours_per_year * U)``.

    The simple rate the trade press quotes for a printer ("30-50 USD/h"), used to check the
    model against published figures.

    Examples
    --------
    >>> round(depreciation_rate(1_000_000, 5, 0.9), 1)
    25.4
    """
    if capex < 0 or life_years <= 0 or not 0 < utilisation <= 1 or hours_per_year <= 0:
        raise ValueError(
            "expected capex >= 0, life_years > 0, 0 < utilisation <= 1, hours_per_year > 0 "
            f"(got {capex!r}, {life_years!r}, {utilisation!r}, {hours_per_year!r})"
        )
    return capex / (life_years * hours_per_year * utilisation)
