"""``optimize`` through the real command line, on a buffer allocation whose answer is known.

Four balanced exponential machines (1 min each) in a saturated line share 12 buffer places
among the three buffers between them: two are free integer variables and the third is
derived (``12 - b2 - b3``; a point that makes it negative is an infeasible trial). The exact
throughput of every one of the 91 allocations comes from the Markov chain of
``tests/ctmc_line.py``: the symmetric (4, 4, 4) is best, at 0.78178 parts per minute,
0.23 % above the runner-up (3, 5, 4) and its mirror.

The search (TPE, 40 trials of 5 replications each on simline's own engine) ends with
Kim and Nelson's procedure over its 5 best candidates, whose guarantee is: with probability
at least 0.95 the selected allocation is within the indifference zone (1 part/h here) of
the best of them. The test asserts that guarantee against the exact values: the selected
allocation's exact throughput is within 1 part/h of the exact optimum, and the optimum is
among the candidates. An interrupted search resumes: the same command after a SIGKILL ends
with the same answer.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import ctmc_line

ROOT = Path(__file__).resolve().parents[2]
TOTAL = 12
INDIFFERENCE = 1.0  # parts per hour

LINE: dict[str, Any] = {
    "simline": 1,
    "name": "balanced4",
    "time_unit": "min",
    "run": {"warmup": "8h", "length": "1w", "replications": 5, "seed": 42},
    "release": "saturated",
    "stations": {
        f"s{i}": {
            "kind": "machine",
            "process_time": "exp(1min)",
            **({"buffer": 4} if i > 1 else {}),
        }
        for i in range(1, 5)
    },
}

EXPERIMENT: dict[str, Any] = {
    "simline": 1,
    "experiment": "balanced-buffers",
    "scenarios": ["balanced4.yaml"],
    "optimize": {
        "variables": {
            "stations.s2.buffer": {"low": 0, "high": TOTAL, "integer": True},
            "stations.s3.buffer": {"low": 0, "high": TOTAL, "integer": True},
            "stations.s4.buffer": f"{TOTAL} - stations.s2.buffer - stations.s3.buffer",
        },
        "budget": 40,
        "method": "tpe",
        "seed": 0,
        "top": 5,
    },
    "objective": {"figure": "throughput_per_hour", "goal": "max"},
    "select": {"indifference": INDIFFERENCE, "confidence": 0.95, "first_stage": 5},
}


def _exact() -> dict[tuple[int, int, int], float]:
    """Parts per hour of every allocation, from the exact Markov chain."""
    out = {}
    for b2, b3 in itertools.product(range(TOTAL + 1), repeat=2):
        b4 = TOTAL - b2 - b3
        if b4 >= 0:
            out[(b2, b3, b4)] = 60.0 * ctmc_line.throughput([1.0] * 4, [b2, b3, b4])
    return out


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
        timeout=900,
    )


def _finished_trials(study: Path) -> int:
    """Trials Optuna finished in the study, read as another process would."""
    import sqlite3

    if not study.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{study}?mode=ro", uri=True) as con:
            row = con.execute("SELECT count(*) FROM trials WHERE state != 'RUNNING'").fetchone()
    except sqlite3.OperationalError:  # being created
        return 0
    return int(row[0])


def _allocation(run: dict[str, Any]) -> tuple[int, int, int]:
    f = run["factors"]
    return (f["stations.s2.buffer"], f["stations.s3.buffer"], f["stations.s4.buffer"])


@pytest.mark.slow
def test_the_search_finds_the_known_best_allocation_and_resumes(tmp_path: Path) -> None:
    (tmp_path / "balanced4.yaml").write_text(yaml.safe_dump(LINE), encoding="utf-8")
    exp = tmp_path / "exp.yaml"
    exp.write_text(yaml.safe_dump(EXPERIMENT, sort_keys=False), encoding="utf-8")
    args = ["experiment", str(exp), "-q", "--format", "json", "--store", "store"]

    # interrupted once, mid-search, then the same command
    proc = subprocess.Popen(
        [sys.executable, "-m", "simline", *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    study = tmp_path / "store" / "optuna.sqlite3"
    deadline = time.monotonic() + 300
    while _finished_trials(study) < 15 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    killed_at = _finished_trials(study)
    assert 15 <= killed_at < 40, killed_at
    result = _cli(args, tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)

    exact = _exact()
    best_allocation = max(exact, key=exact.__getitem__)
    assert best_allocation == (4, 4, 4)
    by_id = {run["id"]: run for run in out["runs"]}
    finalists = [_allocation(by_id[i]) for i in out["optimization"]["finalists"]]
    selected = _allocation(by_id[out["selection"]["selected"]])
    assert out["optimization"]["trials"] == 40
    assert best_allocation in finalists, finalists
    assert exact[selected] >= exact[best_allocation] - INDIFFERENCE, (selected, exact[selected])

    # an uninterrupted search in a fresh store gives the same answer
    again = _cli([*args[:-1], "again"], tmp_path)
    assert again.returncode == 0, again.stderr
    fresh = json.loads(again.stdout)
    assert fresh["selection"]["selected"] == out["selection"]["selected"]
    assert fresh["optimization"]["finalists"] == out["optimization"]["finalists"]


def test_a_search_without_optuna_stops_before_writing_anything(tmp_path: Path) -> None:
    """Without the optimize extra the search is refused before the run store is made."""
    copies = (("experiments", "transfer-buffers.yaml"), ("configs", "transfer-line.yaml"))
    for folder, name in copies:
        (tmp_path / folder).mkdir()
        shutil.copy(ROOT / folder / name, tmp_path / folder / name)
    blocked = (  # an interpreter in which `import optuna` fails, as where it is not installed
        "import sys; sys.modules['optuna'] = None; from simline.cli import main; "
        "sys.argv = ['simline', *sys.argv[1:]]; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", blocked, "experiment", "experiments/transfer-buffers.yaml", "-q"],
        capture_output=True, text=True, cwd=tmp_path, check=False, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        'simline: error: optimize: optimize needs pip install "simline[optimize]"'
    )
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert written == [
        "configs", "configs/transfer-line.yaml", "experiments",
        "experiments/transfer-buffers.yaml",
    ]  # fmt: skip
