"""The reshoring study through the real command line: compare, JSON keys, plots, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simline.config import load_scenario
from tests.spec import BREAKDOWN, COST_KEYS, run_cli

ROOT = Path(__file__).resolve().parents[2]
STUDY = [
    ROOT / "configs" / "reshoring" / f"{n}.yaml"
    for n in ("nl-robot-am", "cn-manual-sea", "pl-manual-road")
]
SITES = sorted((ROOT / "simline" / "sites").glob("*.yaml"))


def test_nine_sites_with_sources() -> None:
    assert {p.stem for p in SITES} == {"nl", "de", "se", "pl", "ro", "cn", "vn", "mx", "in"}
    for path in SITES:
        text = path.read_text()
        assert "\nsources:" in text
        for key in ("labour_cost_per_hour", "energy_price_per_kwh", "grid_co2_kg_per_kwh"):
            assert f"  {key}:" in text.split("\nsources:")[1], (path, key)


def test_study_scenarios_share_product_and_demand() -> None:
    configs = [load_scenario(p) for p in STUDY]
    assert {c.demand.annual for c in configs if c.demand} == {200000}
    assert len({tuple(c.product_configs()) for c in configs}) == 1


def test_compare_end_to_end(tmp_path: Path) -> None:
    out, plot = tmp_path / "cmp.json", tmp_path / "cmp.svg"
    proc = run_cli(
        "compare",
        *map(str, STUDY),
        "-r",
        "3",
        "--length",
        "2d",
        "-j",
        "1",
        "-q",
        "--format",
        "json",
        "-o",
        str(out),
        "--sensitivity",
        "--plot",
        str(plot),
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert {"scenarios", "differences", "winner", "significant", "sensitivity"} <= set(data)
    assert [s["scenario"] for s in data["scenarios"]] == [
        "nl-robot-am",
        "cn-manual-sea",
        "pl-manual-road",
    ]
    for run in data["scenarios"]:
        assert run["seed"] == data["scenarios"][0]["seed"]
        cost = run["cost"]
        assert set(cost) >= COST_KEYS
        assert set(cost["breakdown"]) >= BREAKDOWN
        assert {"demand", "capacity", "lines_needed", "tco", "npv"} <= set(cost["annual"])
        assert set(cost["stations"]) == set(run["stations"])
        total = sum(v["mean"] for v in cost["breakdown"].values())
        assert total == pytest.approx(cost["tco"]["mean"])
    for diff in data["differences"]:
        assert diff["versus"] == "nl-robot-am"
        assert {"tco", "landed_cost", "throughput_per_hour"} <= set(diff)
    assert data["winner"] in {"nl-robot-am", "cn-manual-sea", "pl-manual-road"}
    assert plot.read_text().lstrip().startswith("<?xml")
    table = run_cli("compare", *map(str, STUDY[:2]), "-r", "2", "--length", "1d", "-j", "1", "-q")
    assert table.returncode == 0, table.stderr
    assert "Winner on TCO" in table.stdout


def test_compare_plots_pdf_and_names_the_formats_it_writes(tmp_path: Path) -> None:
    plot = tmp_path / "cmp.pdf"
    args = ("-r", "2", "--length", "1d", "-j", "1", "-q", "--format", "json")
    proc = run_cli("compare", *map(str, STUDY[:2]), *args, "--plot", str(plot))
    assert proc.returncode == 0, proc.stderr
    assert plot.read_bytes().startswith(b"%PDF-")
    gif = tmp_path / "cmp.gif"
    proc = run_cli("compare", *map(str, STUDY[:2]), *args, "--plot", str(gif))
    assert proc.returncode == 2
    assert proc.stderr == (
        "simline: error: --plot: expected a .png, .svg, .pdf, .eps, .ps, .jpg, .jpeg, .tif, "
        f".tiff or .webp file (got {str(gif)!r})\n"
    )
    assert proc.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cmp.pdf"]


def test_run_json_has_the_cost_block() -> None:
    proc = run_cli(
        "run", str(STUDY[1]), "-r", "2", "--length", "1d", "-j", "1", "-q", "--format", "json"
    )
    assert proc.returncode == 0, proc.stderr
    cost = json.loads(proc.stdout)["cost"]
    assert set(cost) >= COST_KEYS
    assert cost["site"] == "China, Jiangsu"  # site: cn, the shipped profile
    table = run_cli("run", str(STUDY[1]), "-r", "2", "--length", "1d", "-j", "1", "-q")
    assert "Cost (EUR) at China, Jiangsu" in table.stdout
    csv = run_cli(
        "run", str(STUDY[1]), "-r", "2", "--length", "1d", "-j", "1", "-q", "--format", "csv"
    )
    assert "cost.breakdown.duty" in csv.stdout


def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(STUDY[1].read_text().replace("site: cn\n", "site: ../sites/xx.yaml\n"))
    out = tmp_path / "out.json"
    proc = run_cli("compare", str(STUDY[0]), str(bad), "-q", "-o", str(out))
    assert proc.returncode == 2
    assert "site file" in proc.stderr and "bad.yaml" in proc.stderr
    assert not out.exists()
    usd = tmp_path / "usd.yaml"
    usd.write_text(
        STUDY[2]
        .read_text()
        .replace("currency: EUR\n", "currency: USD\n")
        .replace(
            "site: pl",
            "site: {labour_cost_per_hour: 16, energy_price_per_kwh: 0.2}",
        )
    )
    proc = run_cli("compare", str(STUDY[0]), str(usd), "-q", "-o", str(out))
    assert proc.returncode == 2
    assert "--rate USD=" in proc.stderr
    assert not out.exists()


NOT_COSTED = """\
simline: 1
name: nc
time_unit: min
run: {length: 8h, replications: 2, seed: 1}
site: {labour_cost_per_hour: 30, energy_price_per_kwh: 0.2}
products:
  a: {routing: [cut, weld], material_cost: 2}
  b: {routing: [cut]}
stations:
  cut: {kind: machine, process_time: 1}
  weld: {kind: manual, process_time: 1.2, energy: {busy_kw: 2, idle_kw: 0.5}}
"""


def test_run_says_once_what_is_not_costed(tmp_path: Path) -> None:
    path = tmp_path / "nc.yaml"
    path.write_text(NOT_COSTED, encoding="utf-8")
    table = run_cli("run", str(path), "--backend", "des", "-q")
    assert table.returncode == 0, table.stderr
    lines = [line.rstrip() for line in table.stdout.splitlines()]
    expected = "not costed: cut (capex, energy), weld (capex), product b (material_cost)"
    assert lines.count(expected) == 1
    title = next(i for i, line in enumerate(lines) if line.startswith("Cost ("))
    assert lines.index(expected) > title  # under the cost table
    proc = run_cli("run", str(path), "--backend", "des", "-q", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["cost"]["not_costed"] == {
        "stations": {"cut": ["capex", "energy"], "weld": ["capex"]},
        "products": {"b": ["material_cost"]},
    }
    full = run_cli("run", str(STUDY[1]), "-r", "2", "--length", "1d", "-j", "1", "-q")
    assert full.returncode == 0, full.stderr
    assert "not costed" not in full.stdout
