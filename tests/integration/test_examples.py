"""The shipped example lines: every file loads, runs through the real command line in every
output format, and obeys Little's law."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from simline.cli import cli
from simline.config import load_scenario
from simline.engine.des import simulate
from simline.plan import compile_plan
from tests.spec import RUN_KEYS, STATION_KEYS, run_cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "configs").glob("*.yaml"))


def invoke(*args: str) -> subprocess.CompletedProcess[str]:
    """``simline ARGS`` in this process (click's CliRunner), as :func:`run_cli` reports it."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def test_there_are_four_examples_or_more() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_validates(path: Path) -> None:
    proc = run_cli("validate", str(path))
    assert proc.returncode == 0, proc.stderr
    config = load_scenario(path)
    assert config.name == path.stem


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_in_every_format(path: Path, tmp_path: Path) -> None:
    """JSON and CSV through the command line in this process (click's CliRunner: a child
    process costs ~1.6 s of CPU to start, most of it imports), the text table in a child
    process as a user runs it."""
    short = ("-r", "2", "--length", "2d", "--warmup", "4h", "-j", "1", "-q")

    proc = invoke("run", str(path), *short, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj.keys() >= set(RUN_KEYS)
    assert obj["scenario"] == path.stem
    assert obj["replications"] == 2
    for name, station in obj["stations"].items():
        assert station.keys() >= set(STATION_KEYS), name
        states = ("busy", "setup", "blocked", "starved", "down", "off_shift")
        assert math.isclose(sum(station[s]["mean"] for s in states), 1.0, abs_tol=1e-9), name

    out = tmp_path / "result.csv"
    proc = invoke("run", str(path), *short, "--format", "csv", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    figures = {row["figure"] for row in rows}
    assert {"throughput_per_hour", "lead_time", "wip"} <= figures
    # the CSV carries the same numbers as the JSON
    by_figure = {row["figure"]: float(row["mean"]) for row in rows if row["mean"]}
    assert math.isclose(by_figure["wip"], obj["wip"]["mean"], rel_tol=1e-9)

    proc = run_cli("run", str(path), *short)
    assert proc.returncode == 0, proc.stderr
    assert path.stem in proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_obeys_littles_law(path: Path) -> None:
    """WIP = departure rate x mean time in line, per replication, up to edge effects.

    Each replication gives the time-average WIP ``L`` and, from the parts that left in the
    measured period, their rate ``lambda`` and mean time in line ``W`` (good and scrap).
    The identity holds exactly on a sample path except for the parts straddling the start
    and end of the measured period, whose share shrinks as 1/length. Tolerance: the 99.9 %
    Student-t interval of the per-replication relative gaps ``(L - lambda W) / L``, widened by
    a stated edge allowance of 3 %, must contain 0.
    """
    from scipy import stats

    config = load_scenario(path)
    plan = compile_plan(config)
    gaps = []
    for rep in range(5):
        r = simulate(plan, rep)
        departed = r.good + r.scrap
        assert departed > 0
        lam = departed / r.measured_time
        w = r.sojourn_sum / departed
        gaps.append((r.wip - lam * w) / r.wip)
    n = len(gaps)
    mean = sum(gaps) / n
    sd = math.sqrt(sum((g - mean) ** 2 for g in gaps) / (n - 1))
    half = stats.t.ppf(0.9995, n - 1) * sd / math.sqrt(n)
    assert abs(mean) <= half + 0.03, (mean, half)
