"""Station models: a discriminated union on ``kind`` (manual | machine | robot | additive).

The four kinds take the same keys; they differ in defaults (a ``manual`` server needs one
operator, the others none) and in what the cost model makes of them. ``batch`` and
``per_part_time`` are allowed on every kind: an additive printer is the common case, but ovens,
washers and curing racks are batch machines too.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import Discriminator, Field, PlainValidator, Tag, WithJsonSchema, model_validator

from simline.config._base import (
    Money,
    Name,
    NonNegative,
    Number,
    Positive,
    Rate,
    StrictModel,
    Whole,
    at_least,
    fail,
    got,
    whole_number,
)
from simline.config.cost import EnergyConfig, ToolingConfig
from simline.config.distributions import DistConfig, MeanDistConfig
from simline.config.units import Duration

__all__ = [
    "STATION_KINDS",
    "AdditiveStationConfig",
    "BatchConfig",
    "Buffer",
    "FailureConfig",
    "MachineStationConfig",
    "ManualStationConfig",
    "ProcessTimeConfig",
    "RobotStationConfig",
    "SetupConfig",
    "SetupMatrixConfig",
    "StationConfig",
]

#: The station kinds, in the order messages list them.
STATION_KINDS: tuple[str, ...] = ("manual", "machine", "robot", "additive")

#: Most identical parallel servers of a station: more than any real cell (a sewing floor, a
#: rack of curing places), and what keeps per-server state small in the engines.
SERVERS_MAX = 1_000
#: Most places in a finite buffer (a warehouse between two stations); ``"inf"`` is unlimited.
BUFFER_MAX = 1_000_000
#: Most parts in one build of a batch station (an MJF build of small clips holds thousands).
BATCH_MAX = 10_000
#: Most operators a server needs while it works.
OPERATORS_PER_SERVER_MAX = 1_000
#: Depreciation periods, in years: from five weeks (shorter is a consumable) to a century.
LIFE_YEARS_MIN = 0.1
LIFE_YEARS_MAX = 100.0
#: Most floor space per server, in m2 (a square kilometre).
FLOOR_M2_MAX = 1e6
#: Most planned running hours a year: a leap year round the clock.
PLANNED_HOURS_MAX = 8784.0


def _buffer(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() == "inf":
        return None
    if isinstance(value, float) and value == math.inf:
        return None
    if (
        isinstance(value, str | bool)
        or not isinstance(value, int | float)
        or value < 0
        or (isinstance(value, float) and not value.is_integer())
    ):
        fail(f'expected a whole number >= 0 or "inf" (got {got(value)})')
    # the same rules as every whole number (the 64-bit cap), then the buffer's own bound
    number = whole_number(value)
    if number > BUFFER_MAX:
        fail(f"'buffer' must be <= {BUFFER_MAX:_} places, or \"inf\" (got {got(value)})")
    return number


#: Places in front of a station: a whole number >= 0; ``"inf"`` or ``None`` for unlimited.
Buffer = Annotated[
    int | None,
    PlainValidator(_buffer),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": BUFFER_MAX},
                {"const": "inf"},
                {"type": "null"},
            ],
            "description": (
                f'places in front of the station, 0 to {BUFFER_MAX:_}; "inf" or left out: unlimited'
            ),
        }
    ),
]


class FailureConfig(StrictModel):
    """Breakdowns of each server."""

    _example: ClassVar[str] = "{mtbf: 8h, mttr: 30min}"

    mtbf: MeanDistConfig
    """Time to failure; a plain duration is the mean of an exponential."""
    mttr: MeanDistConfig
    """Repair time; a plain duration is the mean of an exponential."""
    basis: Literal["operating", "calendar"] = "operating"
    """``operating``: time to failure counts only working time; ``calendar``: all time."""


class SetupMatrixConfig(StrictModel):
    """Setups only for the listed changes of product: ``from_to[prev][next]``."""

    from_to: dict[Name, dict[Name, DistConfig]]


def _setup_tag(value: Any) -> str:
    if isinstance(value, SetupMatrixConfig):
        return "<from_to>"
    if isinstance(value, dict) and "dist" not in value:
        return "<from_to>"
    return "<distribution>"


#: A setup: one distribution for any change of product, or ``{from_to: {a: {b: D}}}``.
SetupConfig = Annotated[
    Annotated[DistConfig, Tag("<distribution>")] | Annotated[SetupMatrixConfig, Tag("<from_to>")],
    Discriminator(_setup_tag),
]


def _process_tag(value: Any) -> str:
    if isinstance(value, dict) and "dist" not in value:
        return "<per-product>"
    return "<distribution>"


#: A process time: one distribution, or one per product ``{bracket: D, housing: D}``.
ProcessTimeConfig = Annotated[
    Annotated[DistConfig, Tag("<distribution>")]
    | Annotated[dict[Name, DistConfig], Field(min_length=1), Tag("<per-product>")],
    Discriminator(_process_tag),
]


class BatchConfig(StrictModel):
    """Builds of up to ``size`` parts."""

    size: Annotated[Whole, Field(ge=1, le=BATCH_MAX)]
    """Most parts in one build (1 to 10,000)."""
    max_wait: Duration | None = None
    """Start a part-full build this long after the oldest waiting part came; left out: only
    full builds start."""


class _StationBase(StrictModel):
    kind: str
    """manual | machine | robot | additive."""
    servers: Annotated[Whole, Field(ge=1, le=SERVERS_MAX)] = 1
    """Identical parallel units (1 to 1,000)."""
    process_time: ProcessTimeConfig
    """Process time (per build for a batch station), one distribution or one per product."""
    buffer: Buffer = None
    """Places in front of the station (0 to 1,000,000); ``"inf"`` or left out: unlimited."""
    failures: FailureConfig | None = None
    """Breakdowns; left out: none."""
    setup: SetupConfig | None = None
    """Setup when a server switches product."""
    scrap: Annotated[Number, Field(ge=0, lt=1)] = 0.0
    """Probability that a part finished here is scrap."""
    operators: Annotated[Whole, Field(ge=0, le=OPERATORS_PER_SERVER_MAX)] = 0
    """Operators a server needs while it works (manual: 1, others: 0 by default; at most
    1,000)."""
    batch: BatchConfig | None = None
    """Builds of several parts at once."""
    per_part_time: DistConfig | None = None
    """Added to a build per part in it (needs ``batch``)."""
    energy: EnergyConfig | None = None
    """Power drawn per server."""
    capex: Money = 0.0
    """Purchase and integration, per server (money: at most 1e15; needs ``life_years``)."""
    life_years: (
        Annotated[
            Number,
            Field(gt=0, le=LIFE_YEARS_MAX, json_schema_extra={"minimum": LIFE_YEARS_MIN}),
            at_least(LIFE_YEARS_MIN, "shorter-lived items are consumables, not equipment"),
        ]
        | None
    ) = None
    """Depreciation period (0.1 to 100 years)."""
    maintenance_rate: Rate = 0.0
    """Maintenance per year as a share of capex (at most 10)."""
    floor_m2: Annotated[NonNegative, Field(le=FLOOR_M2_MAX)] = 0.0
    """Floor space, per server (at most 1,000,000 m2)."""
    maintenance_per_year: Money | None = None
    """Maintenance per year in money, per server, instead of ``maintenance_rate``."""
    replacement_value: Money | None = None
    """Depreciation base after VDI 3258, per server (left out: ``capex``)."""
    disposal_cost: Money = 0.0
    """Removal and scrapping at end of life, per server: added to the depreciation base."""
    residual_value: Money = 0.0
    """Sale value at end of life, per server: taken off the depreciation base."""
    tooling: ToolingConfig | None = None
    """Tools worn per busy hour of a server: ``{per_hour}`` or ``{cost, regrinds,
    regrind_cost, life}``."""
    planned_hours_per_year: Annotated[Positive, Field(le=PLANNED_HOURS_MAX)] | None = None
    """Running hours a year the machine-hour rate is quoted on (VDI 3258; at most 8,784);
    left out: the simulated running hours, scaled to a year."""

    @property
    def depreciation_base(self) -> float:
        """``replacement_value`` (or ``capex``) + ``disposal_cost`` - ``residual_value``."""
        value = self.capex if self.replacement_value is None else self.replacement_value
        return value + self.disposal_cost - self.residual_value

    @model_validator(mode="after")
    def _batch(self) -> Self:
        if self.capex > 0 and self.life_years is None:
            fail(
                f"'capex' needs 'life_years' to depreciate it over (got capex {got(self.capex)} "
                "and no life_years)",
                "capex",
            )
        # by value, not by the keys set: a resolved config is dumped with every default
        if self.maintenance_per_year is not None and self.maintenance_rate > 0:
            fail(
                "give 'maintenance_rate' or 'maintenance_per_year', not both (got "
                f"maintenance_rate {got(self.maintenance_rate)} and maintenance_per_year "
                f"{got(self.maintenance_per_year)})",
                "maintenance_per_year",
            )
        base = self.depreciation_base
        if base < 0:
            fail(
                "'residual_value' must not exceed the depreciation base, replacement_value "
                f"(or capex) + disposal_cost = {got(base + self.residual_value)} "
                f"(got {got(self.residual_value)})",
                "residual_value",
            )
        if base > 0 and self.life_years is None:
            key = next(
                k for k in ("replacement_value", "disposal_cost") if k in self.model_fields_set
            )
            fail(
                f"'{key}' needs 'life_years' to depreciate it over (got a depreciation base "
                f"of {got(base)} and no life_years)",
                key,
            )
        if self.per_part_time is not None and self.batch is None:
            fail("'per_part_time' needs 'batch' (it is added per part in a build)", "per_part_time")
        batch = self.batch
        if batch is not None and self.buffer is not None and self.buffer < batch.size:
            fail(
                f"'buffer' must hold at least batch.size = {batch.size} parts: a build is "
                f"taken from the buffer, so a smaller one could never fill it (got {self.buffer})",
                "buffer",
            )
        return self


class ManualStationConfig(_StationBase):
    """A manual workplace: each server needs an operator by default."""

    kind: Literal["manual"]
    operators: Annotated[Whole, Field(ge=0, le=OPERATORS_PER_SERVER_MAX)] = 1


class MachineStationConfig(_StationBase):
    """A machine: runs without operators by default."""

    kind: Literal["machine"]


class RobotStationConfig(_StationBase):
    """A robot cell: runs without operators by default."""

    kind: Literal["robot"]


class AdditiveStationConfig(_StationBase):
    """An additive-manufacturing cell (printer), usually with ``batch`` builds."""

    kind: Literal["additive"]


#: Any station, told apart by ``kind``.
StationConfig = Annotated[
    ManualStationConfig | MachineStationConfig | RobotStationConfig | AdditiveStationConfig,
    Field(discriminator="kind"),
]
