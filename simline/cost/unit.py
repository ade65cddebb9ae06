"""Cost per good part of the line itself, from one simulated replication.

Everything the line's behaviour drives comes from the :class:`~simline.engine.results.RunResult`:

- equipment: the VDI 3258 fixed items of each station (:mod:`simline.cost.rates`): a year
  of simulated time carries one year of them, ``F * hours / year_hours(config)``
  (:func:`year_hours`: calendar hours when the line has a shift calendar);
- energy by simulated state: ``busy_kw`` while busy, ``idle_kw`` in setup, blocked or
  starved, nothing while down or off shift;
- tools (``tooling``) per busy server hour, a variable cost inside ``equipment`` (VDI 3258
  counts them in the machine-hour rate);
- labour: the operators' *paid* time (pool on duty x time on duty) times the wage, whether
  or not they had work;
- material: per *released* part, so scrap loads its material onto the good parts;
- additive cells: the cost of the cell over the period spread over the parts actually in
  its builds, so half-empty builds show as a higher cost per part;
- unused capacity: the fixed cost of the time a station did not work, reported beside the
  unit cost (it is inside it, not added to it).

Every figure is per good part that left the line in the measured period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simline.cost._array import larger
from simline.cost.rates import fixed_items
from simline.errors import ConfigError

if TYPE_CHECKING:
    from simline.config import ScenarioConfig, SiteConfig, StationConfig
    from simline.cost.rates import FixedItems
    from simline.engine.results import RunResult

__all__ = [
    "CALENDAR_YEAR_HOURS",
    "MACHINE_HOUR_ITEMS",
    "LineCost",
    "StationCost",
    "calendar_warnings",
    "line_cost",
    "require_site",
    "year_hours",
]

_BUSY, _SETUP, _BLOCKED, _STARVED = 0, 1, 2, 3

#: Hours in a calendar year of 365 days.
CALENDAR_YEAR_HOURS = 8760.0

#: The items of a quoted machine-hour rate (VDI 3258), in the order of the JSON output.
MACHINE_HOUR_ITEMS: tuple[str, ...] = (
    "depreciation",
    "interest",
    "space",
    "maintenance",
    "energy",
    "tooling",
)


@dataclass(frozen=True, slots=True)
class StationCost:
    """One station in one replication.

    ``machine_hour_rate``: the quoted rate per running (busy) server hour, the sum of
    ``machine_hour_items`` (:data:`MACHINE_HOUR_ITEMS`); ``nan`` if never busy and no
    ``planned_hours_per_year``. ``cost_per_part``: its share of the cost of a good part;
    ``cost_per_build_part``: for a batch station, its cost per part in its builds (``nan``
    otherwise). ``fixed``, ``energy``, ``tooling``: money over the measured period.
    """

    machine_hour_rate: float
    cost_per_part: float
    cost_per_build_part: float
    fixed: float
    energy: float
    energy_kwh: float
    unused: float
    tooling: float = 0.0
    machine_hour_items: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LineCost:
    """The line's cost per good part in one replication (``nan`` when no good part left)."""

    material: float
    labour: float
    equipment: float
    energy: float
    unused_capacity: float
    kwh_per_part: float
    mass_kg: float | None
    stations: dict[str, StationCost] = field(default_factory=dict)
    capital: float = 0.0
    """The part of ``equipment`` that is depreciation and imputed interest (no cash is paid)."""

    @property
    def unit_cost(self) -> float:
        """Material + labour + equipment + energy."""
        return self.material + self.labour + self.equipment + self.energy


def require_site(config: ScenarioConfig) -> SiteConfig:
    """Return the scenario's site, or raise :class:`ConfigError` if it has none."""
    if config.site is None:
        raise ConfigError(
            "the cost model needs a 'site' (a shipped profile such as nl, a site file, "
            "or a mapping)",
            path="site",
        )
    return config.site


def year_hours(config: ScenarioConfig) -> float:
    """Hours of simulated time that make one year: fixed items per year accrue over them.

    With a ``workforce`` the simulated clock is the calendar (time 0 is Monday 00:00, nights
    and weekends included), so a year is a calendar year: 8,760 hours, or
    ``site.hours_per_year`` when that is longer (8,784 for a leap year); a smaller
    ``hours_per_year`` would count the shifts twice and is overruled
    (:func:`calendar_warnings` says so). Without a workforce the line has no calendar and
    runs on, so its clock counts only the hours the plant is open: ``site.hours_per_year``.

    Raises
    ------
    ConfigError
        If the scenario has no site.
    """
    site = require_site(config)
    if config.workforce is not None:
        return larger(site.hours_per_year, CALENDAR_YEAR_HOURS)
    return site.hours_per_year


def calendar_warnings(config: ScenarioConfig) -> list[str]:
    """Say when ``site.hours_per_year`` is overruled by the shift calendar (``path: message``)."""
    site = config.site
    if site is None or config.workforce is None or site.hours_per_year >= CALENDAR_YEAR_HOURS:
        return []
    return [
        f"site.hours_per_year: {site.hours_per_year:,.6g} h is less than a calendar year, but "
        "the workforce's shifts already say when the line works and simulated time runs "
        f"through nights and weekends; a year is taken as {CALENDAR_YEAR_HOURS:,.0f} h "
        "for fixed costs and capacity"
    ]


def line_cost(config: ScenarioConfig, result: RunResult) -> LineCost:
    """Cost per good part of the line in one replication.

    Parameters
    ----------
    config
        The scenario (site, stations' cost keys, products' material cost and mass).
    result
        One replication of it.

    Returns
    -------
    LineCost
        Every item per good part; ``nan`` items when no good part left the line.

    Raises
    ------
    ConfigError
        If the scenario has no site (a station with capex but no life is refused when the
        scenario is validated).
    """
    site = require_site(config)
    hours = result.measured_time * result.hours_per_unit
    good = result.good
    per = 1.0 / good if good > 0 else math.nan
    share_of_year = hours / year_hours(config)
    hpu = result.hours_per_unit

    stations: dict[str, StationCost] = {}
    equipment_total = energy_total = kwh_total = unused_total = capital_total = 0.0
    for name, station in config.stations.items():
        sr = result.stations[name]
        items = fixed_items(name, station, site)
        fixed = items.total * share_of_year
        kw = station.energy
        busy_kw = kw.busy_kw if kw is not None else 0.0
        idle_kw = kw.idle_kw if kw is not None else 0.0
        t = sr.state_time
        kwh = (t[_BUSY] * busy_kw + (t[_SETUP] + t[_BLOCKED] + t[_STARVED]) * idle_kw) * hpu
        energy = kwh * site.energy_price_per_kwh
        available = sr.servers * result.measured_time
        utilisation = (t[_BUSY] + t[_SETUP]) / available if available > 0 else 0.0
        unused = fixed * (1.0 - utilisation)
        busy_hours = t[_BUSY] * hpu
        tool_rate = (
            station.tooling.cost_per_hour(config.time_unit) if station.tooling is not None else 0.0
        )
        tooling = tool_rate * busy_hours
        station_cost = fixed + energy + tooling
        mhr_items = _machine_hour_items(
            station, items, share_of_year, busy_hours, energy, tool_rate, busy_kw, site
        )
        build_parts = sr.build_parts
        stations[name] = StationCost(
            machine_hour_rate=_quoted_rate(station, mhr_items, station_cost, busy_hours),
            cost_per_part=station_cost * per,
            cost_per_build_part=station_cost / build_parts
            if station.batch is not None and build_parts > 0
            else math.nan,
            fixed=fixed,
            energy=energy,
            energy_kwh=kwh,
            unused=unused,
            tooling=tooling,
            machine_hour_items=mhr_items,
        )
        equipment_total += fixed + tooling
        capital_total += (items.depreciation + items.interest) * share_of_year
        energy_total += energy
        kwh_total += kwh
        unused_total += unused

    products = config.product_configs()
    material = sum(
        pr.released * products[name].material_cost for name, pr in result.products.items()
    )
    labour = result.operator_paid_time * hpu * site.labour_cost_per_hour
    return LineCost(
        material=material * per,
        labour=labour * per,
        equipment=equipment_total * per,
        energy=energy_total * per,
        unused_capacity=unused_total * per,
        kwh_per_part=kwh_total * per,
        mass_kg=_mass_per_part(config, result),
        stations=stations,
        capital=capital_total * per,
    )


def _quoted_rate(
    station: StationConfig, items: dict[str, float], cost: float, busy_hours: float
) -> float:
    """Return the sum of the items; on simulated hours, the station's cost per busy hour.

    The two are equal; the second is the figure simline reported before the items existed,
    summed in the same order, so a scenario without the new keys keeps its rate to the bit.
    """
    if station.planned_hours_per_year is None:
        return cost / busy_hours if busy_hours > 0 else math.nan
    return sum(items.values())


def _machine_hour_items(
    station: StationConfig,
    items: FixedItems,
    share_of_year: float,
    busy_hours: float,
    energy: float,
    tool_rate: float,
    busy_kw: float,
    site: SiteConfig,
) -> dict[str, float]:
    """Return the quoted machine-hour rate's items (VDI 3258), per running server hour.

    The fixed items divide by the running hours of a year, ``T_L``:
    ``planned_hours_per_year x servers`` when given, else the simulated busy hours scaled to
    a year (``busy_hours / share_of_year``). Energy is the simulated energy per busy hour
    (idle power included); tooling its rate per busy hour. With ``planned_hours_per_year`` and
    no busy time, energy is ``busy_kw x price``; without either, every item is ``nan``.
    """
    planned = station.planned_hours_per_year
    if planned is not None:
        year_running = planned * station.servers
    elif busy_hours > 0 and share_of_year > 0:
        year_running = busy_hours / share_of_year
    else:
        return dict.fromkeys(MACHINE_HOUR_ITEMS, math.nan)
    energy_rate = energy / busy_hours if busy_hours > 0 else busy_kw * site.energy_price_per_kwh
    return {
        "depreciation": items.depreciation / year_running,
        "interest": items.interest / year_running,
        "space": items.space / year_running,
        "maintenance": items.maintenance / year_running,
        "energy": energy_rate,
        "tooling": tool_rate,
    }


def _mass_per_part(config: ScenarioConfig, result: RunResult) -> float | None:
    """Mean mass of a good part (weighted by good parts), ``None`` if a product has none."""
    products = config.product_configs()
    good = result.good
    if any(products[name].mass_kg is None for name in result.products):
        return None
    if good == 0:
        return math.nan
    return (
        sum(pr.good * _mass(products[name].mass_kg) for name, pr in result.products.items()) / good
    )


def _mass(mass_kg: float | None) -> float:
    return 0.0 if mass_kg is None else mass_kg
