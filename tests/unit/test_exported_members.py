"""The public surface is pinned: ``simline.__all__`` lists exactly the names it exports."""

from __future__ import annotations

import subprocess
import sys

import pytest

import simline


def test_all_is_sorted_and_complete() -> None:
    assert simline.__all__ == sorted(simline.__all__)
    # experiment is the package simline.experiment, callable as simline.api.experiment
    assert set(simline.__all__) == {*simline._EXPORTS, "__version__", "experiment"}
    assert set(simline.__all__) == {
        "CompareOutcome", "ConfigError", "Estimate", "ExperimentError", "ExperimentResult",
        "Plan", "RunOutcome", "RunResult", "RunSummary", "ScenarioConfig", "SimlineError",
        "SimulationError", "__version__", "compare", "compile_plan", "experiment",
        "load_scenario", "parse_scenario", "run", "run_replications", "summarize",
    }  # fmt: skip


@pytest.mark.parametrize("name", [n for n in simline.__all__ if n != "__version__"])
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(simline, name) is not None


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = simline.nope  # type: ignore[attr-defined]


def test_import_does_not_load_the_heavy_dependencies() -> None:
    code = "import sys, simline; print(sorted({'numpy', 'simpy', 'scipy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_quick_start_of_the_docstring_runs() -> None:
    config = simline.parse_scenario(
        {"simline": 1, "name": "q", "run": {"length": 600, "replications": 2},
         "stations": {"a": {"kind": "machine", "process_time": 1.0}}}
    )  # fmt: skip
    plan = simline.compile_plan(config)
    summary = simline.summarize(plan, simline.run_replications(plan, jobs=1))
    assert summary.throughput_per_hour.mean == pytest.approx(60.0)
