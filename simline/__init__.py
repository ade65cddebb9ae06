"""simline: discrete-event simulation of production lines, with a reshoring cost model.

A scenario file in one call, with the command line's defaults and policy
(:mod:`simline.api`)::

    import simline

    outcome = simline.run("configs/two-product.yaml", replications=5)
    outcome.to_dict()       # the object of ``simline run --format json``
    outcome.to_frame()      # its CSV as a pandas DataFrame, one row per figure
    simline.compare(["configs/two-product.yaml", "configs/robot-machining.yaml"]).verdict
    simline.experiment("experiments/mill-buffers.yaml").to_frame()   # one row per run

The steps underneath, in a few names::

    from simline import load_scenario, compile_plan, run_replications, summarize

    config = load_scenario("configs/two-product.yaml")
    plan = compile_plan(config)
    results = run_replications(plan, backend="auto", jobs=2)
    summary = summarize(plan, results)
    print(summary.throughput_per_hour.mean)

Names are imported on first use, so ``import simline`` (and the command line's start-up)
stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "CompareOutcome": "simline.api",
    "ExperimentResult": "simline.api",
    "ConfigError": "simline.errors",
    "Estimate": "simline.stats",
    "ExperimentError": "simline.errors",
    "Plan": "simline.plan",
    "RunOutcome": "simline.api",
    "RunResult": "simline.engine.results",
    "RunSummary": "simline.stats",
    "ScenarioConfig": "simline.config",
    "SimlineError": "simline.errors",
    "SimulationError": "simline.errors",
    "compare": "simline.api",
    "compile_plan": "simline.plan",
    "load_scenario": "simline.config",
    "parse_scenario": "simline.config",
    "run": "simline.api",
    "run_replications": "simline.experiment.replicate",
    "summarize": "simline.stats",
}

__all__ = [
    "CompareOutcome",
    "ConfigError",
    "Estimate",
    "ExperimentError",
    "ExperimentResult",
    "Plan",
    "RunOutcome",
    "RunResult",
    "RunSummary",
    "ScenarioConfig",
    "SimlineError",
    "SimulationError",
    "__version__",
    "compare",
    "compile_plan",
    "experiment",
    "load_scenario",
    "parse_scenario",
    "run",
    "run_replications",
    "summarize",
]

if TYPE_CHECKING:
    from simline.api import CompareOutcome, ExperimentResult, RunOutcome, compare, run
    from simline.config import ScenarioConfig, load_scenario, parse_scenario
    from simline.engine.results import RunResult
    from simline.errors import ConfigError, ExperimentError, SimlineError, SimulationError
    from simline.experiment.replicate import run_replications
    from simline.plan import Plan, compile_plan
    from simline.stats import Estimate, RunSummary, summarize


def __getattr__(name: str) -> Any:
    if name == "experiment":  # the package, callable as simline.api.experiment
        return importlib.import_module("simline.experiment")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simline' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
