"""The scenario model: what a scenario file holds, validated (``spec/config.md``).

Values are kept as written where that loses nothing (durations, for one), so a validated
config dumps back to an equivalent file. Cross references (routings, per-product times,
setups, operators) are checked once the whole scenario is read.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from simline.config._base import (
    Money,
    Name,
    NonNegative,
    Positive,
    StrictModel,
    Whole,
    fail,
    got,
    name_list,
)
from simline.config.cost import (
    CURRENCY_RE,
    Currency,
    DemandConfig,
    LogisticsConfig,
    SiteConfig,
    TcoConfig,
)
from simline.config.distributions import (
    PARAMETERS,
    ConstantDistConfig,
    DistConfig,
    EmpiricalDistConfig,
    UniformDistConfig,
)
from simline.config.stations import SetupMatrixConfig, StationConfig
from simline.config.uncertainty import UncertaintyConfig, check_inputs
from simline.config.units import (
    Duration,
    PositiveDuration,
    TimeUnit,
    duration_seconds,
    parse_duration,
    time_unit_of,
)

__all__ = [
    "DAYS",
    "DEFAULT_PRODUCT",
    "FORMAT_VERSION",
    "ConwipReleaseConfig",
    "InterarrivalReleaseConfig",
    "ProductConfig",
    "ReleaseConfig",
    "RunConfig",
    "ScenarioConfig",
    "WorkforceConfig",
    "shift_minutes",
]

#: The scenario format version this simline reads.
FORMAT_VERSION = 1
#: The product of a scenario without ``products``: one product through all stations.
DEFAULT_PRODUCT = "part"
#: Days of the week, Monday first (simulated time 0 is Monday 00:00).
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Most replications of one run: the 95 % interval is then within 1 % of a standard deviation,
#: and the per-replication results the interval needs stay in memory (about 0.7 kB per
#: station and replication).
REPLICATIONS_MAX = 100_000
#: Most parts a CONWIP loop holds (each is an object in the engines: about 200 bytes in des).
CONWIP_MAX = 1_000_000
#: Most products of a scenario: a high-mix line's variants, with headroom; engines keep a
#: process time per station and product.
PRODUCTS_MAX = 10_000
#: Most stations of a scenario: more than a car body shop.
STATIONS_MAX = 1_000
#: Most products x stations: the engines keep a process time (a sampler in des, about
#: 350 bytes) for each pair, so this bounds that table to a few hundred MB.
PRODUCT_STATIONS_MAX = 1_000_000
#: Most operators of a workforce pool (a whole plant's shift).
OPERATORS_MAX = 100_000
#: Most mass of one part, in kg (a thousand tonnes).
MASS_KG_MAX = 1e6

_DIST_KEYS = frozenset(key for keys in PARAMETERS.values() for key in keys)
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_SCENARIO_NAME_RE = re.compile(r"^\w[\w.-]*$")


class RunConfig(StrictModel):
    """How long and how often to simulate."""

    warmup: Duration = 0.0
    """Statistics are collected only after this."""
    length: PositiveDuration = "1w"
    """Measured period, after warm-up (default one week, so weekly shift calendars average out)."""
    replications: Annotated[Whole, Field(ge=1, le=REPLICATIONS_MAX)] = 10
    """Independent runs (1 to 100,000)."""
    seed: Annotated[Whole, Field(ge=0)] = 0
    """Same seed, same numbers."""

    @model_validator(mode="after")
    def _horizon(self, info: ValidationInfo) -> Self:
        unit = time_unit_of(info)
        if not math.isfinite(
            duration_seconds(self.warmup, unit) + duration_seconds(self.length, unit)
        ):
            fail(
                f"warm-up plus length is too long to count in seconds (got warmup "
                f"{got(self.warmup)} and length {got(self.length)})",
                "length",
            )
        return self


class ProductConfig(StrictModel):
    """A product: its routing and its share of releases."""

    routing: Annotated[list[Name], Field(min_length=1)]
    """Station names in visiting order; a station at most once."""
    mix: Positive | None = None
    """Share of released parts (normalised); equal shares when left out everywhere."""
    material_cost: Money = 0.0
    """Material per started part (money: at most 1e15)."""
    mass_kg: Annotated[NonNegative, Field(le=MASS_KG_MAX)] | None = None
    """Mass of one part, for freight and transport emissions (at most 1,000,000 kg)."""

    @field_validator("routing")
    @classmethod
    def _once(cls, routing: list[str]) -> list[str]:
        for i, station in enumerate(routing):
            if station in routing[:i]:
                fail(
                    f"station {station!r} appears twice in the routing (positions "
                    f"{routing.index(station)} and {i}); model a revisit as its own station",
                    i,
                )
        return routing


class InterarrivalReleaseConfig(StrictModel):
    """Parts arrive at random; the product is drawn by mix."""

    interarrival: DistConfig


class ConwipReleaseConfig(StrictModel):
    """A new part is released each time one leaves, keeping ``conwip`` in the line."""

    conwip: Annotated[Whole, Field(ge=1, le=CONWIP_MAX)]
    """Parts kept in the line (1 to 1,000,000)."""


_RELEASE_EXPECTED = "expected 'saturated', {interarrival: D} or {conwip: N}"


def _release_check(value: Any) -> Any:
    if isinstance(value, str) and value != "saturated":
        fail(f"{_RELEASE_EXPECTED} (got {got(value)})")
    if isinstance(value, dict) and "interarrival" not in value and "conwip" not in value:
        fail(f"{_RELEASE_EXPECTED} (got a mapping with keys {name_list(list(value))})")
    if not isinstance(value, str | dict | InterarrivalReleaseConfig | ConwipReleaseConfig):
        fail(f"{_RELEASE_EXPECTED} (got {got(value)})")
    return value


def _release_tag(value: Any) -> str:
    if isinstance(value, str):
        return "<saturated>"
    if isinstance(value, ConwipReleaseConfig) or (isinstance(value, dict) and "conwip" in value):
        return "<conwip>"
    return "<interarrival>"


#: How parts enter the line.
ReleaseConfig = Annotated[
    Annotated[Literal["saturated"], Tag("<saturated>")]
    | Annotated[InterarrivalReleaseConfig, Tag("<interarrival>")]
    | Annotated[ConwipReleaseConfig, Tag("<conwip>")],
    Discriminator(_release_tag),
    BeforeValidator(_release_check),
]


def _minutes(text: str, position: int, *, end: bool) -> int:
    match = _TIME_RE.match(text)
    if match is None:
        fail(f'expected a time "HH:MM" (got {got(text)})', position)
    hours, minutes = int(match[1]), int(match[2])
    total = hours * 60 + minutes
    if minutes >= 60 or total > 24 * 60 or (total == 24 * 60 and not end):
        limit = "00:00 to 24:00" if end else "00:00 to 23:59"
        fail(f"expected a time from {limit} (got {got(text)})", position)
    return total


def _shift(value: Any) -> tuple[str, str]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        fail(f'expected a shift ["HH:MM", "HH:MM"] (got {got(value)})')
    times = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            fail(f'expected a time "HH:MM" as a string (got {got(item)})', i)
        times.append(_minutes(item, i, end=i == 1))
    if times[0] == times[1]:
        fail(
            f"a shift must end after it starts (got {value[0].strip()!r} to "
            f'{value[1].strip()!r}); write ["00:00", "24:00"] for a whole day',
            1,
        )
    return (value[0].strip(), value[1].strip())


def shift_minutes(shift: tuple[str, str]) -> tuple[int, int]:
    """Start and end of a shift in minutes after midnight.

    An end before the start is the next day (a night shift); a start equal to the end is
    refused by validation.
    """
    start = _minutes(shift[0], 0, end=False)
    end = _minutes(shift[1], 1, end=True)
    if end <= start:
        end += 24 * 60
    return start, end


_TIME_SCHEMA = {"type": "string", "pattern": r"^\d{1,2}:\d{2}$"}

#: A shift ``["HH:MM", "HH:MM"]``; an end before the start is the next day, an end at the start
#: is refused (``["00:00", "24:00"]`` is a whole day).
Shift = Annotated[
    tuple[str, str],
    PlainValidator(_shift),
    PlainSerializer(list, return_type=list[str]),
    WithJsonSchema(
        {"type": "array", "prefixItems": [_TIME_SCHEMA, _TIME_SCHEMA], "minItems": 2, "maxItems": 2}
    ),
]

Day = Annotated[
    Weekday,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
]


class WorkforceConfig(StrictModel):
    """The operator pool and its shifts."""

    operators: Annotated[Whole, Field(ge=1, le=OPERATORS_MAX)]
    """Operators on duty during each shift (1 to 100,000)."""
    shifts: Annotated[list[Shift], Field(min_length=1)] = Field(
        default_factory=lambda: [("00:00", "24:00")]
    )
    """Shifts of each working day; left out: around the clock."""
    days: Annotated[list[Day], Field(min_length=1)] = Field(default_factory=lambda: list(DAYS))
    """Working days; left out: every day."""

    @field_validator("days")
    @classmethod
    def _unique(cls, days: list[str]) -> list[str]:
        for i, day in enumerate(days):
            if day in days[:i]:
                fail(f"day {day!r} is listed twice", i)
        return days


def _version(value: Any) -> Any:
    if isinstance(value, bool) or value != FORMAT_VERSION:
        fail(
            f"unsupported format version {got(value)}; this simline reads 'simline: "
            f"{FORMAT_VERSION}'"
        )
    return FORMAT_VERSION


def _scenario_name(value: Any) -> Any:
    if not isinstance(value, str) or not _SCENARIO_NAME_RE.match(value):
        fail(f"expected a name of letters, digits, '_', '-' and '.' (got {got(value)})")
    return value


class ScenarioConfig(StrictModel):
    """One production line at one site: the root of a scenario file."""

    simline: Annotated[Literal[1], PlainValidator(_version), WithJsonSchema({"const": 1})]
    """Format version; must be 1."""
    name: Annotated[str, PlainValidator(_scenario_name), WithJsonSchema({"type": "string"})]
    """Identifier used in outputs."""
    description: str | None = None
    """Free text."""
    time_unit: TimeUnit = "min"
    """Unit of bare-number durations and of results: s, min or h."""
    currency: Currency = "EUR"
    """Currency of money figures (the site's when left out and the site names one)."""
    run: RunConfig = RunConfig()
    """Warm-up, length, replications and seed."""
    products: (
        Annotated[dict[Name, ProductConfig], Field(min_length=1, max_length=PRODUCTS_MAX)] | None
    ) = None
    """Products (at most 10,000); left out: one product 'part' through all stations in order."""
    release: ReleaseConfig = "saturated"
    """How parts enter the line."""
    stations: Annotated[dict[Name, StationConfig], Field(min_length=1, max_length=STATIONS_MAX)]
    """Stations in layout order (at most 1,000)."""
    workforce: WorkforceConfig | None = None
    """Operators and shifts; left out: unlimited operators, always there."""
    site: SiteConfig | None = None
    """The site (a shipped name, a file path relative to the scenario, or a mapping, maybe with
    ``base``); needed for costs."""
    logistics: LogisticsConfig | None = None
    """Delivery to the market."""
    demand: DemandConfig | None = None
    """Annual volume the market needs."""
    tco: TcoConfig = Field(default_factory=TcoConfig)
    """Risk and strategic factors."""
    uncertainty: UncertaintyConfig | None = None
    """Cost inputs drawn over many futures after the simulation (P10/P50/P90 of the cost)."""

    @model_validator(mode="before")
    @classmethod
    def _site_currency(cls, data: Any) -> Any:
        if isinstance(data, dict):
            site = data.get("site")
            if isinstance(site, str):
                fail(
                    "a site file path is read by load_scenario or parse_scenario; "
                    "here a mapping is expected",
                    "site",
                )
            if isinstance(site, dict) and "base" in site:
                fail(
                    "a site's 'base' is read by load_scenario or parse_scenario; "
                    "here the site's figures are expected",
                    "site",
                    "base",
                )
            if "currency" not in data:
                currency = site.get("currency") if isinstance(site, dict) else None
                if isinstance(site, SiteConfig):
                    currency = site.currency
                if isinstance(currency, str) and CURRENCY_RE.match(currency):
                    data = {**data, "currency": currency}
        return data

    def product_configs(self) -> dict[str, ProductConfig]:
        """Return the products, or the default product ``part`` when they are left out."""
        if self.products is not None:
            return dict(self.products)
        return {DEFAULT_PRODUCT: ProductConfig(routing=list(self.stations))}

    @model_validator(mode="after")
    def _references(self) -> Self:
        stations = list(self.stations)
        products = self.product_configs()
        if len(products) * len(stations) > PRODUCT_STATIONS_MAX:
            fail(
                f"{len(products):_} products at {len(stations):_} stations are too many: "
                f"products x stations must be at most {PRODUCT_STATIONS_MAX:_} (the engines "
                "keep a process time for each pair)",
                "products",
            )
        for pname, product in (self.products or {}).items():
            for i, sname in enumerate(product.routing):
                if sname not in self.stations:
                    fail(
                        f"unknown station {sname!r}; stations are {name_list(stations)}",
                        "products",
                        pname,
                        "routing",
                        i,
                    )
        if self.products is not None:
            given = [p for p, prod in self.products.items() if prod.mix is not None]
            if given and len(given) != len(self.products):
                missing = next(p for p in self.products if p not in given)
                fail(
                    "give 'mix' for every product or for none (equal shares)",
                    "products",
                    missing,
                )
        visits = {s: [p for p, prod in products.items() if s in prod.routing] for s in stations}
        for sname, station in self.stations.items():
            self._check_station(sname, station, products, visits[sname])
        self._check_time_advances(products)
        self._check_masses(products)
        if self.site is not None and self.site.currency not in (None, self.currency):
            fail(
                f"the site's currency {self.site.currency!r} differs from the scenario's "
                f"{self.currency!r}; give every money figure in one currency",
                "site",
                "currency",
            )
        return self

    @model_validator(mode="after")
    def _uncertain_inputs(self) -> Self:
        check_inputs(self, self.time_unit)
        return self

    def _check_masses(self, products: dict[str, ProductConfig]) -> None:
        """Freight per kg and emissions from a distance need the mass of every product."""
        logistics = self.logistics
        if logistics is None or logistics.mode == "none":
            return
        needs = None
        for prefix, leg in (
            [(f"legs[{i}].", g) for i, g in enumerate(logistics.legs)]
            if logistics.legs is not None
            else [("", logistics)]
        ):
            if leg.rate_per_kg is not None:
                needs = prefix + "rate_per_kg"
            elif leg.distance_km is not None and leg.co2_kg_per_part is None:
                needs = prefix + "distance_km"
            if needs is not None:
                break
        if needs is None:
            return
        for pname, product in products.items():
            if product.mass_kg is not None:
                continue
            if self.products is None:
                fail(
                    f"'{needs}' needs 'mass_kg' on every product, and the default product "
                    f"{pname!r} has none: give 'products' with 'mass_kg'",
                    "logistics",
                    *(int(k) if k.isdigit() else k for k in re.split(r"[.\[\]]+", needs) if k),
                )
            fail(
                f"product {pname!r} has no 'mass_kg', which 'logistics.{needs}' needs "
                f"(freight or transport emissions by weight)",
                "products",
                pname,
            )

    def _check_time_advances(self, products: dict[str, ProductConfig]) -> None:
        """Reject inputs that would make the line loop at one instant forever."""
        release = self.release
        if isinstance(release, InterarrivalReleaseConfig) and _always_zero(release.interarrival):
            fail(
                "an interarrival time that is always 0 would release parts without end; "
                "expected a distribution with a mean > 0",
                "release",
                "interarrival",
            )
        for sname, station in self.stations.items():
            if station.failures is not None and _always_zero(station.failures.mtbf):
                fail(
                    "a time between failures that is always 0 leaves no time to work; "
                    "expected a mean > 0",
                    "stations",
                    sname,
                    "failures",
                    "mtbf",
                )
        for pname, product in products.items():
            visited = [(s, self.stations[s]) for s in product.routing]
            if release == "saturated":
                first, station = visited[0]
                if _takes_no_time(station, pname):
                    fail(
                        f"under saturated release the first station of {pname!r} must take "
                        "time, or it would release parts without end at one instant; "
                        "expected a process time with a mean > 0",
                        "stations",
                        first,
                        "process_time",
                    )
            elif isinstance(release, ConwipReleaseConfig) and all(
                _takes_no_time(station, pname) for _, station in visited
            ):
                fail(
                    f"under CONWIP, parts of {pname!r} would go round at one instant: no station "
                    "of its routing takes time; expected a process time with a mean > 0",
                    "products" if self.products is not None else "stations",
                    *((pname, "routing") if self.products is not None else ()),
                )

    def _check_station(
        self,
        sname: str,
        station: StationConfig,
        products: dict[str, ProductConfig],
        visitors: list[str],
    ) -> None:
        known = list(products)

        def unknown(name: str) -> str:
            hint = "" if self.products is not None else " (no 'products' given)"
            return f"unknown product {name!r}; products are {name_list(known)}{hint}"

        where = ("stations", sname)
        if isinstance(station.process_time, dict):
            for pname in station.process_time:
                if pname not in products:
                    hint = ""
                    if pname in _DIST_KEYS:
                        hint = (
                            " (a distribution as a mapping needs 'dist', e.g. {dist: gamma, ...})"
                        )
                    fail(unknown(pname) + hint, *where, "process_time", pname)
            for pname in visitors:
                if pname not in station.process_time:
                    fail(
                        f"no process time for product {pname!r}, which visits this station",
                        *where,
                        "process_time",
                    )
        if isinstance(station.setup, SetupMatrixConfig):
            for prev, row in station.setup.from_to.items():
                if prev not in products:
                    fail(unknown(prev), *where, "setup", "from_to", prev)
                for nxt in row:
                    if nxt not in products:
                        fail(unknown(nxt), *where, "setup", "from_to", prev, nxt)
                    if nxt == prev:
                        fail(
                            f"a setup from {prev!r} to itself is never used; leave it out",
                            *where,
                            "setup",
                            "from_to",
                            prev,
                            nxt,
                        )
        pool = self.workforce.operators if self.workforce is not None else None
        if pool is not None and visitors and station.operators > pool:
            fail(
                f"'operators' must be <= workforce.operators = {pool}, or the station could "
                f"never work (got {station.operators})",
                *where,
                "operators",
            )


def _always_zero(dist: object) -> bool:
    """Whether a distribution can only ever draw 0."""
    if isinstance(dist, ConstantDistConfig):
        return parse_duration(dist.value, "min") == 0.0
    if isinstance(dist, UniformDistConfig):
        return parse_duration(dist.high, "min") == 0.0
    if isinstance(dist, EmpiricalDistConfig):
        return all(parse_duration(v, "min") == 0.0 for v in dist.values)
    return False


def _takes_no_time(station: StationConfig, product: str) -> bool:
    """Whether a station's work on a part of ``product`` always takes no time at all."""
    process = station.process_time
    dist = process.get(product) if isinstance(process, dict) else process
    if dist is not None and not _always_zero(dist):
        return False
    return station.per_part_time is None or _always_zero(station.per_part_time)
