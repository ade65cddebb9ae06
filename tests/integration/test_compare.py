"""Comparisons: common random numbers, no re-simulation for cost inputs, AM build filling."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from simline.cli import cli
from simline.config import parse_scenario
from simline.cost import compare_costs, exchange_rates, scenario_cost, sensitivity
from simline.engine.des import simulate
from simline.errors import ConfigError
from simline.experiment import replicate
from simline.plan import compile_plan

SITE = {"currency": "EUR", "labour_cost_per_hour": 30.0, "energy_price_per_kwh": 0.2}


def line(buffer: int, seed: int, name: str) -> dict[str, Any]:
    station = {
        "kind": "machine",
        "operators": 1,
        "capex": 50000,
        "life_years": 5,
        "energy": {"busy_kw": 2},
    }
    return {
        "simline": 1,
        "name": name,
        "time_unit": "min",
        "run": {"warmup": "2h", "length": "8h", "replications": 8, "seed": seed},
        "products": {"p": {"routing": ["a", "b", "c"], "material_cost": 2.0}},
        "stations": {
            "a": {**station, "process_time": "exp(1)", "buffer": buffer},
            "b": {**station, "process_time": "exp(1.1)", "buffer": buffer},
            "c": {**station, "process_time": "exp(1)", "buffer": buffer},
        },
        "site": SITE,
    }


def costs(data: dict[str, Any]) -> Any:
    config = parse_scenario(data)
    plan = compile_plan(config)
    return scenario_cost(config, [simulate(plan, i) for i in range(plan.replications)])


def test_common_random_numbers_narrow_the_paired_interval() -> None:
    base = costs(line(2, 11, "a"))
    crn = costs(line(4, 11, "b"))
    independent = costs(line(4, 12, "c"))
    paired = compare_costs([base, crn]).differences[0].figures["tco"]
    unpaired = compare_costs([base, independent]).differences[0].figures["tco"]
    assert paired.half_width < 0.7 * unpaired.half_width


def test_additive_half_empty_builds_cost_far_more_per_part() -> None:
    """Directional check of cost-model.md sec. 5: single-part builds cost a large factor more."""

    def printer_cost(release: Any, max_wait: str) -> float:
        data = {
            "simline": 1,
            "name": "am",
            "time_unit": "h",
            "run": {"warmup": "1d", "length": "2w", "replications": 2, "seed": 3},
            "release": release,
            "products": {"clip": {"routing": ["print"], "material_cost": 0.5}},
            "stations": {
                "print": {
                    "kind": "additive",
                    "batch": {"size": 40, "max_wait": max_wait},
                    "process_time": "4h",
                    "per_part_time": "2min",
                    "capex": 260000,
                    "life_years": 6,
                    "maintenance_rate": 0.08,
                    "energy": {"busy_kw": 6.5, "idle_kw": 1.0},
                }
            },
            "site": SITE,
        }
        return costs(data).station_estimate("print", "cost_per_build_part").mean

    full = printer_cost("saturated", "8h")
    sparse = printer_cost({"interarrival": "exp(2h)"}, "10min")
    assert sparse > 2.57 * full  # Baumers et al.: +157 % on average for single-geometry builds


def test_sensitivity_never_simulates_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def counting(plan: Any, replication: int, *, trace: bool = False) -> Any:
        calls.append((plan.name, replication))
        return simulate(plan, replication, trace=trace)

    monkeypatch.setitem(replicate.BACKENDS, "des", lambda: counting)
    paths = []
    for name, buffer in (("a", 2), ("b", 4)):
        data = line(buffer, 5, name)
        data["run"] = {"length": "4h", "replications": 3, "seed": 5}
        data["demand"] = {"annual": 100000, "cv_weekly": 0.2}
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data))
        paths.append(str(path))
    out = tmp_path / "cmp.json"
    result = CliRunner().invoke(
        cli,
        [
            "compare",
            *paths,
            "--backend",
            "des",
            "-j",
            "1",
            "-q",
            "--sensitivity",
            "--format",
            "json",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(calls) == 2 * 3
    assert out.exists()


def test_sensitivity_break_even_flips_the_verdict() -> None:
    configs = [parse_scenario(line(2, 1, "a")), parse_scenario(line(2, 1, "b"))]
    configs[1] = configs[1].model_copy(
        update={"site": configs[1].site.model_copy(update={"labour_cost_per_hour": 20.0})}
    )
    results = []
    for config in configs:
        plan = dataclasses.replace(compile_plan(config), replications=2)
        results.append([simulate(plan, i) for i in range(2)])
    rows = sensitivity(configs, results, [1.0, 1.0])
    row = next(r for r in rows if r.scenario == "b" and r.input == "labour_cost_per_hour")
    # the two lines are identical but for the wage: the verdict flips where the wages meet
    assert row.break_even == pytest.approx(30.0, rel=1e-6)


def test_different_currencies_need_a_rate() -> None:
    eur = parse_scenario(line(2, 1, "a"))
    usd_data = line(2, 1, "b")
    usd_data["site"] = {**SITE, "currency": "USD"}
    usd = parse_scenario(usd_data)
    with pytest.raises(ConfigError, match="--rate USD"):
        exchange_rates([eur, usd], {})
    assert exchange_rates([eur, usd], {"USD": 0.93}) == ("EUR", [1.0, 0.93])


# --- scenarios without a site: the lines alone ---------------------------------------------


def unsited(tmp_path: Path, buffers: tuple[int, ...] = (1, 6)) -> list[str]:
    paths = []
    for i, buffer in enumerate(buffers):
        data = line(buffer, 7, f"line{i}")
        del data["site"]
        data["run"] = {"length": "8h", "replications": 4, "seed": 7}
        path = tmp_path / f"line{i}.yaml"
        path.write_text(yaml.safe_dump(data))
        paths.append(str(path))
    return paths


def compare_cli(*args: str) -> Any:
    return CliRunner().invoke(cli, ["compare", *args, "--backend", "des", "-j", "1", "-q"])


def test_compare_without_sites_gives_line_figures_json(tmp_path: Path) -> None:
    result = compare_cli(*unsited(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert obj["compared_on"] == "throughput_per_hour"
    assert all("cost" not in s for s in obj["scenarios"])
    diff = obj["differences"][0]
    assert (diff["scenario"], diff["versus"]) == ("line1", "line0")
    for key in ("throughput_per_hour", "lead_time_hours", "wip", "bottleneck_utilization"):
        assert set(diff[key]) >= {"mean", "ci95"}
    assert set(diff["stations"]) == {"a", "b", "c"}
    # bigger buffers raise throughput on this line: the winner, paired, significant
    assert obj["winner"] == "line1"
    assert obj["margin"]["mean"] == pytest.approx(diff["throughput_per_hour"]["mean"])
    assert obj["significant"] is (obj["margin"]["ci95"][0] > 0)
    assert "Winner on throughput" in obj["verdict"]
    assert "not on cost" in obj["verdict"]


def test_compare_without_sites_table_says_what_it_compares(tmp_path: Path) -> None:
    result = compare_cli(*unsited(tmp_path))
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("Throughput", "Lead time", "WIP", "Bottleneck busy + setup", "a utilization"):
        assert text in out
    assert "Winner on throughput" in out
    assert "Unit cost" not in out


def test_compare_csv_has_scenario_and_difference_rows(tmp_path: Path) -> None:
    result = compare_cli(*unsited(tmp_path), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["scenario", "versus", "figure", "mean", "ci95_lo", "ci95_hi", "unit"]
    own = [r for r in rows if not r["versus"]]
    diffs = [r for r in rows if r["versus"]]
    assert {r["scenario"] for r in own} == {"line0", "line1"}
    assert {(r["scenario"], r["figure"]) for r in own} >= {
        ("line0", "throughput_per_hour"),
        ("line1", "stations.b.utilization"),
    }
    figures = {r["figure"]: r for r in diffs}
    assert set(figures) == {
        "throughput_per_hour",
        "lead_time_hours",
        "wip",
        "bottleneck_utilization",
        "stations.a.utilization",
        "stations.b.utilization",
        "stations.c.utilization",
    }
    assert figures["lead_time_hours"]["unit"] == "h"
    assert all(r["scenario"] == "line1" and r["versus"] == "line0" for r in diffs)


def test_compare_csv_with_sites_has_cost_rows(tmp_path: Path) -> None:
    paths = []
    for name, buffer in (("a", 2), ("b", 4)):
        data = line(buffer, 5, name)
        data["run"] = {"length": "4h", "replications": 3, "seed": 5}
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data))
        paths.append(str(path))
    result = compare_cli(*paths, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert any(r["figure"] == "cost.tco" and r["scenario"] == "a" for r in rows)
    tco = next(r for r in rows if r["figure"] == "tco" and r["versus"] == "a")
    assert tco["unit"] == "EUR/part"


def test_compare_mixed_sites_is_a_config_error(tmp_path: Path) -> None:
    sited = tmp_path / "sited.yaml"
    sited.write_text(yaml.safe_dump(line(2, 1, "sited")))
    bare = unsited(tmp_path, (2,))[0]
    out = tmp_path / "out.json"
    result = compare_cli(str(sited), bare, "-o", str(out))
    assert result.exit_code == 2
    assert "scenario 'line0' has no 'site'" in result.stderr
    assert "line0.yaml" in result.stderr
    assert not out.exists()


def test_cost_options_need_sites(tmp_path: Path) -> None:
    result = compare_cli(*unsited(tmp_path), "--sensitivity")
    assert result.exit_code == 2
    assert "--sensitivity" in result.stderr
