"""simline.experiment.store: durable replications, identity, lock, atomic derived files.

``RunSpec`` and ``scenario_yaml`` (simline.experiment.design) are built in parallel: a plain
stand-in with the same fields is used here, and the YAML text is handed to ``write_scenario``.
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from simline.config import ScenarioConfig, apply_overrides, load_scenario
from simline.engine.results import RunResult
from simline.errors import ConfigError, ExperimentError
from simline.experiment.replicate import resolve_backend
from simline.experiment.store import DATABASE, LOCK, RunStore
from simline.plan import Plan, compile_plan
from simline.stats import replication_figures
from tests.spec import ROOT


@dataclass(frozen=True)
class Spec:
    """Stand-in for simline.experiment.design.RunSpec (same fields)."""

    id: str
    label: str | None
    scenario: str
    base: Path
    factors: dict[str, Any]
    config: ScenarioConfig


IDENTITY = {"experiment_sha256": "ab" * 32, "simline_version": "0.1.0", "backend": "des"}
TEXT = "simline: 1\nexperiment: t\nscenarios: [x.yaml]\n"


def figures(plan: Plan, result: RunResult) -> dict[str, float]:
    return {".".join(k): v for k, v in replication_figures(plan, result).items()}


@pytest.fixture(scope="module")
def runs() -> list[tuple[Spec, Plan, list[RunResult]]]:
    """Two short real runs of two-product (des): buffers 40 and 5 in front of the lathe."""
    out = []
    base = ROOT / "configs" / "two-product.yaml"
    for buffer in (40, 5):
        data = load_scenario(base).model_dump(mode="json")
        data["stations"]["lathe"]["buffer"] = buffer
        config = apply_overrides(ScenarioConfig.model_validate(data), length="1d", warmup="2h")
        plan = compile_plan(config)
        _, simulate = resolve_backend("des", plan)
        spec = Spec(f"run{buffer:04d}", None, "two-product", base, {"buffer": buffer}, config)
        out.append((spec, plan, [simulate(plan, i) for i in range(3)]))
    return out


def open_store(directory: Path, **kw: Any) -> RunStore:
    kw.setdefault("identity", IDENTITY)
    kw.setdefault("experiment_text", TEXT)
    return RunStore.open(directory, **kw)


def fill(store: RunStore, runs: list[tuple[Spec, Plan, list[RunResult]]]) -> None:
    for spec, plan, results in runs:
        for i, result in enumerate(results):
            store.add(spec.id, i, plan.seed, figures(plan, result), result)


def test_added_replications_come_back_after_reopening(tmp_path: Path, runs: Any) -> None:
    directory = tmp_path / "runs" / "exp"  # parents are created
    with open_store(directory) as store:
        assert store.completed() == {}
        fill(store, runs)
    with open_store(directory) as store:
        assert store.completed() == {"run0040": {0, 1, 2}, "run0005": {0, 1, 2}}
        spec, _, results = runs[1]
        assert store.results(spec.id) == results
        assert store.results(spec.id, 2) == results[:2]
        assert store.figure_values(spec.id, "throughput_per_hour") == [
            r.throughput_per_hour for r in results
        ]
        assert store.figure_values(spec.id, "no.such.figure", 1)[0] != 0.0
        with pytest.raises(ExperimentError, match="lacks replication 3 of run 'run0005'"):
            store.results(spec.id, 5)
    assert (directory / "experiment.yaml").read_text() == TEXT
    assert (directory / DATABASE).is_file()


def test_nan_figures_stay_nan_and_adding_again_replaces(tmp_path: Path, runs: Any) -> None:
    spec, plan, results = runs[0]
    row = figures(plan, results[0])
    row["lead_time"] = math.nan
    with open_store(tmp_path / "s") as store:
        store.add(spec.id, 0, plan.seed, row, results[0])
        assert math.isnan(store.figure_values(spec.id, "lead_time")[0])
        store.add(spec.id, 0, plan.seed, figures(plan, results[1]), results[1])
        assert store.results(spec.id) == [results[1]]


def test_wal_and_synchronous_normal(tmp_path: Path) -> None:
    """WAL with NORMAL: a commit survives the process's death (tested below with SIGKILL)."""
    with open_store(tmp_path / "s") as store:
        db = store._db
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_another_identity_is_refused_naming_what_differs(tmp_path: Path, runs: Any) -> None:
    directory = tmp_path / "s"
    with open_store(directory) as store:
        fill(store, runs)
    other = {**IDENTITY, "experiment_sha256": "cd" * 32, "simline_version": "0.2.0"}
    with pytest.raises(ConfigError) as err:
        open_store(directory, identity=other)
    assert err.value.path == "--store"
    message = str(err.value)
    assert "its experiment file differs" in message
    assert "its simline version is '0.1.0' (now '0.2.0')" in message
    assert "give --fresh to start over" in message
    assert "backend" not in message
    # nothing was touched: the old identity still opens the old results
    with open_store(directory) as store:
        assert len(store.completed()) == 2


def test_fresh_starts_over_removing_only_the_layout(tmp_path: Path, runs: Any) -> None:
    directory = tmp_path / "s"
    spec = runs[0][0]
    with open_store(directory) as store:
        fill(store, runs)
        store.write_scenario(spec, text="simline: 1\n")
        store.write_error(spec.id, "boom\n")
        store.write_replications([s for s, _, _ in runs])
        store.write_summary([{"id": spec.id}], {"runs": []}, csv=True)
        store.write_manifest({"experiment": "t"})
    (directory / "notes.md").write_text("mine")
    (directory / "scenarios" / "keep.txt").write_text("mine too")
    other = {**IDENTITY, "backend": "fast"}
    with open_store(directory, identity=other, fresh=True) as store:
        assert store.completed() == {}
        assert store.identity == other
    left = sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))
    assert left == sorted(
        [DATABASE, "experiment.yaml", "notes.md", "scenarios", "scenarios/keep.txt", LOCK]
    )


def test_a_directory_that_is_not_a_store_is_refused_even_with_fresh(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("years of work")
    for fresh in (False, True):
        with pytest.raises(
            ConfigError, match=r"is not a simline run store \(it holds 'thesis.tex'"
        ):
            open_store(tmp_path, fresh=fresh)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]


def test_a_file_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(ConfigError, match="it is not a directory") as err:
        open_store(path)
    assert err.value.path == "--store"


def test_a_store_in_use_is_refused_until_closed(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    store = open_store(directory)
    with pytest.raises(
        ConfigError, match=rf"is in use by another simline process \(process {os.getpid()}\)"
    ):
        open_store(directory)
    # and from another process, which is the case that matters
    code = (
        "import sys; from pathlib import Path; from simline.experiment.store import RunStore\n"
        "from simline.errors import ConfigError\n"
        "try:\n"
        f"    RunStore.open(Path(sys.argv[1]), identity={IDENTITY!r}, experiment_text='')\n"
        "except ConfigError as e:\n"
        "    print(e); sys.exit(2)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(directory)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2, proc.stderr
    assert "--store: the run store" in proc.stdout and "in use" in proc.stdout
    store.close()
    store.close()  # again: nothing happens
    with open_store(directory) as again:
        assert again.completed() == {}


def test_a_corrupt_database_is_a_config_error_and_fresh_repairs_it(tmp_path: Path) -> None:
    directory = tmp_path / "s"
    open_store(directory).close()
    (directory / DATABASE).write_bytes(b"not a database" * 100)
    for side in ("-wal", "-shm"):
        (directory / f"{DATABASE}{side}").unlink(missing_ok=True)
    with pytest.raises(ConfigError, match=r"cannot read the run store .*give --fresh"):
        open_store(directory)
    with open_store(directory, fresh=True) as store:
        assert store.completed() == {}


def test_replications_parquet(tmp_path: Path, runs: Any) -> None:
    specs = [s for s, _, _ in runs]
    mixed = Spec(
        "mixed",
        None,
        "two-product",
        specs[0].base,
        {"buffer": "big", "site": {"a": 1}},
        specs[0].config,
    )
    empty = Spec("empty", None, "two-product", specs[0].base, {"buffer": 1}, specs[0].config)
    with open_store(tmp_path / "s") as store:
        fill(store, runs)
        _, plan, results = runs[0]
        row = {"throughput_per_hour": 1.5, "only.here": math.nan}
        store.add("mixed", 0, 99, row, results[0])
        store.write_replications([*specs, mixed, empty])
    table = pq.read_table(tmp_path / "s" / "replications.parquet")
    names = table.column_names
    figure_names = list(figures(plan, results[0]))
    assert names == ["id", "buffer", "site", "replication", "seed", *figure_names, "only.here"]
    assert table.schema.field("buffer").type == pa.string()  # 40, 5, "big", 1: mixed kinds
    assert table.schema.field("replication").type == pa.int64()
    assert all(table.schema.field(n).type == pa.float64() for n in [*figure_names, "only.here"])
    data = table.to_pylist()
    assert [(r["id"], r["replication"]) for r in data] == [
        *(("run0040", i) for i in range(3)),
        *(("run0005", i) for i in range(3)),
        ("mixed", 0),
    ]
    assert [r["buffer"] for r in data] == ["40"] * 3 + ["5"] * 3 + ["big"]
    assert data[0]["site"] is None and data[-1]["site"] == '{"a": 1}'
    assert data[-1]["seed"] == 99 and data[-1]["only.here"] is None and data[-1]["wip"] is None
    assert data[0]["only.here"] is None
    assert data[4]["throughput_per_hour"] == runs[1][2][1].throughput_per_hour
    assert not list((tmp_path / "s").glob(".*.tmp"))


def test_replications_parquet_keeps_one_kind_typed(tmp_path: Path, runs: Any) -> None:
    with open_store(tmp_path / "s") as store:
        fill(store, runs)
        store.write_replications([s for s, _, _ in runs])
    table = pq.read_table(tmp_path / "s" / "replications.parquet")
    assert table.schema.field("buffer").type == pa.int64()
    assert table.column("buffer").to_pylist() == [40] * 3 + [5] * 3


def test_summary_files(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "stations.mill.servers": 2, "site": "nl", "cost.tco.mean": 1.25},
        {"id": "b", "stations.mill.servers": 3, "site": "de", "cost.tco.mean": math.nan, "x": True},
    ]
    obj = {"experiment": "t", "runs": [{"id": "a", "mean": math.nan, "ci95": (1.0, math.inf)}]}
    with open_store(tmp_path / "s") as store:
        store.write_summary(rows, obj, csv=True)
        store.write_manifest({"experiment": "t"})
    d = tmp_path / "s"
    table = pq.read_table(d / "summary.parquet")
    assert table.column_names == ["id", "stations.mill.servers", "site", "cost.tco.mean", "x"]
    assert table.column("stations.mill.servers").type == pa.int64()
    assert table.column("cost.tco.mean").to_pylist() == [1.25, None]
    assert table.column("x").to_pylist() == [None, True]
    assert json.loads((d / "summary.json").read_text()) == {
        "experiment": "t",
        "runs": [{"id": "a", "mean": None, "ci95": [1.0, None]}],
    }
    assert (d / "summary.csv").read_text() == (
        "id,stations.mill.servers,site,cost.tco.mean,x\na,2,nl,1.25,\nb,3,de,,true\n"
    )
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest == {"experiment": "t", "identity": IDENTITY}


def test_scenario_and_error_files(tmp_path: Path, runs: Any) -> None:
    spec = runs[1][0]
    text = yaml.safe_dump(spec.config.model_dump(mode="json"))  # stand-in for scenario_yaml
    d = tmp_path / "s"
    with open_store(d) as store:
        store.write_scenario(spec, text=text)
        store.write_error(spec.id, "SimulationError: boom\n")
        assert (d / "errors" / f"{spec.id}.txt").read_text() == "SimulationError: boom\n"
        store.clear_error(spec.id)
        store.clear_error(spec.id)  # again: nothing there, nothing happens
    written = d / "scenarios" / f"{spec.id}.yaml"
    assert load_scenario(written) == spec.config  # runnable on its own
    assert not (d / "errors" / f"{spec.id}.txt").exists()
    assert oct(written.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = tmp_path / "s"
    with open_store(d) as store:
        store.write_manifest({"v": 1})

        def full_disk(src: Any, dst: Any) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", full_disk)
        with pytest.raises(OSError, match="No space left"):
            store.write_manifest({"v": 2})
    assert json.loads((d / "manifest.json").read_text())["v"] == 1
    assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]


# -- SIGKILL at random moments -----------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from simline.experiment.store import RunStore
    from tests.fakes import fake_result, one_station_plan

    plan = one_station_plan(name="k", time_unit="min", warmup=0.0, length=60.0,
                            replications=1, seed=3)
    store = RunStore.open(Path(sys.argv[1]), identity={"k": 1}, experiment_text="x\\n")
    done = store.completed().get("r", set())
    i = max(done, default=-1) + 1
    while True:
        result = fake_result(plan, i, good=(20, 40), busy=(20.0, 40.0), wip=(30.0, 90.0),
                             trace=None)
        store.add("r", i, 3, {"throughput_per_hour": result.throughput_per_hour}, result)
        print(i, flush=True)
        i += 1
    """
)


def test_sigkill_at_random_moments_loses_at_most_the_replication_being_added(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "s"
    rng = random.Random(20261201)
    acknowledged: set[int] = set()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for attempt in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(directory)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert proc.stdout is not None
        if attempt % 2:
            # any moment from the start: while it imports, opens or creates the store
            time.sleep(rng.uniform(0.0, 1.0))
            first = ""
        else:
            first = proc.stdout.readline()  # it is adding: kill it in the middle of that
            assert first, "the writer did not start"
            time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate()
        assert proc.returncode == -signal.SIGKILL
        printed = {int(line) for line in [first, *rest.splitlines()] if line}
        acknowledged |= printed
        if not (directory / DATABASE).exists():
            continue  # killed before it created the store
        with sqlite3.connect(directory / DATABASE) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        with RunStore.open(directory, identity={"k": 1}, experiment_text="x\n") as store:
            stored = store.completed().get("r", set())
            # every add that returned is there; at most the one being added besides
            assert acknowledged <= stored
            assert stored - acknowledged <= {max(acknowledged, default=-1) + 1}
            assert stored == set(range(len(stored)))
            results = store.results("r")
            assert [r.replication for r in results] == sorted(stored)
            acknowledged = stored
    assert len(acknowledged) > 6


def test_add_many_adds_all_or_none(tmp_path: Path, runs: Any) -> None:
    spec, plan, results = runs[0]
    items = [(spec.id, i, plan.seed, figures(plan, r), r) for i, r in enumerate(results)]
    with open_store(tmp_path / "s") as store:
        store.add_many(items[:2])
        bad = (spec.id, 9, "no seed", {}, results[0])
        with pytest.raises(ValueError):
            store.add_many([items[2], bad])  # type: ignore[list-item]
        assert store.completed() == {spec.id: {0, 1}}
        store.add_many(items[2:])
        assert store.results(spec.id, 3) == results
