"""simline.experiment.replicate: backends, ordering, determinism across jobs, failures."""

from __future__ import annotations

import time

import pytest

from simline.engine.results import RunResult
from simline.errors import ConfigError, SimulationError
from simline.experiment import replicate
from simline.experiment.replicate import resolve_backend, run_replications
from simline.plan import Plan
from tests.fakes import fake_result, one_station_plan


def tiny_plan(replications: int = 4, seed: int = 11, name: str = "tiny") -> Plan:
    """One exponential station fed by Poisson arrivals: rho = 0.5, one hour measured."""
    return one_station_plan(
        name=name, time_unit="min", warmup=10.0, length=60.0, replications=replications, seed=seed
    )


# Module-level fakes, so that worker processes can unpickle them by reference.


def fake_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    """Numbers drawn from (seed, replication) only, like a real backend's streams."""
    rows = [(float(t), t, "part", "saw", "leave") for t in range(3)] if trace else None
    return fake_result(
        plan, replication, good=(20, 40), busy=(20.0, 40.0), wip=(30.0, 90.0), trace=rows
    )


def failing_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    if replication == 1:
        raise RuntimeError("the engine broke")
    return fake_simulate(plan, replication, trace=trace)


def config_error_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    raise ConfigError("not supported by this backend", path="stations.saw")


def slow_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    if replication > 0:
        time.sleep(60.0)
    return fake_simulate(plan, replication, trace=trace)


@pytest.fixture
def fake_des(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(replicate.BACKENDS, "des", lambda: fake_simulate)


def _use(monkeypatch: pytest.MonkeyPatch, fn: replicate.Simulate) -> None:
    monkeypatch.setitem(replicate.BACKENDS, "des", lambda: fn)


def test_auto_falls_back_to_des(fake_des: None) -> None:
    name, simulate = resolve_backend("auto")
    assert name == "des"
    assert simulate is fake_simulate


def test_fast_on_an_unsupported_plan_is_a_clear_config_error() -> None:
    # a trace is one thing the fast backend does not provide
    with pytest.raises(
        ConfigError, match=r"--backend: the fast \(Numba\) backend does not support event traces"
    ):
        resolve_backend("fast", tiny_plan(), trace=True)
    assert resolve_backend("auto", tiny_plan(), trace=True)[0] == "des"
    assert resolve_backend("auto", tiny_plan())[0] == "fast"


def test_unknown_backend() -> None:
    with pytest.raises(ConfigError, match="unknown backend 'gpu'"):
        resolve_backend("gpu")


def test_serial_results_are_ordered(fake_des: None) -> None:
    seen: list[tuple[int, int]] = []
    results = run_replications(
        tiny_plan(), jobs=1, progress=lambda done, total: seen.append((done, total))
    )
    assert [r.replication for r in results] == [0, 1, 2, 3]
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_same_results_whatever_jobs(fake_des: None) -> None:
    plan = tiny_plan(replications=5)
    done: list[int] = []
    serial = run_replications(plan, jobs=1)
    parallel = run_replications(plan, jobs=2, progress=lambda d, t: done.append(d))
    assert parallel == serial
    assert [r.replication for r in parallel] == list(range(5))
    assert done == [0, 1, 2, 3, 4, 5]


def test_traces_come_back_from_workers(fake_des: None) -> None:
    results = run_replications(tiny_plan(replications=2), jobs=2, trace=True)
    assert all(r.trace is not None and len(r.trace) == 3 for r in results)


def test_bad_jobs_and_replications(fake_des: None) -> None:
    with pytest.raises(ConfigError, match=r"--jobs: must be >= 1 \(got 0\)"):
        run_replications(tiny_plan(), jobs=0)
    with pytest.raises(ConfigError, match=r"run.replications: must be >= 1 \(got 0\)"):
        run_replications(tiny_plan(replications=0), jobs=1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_engine_failure_is_a_simulation_error(monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    _use(monkeypatch, failing_simulate)
    with pytest.raises(SimulationError) as info:
        run_replications(tiny_plan(name="line-7", replications=3), jobs=jobs)
    message = str(info.value)
    assert "'line-7'" in message
    assert "replication 1" in message
    assert "RuntimeError: the engine broke" in message
    assert info.value.exit_code == 1


def test_simline_errors_pass_through(monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, config_error_simulate)
    with pytest.raises(ConfigError, match="not supported by this backend"):
        run_replications(tiny_plan(), jobs=1)


def test_interrupt_stops_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, slow_simulate)

    def interrupt(done: int, total: int) -> None:
        if done == 1:
            raise KeyboardInterrupt

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_replications(tiny_plan(replications=3), jobs=2, progress=interrupt)
    assert time.monotonic() - start < 30.0  # the sleeping worker was terminated, not awaited


def test_real_des_engine_is_deterministic_across_jobs() -> None:
    # needs simline.engine.des (imported through the registry)
    plan = tiny_plan(replications=2)
    serial = run_replications(plan, backend="des", jobs=1)
    parallel = run_replications(plan, backend="des", jobs=2)
    assert parallel == serial
    assert [r.replication for r in serial] == [0, 1]
    assert serial[0] != serial[1]
    assert all(r.backend == "des" for r in serial)


# A compiled backend: the first replication here, the others in threads or processes.

WHERE: list[tuple[int, int, str]] = []


def where_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    """Record the process and thread each replication ran in (threads share the list)."""
    import os
    import threading

    WHERE.append((replication, os.getpid(), threading.current_thread().name))
    return fake_simulate(plan, replication, trace=trace)


def long_first_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    """The first replication is long; each result names the process that ran it."""
    import dataclasses
    import os

    if replication == 0:
        time.sleep(replicate.THREAD_LIMIT_S + 0.2)
    return dataclasses.replace(fake_simulate(plan, replication), scenario=str(os.getpid()))


def paced_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    time.sleep(0.01)
    return where_simulate(plan, replication, trace=trace)


@pytest.fixture
def compiled_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replicate, "COMPILED", frozenset({"des"}))
    WHERE.clear()


def test_short_compiled_replications_run_in_threads(
    monkeypatch: pytest.MonkeyPatch, compiled_fake: None
) -> None:
    """No worker process to start (about a second each) when a replication takes ms."""
    import os
    import threading

    _use(monkeypatch, where_simulate)
    results = run_replications(tiny_plan(replications=6), jobs=2)
    assert [r.replication for r in results] == list(range(6))
    assert results == run_replications(tiny_plan(replications=6), jobs=1)
    ran = {rep: (pid, thread) for rep, pid, thread in WHERE[:6]}
    assert ran[0] == (os.getpid(), threading.main_thread().name)  # the first one here
    assert {pid for pid, _ in ran.values()} == {os.getpid()}
    assert any(thread != threading.main_thread().name for _, thread in ran.values())


def test_long_compiled_replications_go_to_processes(
    monkeypatch: pytest.MonkeyPatch, compiled_fake: None
) -> None:
    import os

    _use(monkeypatch, long_first_simulate)
    seen: list[int] = []
    results = run_replications(
        tiny_plan(replications=3), jobs=2, progress=lambda done, total: seen.append(done)
    )
    assert [r.replication for r in results] == [0, 1, 2]
    assert seen == [0, 1, 2, 3]
    assert results[0].scenario == str(os.getpid())  # the first one here
    assert {r.scenario for r in results[1:]}.isdisjoint({str(os.getpid())})  # then processes


def test_interrupt_stops_threads_from_starting_more(
    monkeypatch: pytest.MonkeyPatch, compiled_fake: None
) -> None:
    _use(monkeypatch, paced_simulate)  # 10 ms each: 200 take a second on two threads

    def interrupt(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_replications(tiny_plan(replications=200), jobs=2, progress=interrupt)
    time.sleep(0.2)
    assert len(WHERE) < 50  # the replications not started were cancelled


def pid_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    """A fast replication whose result names the process that ran it."""
    import dataclasses
    import os

    return dataclasses.replace(fake_simulate(plan, replication), scenario=str(os.getpid()))


def test_no_more_replications_than_workers_all_start_at_once(
    monkeypatch: pytest.MonkeyPatch, compiled_fake: None
) -> None:
    """Nothing runs alone first: with n <= jobs every replication gets its own process."""
    import os

    _use(monkeypatch, pid_simulate)
    results = run_replications(tiny_plan(replications=2), jobs=2)
    assert [r.replication for r in results] == [0, 1]
    assert str(os.getpid()) not in {r.scenario for r in results}


def compiling_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    """The first replication is slow as a cold compile is; the others take no time."""
    if replication == 0:
        time.sleep(replicate.THREAD_LIMIT_S + 0.2)
    return where_simulate(plan, replication, trace=trace)


def test_a_compile_in_the_first_replication_does_not_send_the_rest_to_processes(
    monkeypatch: pytest.MonkeyPatch, compiled_fake: None
) -> None:
    import os
    import threading

    monkeypatch.setitem(replicate.COMPILE_PENDING, "des", lambda plan: True)
    _use(monkeypatch, compiling_simulate)
    results = run_replications(tiny_plan(replications=6), jobs=2)
    assert [r.replication for r in results] == list(range(6))
    ran = {rep: (pid, thread) for rep, pid, thread in WHERE}
    main = (os.getpid(), threading.main_thread().name)
    assert ran[0] == ran[1] == main  # the second one timed here too, then threads
    assert {pid for pid, _ in ran.values()} == {os.getpid()}
    assert len(ran) == 6
