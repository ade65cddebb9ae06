"""Figures (``simline.experiment.figures``): names, per-replication rows and run figures.

The names must be the keys of a row for every shipped scenario, and the run figures must be
the figure nodes of ``simline run --format json``, checked against the real command line.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from simline.config import apply_overrides, load_scenario
from simline.experiment.figures import figure_names, replication_row, run_figures
from simline.experiment.replicate import run_replications
from simline.plan import compile_plan
from simline.stats import estimate
from tests.spec import ROOT, run_cli

CONFIGS = ROOT / "configs"
SHIPPED = sorted([*CONFIGS.glob("*.yaml"), *CONFIGS.glob("reshoring/*.yaml")])


def flatten(prefix: str, node: Any, out: dict[str, Any]) -> dict[str, Any]:
    """The figure nodes (a mean and its CI over replications) of a JSON object, by dotted name.

    The percentiles over futures (``cost.uncertainty``) have a mean but no CI: they are not
    estimates over replications, and an experiment does not take them as figures.
    """
    if isinstance(node, dict):
        if "mean" in node and "ci95" in node:
            out[prefix] = node
        else:
            for key, value in node.items():
                flatten(f"{prefix}.{key}" if prefix else key, value, out)
    return out


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_figure_names_are_the_keys_of_a_replication_row(path: Path) -> None:
    config = apply_overrides(load_scenario(path), replications=1, length="1d", warmup=0)
    plan = compile_plan(config)
    (result,) = run_replications(plan, backend="des", jobs=1)
    row = replication_row(config, plan, result)
    names = figure_names(config, plan)
    assert list(row) == names
    assert len(set(names)) == len(names)
    assert all(isinstance(v, float) for v in row.values())
    assert row["throughput_per_hour"] == result.throughput_per_hour
    if config.site is not None:
        assert "cost.tco" in names and "cost.breakdown.labour" in names
        assert math.isfinite(row["cost.tco"])
    else:
        assert not any(n.startswith("cost.") for n in names)


def test_run_figures_are_what_simline_run_reports() -> None:
    path = CONFIGS / "reshoring" / "nl-robot-am.yaml"
    args = ["-r", "2", "--length", "2d", "--backend", "des"]
    result = run_cli("run", str(path), *args, "--format", "json", "-q")
    assert result.returncode == 0, result.stderr
    reported = json.loads(result.stdout)
    expected = flatten("", {k: v for k, v in reported.items()}, {})
    config = apply_overrides(load_scenario(path), replications=2, length="2d")
    plan = compile_plan(config)
    results = run_replications(plan, backend="des", jobs=1)
    figures = run_figures(config, plan, results)
    assert figures == expected
    assert "cost.stations.print.cost_per_build_part" in figures
    # every figure the rows name is reported, and the mean of the rows is the reported mean
    rows = [replication_row(config, plan, r) for r in results]
    assert set(figures) <= set(figure_names(config, plan))
    for name, node in figures.items():
        mean = estimate(row[name] for row in rows).mean
        if node["mean"] is None:
            assert math.isnan(mean)
        else:
            assert mean == pytest.approx(node["mean"], rel=1e-12, abs=1e-12)


def test_run_figures_without_a_site_have_no_cost() -> None:
    path = CONFIGS / "two-product.yaml"
    result = run_cli("run", str(path), "-r", "2", "--length", "1d", "--backend", "des",
                     "--format", "json", "-q")  # fmt: skip
    assert result.returncode == 0, result.stderr
    expected = flatten("", json.loads(result.stdout), {})
    config = apply_overrides(load_scenario(path), replications=2, length="1d")
    plan = compile_plan(config)
    figures = run_figures(config, plan, run_replications(plan, backend="des", jobs=1))
    assert figures == expected
    assert not any(name.startswith("cost") for name in figures)
