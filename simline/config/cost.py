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
from simline.config.distributions import DistConfig
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
    "LegConfig",
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
    ranges: dict[str, DistConfig] = Field(default_factory=dict)
    """How far each figure may lie from its value over the futures of an ``uncertainty`` block:
    figure name -> distribution (drawn as ``site.<figure>`` when the scenario has the block)."""
    sources: dict[str, str] = Field(default_factory=dict)
    """Where each figure (or ``ranges.<figure>``) comes from: name -> source text."""

    @model_validator(mode="after")
    def _sources(self) -> Self:
        figures = [k for k in type(self).model_fields if k not in ("sources", "ranges")]
        numbers = [k for k in figures if isinstance(getattr(self, k), float)]
        for key in self.ranges:
            if key not in numbers:
                fail(
                    f"unknown figure {key!r}; ranges name one of {', '.join(numbers)}",
                    "ranges",
                    key,
                )
        for key in self.sources:
            figure = key.removeprefix("ranges.")
            if figure not in figures or (key != figure and figure not in self.ranges):
                fail(
                    f"unknown figure {key!r}; sources name one of {', '.join(figures)} "
                    "(or ranges.<figure> of a range given)",
                    "sources",
                    key,
                )
        return self


def _check_transit(transit: Any, info: ValidationInfo) -> None:
    unit = time_unit_of(info)
    days = parse_duration(transit, unit) * _days_per(unit)
    if days > TRANSIT_DAYS_MAX:
        fail(
            f"'transit' must be at most {TRANSIT_DAYS_MAX:.0f} days (got {got(transit)})",
            "transit",
        )


def _check_rates(model: StrictModel, mode: str | None, *, container_elsewhere: bool) -> None:
    rates = [
        k
        for k in ("rate_per_container", "rate_per_kg", "rate_per_part")
        if getattr(model, k) is not None
    ]
    if len(rates) > 1:
        fail(f"give one freight rate, not {' and '.join(rates)}", rates[1])
    if mode == "none" and rates:
        fail(f"mode 'none' has no freight, but {rates[0]!r} is given", rates[0])
    if (
        getattr(model, "rate_per_container", None) is not None
        and getattr(model, "units_per_container", None) is None
        and not container_elsewhere
    ):
        fail(
            "'rate_per_container' needs 'units_per_container' to give a cost per part "
            "(simline has no part volume to fill 'container_m3' with)",
            "rate_per_container",
        )


class LegConfig(StrictModel):
    """One leg of a delivery in several legs: a freight rate, its transit and its fees.

    A leg without ``units_per_container`` carries the container of the leg before it (a sea
    container trucked on from the port).
    """

    _example: ClassVar[str] = "{mode: sea, rate_per_container: 2500, units_per_container: 40000}"

    mode: Literal["sea", "air", "road"]
    """Transport mode of the leg."""
    rate_per_container: Money | None = None
    """Freight per container (needs ``units_per_container`` here or on a leg before)."""
    rate_per_kg: Money | None = None
    """Freight per kg (needs ``mass_kg`` on every product; money: at most 1e15)."""
    rate_per_part: Money | None = None
    """Freight per part (money: at most 1e15)."""
    container_m3: Annotated[Positive, Field(le=PHYSICAL_MAX)] | None = None
    """Container volume (informative only)."""
    units_per_container: Annotated[Whole, Field(ge=1, le=ANNUAL_MAX)] | None = None
    """Parts per container (at most 1e12); left out: the container of the leg before."""
    transit: Duration = 0.0
    """Transit time of the leg (at most 365 days)."""
    fees_per_shipment: Money = 0.0
    """Fixed fees per shipment on this leg (money: at most 1e15)."""
    co2_kg_per_part: Annotated[NonNegative, Field(le=PHYSICAL_MAX)] | None = None
    """Transport emissions per part on this leg (derived from mass and distance when left out)."""
    distance_km: Annotated[NonNegative, Field(le=DISTANCE_KM_MAX)] | None = None
    """Distance of the leg (needs ``mass_kg`` on every product; at most 100,000 km)."""

    @model_validator(mode="after")
    def _leg(self, info: ValidationInfo) -> Self:
        # a leg without its own container may carry the one before: LogisticsConfig checks it
        _check_rates(self, self.mode, container_elsewhere=True)
        _check_transit(self.transit, info)
        return self


#: The single-leg keys that ``legs`` replaces, with the value each has when left out.
SINGLE_LEG_KEYS: dict[str, object] = {
    "mode": None,
    "rate_per_container": None,
    "rate_per_kg": None,
    "rate_per_part": None,
    "container_m3": None,
    "units_per_container": None,
    "transit": 0.0,
    "fees_per_shipment": 0.0,
    "co2_kg_per_part": None,
    "distance_km": None,
}


class CbamConfig(StrictModel):
    """The EU's Carbon Border Adjustment Mechanism on a part imported into the EU.

    Certificates are bought for the part's embedded emissions at ``price_per_t``, less the
    carbon price already paid where it was made (``paid_abroad_per_t``).
    """

    embedded_co2_kg_per_part: Annotated[NonNegative, Field(le=PHYSICAL_MAX)]
    """Embedded emissions of a part under CBAM (kg CO2e): the actual value or the EU default
    value of its CN code and country of origin."""
    price_per_t: Money
    """CBAM certificate price per tonne (the average EU ETS auction price; money)."""
    paid_abroad_per_t: Money = 0.0
    """Carbon price effectively paid in the country of origin, per tonne, deducted (money)."""


class LogisticsConfig(StrictModel):
    """Delivery from the site to the market: one leg, or ``legs``."""

    mode: Literal["sea", "air", "road", "none"] | None = None
    """Transport mode; ``none``: no freight (the site is the market). Needed without ``legs``."""
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
    legs: list[LegConfig] | None = None
    """Several legs instead of the single-leg keys (mode, rates, container, transit, fees
    per shipment, emissions): freight, fees and transit add up over them."""
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
    units_per_pallet: Annotated[Whole, Field(ge=1, le=ANNUAL_MAX)] | None = None
    """Parts per pallet at the market (at most 1e12); needed by ``per_pallet``."""
    per_pallet: Money = 0.0
    """Storage, handling and receiving at the market per pallet (money: at most 1e15)."""
    loss_rate: Annotated[NonNegative, Field(lt=1)] = 0.0
    """Share of shipped parts lost before use (0 to below 1); the rest carry their cost."""
    stock_on_hand: Annotated[NonNegative, Field(le=ANNUAL_MAX)] | None = None
    """Parts held at the market (default: half a shipment with containers, as cycle stock)."""
    cbam: CbamConfig | None = None
    """CBAM certificates on import into the EU, in the ``carbon`` item (none when left out)."""

    @model_validator(mode="after")
    def _rates(self, info: ValidationInfo) -> Self:
        if self.legs is not None:
            self._check_legs(info)
        else:
            if self.mode is None:
                fail("logistics needs 'mode' (sea, air, road or none), or 'legs'")
            _check_rates(self, self.mode, container_elsewhere=False)
            _check_transit(self.transit, info)
        if self.per_pallet != 0 and self.units_per_pallet is None:
            fail(
                "'per_pallet' needs 'units_per_pallet' to give a cost per part",
                "per_pallet",
            )
        return self

    def _check_legs(self, info: ValidationInfo) -> None:
        # by value, not by the keys set: a resolved config is dumped with every default
        given = [k for k, off in SINGLE_LEG_KEYS.items() if getattr(self, k) != off]
        if given:
            fail(
                f"'legs' is instead of the single-leg keys: give {given[0]!r} on each leg, "
                f"not beside 'legs'",
                given[0],
            )
        assert self.legs is not None
        if not self.legs:
            fail("'legs' needs at least one leg", "legs")
        container = False
        for i, leg in enumerate(self.legs):
            container = container or leg.units_per_container is not None
            if leg.rate_per_container is not None and not container:
                fail(
                    "'rate_per_container' needs 'units_per_container' on this leg or one "
                    "before it, to give a cost per part",
                    "legs",
                    i,
                    "rate_per_container",
                )
        unit = time_unit_of(info)
        days = sum(parse_duration(leg.transit, unit) for leg in self.legs) * _days_per(unit)
        if days > TRANSIT_DAYS_MAX:
            fail(
                f"the legs' transit adds up to {days:,.6g} days; at most "
                f"{TRANSIT_DAYS_MAX:.0f} days door to door",
                "legs",
            )

    @property
    def modes(self) -> list[str]:
        """The transport mode of each leg (one for the single-leg keys)."""
        if self.legs is not None:
            return [leg.mode for leg in self.legs]
        return [self.mode or "none"]


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
    overhead_rate: Rate = 0.0
    """Administrative overhead of buying, as a share of the price (at most 10)."""
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
