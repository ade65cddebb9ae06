"""Station models: a discriminated union on ``kind`` (manual | machine | robot | additive).

The four kinds take the same keys; they differ in defaults (a ``manual`` server needs one
operator, the others none) and in what the cost model makes of them. ``batch`` and
``per_part_time`` are allowed on every kind: an additive printer is the common case, but ovens,
washers and curing racks are batch machines too.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Self

from pydantic import Discriminator, Field, PlainValidator, Tag, WithJsonSchema, model_validator

from simline.config._base import (
    Name,
    NonNegative,
    Number,
    Positive,
    Rate,
    StrictModel,
    Whole,
    fail,
    got,
)
from simline.config.cost import EnergyConfig
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


def _buffer(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() == "inf":
        return None
    if isinstance(value, float) and value == math.inf:
        return None
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value >= 0
        and float(value).is_integer()
    ):
        return int(value)
    fail(f'expected a whole number >= 0 or "inf" (got {got(value)})')


#: Places in front of a station: a whole number >= 0; ``"inf"`` or ``None`` for unlimited.
Buffer = Annotated[
    int | None,
    PlainValidator(_buffer),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"const": "inf"},
                {"type": "null"},
            ],
            "description": 'places in front of the station; "inf" or left out: unlimited',
        }
    ),
]


class FailureConfig(StrictModel):
    """Breakdowns of each server."""

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

    size: Annotated[Whole, Field(ge=1)]
    """Most parts in one build."""
    max_wait: Duration | None = None
    """Start a part-full build this long after the oldest waiting part came; left out: only
    full builds start."""


class _StationBase(StrictModel):
    kind: str
    """manual | machine | robot | additive."""
    servers: Annotated[Whole, Field(ge=1)] = 1
    """Identical parallel units."""
    process_time: ProcessTimeConfig
    """Process time (per build for a batch station), one distribution or one per product."""
    buffer: Buffer = None
    """Places in front of the station; ``"inf"`` or left out: unlimited."""
    failures: FailureConfig | None = None
    """Breakdowns; left out: none."""
    setup: SetupConfig | None = None
    """Setup when a server switches product."""
    scrap: Annotated[Number, Field(ge=0, lt=1)] = 0.0
    """Probability that a part finished here is scrap."""
    operators: Annotated[Whole, Field(ge=0)] = 0
    """Operators a server needs while it works (manual: 1, others: 0 by default)."""
    batch: BatchConfig | None = None
    """Builds of several parts at once."""
    per_part_time: DistConfig | None = None
    """Added to a build per part in it (needs ``batch``)."""
    energy: EnergyConfig | None = None
    """Power drawn per server."""
    capex: NonNegative = 0.0
    """Purchase and integration, per server."""
    life_years: Positive | None = None
    """Depreciation period."""
    maintenance_rate: Rate = 0.0
    """Maintenance per year as a share of capex."""
    floor_m2: NonNegative = 0.0
    """Floor space, per server."""

    @model_validator(mode="after")
    def _batch(self) -> Self:
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
    operators: Annotated[Whole, Field(ge=0)] = 1


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
