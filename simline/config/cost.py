"""Cost keys of a scenario: site, logistics, demand, TCO factors and station cost keys.

They do not change the simulation; :mod:`simline.cost` applies them to its results. The
contract is ``spec/cost.md``. Money is in the scenario's currency; rates are shares per year
(``0.08`` is 8 %) unless the name says otherwise.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, model_validator

from simline.config._base import NonNegative, Number, Positive, Rate, StrictModel, Whole, fail, got
from simline.config.units import Duration

__all__ = [
    "CURRENCY_RE",
    "Currency",
    "DemandConfig",
    "EnergyConfig",
    "LogisticsConfig",
    "SiteConfig",
    "TcoConfig",
]

#: ISO 4217 currency codes: three capital letters.
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


def _currency(value: Any) -> Any:
    if not isinstance(value, str) or not CURRENCY_RE.match(value):
        fail(f"expected a currency code of three capital letters such as 'EUR' (got {got(value)})")
    return value


#: A currency code such as ``EUR``.
Currency = Annotated[str, BeforeValidator(_currency)]

#: A growth rate per year; may be negative (a currency that falls), but not below -100 %.
Growth = Annotated[Number, Field(gt=-1)]


class EnergyConfig(StrictModel):
    """Electric power a station draws, per server, in kW."""

    busy_kw: NonNegative = 0.0
    """Power while busy."""
    idle_kw: NonNegative = 0.0
    """Power in setup, blocked or starved (0 while down or off shift)."""


class SiteConfig(StrictModel):
    """Where the line stands: the prices of a site (a site file, or inline under ``site``)."""

    name: str | None = None
    """Name of the site, for outputs."""
    country: str | None = None
    """Country code, e.g. ``NL``."""
    currency: Currency | None = None
    """Currency of the money figures; must be the scenario's currency when given."""
    labour_cost_per_hour: NonNegative
    """Employer cost per paid operator hour, all-in."""
    energy_price_per_kwh: NonNegative
    """Electricity price."""
    grid_co2_kg_per_kwh: NonNegative = 0.0
    """Emissions of the grid's electricity."""
    rent_per_m2_year: NonNegative = 0.0
    """Floor space rent."""
    interest_rate: Rate = 0.0
    """Cost of capital per year."""
    co2_price_per_t: NonNegative = 0.0
    """Carbon price paid at the site, per tonne."""
    inventory_carrying_rate: Rate = 0.0
    """Cost of holding inventory per year, as a share of its value."""
    hours_per_year: Annotated[Number, Field(gt=0, le=8784)] = 8760.0
    """Calendar hours per year the plant is open."""
    sources: dict[str, str] = Field(default_factory=dict)
    """Where each figure comes from: figure name -> source text."""

    @model_validator(mode="after")
    def _sources(self) -> Self:
        figures = [k for k in type(self).model_fields if k != "sources"]
        for key in self.sources:
            if key not in figures:
                fail(
                    f"unknown figure {key!r}; sources name one of {', '.join(figures)}",
                    "sources",
                    key,
                )
        return self


class LogisticsConfig(StrictModel):
    """Delivery from the site to the market."""

    mode: Literal["sea", "air", "road", "none"]
    """Transport mode; ``none``: no freight (the site is the market)."""
    rate_per_container: NonNegative | None = None
    """Freight per container (needs ``units_per_container`` or ``container_m3``)."""
    rate_per_kg: NonNegative | None = None
    """Freight per kg (uses the products' ``mass_kg``)."""
    rate_per_part: NonNegative | None = None
    """Freight per part."""
    container_m3: Positive | None = None
    """Container volume, e.g. 67 for a 40 ft container."""
    units_per_container: Annotated[Whole, Field(ge=1)] | None = None
    """Parts per container."""
    transit: Duration = 0.0
    """Door-to-door transit time."""
    insurance_rate: Rate = 0.0
    """Insurance as a share of value plus freight."""
    duty_rate: Rate = 0.0
    """Import duty as a share of ``duty_base``."""
    duty_base: Literal["cif", "fob", "price"] = "cif"
    """What the duty is charged on."""
    fees_rate: Rate = 0.0
    """Broker, bank and agent fees as a share of the price."""
    fees_per_shipment: NonNegative = 0.0
    """Fixed fees per shipment."""
    co2_kg_per_part: NonNegative | None = None
    """Transport emissions per part (derived from mass and distance when left out)."""
    distance_km: NonNegative | None = None
    """Transport distance."""

    @model_validator(mode="after")
    def _rates(self) -> Self:
        rates = [
            k
            for k in ("rate_per_container", "rate_per_kg", "rate_per_part")
            if getattr(self, k) is not None
        ]
        if len(rates) > 1:
            fail(f"give one freight rate, not {' and '.join(rates)}", rates[1])
        if self.mode == "none" and rates:
            fail(f"mode 'none' has no freight, but {rates[0]!r} is given", rates[0])
        if (
            self.rate_per_container is not None
            and self.units_per_container is None
            and self.container_m3 is None
        ):
            fail(
                "'rate_per_container' needs 'units_per_container' or 'container_m3'",
                "rate_per_container",
            )
        return self


class DemandConfig(StrictModel):
    """What the market needs."""

    annual: Positive
    """Parts per year."""
    cv_weekly: NonNegative = 0.0
    """Coefficient of variation of weekly demand."""
    service_level: Annotated[Number, Field(gt=0, lt=1)] = 0.95
    """Probability of not running out, for safety stock."""


class TcoConfig(StrictModel):
    """Risk and strategic factors; all 0 by default, so the hard costs stand alone."""

    supplier_margin: Rate = 0.0
    """Margin of a supplier running the line, as a share of its cost."""
    ip_risk_rate: Rate = 0.0
    """Intellectual-property risk, as a share of the price."""
    quality_risk_rate: Rate = 0.0
    """Quality risk, as a share of the price."""
    disruption_rate: Rate = 0.0
    """Supply-disruption risk, as a share of the price."""
    innovation_rate: Rate = 0.0
    """Lost innovation by distance, as a share of the price."""
    travel_per_year: NonNegative = 0.0
    """Travel cost per year."""
    management_per_year: NonNegative = 0.0
    """Management overhead per year."""
    wage_growth: Growth = 0.0
    """Wage growth per year, for the horizon figures."""
    fx_growth: Growth = 0.0
    """Exchange-rate drift per year."""
    horizon_years: Annotated[Whole, Field(ge=1)] = 5
    """Years of the net present value."""
