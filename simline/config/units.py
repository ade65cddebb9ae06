"""Durations and time units.

A duration in a scenario file is either a number, in the scenario's ``time_unit``, or a string
with its unit: ``"90s"``, ``"2.5min"``, ``"8h"``, ``"3d"``, ``"2w"``. The config keeps a
duration as it was written (validated); :func:`parse_duration` turns it into a number of
``time_unit``.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, cast

from pydantic import PlainValidator, ValidationInfo, WithJsonSchema

from simline.config._base import fail, got

__all__ = [
    "DURATION_UNITS",
    "TIME_UNITS",
    "Duration",
    "PositiveDuration",
    "TimeUnit",
    "duration_seconds",
    "parse_duration",
    "seconds_per_unit",
    "time_unit_of",
]

#: The time units a scenario may be expressed in.
TimeUnit = Literal["s", "min", "h"]
TIME_UNITS: tuple[str, ...] = ("s", "min", "h")

#: Seconds in each unit a duration string may carry.
DURATION_UNITS: dict[str, float] = {
    "s": 1.0,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
}

_NUMBER = r"[+-]?(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_DURATION_RE = re.compile(rf"^\s*(?P<number>{_NUMBER})\s*(?P<unit>[A-Za-z]*)\s*$")
_EXPECTED = 'a duration: a number >= 0 or a string like "90s", "2.5min", "8h", "3d", "2w"'


def time_unit_of(info: ValidationInfo) -> str:
    """Get the scenario's time unit from the validation context (``min`` without one)."""
    context = info.context
    if isinstance(context, dict):
        unit = context.get("time_unit")
        if isinstance(unit, str) and unit in TIME_UNITS:
            return unit
    return "min"


def seconds_per_unit(time_unit: str) -> float:
    """Seconds in one ``time_unit`` (``s``, ``min`` or ``h``)."""
    if time_unit not in TIME_UNITS:
        raise ValueError(f"time unit must be one of {', '.join(TIME_UNITS)} (got {time_unit!r})")
    return DURATION_UNITS[time_unit]


def _split(value: object) -> tuple[float, str | None]:
    """Return the number and the unit (``None``: the scenario's unit) of a duration.

    Raises
    ------
    ValueError
        With a one-line message when ``value`` is not a duration >= 0.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected {_EXPECTED} (got {got(value)})")
    if isinstance(value, str):
        match = _DURATION_RE.match(value)
        if match is None:
            raise ValueError(f"expected {_EXPECTED} (got {got(value)})")
        number = float(match["number"].replace("_", ""))
        unit: str | None = match["unit"].lower() or None
        if unit is not None and unit not in DURATION_UNITS:
            raise ValueError(
                f"unknown time unit {match['unit']!r} in {value!r}; "
                f"expected one of {', '.join(DURATION_UNITS)}"
            )
    else:
        try:
            number, unit = float(value), None
        except OverflowError:
            raise ValueError(f"expected a finite duration (got {got(value)})") from None
    # A bare number is in the scenario's unit, at most hours: it must convert to seconds too.
    seconds = number * (DURATION_UNITS[unit] if unit is not None else DURATION_UNITS["h"])
    if not math.isfinite(number) or not math.isfinite(seconds):
        raise ValueError(f"expected a finite duration (got {got(value)})")
    if number < 0:
        raise ValueError(f"expected a duration >= 0 (got {got(value)})")
    return number, unit


def parse_duration(value: float | str, time_unit: str) -> float:
    """Convert a duration to a number of ``time_unit``.

    Parameters
    ----------
    value
        A number (already in ``time_unit``) or a string with a unit, e.g. ``"2.5min"``.
    time_unit
        The scenario's time unit: ``s``, ``min`` or ``h``.

    Returns
    -------
    float
        The duration in ``time_unit``.

    Raises
    ------
    ValueError
        When ``value`` is not a duration >= 0 or ``time_unit`` is unknown.

    Examples
    --------
    >>> parse_duration("90s", "min")
    1.5
    >>> parse_duration(2, "h")
    2.0
    """
    per_unit = seconds_per_unit(time_unit)
    number, unit = _split(value)
    if unit is None:
        return number
    return number * DURATION_UNITS[unit] / per_unit


def duration_seconds(value: float | str, time_unit: str) -> float:
    """Convert a duration to seconds (bare numbers are in ``time_unit``).

    An array (the futures of :mod:`simline.config.uncertainty`, in ``time_unit``) is converted
    element by element.
    """
    if not isinstance(value, float | int | str):
        return cast("float", value * seconds_per_unit(time_unit))
    return parse_duration(value, time_unit) * seconds_per_unit(time_unit)


def _check(value: Any, *, positive: bool) -> float | str:
    try:
        number, _ = _split(value)
    except ValueError as exc:
        message = str(exc)
        if positive:
            message = message.replace("duration >= 0", "duration > 0").replace(
                "a number >= 0", "a number > 0"
            )
        fail(message)
    if positive and number == 0:
        fail(f"expected a duration > 0 (got {got(value)})")
    return value if isinstance(value, str) else float(value)


def _check_duration(value: Any) -> float | str:
    return _check(value, positive=False)


def _check_positive(value: Any) -> float | str:
    return _check(value, positive=True)


_SCHEMA_STRING = {
    "type": "string",
    "pattern": rf"^\s*{_NUMBER}\s*(s|min|h|d|w)?\s*$",
    "description": "a duration with its unit: s, min, h, d or w",
}

#: A duration >= 0: a number in the scenario's ``time_unit`` or a string with a unit.
Duration = Annotated[
    float | str,
    PlainValidator(_check_duration),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0}, _SCHEMA_STRING]}),
]

#: A duration > 0.
PositiveDuration = Annotated[
    float | str,
    PlainValidator(_check_positive),
    WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": 0}, _SCHEMA_STRING]}),
]
