"""``simline experiment`` through the real command line, as a user runs it.

Interrupting with SIGKILL and resuming, the Dask executor against the local one, precision
rounds, Kim and Nelson's selection on runs whose best is known, ``--plan``, and the store's
refusal of another experiment's results.
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

#: A saturated two-station line with exponential work: quick to simulate on SimPy.
LINE: dict[str, Any] = {
    "simline": 1,
    "name": "pair",
    "time_unit": "min",
    "run": {"warmup": "2h", "length": "2d", "replications": 6, "seed": 5},
    "release": "saturated",
    "stations": {
        "cut": {"kind": "machine", "process_time": "exp(1min)", "buffer": 2},
        "weld": {"kind": "machine", "process_time": "exp(1min)", "buffer": 2},
    },
}


def _cli(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "simline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
        timeout=timeout,
    )


def _write(tmp_path: Path, experiment: dict[str, Any], line: dict[str, Any] = LINE) -> Path:
    (tmp_path / "pair.yaml").write_text(yaml.safe_dump(line), encoding="utf-8")
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(experiment, sort_keys=False), encoding="utf-8")
    return path


def _experiment(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "simline": 1,
        "experiment": "pair-buffers",
        "scenarios": ["pair.yaml"],
        "factors": {"stations.weld.buffer": [1, 4]},
    }
    data.update(extra)
    return data


def _json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    obj: dict[str, Any] = json.loads(result.stdout)
    obj.pop("store")
    return obj


def _table(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return sorted(rows, key=lambda r: (r["id"], r["replication"]))


def test_sigkill_at_any_moment_then_the_same_command_loses_nothing(tmp_path: Path) -> None:
    exp = _write(tmp_path, _experiment(run={"replications": 8, "length": "3w"}))
    common = ["experiment", str(exp), "--backend", "des", "-j", "1", "-q", "--format", "json"]
    whole = _cli(*common, "--store", str(tmp_path / "whole"), cwd=tmp_path)
    expected = _json(whole)

    store = tmp_path / "killed"
    rng = random.Random(20261201)
    stored_before: list[int] = []
    for target in (3, 8, 13):  # of the 16 replications: kill early, midway and late
        proc = subprocess.Popen(
            [sys.executable, "-m", "simline", *common, "--store", str(store)],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while _stored(store) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.05))  # then at any moment: between or inside writes
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        stored_before.append(_stored(store))
    resumed = _cli(*common[:-3], "--format", "json", "--store", str(store), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    # what the store held was announced and not computed again
    assert f"{stored_before[-1]} in the store already" in resumed.stderr
    assert _json(resumed) == expected
    assert _table(store / "replications.parquet") == _table(
        tmp_path / "whole" / "replications.parquet"
    )
    assert stored_before == sorted(stored_before)  # every kill kept what had finished
    assert any(0 < n < 16 for n in stored_before), stored_before  # killed mid-experiment
    print("stored when killed:", stored_before)


def _stored(store: Path) -> int:
    """Replications in a store, read as another process would (read-only, no lock)."""
    import sqlite3

    db = store / "store.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return int(con.execute("SELECT count(*) FROM replications").fetchone()[0])
    except sqlite3.OperationalError:  # being created: no table yet
        return 0


def test_dask_local_cluster_gives_the_local_executors_numbers(tmp_path: Path) -> None:
    exp = _write(tmp_path, _experiment(run={"replications": 4}))
    args = ["experiment", str(exp), "--backend", "des", "-q", "--format", "json", "-j", "2"]
    local = _cli(*args, "--store", str(tmp_path / "local"), cwd=tmp_path)
    dask = _cli(*args, "--executor", "dask", "--store", str(tmp_path / "dask"), cwd=tmp_path)
    assert _json(dask) == _json(local)
    assert _table(tmp_path / "dask" / "replications.parquet") == _table(
        tmp_path / "local" / "replications.parquet"
    )


def test_precision_adds_replications_until_every_interval_is_narrow_enough(tmp_path: Path) -> None:
    target = 0.02
    precision = {"figure": "throughput_per_hour", "relative": target, "min": 3, "max": 60}
    exp = _write(tmp_path, _experiment(precision=precision))
    out = _json(
        _cli("experiment", str(exp), "--backend", "des", "-q", "--format", "json", cwd=tmp_path)
    )
    counts = []
    for run in out["runs"]:
        node = run["figures"]["throughput_per_hour"]
        half = (node["ci95"][1] - node["ci95"][0]) / 2
        assert half <= target * abs(node["mean"]) or run["replications"] == 60
        counts.append(run["replications"])
    assert max(counts) > 3  # the first round was not enough: rounds were added


def test_kn_selects_the_station_with_the_shortest_work(tmp_path: Path) -> None:
    """A saturated single station makes 60/mean parts an hour: the shortest mean is best.

    Means 1.0, 0.9 and 0.8 min give 60, 66.7 and 75 parts/h; the indifference zone of 3
    parts/h is far below the gap of 8.3, so KN must pick 0.8 (its guarantee: with
    probability at least 0.95).
    """
    line = {
        **LINE,
        "stations": {"only": {"kind": "machine", "process_time": "exp(1min)", "buffer": 2}},
        "run": {"warmup": "1h", "length": "8h", "replications": 5, "seed": 3},
    }
    exp = _write(
        tmp_path,
        {
            "simline": 1,
            "experiment": "fastest",
            "scenarios": ["pair.yaml"],
            "factors": {"stations.only.process_time": ["exp(1min)", "exp(0.9min)", "exp(0.8min)"]},
            "objective": {"figure": "throughput_per_hour", "goal": "max"},
            "select": {"indifference": 3, "confidence": 0.95, "first_stage": 5},
        },
        line,
    )
    out = _json(
        _cli("experiment", str(exp), "--backend", "des", "-q", "--format", "json", cwd=tmp_path)
    )
    fastest = next(
        r["id"] for r in out["runs"] if r["factors"]["stations.only.process_time"] == "exp(0.8min)"
    )
    assert out["selection"]["selected"] == fastest
    assert out["best"]["id"] == fastest
    assert "0.95" in out["selection"]["guarantee"]


def test_plan_lists_the_runs_and_runs_nothing(tmp_path: Path) -> None:
    exp = _write(
        tmp_path,
        _experiment(factors={"stations.weld.buffer": [1, 4], "stations.cut.buffer": [2, 3, 5]}),
    )
    result = _cli("experiment", str(exp), "--plan", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    assert len(runs) == 6 and len({r["id"] for r in runs}) == 6
    assert not (tmp_path / "runs").exists()


def test_a_store_of_another_experiment_is_refused_unless_fresh(tmp_path: Path) -> None:
    exp = _write(tmp_path, _experiment(run={"replications": 2}))
    args = ["experiment", str(exp), "--backend", "des", "-q", "--format", "json", "--store", "s"]
    assert _cli(*args, cwd=tmp_path).returncode == 0
    other = _write(tmp_path, {**_experiment(run={"replications": 2}), "experiment": "other"})
    refused = _cli(*args, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "--fresh" in refused.stderr
    assert "'pair-buffers' (now 'other')" in refused.stderr
    assert _cli(*args, "--fresh", cwd=tmp_path).returncode == 0
    del other


def test_an_edited_experiment_keeps_what_its_runs_still_need(tmp_path: Path) -> None:
    """One more factor value: only the new run's replications are computed."""
    exp = _write(tmp_path, _experiment(run={"replications": 3}))
    args = ["experiment", str(exp), "--backend", "des", "--format", "json", "--store", "s"]
    first = _cli(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    _write(
        tmp_path, _experiment(run={"replications": 3}, factors={"stations.weld.buffer": [1, 4, 9]})
    )
    second = _cli(*args, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "3 runs, 9 replications; 6 in the store already" in second.stderr
    old = {r["id"]: r for r in json.loads(first.stdout)["runs"]}
    for run in json.loads(second.stdout)["runs"]:
        if run["id"] in old:
            assert run == old[run["id"]]


def test_a_finished_precision_experiment_run_again_gives_the_same_numbers(tmp_path: Path) -> None:
    precision = {"figure": "throughput_per_hour", "relative": 0.03, "min": 3, "max": 30}
    exp = _write(tmp_path, _experiment(precision=precision))
    args = ["experiment", str(exp), "--backend", "des", "-q", "--format", "json", "--store", "s"]
    first, again = _json(_cli(*args, cwd=tmp_path)), _json(_cli(*args, cwd=tmp_path))
    assert first == again
    assert max(r["replications"] for r in first["runs"]) > 3
    rows = _table(tmp_path / "s" / "replications.parquet")
    assert len(rows) == sum(r["replications"] for r in first["runs"])


def test_result_files_onto_inputs_or_into_the_store_are_refused(tmp_path: Path) -> None:
    exp = _write(tmp_path, _experiment(run={"replications": 2}))
    before = exp.read_bytes()
    for target, option in (
        (exp, "-o"),
        (tmp_path / "pair.yaml", "-o"),
        (tmp_path / "runs" / "pair-buffers" / "store.sqlite", "-o"),
        (tmp_path / "runs" / "pair-buffers" / "effects.png", "--plot"),
    ):
        for plan in ([], ["--plan"]):
            result = _cli("experiment", str(exp), *plan, option, str(target), cwd=tmp_path)
            assert result.returncode == 2, (target, plan, result.stderr)
            assert result.stderr.count("\n") == 1
    assert exp.read_bytes() == before
    assert not (tmp_path / "runs").exists()


def test_runs_of_two_base_scenarios_share_one_seed(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text(
        yaml.safe_dump({**LINE, "name": "other", "run": {**LINE["run"], "seed": 99}}),
        encoding="utf-8",
    )
    exp = _write(tmp_path, {**_experiment(), "scenarios": ["pair.yaml", "other.yaml"]})
    result = _cli("experiment", str(exp), "--plan", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert {r["seed"] for r in json.loads(result.stdout)["runs"]} == {LINE["run"]["seed"]}


def test_simline_run_on_an_experiment_file_says_what_it_is(tmp_path: Path) -> None:
    exp = _write(tmp_path, _experiment())
    result = _cli("run", str(exp), cwd=tmp_path)
    assert result.returncode == 2
    assert "this is an experiment file" in result.stderr and "simline experiment" in result.stderr


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"factors": {"stations.wled.buffer": [1]}}, "cut, weld"),
        ({"factors": {"stations.weld.bufer": [1]}}, "buffer"),
        ({"factors": {"stations.weld.buffer": [-1]}}, "stations.weld.buffer"),
        ({"constraints": ["throughput_per_hour >> 3"]}, "throughput_per_hour >> 3"),
        ({"objective": {"figure": "thruput", "goal": "max"}}, "thruput"),
    ],
)
def test_a_bad_experiment_file_is_one_line_and_exit_2(
    tmp_path: Path, change: dict[str, Any], expected: str
) -> None:
    exp = _write(tmp_path, _experiment(**change))
    result = _cli("experiment", str(exp), "--backend", "des", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("simline: error: ") and result.stderr.count("\n") == 1
    assert "exp.yaml" in result.stderr and expected in result.stderr
    assert not (tmp_path / "runs").exists()


def test_figures_equal_those_of_simline_run_on_the_stored_scenario(tmp_path: Path) -> None:
    exp = _write(tmp_path, _experiment(run={"replications": 3}))
    out = _json(
        _cli(
            "experiment",
            str(exp),
            "--backend",
            "des",
            "-q",
            "--format",
            "json",
            "--store",
            "s",
            cwd=tmp_path,
        )
    )
    run = out["runs"][1]
    alone = _cli(
        "run",
        str(tmp_path / "s" / "scenarios" / f"{run['id']}.yaml"),
        "--backend",
        "des",
        "-q",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert alone.returncode == 0, alone.stderr
    single = json.loads(alone.stdout)
    assert run["figures"]["throughput_per_hour"] == single["throughput_per_hour"]
    assert run["figures"]["stations.weld.utilization"] == single["stations"]["weld"]["utilization"]
    assert math.isfinite(run["figures"]["wip"]["mean"])


OPPOSITE: dict[str, Any] = {
    "simline": 1,
    "name": "opposite",
    "time_unit": "min",
    "run": {"warmup": 0, "length": "8h", "replications": 2, "seed": 5},
    "release": {"conwip": 2},
    "products": {"a": {"routing": ["s1", "s2"]}, "b": {"routing": ["s2", "s1"]}},
    "stations": {
        "s1": {"kind": "machine", "process_time": "exp(1min)", "buffer": 0},
        "s2": {"kind": "machine", "process_time": "exp(1min)", "buffer": 0},
    },
}


@pytest.mark.parametrize("select", [False, True])
def test_a_failed_run_is_recorded_and_the_others_go_on(tmp_path: Path, select: bool) -> None:
    """Opposite routings through two zero buffers deadlock; one place anywhere cannot.

    With two parts in the line, a deadlock needs both servers holding a finished part each
    waiting for the other's place: a single buffer place breaks it.
    """
    exp = _write(
        tmp_path,
        {
            "simline": 1,
            "experiment": "opposite",
            "scenarios": ["pair.yaml"],
            "factors": {"stations.s1.buffer": [0, 1, 2]},
            **(
                {
                    "objective": {"figure": "throughput_per_hour", "goal": "max"},
                    "select": {"indifference": 1, "first_stage": 3},
                }
                if select
                else {}
            ),
        },
        OPPOSITE,
    )
    result = _cli(
        "experiment",
        str(exp),
        "--backend",
        "des",
        "-q",
        "--format",
        "json",
        "--store",
        "s",
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    out = json.loads(result.stdout)
    failed = [r for r in out["runs"] if r["status"] == "failed"]
    done = [r for r in out["runs"] if r["status"] == "done"]
    assert [r["factors"]["stations.s1.buffer"] for r in failed] == [0]
    assert [r["factors"]["stations.s1.buffer"] for r in done] == [1, 2]
    assert "deadlock" in failed[0]["error"]
    assert "deadlock" in (tmp_path / "s" / "errors" / f"{failed[0]['id']}.txt").read_text()
    (line,) = result.stderr.strip().splitlines()
    assert line == f"simline: error: 1 of 3 runs failed: {failed[0]['id']}"
    if select:
        assert out["selection"]["selected"] in {r["id"] for r in done}


def test_plot_draws_the_objectives_main_effects(tmp_path: Path) -> None:
    exp = _write(
        tmp_path,
        _experiment(
            run={"replications": 2},
            factors={"stations.weld.buffer": [1, 4], "stations.cut.buffer": [1, 3]},
            objective={"figure": "throughput_per_hour", "goal": "max"},
        ),
    )
    result = _cli(
        "experiment", str(exp), "--backend", "des", "-q", "--plot", "effects.png", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "effects.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    no_objective = _write(tmp_path, _experiment(run={"replications": 2}))
    refused = _cli("experiment", str(no_objective), "-q", "--plot", "x.png", cwd=tmp_path)
    assert refused.returncode == 2 and "objective" in refused.stderr
