"""Experiment files (``simline.config.experiment``): the models, constraints and bad files.

Every bad file gives one exact line: ``FILE:LINE: path: what was expected (got ...)``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from simline.config import (
    Constraint,
    ExperimentConfig,
    Lhs,
    OneAtATime,
    Range,
    is_experiment_data,
    load_experiment,
    parse_constraint,
)
from simline.errors import ConfigError
from tests.spec import ROOT

ROBOT = ROOT / "configs" / "robot-machining.yaml"
HEAD = f"simline: 1\nexperiment: x\nscenarios: [{ROBOT}]\n"


def write(tmp_path: Path, text: str, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    return str(info.value)


def test_a_full_file_loads_with_everything_it_names(tmp_path: Path) -> None:
    text = HEAD + (
        "description: Cells and buffer\n"
        "run: {replications: 4, seed: 7, length: 2w, warmup: 2d}\n"
        "factors:\n"
        "  stations.mill.servers: [1, 2, 3]\n"
        "  stations.mill.buffer: [5, 10]\n"
        "objective: {figure: cost.tco, goal: min}\n"
        'constraints: ["throughput_per_hour >= 22", "cost.tco < 12.5"]\n'
        "select: {indifference: 0.05}\n"
    )
    path = write(tmp_path, text)
    exp = load_experiment(path)
    assert exp.file == path
    assert exp.text == text
    assert exp.lines[("factors", "stations.mill.buffer")] == 8
    config = exp.config
    assert config.experiment == "x"
    assert config.run is not None and config.run.replications == 4 and config.run.length == "2w"
    assert config.factors == {"stations.mill.servers": [1, 2, 3], "stations.mill.buffer": [5, 10]}
    assert config.design == "full"
    assert config.select is not None and config.select.confidence == 0.95
    assert config.select.first_stage == 10 and config.select.max == 1000
    assert [c.figure for c in exp.constraints] == ["throughput_per_hour", "cost.tco"]
    assert [b.config.name for b in exp.bases] == ["robot-machining"]
    assert exp.bases[0].file == ROBOT


def test_scenarios_are_relative_to_the_experiment_file(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "a.yaml").write_text(ROBOT.read_text())
    (tmp_path / "experiments").mkdir()
    path = write(
        tmp_path,
        "simline: 1\nexperiment: rel\nscenarios: [../configs/a.yaml]\n",
        "experiments/e.yaml",
    )
    exp = load_experiment(path)
    assert exp.bases[0].file == tmp_path / "experiments" / "../configs/a.yaml"
    assert exp.bases[0].config.name == "robot-machining"


def test_designs_and_ranges_validate() -> None:
    config = ExperimentConfig.model_validate(
        {"simline": 1, "experiment": "d", "scenarios": ["a.yaml"],
         "factors": {"stations.a.buffer": {"low": 2, "high": 40, "integer": True},
                     "site": ["nl.yaml", "de.yaml"]},
         "design": {"lhs": 8, "seed": 3}}
    )  # fmt: skip
    assert config.design == Lhs(lhs=8, seed=3)
    factor = (config.factors or {})["stations.a.buffer"]
    assert isinstance(factor, Range) and factor.levels() == 39
    oat = ExperimentConfig.model_validate(
        {"simline": 1, "experiment": "d", "scenarios": ["a.yaml"],
         "factors": {"stations.a.buffer": [1, 2]}, "design": {"one_at_a_time": True}}
    )  # fmt: skip
    assert oat.design == OneAtATime(one_at_a_time=True)
    assert Range(low=0.5, high=2).levels() is None


def test_is_experiment_data() -> None:
    assert is_experiment_data({"experiment": "x"})
    assert not is_experiment_data({"name": "x", "stations": {}})
    assert not is_experiment_data(["experiment"])
    assert not is_experiment_data(None)


@pytest.mark.parametrize(
    ("text", "figure", "op", "value"),
    [
        ("throughput_per_hour >= 22", "throughput_per_hour", ">=", 22.0),
        ("cost.tco < 12.5", "cost.tco", "<", 12.5),
        ("  stations.saw-1.utilization<=0.9 ", "stations.saw-1.utilization", "<=", 0.9),
        ("wip > -1e3", "wip", ">", -1000.0),
        ("lead_time < .5", "lead_time", "<", 0.5),
        ("good_parts >= 1_000", "good_parts", ">=", 1000.0),
    ],
)
def test_constraints_parse(text: str, figure: str, op: str, value: float) -> None:
    assert parse_constraint(text) == Constraint(figure, op, value, text)  # type: ignore[arg-type]


def test_a_constraint_holds_on_its_mean_and_never_on_nan() -> None:
    at_least = parse_constraint("wip >= 2")
    below = parse_constraint("wip < 2")
    assert at_least.holds(2.0) and not at_least.holds(1.9)
    assert below.holds(1.9) and not below.holds(2.0)
    assert parse_constraint("wip > 2").holds(2.1) and not parse_constraint("wip > 2").holds(2.0)
    assert parse_constraint("wip <= 2").holds(2.0) and not parse_constraint("wip <= 2").holds(2.1)
    assert not at_least.holds(math.nan) and not below.holds(math.nan)


@pytest.mark.parametrize(
    "text",
    ["throughput_per_hour >> 3", "throughput_per_hour == 3", "3 <= wip", "wip >=", "wip", "",
     "wip >= 2 or wip < 1", "wip >= abc", "cost..tco < 1"],
)  # fmt: skip
def test_bad_constraints_are_named(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_constraint(text, path="constraints[3]")
    assert str(info.value) == (
        "constraints[3]: expected 'FIGURE OP NUMBER' with OP one of >=, <=, >, <, e.g. "
        f"'throughput_per_hour >= 22' (got {text!r})"
    )


def test_an_infinite_bound_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"expected a finite bound \(got 'wip < 1e999'\)"):
        parse_constraint("wip < 1e999")


R = str(ROBOT)

#: (file text, line, path and message); the message follows ``FILE:LINE: ``.
BAD_FILES: list[tuple[str, str]] = [
    ("simline: 1\nscenarios: [a.yaml]\n",
     "1: missing required key 'experiment' (the experiment's name)"),
    ("simline: 1\nname: a\nstations: {a: {kind: machine, process_time: 1}}\n",
     "1: missing required key 'experiment' (the experiment's name; this looks like a scenario "
     "file, which 'simline run' takes)"),
    ("- 1\n", "1: expected a mapping of experiment keys (simline, experiment, scenarios, "
     "factors, ...) at the top level (got a list)"),
    ("simline: 2\nexperiment: x\nscenarios: [a]\n",
     "1: simline: unsupported format version 2; this simline reads 'simline: 1'"),
    ("simline: 1\nexperiment: 'a b'\nscenarios: [a]\n",
     "2: experiment: expected a name of letters, digits, '_', '-' and '.' (got 'a b')"),
    ("simline: 1\nexperiment: x\n", "1: missing required key 'scenarios'"),
    ("simline: 1\nexperiment: x\nscenarios: []\n", "3: scenarios: 'scenarios' must not be empty"),
    ("simline: 1\nexperiment: x\nscenarios: a.yaml\n",
     "3: scenarios: expected a list (got 'a.yaml')"),
    ("simline: 1\nexperiment: x\nscenarios: [nope.yaml]\n",
     "3: scenarios[0]: scenario file 'nope.yaml' not found (looked for {dir}/nope.yaml)"),
    (HEAD + "run: {replications: two}\n",
     "4: run.replications: expected a whole number (got 'two')"),
    (HEAD + "run: {replications: 0}\n", "4: run.replications: 'replications' must be >= 1 (got 0)"),
    (HEAD + "run: {length: true}\n",
     "4: run.length: expected a duration such as 2w or 8h, or a number (got true)"),
    (HEAD + "run: {lenght: 2w}\n",
     "4: run.lenght: unknown key 'lenght'; allowed keys: replications, seed, length, warmup"),
    (HEAD + "factor: {a: [1]}\n",
     "4: factor: unknown key 'factor'; allowed keys: simline, experiment, description, "
     "scenarios, run, factors, runs, design, objective, constraints, precision, select, optimize"),
    (HEAD + "factors: {stations.mill.buffer: [1]}\nruns: {a: {stations.mill.buffer: 2}}\n",
     "5: runs: give either 'factors' or 'runs', not both"),
    (HEAD + "factors:\n  stations.mill.buffer: []\n",
     "5: factors.stations.mill.buffer: expected a list of values, or a range {low: L, high: H} "
     "(got an empty list)"),
    (HEAD + "factors: {}\n", "4: factors: 'factors' must not be empty"),
    (HEAD + "factors:\n  stations.mill.buffer: 3\n",
     "5: factors.stations.mill.buffer: expected a list of values, or a range {low: L, high: H} "
     "(got 3)"),
    (HEAD + "factors:\n  stations.mill.buffer: [1, 2, 1]\n",
     "5: factors.stations.mill.buffer[2]: value 1 is listed twice (items 0 and 2)"),
    (HEAD + "factors:\n  stations..buffer: [1]\n",
     "5: factors.stations..buffer: expected a dotted path into the scenario such as "
     "stations.mill.buffer (got 'stations..buffer')"),
    (HEAD + "factors:\n  stations.mill: [{}]\n  stations.mill.buffer: [1]\n",
     "6: factors.stations.mill.buffer: 'stations.mill.buffer' lies inside 'stations.mill'; "
     "vary one of them"),
    (HEAD + "runs:\n  lean: {stations..buffer: 2}\n",
     "5: runs.lean.stations..buffer: expected a dotted path into the scenario such as "
     "stations.mill.buffer (got 'stations..buffer')"),
    (HEAD + "runs:\n  'a b': {stations.mill.buffer: 2}\n",
     "5: runs.a b: expected a name of letters, digits, '_' and '-' (got 'a b')"),
    (HEAD + "runs: {lean: 2}\n", "4: runs.lean: expected a mapping (got 2)"),
    (HEAD + "constraints: ['throughput_per_hour >> 3']\n",
     "4: constraints[0]: expected 'FIGURE OP NUMBER' with OP one of >=, <=, >, <, e.g. "
     "'throughput_per_hour >= 22' (got 'throughput_per_hour >> 3')"),
    (HEAD + "constraints: [3]\n", "4: constraints[0]: expected a string (got 3)"),
    (HEAD + "constraints: 'wip < 3'\n", "4: constraints: expected a list (got 'wip < 3')"),
    (HEAD + "factors:\n  stations.mill.buffer: [1, 2]\ndesign: {lhs: 5}\n",
     "6: design: design lhs needs at least one factor given as a range {low: L, high: H} "
     "(every factor is a list of values: use design full)"),
    (HEAD + "design: {lhs: 5}\n",
     "4: design: design lhs needs 'factors', at least one a range {low: L, high: H}"),
    (HEAD + "factors:\n  stations.mill.buffer: {low: 1, high: 5}\n",
     "5: factors.stations.mill.buffer: a range {low, high} needs design {lhs: N}; with design "
     "full give the factor a list of values"),
    (HEAD + "factors:\n  stations.mill.buffer: {low: 1, high: 5}\ndesign: {one_at_a_time: true}\n",
     "5: factors.stations.mill.buffer: a range {low, high} needs design {lhs: N}; with design "
     "one_at_a_time give the factor a list of values"),
    (HEAD + "factors:\n  stations.mill.buffer: {low: 7, high: 5}\ndesign: {lhs: 3}\n",
     "5: factors.stations.mill.buffer.high: 'low' must be <= 'high' (got low 7.0 and high 5.0)"),
    (HEAD + "factors:\n  stations.mill.buffer: {low: 1.5, high: 5, integer: true}\n"
     "design: {lhs: 3}\n",
     "5: factors.stations.mill.buffer.low: with 'integer: true', 'low' must be a whole number "
     "(got 1.5)"),
    (HEAD + "factors:\n  stations.mill.buffer: {low: 1, hi: 5}\ndesign: {lhs: 3}\n",
     "5: factors.stations.mill.buffer.hi: unknown key 'hi'; allowed keys: low, high, integer"),
    (HEAD + "factors:\n  stations.mill.buffer: [1]\ndesign: fractional\n",
     "6: design: expected 'full', {lhs: N, seed: S} or {one_at_a_time: true} (got 'fractional')"),
    (HEAD + "factors:\n  stations.mill.buffer: [1]\ndesign: {lhs: 0}\n",
     "6: design.lhs: 'lhs' must be >= 1 (got 0)"),
    (HEAD + "factors:\n  stations.mill.buffer: [1]\ndesign: {one_at_a_time: false}\n",
     "6: design.one_at_a_time: 'one_at_a_time' must be true (got false)"),
    (HEAD + "design: {one_at_a_time: true}\n",
     "4: design: design one_at_a_time needs 'factors'"),
    (HEAD + "runs: {a: {}}\ndesign: {one_at_a_time: true}\n",
     "5: design: 'design' applies to 'factors'; 'runs' lists its points itself"),
    (HEAD + "run: {length: 1w}\nfactors:\n  run.length: [1w, 2w]\n",
     "6: factors.run.length: 'run.length' is varied here and also set under 'run:'; give it "
     "in one place"),
    (HEAD + "objective: {figure: wip, goal: least}\n",
     "4: objective.goal: 'goal' must be 'min' or 'max' (got 'least')"),
    (HEAD + "select: {indifference: 0.1}\n",
     "4: select: 'select' needs an 'objective' (the figure to select on)"),
    (HEAD + "objective: {figure: wip}\nselect: {indifference: 0}\n",
     "5: select.indifference: 'indifference' must be > 0 (got 0)"),
    (HEAD + "objective: {figure: wip}\nselect: {indifference: 1, confidence: 1}\n",
     "5: select.confidence: 'confidence' must be < 1 (got 1)"),
    (HEAD + "objective: {figure: wip}\nselect: {indifference: 1, first_stage: 10, max: 5}\n",
     "5: select.max: 'max' must be >= first_stage = 10 (got 5)"),
    (HEAD + "precision: {figure: wip, relative: 0.1, absolute: 1}\n",
     "4: precision: give exactly one of 'relative' and 'absolute' (the target half-width)"),
    (HEAD + "precision: {figure: wip}\n",
     "4: precision: give exactly one of 'relative' and 'absolute' (the target half-width)"),
    (HEAD + "precision: {figure: wip, relative: 0.1, min: 1}\n",
     "4: precision.min: 'min' must be >= 2 (got 1)"),
    (HEAD + "precision: {figure: wip, relative: 0.1, min: 50, max: 10}\n",
     "4: precision.min: 'min' must be <= 'max' = 10 (got 50)"),
    (HEAD + "objective: {figure: wip}\nprecision: {figure: wip, relative: 0.1}\n"
     "select: {indifference: 1}\n",
     "6: select: give either 'precision' or 'select': the selection decides the replications"),
    (HEAD + "optimize: {variables: {stations.mill.buffer: {low: 1, high: 3}}, budget: 3}\n",
     "4: optimize: 'optimize' needs an 'objective' (the figure to optimize)"),
    (HEAD + "objective: {figure: wip}\nfactors: {stations.mill.servers: [1]}\n"
     "optimize: {variables: {stations.mill.buffer: {low: 1, high: 3}}, budget: 3}\n",
     "6: optimize: 'optimize' searches over its own variables; leave out 'factors' and 'runs'"),
    (HEAD + "objective: {figure: wip}\noptimize: {variables: {}, budget: 3}\n",
     "5: optimize.variables: 'variables' must not be empty"),
    (HEAD + "objective: {figure: wip}\n"
     "optimize: {variables: {stations.mill.buffer: [1, 2]}, budget: 3}\n",
     "5: optimize.variables.stations.mill.buffer: expected a range {low: L, high: H, integer: "
     "true} or an expression over the other variables such as '12 - stations.a.buffer' "
     "(got a list)"),
    (HEAD + "objective: {figure: wip}\n"
     "optimize: {variables: {stations.mill.buffer: {low: 1, high: 3}}, budget: 3, "
     "method: grad}\n",
     "5: optimize.method: 'method' must be 'tpe', 'cmaes', 'random' or 'grid' (got 'grad')"),
    (HEAD + "factors:\n  stations.mill.buffer: [1]\nfactors:\n  stations.mill.servers: [1]\n",
     "6: factors: duplicate key 'factors' (first given at line 4)"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), BAD_FILES)
def test_bad_experiment_files_give_one_exact_line(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    message = error_of(path)
    assert message == f"{path}:{expected.replace('{dir}', str(tmp_path))}"
    assert "\n" not in message


def test_a_bad_base_scenario_names_its_own_file(tmp_path: Path) -> None:
    scenario = write(tmp_path, "simline: 1\nname: s\nstations: {a: {kind: machin}}\n", "s.yaml")
    path = write(tmp_path, "simline: 1\nexperiment: x\nscenarios: [s.yaml]\n")
    assert error_of(path).startswith(f"{scenario}:3: stations.a: unknown station kind 'machin'")


def test_an_invalid_yaml_experiment_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "simline: 1\nexperiment: [x\n")
    assert error_of(path).startswith(f"{path}:")
    assert "invalid YAML" in error_of(path)
