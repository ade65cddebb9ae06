"""simline.experiment.executors: the same numbers on every pool; failures; interruption.

The pools run real short replications of configs/two-product.yaml (one day) on both
engines: in this thread, in two local processes or threads, and on a real Dask LocalCluster
of two worker processes.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from simline.config import ScenarioConfig, apply_overrides, load_scenario
from simline.engine.results import RunResult
from simline.errors import ConfigError, SimlineError, SimulationError
from simline.experiment import replicate
from simline.experiment.executors import Pool, Task, open_pool
from simline.plan import Plan, compile_plan
from simline.stats import replication_figures
from tests.spec import ROOT

Figures = dict[tuple[str, int], dict[Any, float]]

# Under pytest-xdist one worker runs this module (ONE_WORKER in tests/conftest.py): its module
# fixtures (each engine's reference figures, a Dask cluster of two processes) are built once.


def two_plans() -> list[tuple[str, Plan]]:
    """two-product for one day, the lathe's buffer 40 or 5: two runs."""
    out = []
    for buffer in (40, 5):
        data = load_scenario(ROOT / "configs" / "two-product.yaml").model_dump(mode="json")
        data["stations"]["lathe"]["buffer"] = buffer
        config = apply_overrides(ScenarioConfig.model_validate(data), length="1d", warmup="2h")
        out.append((f"lathe-buffer-{buffer}", compile_plan(config)))
    return out


PLANS = two_plans()
TASKS = [Task(run_id, plan, i) for run_id, plan in PLANS for i in range(3)]


def run_all(pool: Pool, tasks: list[Task] = TASKS) -> Figures:
    got: Figures = {}

    def done(task: Task, result: RunResult) -> None:
        key = (task.run_id, task.replication)
        assert key not in got, "a task was reported twice"
        assert result.replication == task.replication
        got[key] = replication_figures(task.plan, result)

    def failed(task: Task, error: SimlineError) -> None:
        raise AssertionError(f"{task}: {error}")

    pool.map(tasks, done, failed)
    assert set(got) == {(t.run_id, t.replication) for t in tasks}
    return got


def same(a: Figures, b: Figures) -> bool:
    """Bit for bit (nan equal to nan)."""
    if a.keys() != b.keys():
        return False
    for key in a:
        x, y = a[key], b[key]
        if x.keys() != y.keys():
            return False
        for name in x:
            if not (x[name] == y[name] or (math.isnan(x[name]) and math.isnan(y[name]))):
                return False
    return True


@pytest.fixture(scope="module")
def reference() -> dict[str, Figures]:
    """Each engine's figures, every task run in this thread (one worker)."""
    out = {}
    for backend in ("des", "fast"):
        with open_pool("local", backend=backend, jobs=1) as pool:
            assert pool.workers == 1
            out[backend] = run_all(pool)
    assert not same(out["des"], out["fast"])  # the engines differ: the comparison means something
    return out


@pytest.fixture(scope="module")
def cluster() -> Iterator[Pool]:
    """One Dask LocalCluster of two worker processes for the module's equality tests."""
    with open_pool("dask", backend="auto", jobs=2) as pool:
        yield pool


def workers_of_this_process() -> set[int]:
    """Child processes, except multiprocessing's resource tracker (one per parent, for life)."""
    out = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if "resource_tracker" not in " ".join(child.cmdline()):
                out.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return out


def wait_gone(before: set[int], timeout: float = 15.0) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = workers_of_this_process() - before
        if not left:
            return left
        time.sleep(0.2)
    return workers_of_this_process() - before


@pytest.mark.parametrize("backend", ["des", "fast"])
def test_two_local_workers_give_the_same_numbers(
    backend: str, reference: dict[str, Figures]
) -> None:
    with open_pool("local", backend=backend, jobs=2) as pool:
        assert pool.workers == 2
        got = run_all(pool)
        # des runs in processes; the fast engine's one-day replication is short: threads
        assert pool.mode == ("processes" if backend == "des" else "threads")
        assert same(run_all(pool), got)  # a second round reuses the pool
    assert same(got, reference[backend])


def test_fast_engine_in_processes_gives_the_same_numbers(
    reference: dict[str, Figures], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replicate, "THREAD_LIMIT_S", 0.0)  # every replication counts as long
    with open_pool("local", backend="fast", jobs=2) as pool:
        got = run_all(pool)
        assert pool.mode == "processes"
    assert same(got, reference["fast"])


@pytest.mark.parametrize("backend", ["des", "fast"])
def test_a_dask_local_cluster_gives_the_same_numbers(
    backend: str, reference: dict[str, Figures], cluster: Pool
) -> None:
    assert cluster.workers == 2
    cluster_backend = cluster.backend
    try:
        cluster.backend = backend
        got = run_all(cluster)
    finally:
        cluster.backend = cluster_backend
    assert same(got, reference[backend])
    # each plan went to the cluster once, not once per task
    assert len(cluster._scattered) == len(PLANS)


def test_a_scheduler_given_by_address_gives_the_same_numbers(
    reference: dict[str, Figures],
) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},
        silence_logs=logging.CRITICAL,
    ) as other:
        with open_pool("dask", backend="des", scheduler=other.scheduler_address) as pool:
            assert pool.workers == 2
            assert same(run_all(pool), reference["des"])
        # the pool closed its client only: the cluster it joined is still there
        assert len(other.scheduler_info["workers"]) == 2


# -- failures ---------------------------------------------------------------------------


def broken_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    """The des engine, except that replication 1 of a plan named "broken" fails."""
    if plan.name == "broken" and replication == 1:
        raise RuntimeError("the engine broke")
    from simline.engine.des import simulate

    return simulate(plan, replication, trace=trace)


@pytest.mark.parametrize(("kind", "jobs"), [("local", 1), ("local", 2), ("dask", 2)])
def test_a_failing_task_is_reported_and_the_other_runs_go_on(
    kind: str, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(replicate.BACKENDS, "des", lambda: broken_simulate)
    good_plan = PLANS[0][1]
    broken = compile_plan(
        apply_overrides(
            load_scenario(ROOT / "configs" / "two-product.yaml").model_copy(
                update={"name": "broken"}
            ),
            length="1d",
            warmup="2h",
        )
    )
    tasks = [Task("broken", broken, i) for i in range(6)] + [
        Task("good", good_plan, i) for i in range(3)
    ]
    done: list[tuple[str, int]] = []
    failures: list[tuple[Task, SimlineError]] = []
    with open_pool(kind, backend="des", jobs=jobs) as pool:  # type: ignore[arg-type]
        pool.map(
            tasks,
            lambda t, r: done.append((t.run_id, t.replication)),
            lambda t, e: failures.append((t, e)),
        )
    assert [(t.run_id, t.replication) for t, _ in failures] == [("broken", 1)]
    error = failures[0][1]
    assert isinstance(error, SimulationError)
    assert str(error) == "scenario 'broken', replication 1: RuntimeError: the engine broke"
    assert {r for run, r in done if run == "good"} == {0, 1, 2}
    # the broken run's tasks not yet started were skipped (with one worker: all after it)
    broken_done = {r for run, r in done if run == "broken"}
    assert 0 in broken_done and 1 not in broken_done
    if jobs == 1:
        assert broken_done == {0}


# -- interruption -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "backend"), [("local", "des"), ("local", "fast"), ("dask", "des")]
)
def test_keyboard_interrupt_in_on_done_stops_the_pool_and_its_workers(
    kind: str, backend: str
) -> None:
    before = workers_of_this_process()
    tasks = [Task(run_id, plan, i) for run_id, plan in PLANS for i in range(40)]
    seen: list[Task] = []

    def done(task: Task, result: RunResult) -> None:
        seen.append(task)
        if len(seen) == 3:
            raise KeyboardInterrupt

    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt), open_pool(kind, backend=backend, jobs=2) as pool:  # type: ignore[arg-type]
        pool.map(tasks, done, lambda t, e: None)
    assert len(seen) == 3
    assert time.perf_counter() - t0 < 30
    assert wait_gone(before) == set()


# -- bad options --------------------------------------------------------------------------


def test_jobs_below_one_and_unknown_executors_are_config_errors() -> None:
    with (
        pytest.raises(ConfigError, match=r"--jobs: must be >= 1 \(got 0\)"),
        open_pool("local", backend="des", jobs=0),
    ):
        pass
    with (
        pytest.raises(ConfigError, match="--executor: unknown executor 'slurm'"),
        open_pool(
            "slurm",
            backend="des",  # type: ignore[arg-type]
        ),
    ):
        pass
    with (
        pytest.raises(ConfigError, match="--scheduler: a scheduler needs --executor dask"),
        open_pool("local", backend="des", scheduler="tcp://127.0.0.1:8786"),
    ):
        pass


def test_without_dask_the_message_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ConfigError) as err, open_pool("dask", backend="des"):
        pass
    assert err.value.path == "--executor"
    assert err.value.message == '--executor dask needs pip install "simline[dask]"'


def test_an_unreachable_scheduler_is_a_config_error_naming_it() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    t0 = time.perf_counter()
    with (
        pytest.raises(ConfigError) as err,
        open_pool("dask", backend="des", scheduler=address, connect_timeout=2.0),
    ):
        pass
    assert time.perf_counter() - t0 < 20
    assert err.value.path == "--scheduler"
    assert f"cannot reach the Dask scheduler {address!r} within 2 s" in str(err.value)


# -- signals, in a real process --------------------------------------------------------

RUNNER = """
import sys, psutil
from simline.config import apply_overrides, load_scenario
from simline.experiment.executors import Task, open_pool
from simline.plan import compile_plan

plan = compile_plan(apply_overrides(load_scenario(sys.argv[2]), length="4w"))
tasks = [Task("r", plan, i) for i in range(100000)]
try:
    with open_pool(sys.argv[1], backend="des", jobs=2) as pool:
        pool.map(tasks[:2], lambda t, r: None, lambda t, e: None)
        pids = [p.pid for p in psutil.Process().children(recursive=True)
                if "resource_tracker" not in " ".join(p.cmdline())]
        print("workers", *pids, flush=True)
        pool.map(tasks, lambda t, r: print("done", t.replication, flush=True),
                 lambda t, e: print("failed", e, flush=True))
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
"""


def start_runner(kind: str) -> tuple[subprocess.Popen[str], list[int]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, kind, str(ROOT / "configs" / "two-product.yaml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,  # its own process group, as a shell gives a command
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("workers"), proc.communicate()
    pids = [int(x) for x in line.split()[1:]]
    assert len(pids) >= 2
    assert proc.stdout.readline().startswith("done")  # it is running replications now
    return proc, pids


def alive(pids: list[int], timeout: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while True:
        left = []
        for pid in pids:
            with contextlib.suppress(psutil.NoSuchProcess):
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    left.append(pid)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


@pytest.mark.parametrize("kind", ["local", "dask"])
def test_ctrl_c_stops_the_workers_quietly(kind: str) -> None:
    proc, pids = start_runner(kind)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole process group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert out.splitlines()[-1] == "interrupted"
    assert err == ""  # no worker printed a traceback
    assert alive(pids) == []


@pytest.mark.parametrize("kind", ["local", "dask"])
def test_workers_die_with_a_killed_parent(kind: str) -> None:
    proc, pids = start_runner(kind)
    proc.kill()  # SIGKILL: no clean-up runs in the parent
    proc.communicate(timeout=60)
    try:
        assert alive(pids) == []
    finally:
        for pid in alive(pids, timeout=0):
            os.kill(pid, signal.SIGKILL)
