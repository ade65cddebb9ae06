"""``simline schema`` accepts what the loader accepts: every shipped scenario, dist aliases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from simline.cli import cli
from simline.config import parse_scenario

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted([*ROOT.glob("configs/*.yaml"), *ROOT.glob("configs/reshoring/*.yaml")])


@pytest.fixture(scope="module")
def validator() -> Any:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(validator: Any, data: Any) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]


def test_there_are_shipped_scenarios() -> None:
    assert len(SCENARIOS) >= 7


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_shipped_scenario_validates(validator: Any, path: Path) -> None:
    assert errors(validator, yaml.safe_load(path.read_text())) == []


def scenario(process_time: Any) -> dict[str, Any]:
    return {
        "simline": 1,
        "name": "s",
        "run": {"length": "8h"},
        "stations": {"m": {"kind": "machine", "process_time": process_time}},
    }


@pytest.mark.parametrize(
    "dist",
    [
        {"dist": "exp", "mean": 2},
        {"dist": "EXP", "mean": 2},
        {"dist": "Exponential", "mean": 2},
        {"dist": "tri", "low": 1, "mode": 2, "high": 3},
        {"dist": "Const", "value": 2},
    ],
)
def test_dist_aliases_in_any_case_validate(validator: Any, dist: dict[str, Any]) -> None:
    parse_scenario(scenario(dist))  # the loader takes it ...
    assert errors(validator, scenario(dist)) == []  # ... and so does the schema


def test_unknown_dist_is_refused_by_both(validator: Any) -> None:
    # (as a process time the mapping could be one per product, so use a failure time)
    bad = scenario(1)
    bad["stations"]["m"]["failures"] = {"mtbf": {"dist": "expo", "mean": 2}, "mttr": 1}
    assert errors(validator, bad)
    with pytest.raises(Exception, match="expo"):
        parse_scenario(bad)
