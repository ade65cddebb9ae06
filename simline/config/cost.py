"""Cost keys of a scenario: site, logistics, demand, TCO factors and station cost keys.

They do not change the simulation; :mod:`simline.cost` applies them to its results. The
contract is ``spec/cost.md``. Money is in the scenario's currency; rates are shares per year
(``0.08`` is 8 %) unless the name says otherwise.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from simline.config._base import (
    RATE_MAX,
    Money,
    NonNegative,
    Number,
    Positive,
    Rate,
    StrictModel,
    Whole,
    at_least,
    fail,
    got,
)
from simline.config.units import (
    Duration,
    PositiveDuration,
    duration_seconds,
    parse_duration,
    seconds_per_unit,
    time_unit_of,
)

__all__ = [
    "CURRENCY_RE",
    "Currency",
    "DemandConfig",
    "EnergyConfig",
    "LogisticsConfig",
    "SiteConfig",
    "TcoConfig",
    "ToolingConfig",
]

#: ISO 4217 currency codes: three capital letters.
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


def _currency(value: Any) -> Any:
    if not isinstance(value, str) or not CURRENCY_RE.match(value):
        fail(f"expected a currency code of three capital letters such as 'EUR' (got {got(value)})")
    return value


#: A currency code such as ``EUR``.
Currency = Annotated[str, BeforeValidator(_currency)]

#: A growth rate per year; may be negative (a currency that falls), but not below -100 %,
#: and at most :data:`~simline.config._base.RATE_MAX` (1,000 % a year).
Growth = Annotated[Number, Field(gt=-1, le=RATE_MAX)]

#: Most power a station's server draws, in kW (1 GW: more than an aluminium pot line).
KW_MAX = 1e6
#: Most floor space, mass or volume a config takes per item (m2, kg, m3): a square kilometre,
#: a thousand tonnes.
PHYSICAL_MAX = 1e6
#: Most kg CO2e a kWh of grid electricity emits (lignite is about 1.1).
GRID_CO2_MAX = 10.0
#: The longest door-to-door transit, in days (sea freight is 30-60 days).
TRANSIT_DAYS_MAX = 365.0
#: The longest transport distance, in km (two and a half times around the earth).
DISTANCE_KM_MAX = 100_000.0
#: The most parts a year a demand takes (a trillion: more than the world's yearly screws).
ANNUAL_MAX = 1e12
#: The longest horizon of the net present value, in years.
HORIZON_MAX = 100


def _days_per(time_unit: str) -> float:
    return seconds_per_unit(time_unit) / 86400.0


class EnergyConfig(StrictModel):
    """Electric power a station draws, per server, in kW."""

    _example: ClassVar[str] = "{busy_kw: 5, idle_kw: 1}"

    busy_kw: Annotated[NonNegative, Field(le=KW_MAX)] = 0.0
    """Power while busy (at most 1,000,000 kW)."""
    idle_kw: Annotated[NonNegative, Field(le=KW_MAX)] = 0.0
    """Power in setup, blocked or starved (0 while down or off shift; at most 1,000,000 kW)."""


#: Most regrinds of one tool.
REGRINDS_MAX = 10_000


class ToolingConfig(StrictModel):
    """Tools a station wears per busy hour: ``{per_hour}``, or a tool's cost and life.

    ``{cost, regrinds, regrind_cost, life}``: a tool bought for ``cost``, reground ``regrinds``
    times at ``regrind_cost`` each, lasts ``life`` busy hours over all its ``regrinds + 1``
    edges, so it costs ``(cost + regrinds * regrind_cost) / life`` per busy hour.
    """

    _example: ClassVar[str] = (
        "{per_hour: 17.53} or {cost: 2000, regrinds: 9, regrind_cost: 70, life: 150h}"
    )

    per_hour: Money | None = None
    """Tool cost per busy hour of a server (money: at most 1e15)."""
    cost: Money | None = None
    """Price of one tool (money: at most 1e15)."""
    regrinds: Annotated[Whole, Field(ge=0, le=REGRINDS_MAX)] = 0
    """Times the tool is reground before it is scrapped (0 to 10,000)."""
    regrind_cost: Money = 0.0
    """Cost of one regrind."""
    life: PositiveDuration | None = None
    """Busy time the tool lasts over all its regrinds."""

    @model_validator(mode="after")
    def _form(self) -> Self:
        if self.per_hour is not None:
            # by value, not by the keys set: a resolved config is dumped with every default
            extra = [
                k
                for k in ("cost", "regrinds", "regrind_cost", "life")
                if getattr(self, k) not in (None, 0, 0.0)
            ]
            if extra:
                fail(
                    f"'per_hour' stands alone: give either {{per_hour}} or "
                    f"{{cost, regrinds, regrind_cost, life}} (got per_hour and {', '.join(extra)})",
                    extra[0],
                )
            return self
        for key in ("cost", "life"):
            if getattr(self, key) is None:
                fail(
                    f"tooling needs {{per_hour}} or {{cost, regrinds, regrind_cost, life}} "
                    f"(missing {key!r})"
                )
        return self

    def cost_per_hour(self, time_unit: str) -> float:
        """Tool cost per busy hour; a bare ``life`` is in ``time_unit``."""
        if self.per_hour is not None:
            return self.per_hour
        assert self.cost is not None and self.life is not None  # the validator saw to it
        hours = duration_seconds(self.life, time_unit) / 3600.0
        return (self.cost + self.regrinds * self.regrind_cost) / hours


class SiteConfig(StrictModel):
    """Where the line stands: the prices of a site (a site file, or inline under ``site``)."""

    name: str | None = None
    """Name of the site, for outputs."""
    country: str | None = None
    """Country code, e.g. ``NL``."""
    currency: Currency | None = None
    """Currency of the money figures; must be the scenario's currency when given."""
    labour_cost_per_hour: Money
    """Employer cost per paid operator hour, all-in (money: at most 1e15)."""
    energy_price_per_kwh: Money
    """Electricity price (money: at most 1e15)."""
    grid_co2_kg_per_kwh: Annotated[NonNegative, Field(le=GRID_CO2_MAX)] = 0.0
    """Emissions of the grid's electricity (at most 10 kg per kWh)."""
    rent_per_m2_year: Money = 0.0
    """Floor space rent (money: at most 1e15)."""
    interest_rate: Rate = 0.0
    """Cost of capital per year (a share: at most 10, i.e. 1,000 %)."""
    co2_price_per_t: Money = 0.0
    """Carbon price paid at the site, per tonne (money: at most 1e15)."""
    inventory_carrying_rate: Rate = 0.0
    """Cost of holding inventory per year, as a share of its value (at most 10)."""
    hours_per_year: Annotated[Number, Field(ge=1, le=8784)] = 8760.0
    """Hours of simulated time that make a year without a workforce (1 to 8,784, a leap year).

    With a ``workforce`` the simulated clock is the calendar (nights and weekends included),
    so a year is 8,760 h (or this, if larger) whatever is set here (docs/cost.md).
    """
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
    rate_per_container: Money | None = None
    """Freight per container (needs ``units_per_container``; money: at most 1e15)."""
    rate_per_kg: Money | None = None
    """Freight per kg (needs ``mass_kg`` on every product; money: at most 1e15)."""
    rate_per_part: Money | None = None
    """Freight per part (money: at most 1e15)."""
    container_m3: Annotated[Positive, Field(le=PHYSICAL_MAX)] | None = None
    """Container volume, e.g. 67 for a 40 ft container (informative only)."""
    units_per_container: Annotated[Whole, Field(ge=1, le=ANNUAL_MAX)] | None = None
    """Parts per container (at most 1e12)."""
    transit: Duration = 0.0
    """Door-to-door transit time (at most 365 days)."""
    insurance_rate: Rate = 0.0
    """Insurance as a share of value plus freight (at most 10)."""
    duty_rate: Rate = 0.0
    """Import duty as a share of ``duty_base`` (at most 10)."""
    duty_base: Literal["cif", "fob", "price"] = "cif"
    """What the duty is charged on."""
    fees_rate: Rate = 0.0
    """Broker, bank and agent fees as a share of the price (at most 10)."""
    fees_per_shipment: Money = 0.0
    """Fixed fees per shipment (money: at most 1e15)."""
    co2_kg_per_part: Annotated[NonNegative, Field(le=PHYSICAL_MAX)] | None = None
    """Transport emissions per part (derived from mass and distance when left out)."""
    distance_km: Annotated[NonNegative, Field(le=DISTANCE_KM_MAX)] | None = None
    """Transport distance (needs ``mass_kg`` on every product; at most 100,000 km)."""

    @model_validator(mode="after")
    def _rates(self, info: ValidationInfo) -> Self:
        rates = [
            k
            for k in ("rate_per_container", "rate_per_kg", "rate_per_part")
            if getattr(self, k) is not None
        ]
        if len(rates) > 1:
            fail(f"give one freight rate, not {' and '.join(rates)}", rates[1])
        if self.mode == "none" and rates:
            fail(f"mode 'none' has no freight, but {rates[0]!r} is given", rates[0])
        if self.rate_per_container is not None and self.units_per_container is None:
            fail(
                "'rate_per_container' needs 'units_per_container' to give a cost per part "
                "(simline has no part volume to fill 'container_m3' with)",
                "rate_per_container",
            )
        days = parse_duration(self.transit, time_unit_of(info)) * _days_per(time_unit_of(info))
        if days > TRANSIT_DAYS_MAX:
            fail(
                f"'transit' must be at most {TRANSIT_DAYS_MAX:.0f} days (got {got(self.transit)})",
                "transit",
            )
        return self


class DemandConfig(StrictModel):
    """What the market needs."""

    annual: Annotated[
        Number,
        Field(gt=0, le=ANNUAL_MAX, json_schema_extra={"minimum": 1}),
        at_least(1, "a market that takes less than a part a year has no yearly cost"),
    ]
    """Parts per year (at least 1, at most 1e12)."""
    cv_weekly: Annotated[NonNegative, Field(le=RATE_MAX)] = 0.0
    """Coefficient of variation of weekly demand (at most 10)."""
    service_level: Annotated[Number, Field(gt=0, lt=1)] = 0.95
    """Probability of not running out, for safety stock."""


class TcoConfig(StrictModel):
    """Risk and strategic factors; all 0 by default, so the hard costs stand alone."""

    supplier_margin: Rate = 0.0
    """Margin of a supplier running the line, as a share of its cost (at most 10)."""
    ip_risk_rate: Rate = 0.0
    """Intellectual-property risk, as a share of the price (at most 10)."""
    quality_risk_rate: Rate = 0.0
    """Quality risk, as a share of the price (at most 10)."""
    disruption_rate: Rate = 0.0
    """Supply-disruption risk, as a share of the price (at most 10)."""
    innovation_rate: Rate = 0.0
    """Lost innovation by distance, as a share of the price (at most 10)."""
    travel_per_year: Money = 0.0
    """Travel cost per year (money: at most 1e15)."""
    management_per_year: Money = 0.0
    """Management overhead per year (money: at most 1e15)."""
    wage_growth: Growth = 0.0
    """Wage growth per year, for the horizon figures (above -1, at most 10)."""
    fx_growth: Growth = 0.0
    """Exchange-rate drift per year (above -1, at most 10)."""
    horizon_years: Annotated[Whole, Field(ge=1, le=HORIZON_MAX)] = 5
    """Years of the net present value (1 to 100)."""
