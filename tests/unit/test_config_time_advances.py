"""Inputs that would make a line loop at one instant forever are config errors, not hangs."""

from __future__ import annotations

from typing import Any

import pytest

from simline.config import apply_overrides, parse_scenario
from simline.errors import ConfigError


def scenario(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "simline": 1,
        "name": "z",
        "stations": {"a": {"kind": "machine", "process_time": 1}},
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("extra", "path", "message"),
    [
        ({"release": {"interarrival": 0}}, "release.interarrival", "always 0"),
        ({"release": {"interarrival": "const(0)"}}, "release.interarrival", "always 0"),
        (
            {"stations": {"a": {"kind": "machine", "process_time": "uniform(0, 0)"}}},
            "stations.a.process_time",
            "first station of 'part' must take time",
        ),
        (
            {"stations": {"a": {"kind": "machine", "process_time": 1,
                                "failures": {"mtbf": "const(0)", "mttr": 1}}}},
            "stations.a.failures.mtbf",
            "no time to work",
        ),
        (
            {"release": {"conwip": 2},
             "products": {"x": {"routing": ["a"]}},
             "stations": {"a": {"kind": "machine",
                                "process_time": {"dist": "empirical", "values": [0, 0]}}}},
            "products.x.routing",
            "would go round at one instant",
        ),
    ],
)  # fmt: skip
def test_zero_time_loops_are_rejected(extra: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        parse_scenario(scenario(**extra))
    assert info.value.path == path


def test_zero_time_stations_are_fine_where_time_still_advances() -> None:
    # a zero-time station after one that takes time, under saturated release and CONWIP
    stations = {
        "a": {"kind": "machine", "process_time": 1},
        "b": {"kind": "machine", "process_time": 0},
    }
    parse_scenario(scenario(stations=stations))
    parse_scenario(scenario(stations=stations, release={"conwip": 3}))


@pytest.mark.parametrize("option", ["length", "warmup"])
def test_durations_that_overflow_are_rejected(option: str) -> None:
    config = parse_scenario(scenario())
    with pytest.raises(ConfigError, match="finite duration") as info:
        apply_overrides(config, **{option: "1e308w"})
    assert info.value.path == f"--{option}"
