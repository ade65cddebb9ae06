"""Property: any valid design expands to the right number of runs, with distinct ids.

Designs are drawn over two small base scenarios: full factorials, one factor at a time,
Latin hypercubes (with a continuous range, so no two points coincide) and explicit runs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simline.config import load_experiment
from simline.experiment.design import expand, run_id

BASE = """\
simline: 1
name: {name}
run: {{length: 8h, replications: 2}}
stations:
  a: {{kind: machine, process_time: 1.0, buffer: 4}}
  b: {{kind: manual, process_time: "exp(0.8)"}}
"""

#: Factor paths and the values each may take (any distinct subset is a valid factor).
POOL: dict[str, list[Any]] = {
    "stations.a.buffer": list(range(0, 30)),
    "stations.a.servers": [1, 2, 3, 4],
    "stations.b.process_time.mean": [0.5, 0.6, 0.9, "1min", "70s"],
    "run.length": ["4h", "8h", "1d", 600],
    "run.seed": [0, 1, 2, 3, 99],
    "workforce.operators": [1, 2, 3],
    "stations.a.failures.mtbf": ["8h", "exp(10h)", {"dist": "constant", "value": "9h"}],
}


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bases")
    for name in ("one", "two"):
        (directory / f"{name}.yaml").write_text(BASE.format(name=name))
    return directory


@st.composite
def factor_lists(draw: st.DrawFn) -> dict[str, list[Any]]:
    names = draw(st.lists(st.sampled_from(sorted(POOL)), min_size=1, max_size=3, unique=True))
    factors: dict[str, list[Any]] = {}
    for name in names:
        values = POOL[name]
        indices = draw(
            st.lists(st.integers(0, len(values) - 1), min_size=1, max_size=4, unique=True)
        )
        factors[name] = [values[i] for i in indices]
    if "stations.a.failures.mtbf" in factors:
        factors["stations.a.failures.mttr"] = ["10min"]
    return factors


@st.composite
def designs(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """An experiment body and its number of runs per base scenario."""
    kind = draw(st.sampled_from(["none", "full", "one_at_a_time", "lhs", "runs"]))
    if kind == "none":
        return {}, 1
    if kind == "runs":
        buffers = draw(st.lists(st.integers(0, 40), min_size=1, max_size=6, unique=True))
        runs = {f"r{i}": {"stations.a.buffer": b} for i, b in enumerate(buffers)}
        if draw(st.booleans()):
            runs["r0"]["stations.a.servers"] = 2
        return {"runs": runs}, len(runs)
    factors: dict[str, Any] = draw(factor_lists())
    if kind == "full":
        return {"factors": factors}, math.prod(len(v) for v in factors.values())
    if kind == "one_at_a_time":
        body = {"factors": factors, "design": {"one_at_a_time": True}}
        return body, 1 + sum(len(v) - 1 for v in factors.values())
    n = draw(st.integers(1, 12))
    factors["stations.b.process_time.mean"] = {"low": 0.3, "high": 2.0}
    if draw(st.booleans()):
        factors["stations.a.buffer"] = {"low": 0, "high": draw(st.integers(0, 50)),
                                        "integer": True}  # fmt: skip
    body = {"factors": factors, "design": {"lhs": n, "seed": draw(st.integers(0, 10**6))}}
    return body, n


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(design=designs(), two=st.booleans())
def test_any_valid_design_expands_to_the_right_number_of_distinct_runs(
    bases: Path, design: tuple[dict[str, Any], int], two: bool
) -> None:
    body, per_base = design
    scenarios = ["one.yaml", "two.yaml"] if two else ["one.yaml"]
    data = {"simline": 1, "experiment": "prop", "scenarios": scenarios, **body}
    path = bases / "exp.yaml"
    path.write_text(json.dumps(data))  # JSON is YAML
    specs = expand(load_experiment(path))
    assert len(specs) == per_base * len(scenarios)
    assert len({s.id for s in specs}) == len(specs)
    assert all(s.id == run_id(s.config) for s in specs)
    assert [s.scenario for s in specs] == [
        name.removesuffix(".yaml") for name in scenarios for _ in range(per_base)
    ]
    names = list(body.get("factors", {}))
    for spec in specs:
        given = body["runs"][spec.label] if spec.label is not None else {}
        assert list(spec.factors) == (names or list(given))
