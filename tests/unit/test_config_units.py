from __future__ import annotations

import math
import re

import pytest

from simline.config import TIME_UNITS, parse_duration, parse_scenario, seconds_per_unit
from simline.errors import ConfigError


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (5, "min", 5.0),
        (2.5, "h", 2.5),
        ("90s", "min", 1.5),
        ("2.5min", "s", 150.0),
        ("8h", "min", 480.0),
        ("3d", "h", 72.0),
        ("2w", "min", 20160.0),
        ("1.5 h", "min", 90.0),
        ("30MIN", "h", 0.5),
        ("7", "min", 7.0),
        ("1e3s", "min", 1000 / 60),
        ("1_000s", "s", 1000.0),
        (0, "s", 0.0),
        ("0h", "min", 0.0),
    ],
)
def test_parse_duration(value: float | str, unit: str, expected: float) -> None:
    assert parse_duration(value, unit) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (-1, "expected a duration >= 0"),
        ("-5min", "expected a duration >= 0"),
        (math.nan, "finite"),
        (math.inf, "finite"),
        ("5 parsecs", "unknown time unit 'parsecs'"),
        ("5m", "unknown time unit 'm'"),
        ("", "expected a duration"),
        ("min", "expected a duration"),
        (True, "expected a duration"),
        (None, "expected a duration"),
        ([1], "expected a duration"),
    ],
)
def test_parse_duration_rejects(value: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        parse_duration(value, "min")  # type: ignore[arg-type]


def test_unknown_time_unit() -> None:
    with pytest.raises(ValueError, match="time unit must be one of s, min, h"):
        parse_duration(1, "d")


def test_seconds_per_unit() -> None:
    assert [seconds_per_unit(u) for u in TIME_UNITS] == [1.0, 60.0, 3600.0]


def _scenario(**run: object) -> dict[str, object]:
    return {
        "simline": 1,
        "name": "u",
        "run": {"length": "8h", **run},
        "stations": {"a": {"kind": "machine", "process_time": 1}},
    }


def test_durations_are_kept_as_written() -> None:
    config = parse_scenario(_scenario(warmup="90s"))
    assert config.run.warmup == "90s"
    assert config.run.length == "8h"
    assert parse_scenario(_scenario(warmup=3)).run.warmup == 3.0


@pytest.mark.parametrize(
    ("run", "path", "match"),
    [
        ({"length": 0}, "run.length", "expected a duration > 0 (got 0)"),
        ({"length": "-8h"}, "run.length", "expected a duration > 0 (got '-8h')"),
        ({"warmup": -1}, "run.warmup", "expected a duration >= 0 (got -1)"),
        ({"warmup": "1y"}, "run.warmup", "unknown time unit 'y' in '1y'; expected one of s, min"),
        ({"warmup": float("nan")}, "run.warmup", "expected a finite duration"),
    ],
)
def test_duration_errors_in_a_scenario(run: dict[str, object], path: str, match: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(match)) as info:
        parse_scenario(_scenario(**run))
    assert info.value.path == path
    assert info.value.file == "<scenario>"
    assert info.value.line is None
