"""Replications scale with cores: the same replications on one worker and on two.

``nox -s bench`` prints ``replications-on-2-workers: simline-2-workers / reference``
(reference: one worker). The scenario is the shipped transfer line on the fast engine, whose
replications take milliseconds, so the two workers are threads (no process to start); the
ideal ratio is 0.5 on two free cores.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from simline.config import load_scenario
from simline.experiment.replicate import run_replications
from simline.plan import compile_plan

CONFIG = Path(__file__).parents[1] / "configs" / "transfer-line.yaml"


def _plan() -> Any:
    return dataclasses.replace(compile_plan(load_scenario(CONFIG)), replications=40)


@pytest.mark.unstable
@pytest.mark.benchmark(group="replications-on-2-workers")
def test_one_worker(benchmark: Any) -> None:
    plan = _plan()
    run_replications(plan, backend="fast", jobs=1)  # compile or load the kernels first
    benchmark.extra_info["role"] = "reference"
    results = benchmark(run_replications, plan, backend="fast", jobs=1)
    assert len(results) == 40


@pytest.mark.unstable
@pytest.mark.benchmark(group="replications-on-2-workers")
def test_two_workers(benchmark: Any) -> None:
    plan = _plan()
    serial = run_replications(plan, backend="fast", jobs=1)
    benchmark.extra_info["role"] = "simline-2-workers"
    results = benchmark(run_replications, plan, backend="fast", jobs=2)
    assert results == serial  # the same numbers whatever the workers
