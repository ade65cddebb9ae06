"""CLI overrides, the JSON Schema and the exported names of simline.config."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

import simline.config
from simline.config import ScenarioConfig, apply_overrides, parse_scenario, scenario_json_schema
from simline.errors import ConfigError
from simline.plan import compile_plan


def scenario(**extra: Any) -> ScenarioConfig:
    data: dict[str, Any] = {
        "simline": 1,
        "name": "o",
        "time_unit": "h",
        "run": {"length": "2d", "warmup": 1, "replications": 5, "seed": 3},
        "stations": {
            "print": {
                "kind": "additive",
                "process_time": "6h",
                "batch": {"size": 24, "max_wait": "4h"},
                "per_part_time": "10min",
                "setup": "15min",
                "failures": {"mtbf": "8h", "mttr": "exp(20min)", "basis": "calendar"},
            }
        },
        "workforce": {"operators": 2, "shifts": [["22:00", "06:00"]], "days": ["Mon", "fri"]},
        "site": {"labour_cost_per_hour": 8.1, "energy_price_per_kwh": 0.08},
        "release": {"interarrival": {"dist": "exp", "mean": "30min"}},
        "logistics": {"mode": "sea", "rate_per_container": 2800, "units_per_container": 24000},
        "demand": {"annual": 200000},
    }
    data.update(extra)
    return parse_scenario(data)


def test_overrides_replace_run_settings() -> None:
    config = apply_overrides(scenario(), replications=20, seed=7, length="3d", warmup="30min")
    assert config.run.replications == 20
    assert config.run.seed == 7
    plan = compile_plan(config)
    assert plan.length == 72.0
    assert plan.warmup == 0.5
    assert plan.replications == 20


def test_overrides_keep_what_is_not_given() -> None:
    before = scenario()
    after = apply_overrides(before, length=10)
    assert after.run.length == 10.0
    assert after.run.seed == before.run.seed
    assert after.model_dump(exclude={"run"}) == before.model_dump(exclude={"run"})
    assert compile_plan(after).stations == compile_plan(before).stations
    assert apply_overrides(before) == before


@pytest.mark.parametrize(
    ("kwargs", "path", "message"),
    [
        ({"length": "0"}, "--length", "expected a duration > 0 (got '0')"),
        ({"length": "-3d"}, "--length", "expected a duration > 0 (got '-3d')"),
        ({"length": "3 days"}, "--length", "unknown time unit 'days' in '3 days'"),
        ({"warmup": -1}, "--warmup", "expected a duration >= 0 (got -1)"),
        ({"replications": 0}, "--replications", "'replications' must be >= 1 (got 0)"),
        ({"replications": "many"}, "--replications", "expected a whole number (got 'many')"),
        ({"seed": -1}, "--seed", "'seed' must be >= 0 (got -1)"),
    ],
)
def test_bad_override_names_the_option(kwargs: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        apply_overrides(scenario(), **kwargs)
    assert info.value.path == path
    assert str(info.value).startswith(f"{path}: ")


def test_dump_round_trips() -> None:
    config = scenario()
    again = parse_scenario(config.model_dump(mode="json"))
    assert again == config
    assert compile_plan(again) == compile_plan(config)


def test_json_schema() -> None:
    schema = scenario_json_schema()
    text = json.dumps(schema)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["required"]) == {"simline", "name", "stations"}  # as the spec marks them
    assert schema["additionalProperties"] is False
    site = schema["properties"]["site"]["anyOf"]
    assert [option.get("type") for option in site] == ["string", None, "object", "null"]
    assert site[2]["required"] == ["base"]
    run = schema["$defs"]["RunConfig"]["properties"]
    assert [option["type"] for option in run["length"]["anyOf"]] == ["number", "string"]
    station = schema["$defs"]["MachineStationConfig"]
    assert station["additionalProperties"] is False
    process = station["properties"]["process_time"]["anyOf"]
    kinds = [option.get("type") for option in process[0]["anyOf"]]
    assert kinds[:2] == ["number", "string"]
    assert {"$ref": "#/$defs/LognormalDistConfig"} in process[0]["anyOf"]
    assert (
        schema["properties"]["stations"]["additionalProperties"]["discriminator"]["propertyName"]
        == "kind"
    )
    buffer = station["properties"]["buffer"]["anyOf"]
    assert {"const": "inf"} in buffer
    # overlapping unions are anyOf, so valid files do not match twice
    assert text.count('"oneOf"') == text.count('"discriminator"')


def test_exported_names() -> None:
    public = {name for name in vars(simline.config) if not name.startswith("_")}
    modules = {"cost", "distributions", "experiment", "loader", "models", "parse", "schema",
               "sites", "stations", "uncertainty", "units"}  # fmt: skip
    assert set(simline.config.__all__) == public - modules - {"annotations"}
    assert simline.config.__all__ == sorted(
        simline.config.__all__, key=lambda n: (not n.isupper(), n)
    )


def test_run_block_is_optional_with_stated_defaults() -> None:
    config = parse_scenario(
        {"simline": 1, "name": "x", "stations": {"a": {"kind": "machine", "process_time": 1}}}
    )
    plan = compile_plan(config)
    assert (plan.warmup, plan.length, plan.replications, plan.seed) == (0.0, 7 * 24 * 60.0, 10, 0)
