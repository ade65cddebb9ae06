"""Issue #8, the running of runs: workers (9, 10, 13), run budget (14), fast sizing (20),
a damaged Numba cache (21). Deadlocks (5) are in tests/integration/test_hardening_deadlock.py.

Where the defect is user-facing the test goes through the real command line in a subprocess
(exit status, streams and signals are what matter there).
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from simline.config import parse_scenario
from simline.engine import budget, fast
from simline.engine.results import RunResult
from simline.errors import ConfigError
from simline.experiment import replicate
from simline.experiment.replicate import available_cores, run_replications
from simline.plan import Plan, compile_plan
from tests.fakes import fake_result
from tests.fakes import one_station_plan as _one_station_plan
from tests.spec import ROOT, run_cli


def one_station_plan(replications: int = 4) -> Plan:
    return _one_station_plan(
        name="tiny", time_unit="min", warmup=10.0, length=60.0, replications=replications, seed=1
    )


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def plan_of(text: str) -> Plan:
    import yaml

    return compile_plan(parse_scenario(yaml.safe_load(textwrap.dedent(text))))


def pid_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    """A replication whose result names the process that ran it (module level: picklable)."""
    result = fake_result(
        plan, replication, good=(20, 40), busy=(20.0, 40.0), wip=(30.0, 90.0), trace=None
    )
    return dataclasses.replace(result, scenario=str(os.getpid()))


def quick_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    return fake_result(
        plan, replication, good=(20, 40), busy=(20.0, 40.0), wip=(30.0, 90.0), trace=None
    )


# -- 9: -j is capped at the cores available and at the replications -----------------------


def test_available_cores_is_this_process_affinity() -> None:
    assert available_cores() == len(os.sched_getaffinity(0))


def test_jobs_beyond_the_cores_start_no_more_processes_than_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """-j 1000 used to start 1000 worker processes (15.8 GB, killed)."""
    monkeypatch.setitem(replicate.BACKENDS, "des", lambda: pid_simulate)
    plan = one_station_plan(replications=8)
    results = run_replications(plan, backend="des", jobs=1000)
    workers = {r.scenario for r in results}
    assert [r.replication for r in results] == list(range(8))
    assert str(os.getpid()) not in workers
    assert 1 <= len(workers) <= available_cores()


def test_jobs_help_says_the_cap() -> None:
    out = run_cli("run", "--help").stdout
    assert "at most one per core" in " ".join(out.split())


# -- 10: replications are submitted as workers free up ---------------------------------------


class CountingPool(ThreadPoolExecutor):
    """A thread pool that records the most futures it held unfinished at once."""

    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers)
        self.open = 0
        self.most = 0
        self.lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self.lock:
            self.open += 1
            self.most = max(self.most, self.open)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self.lock:
            self.open -= 1


def test_pool_holds_a_bounded_number_of_replications_in_flight() -> None:
    """replications: 1e9 used to submit every future at once (7.9 GB, nothing simulated)."""
    plan = one_station_plan(replications=20_000)
    pool = CountingPool(2)
    results = replicate._run_pool(pool, quick_simulate, plan, False, None, start=0)
    assert [r.replication for r in results] == list(range(20_000))
    assert pool.most <= replicate.IN_FLIGHT_PER_WORKER * 2


def test_pool_bookkeeping_memory_does_not_grow_with_replications() -> None:
    import tracemalloc

    def peak(n: int) -> int:
        plan = one_station_plan(replications=n)
        tracemalloc.start()
        results = replicate._run_pool(CountingPool(2), quick_simulate, plan, False, None, start=0)
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert len(results) == n
        return size

    small, large = peak(2_000), peak(8_000)
    per_result = len(pickle.dumps(quick_simulate(one_station_plan(), 0)))
    # the results themselves are kept (a few hundred bytes each); the rest stays flat
    assert large - small < 6_000 * (per_result * 4)


# -- 13: workers die with their parent; SIGTERM is handled like Ctrl-C -------------------------

LONG = """\
    simline: 1
    name: long
    time_unit: min
    run: {warmup: 0, length: 400w, replications: 2, seed: 1}
    release: {interarrival: {dist: exponential, mean: 1.0}}
    stations:
      a: {kind: machine, process_time: {dist: exponential, mean: 0.5}}
      b: {kind: machine, process_time: {dist: exponential, mean: 0.5}}
"""


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (a /proc scan of parent pids)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_long_run(tmp_path: Path) -> tuple[subprocess.Popen[str], set[int]]:
    path = write(tmp_path, LONG)
    proc = subprocess.Popen(
        [sys.executable, "-m", "simline", "run", str(path), "--backend", "des", "-j", "2", "-q"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline:
        workers = {
            p
            for p in _children(proc.pid)
            if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()
        }
        if len(workers) >= 2:
            break
        time.sleep(0.2)
    assert len(workers) >= 2, "the workers did not start"
    time.sleep(2.0)  # into their replications
    return proc, _children(proc.pid)


def _gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = {p for p in pids if _alive(p)}
        if not left:
            return left
        time.sleep(0.2)
    return {p for p in pids if _alive(p)}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_ends_the_workers_and_says_so(tmp_path: Path) -> None:
    proc, children = _start_long_run(tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143
    assert err.strip().splitlines() == ["simline: terminated"]
    assert not _gone_within(children, 10.0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_when_the_parent_is_killed(tmp_path: Path) -> None:
    """After kill -9 of the parent two workers used to run on for minutes."""
    proc, children = _start_long_run(tmp_path)
    proc.kill()
    proc.communicate(timeout=30)
    assert not _gone_within(children, 10.0)


def test_a_worker_whose_parent_is_gone_ends_itself() -> None:
    """The portable fallback: the watch thread ends a worker once its parent has changed."""
    code = textwrap.dedent(
        """
        import os, threading, time
        from simline.experiment import replicate
        replicate._PARENT_POLL_S = 0.05
        threading.Thread(target=replicate._watch_parent, args=(os.getppid() + 1,)).start()
        time.sleep(30)
        """
    )
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, timeout=60, check=False, capture_output=True
    )
    assert (done.returncode, done.stderr) == (1, b"")  # ended by the watch, no traceback
    assert time.monotonic() - start < 20


# -- 14: the run budget -------------------------------------------------------------------------

HUGE = """\
    simline: 1
    name: huge
    time_unit: min
    run: {warmup: 0, length: 52w, replications: 1, seed: 1}
    stations:
      a: {kind: machine, process_time: 1.0e-4, buffer: 2}
      b:
        kind: machine
        process_time: 1.0e-4
        failures: {mtbf: 1.0e-6, mttr: 1.0e-6, basis: calendar}
"""

SMALL = """\
    simline: 1
    name: small
    time_unit: min
    run: {warmup: 0, length: 8h, replications: 2, seed: 1}
    stations:
      a: {kind: machine, process_time: {dist: exponential, mean: 1.0}, buffer: 2}
      b: {kind: machine, process_time: {dist: exponential, mean: 0.8}}
"""


def test_an_absurd_run_is_refused_before_anything_runs(tmp_path: Path) -> None:
    path = write(tmp_path, HUGE)
    start = time.monotonic()
    done = run_cli("run", str(path), "-q")
    assert time.monotonic() - start < 60
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"simline: error: {path}:4: run.length: the run is estimated at ")
    assert "events, about" in line and "--force" in line


def test_an_absurd_length_from_the_command_line_is_blamed_on_the_option(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, SMALL)
    for option in ("--length", "--warmup"):
        done = run_cli("run", str(path), option, "1e7w", "--backend", "des", "-q")
        assert done.returncode == 2
        (line,) = done.stderr.strip().splitlines()
        # the file's line 4 says 8h: the option, not the file's key, made the run absurd
        assert line.startswith(f"simline: error: {path}: {option}: the run is estimated at ")


def test_a_length_beyond_float_time_is_refused_even_with_force(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    for extra in ([], ["--force"]):
        # 1e13 min is finite in seconds (validation passes) but 1.2e13 times the shortest
        # mean duration (0.8 min): beyond what float time resolves
        done = run_cli("run", str(path), "--length", "1e13", "--backend", "des", "-q", *extra)
        assert done.returncode == 2
        (line,) = done.stderr.strip().splitlines()
        assert f"{path}: --length: warmup + length must be at most" in line
        assert "(got 1e+13 min)" in line
        # 1e308 min is not even finite in seconds: validation refuses it first
        done = run_cli("run", str(path), "--length", "1e308", "--backend", "des", "-q", *extra)
        assert done.returncode == 2
        (line,) = done.stderr.strip().splitlines()
        assert line == "simline: error: --length: expected a finite duration (got '1e308')"


def test_a_run_that_never_ends_is_refused_even_with_force() -> None:
    """A backstop behind validation (which refuses the zero-time lines it can see)."""
    from simline.plan import Dist

    plan = plan_of(SMALL)
    zero = tuple(
        dataclasses.replace(sp, process=tuple(Dist.constant(0.0) for _ in sp.process))
        for sp in plan.stations
    )
    with pytest.raises(ConfigError, match="the run would never end"):
        budget.check_budget(dataclasses.replace(plan, stations=zero), "des", force=True)


def test_force_is_accepted_and_a_normal_run_is_not_refused(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    for extra in ([], ["--force"]):
        done = run_cli("run", str(path), "--backend", "des", "-q", "--format", "json", *extra)
        assert done.returncode == 0, done.stderr
    done = run_cli("compare", str(path), str(path), "--backend", "des", "-q", "--force")
    assert "--force" not in done.stderr


def test_compare_refuses_an_absurd_scenario_before_simulating_any(tmp_path: Path) -> None:
    small, huge = write(tmp_path, SMALL, "small.yaml"), write(tmp_path, HUGE, "huge.yaml")
    done = run_cli("compare", str(small), str(huge), "-q")
    assert done.returncode == 2
    assert f"{huge}:4: run.length: the run is estimated" in done.stderr


def test_force_lets_an_over_budget_run_through_the_check() -> None:
    plan = plan_of(HUGE)
    with pytest.raises(ConfigError, match="--force"):
        budget.check_budget(plan, "des")
    found = budget.check_budget(plan, "des", force=True)
    assert found.seconds > budget.MAX_WALL_S


def test_the_estimate_bounds_the_events_of_real_runs() -> None:
    """Rough but on the long side: within a factor of 10 above what the engines count."""
    from benchmarks import line10
    from simline.engine import des

    for text in (SMALL,):
        plan = dataclasses.replace(plan_of(text), replications=1)
        for name, engine in (("des", des), ("fast", fast)):
            events = engine.simulate(plan, 0).events
            found = budget.estimate(plan, name).events
            assert events <= found <= 10 * events, (name, events, found)
    plan = dataclasses.replace(compile_plan(parse_scenario(line10.scenario(600.0))), replications=1)
    events = des.simulate(plan, 0).events
    assert events <= budget.estimate(plan, "des").events <= 10 * events


def test_the_estimate_counts_replications_and_workers() -> None:
    plan = plan_of(SMALL)
    one = budget.estimate(dataclasses.replace(plan, replications=1), "des")
    four = budget.estimate(dataclasses.replace(plan, replications=4), "des", workers=2)
    assert four.events == pytest.approx(4 * one.events)
    assert four.seconds == pytest.approx(2 * one.seconds)


# -- 20: the fast engine sizes its arrays from what a run can use ------------------------------


def _peak_rss_mib(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    # The child's own high-water mark (VmHWM): ru_maxrss of a child on Linux keeps the size
    # of the process that forked it (pytest, hundreds of MiB late in the suite) past exec.
    code = (
        "import re, sys\n"
        "from simline.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "finally:\n"
        "    status = open('/proc/self/status').read()\n"
        "    print(re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = done.stderr.strip().splitlines()
    return done, int(lines[-1]) / 1024


BIG_VALUES = """\
    simline: 1
    name: big
    time_unit: min
    run: {{warmup: 0, length: 8h, replications: 1, seed: 1}}
    release: {release}
    stations:
      a: {{kind: machine, process_time: {{dist: exponential, mean: 1.0}}, buffer: {buffer}}}
      b:
        kind: machine
        servers: {servers}
        process_time: {{dist: exponential, mean: 1.5}}
        buffer: {buffer}
      c:
        kind: additive
        process_time: 1.0
        batch: {{size: {size}, max_wait: 10min}}
        buffer: {size}
"""


@pytest.mark.parametrize(
    ("buffer", "servers", "size", "release"),
    [
        (1_000_000, 1, 1, "saturated"),
        (1_000_000, 1000, 10_000, "saturated"),
        (1_000_000, 1000, 10_000, "{conwip: 1000000}"),
        (1_000_000, 1000, 10_000, "{interarrival: {dist: exponential, mean: 0.5}}"),
    ],
)
def test_large_capacities_run_on_fast_in_small_memory(
    tmp_path: Path, buffer: int, servers: int, size: int, release: str
) -> None:
    path = write(
        tmp_path, BIG_VALUES.format(buffer=buffer, servers=servers, size=size, release=release)
    )
    plan = compile_plan(parse_scenario(__import__("yaml").safe_load(path.read_text())))
    assert fast.supports(plan) is None  # auto picks fast, and fast must cope
    assert fast._sizes(plan, 1).nbytes < 64 * 2**20
    done, mib = _peak_rss_mib("run", str(path), "--backend", "fast", "-q", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert mib < 300, f"peak RSS {mib:.0f} MiB"  # 341-406 MiB and 21.8 TiB before


def test_a_serial_line_with_a_huge_buffer_leaves_the_recursion_for_the_event_kernel() -> None:
    text = BIG_VALUES.format(buffer=1_000_000, servers=1, size=1, release="saturated")
    plan = plan_of(text)
    serial = dataclasses.replace(
        plan,
        stations=plan.stations[:2],
        products=(dataclasses.replace(plan.products[0], routing=(0, 1)),),
    )
    assert fast.tandem_steps(serial) is None  # two rings of a million places each: no
    one = dataclasses.replace(
        serial,
        stations=serial.stations[:1],
        products=(dataclasses.replace(plan.products[0], routing=(0,)),),
    )
    assert fast.tandem_steps(one) == (0,)


def test_a_line_too_large_for_fast_falls_back_to_des_under_auto() -> None:
    """Arrays beyond the limit before the first event: auto picks des, fast refuses."""
    products = {f"p{j}": {"routing": ["s0", "s1"]} for j in range(400)}
    setup = {"from_to": {a: {b: 1.0 for b in products if b != a} for a in products}}
    data: dict[str, Any] = {
        "simline": 1,
        "name": "wide",
        "time_unit": "min",
        "run": {"warmup": 0, "length": "1h", "replications": 1, "seed": 1},
        "products": products,
        "stations": {
            f"s{i}": {"kind": "machine", "process_time": 1.0, "servers": 2, "setup": setup}
            for i in range(2)
        },
    }
    plan = compile_plan(parse_scenario(data))
    fast._MAX_START_BYTES, limit = 2 * 2**20, fast._MAX_START_BYTES  # 400**2 setups: 2.6 MB
    try:
        reason = fast.supports(plan)
        assert reason is not None and reason.startswith("a line this large")
        assert replicate.resolve_backend("auto", plan)[0] == "des"
        with pytest.raises(ConfigError, match="a line this large"):
            replicate.resolve_backend("fast", plan)
    finally:
        fast._MAX_START_BYTES = limit


def test_sizes_agree_with_the_kernel_tables() -> None:
    from simline.kernels.layout import SV_WIDTH

    assert fast.SV_COLUMNS == SV_WIDTH


# -- 21: a damaged Numba cache is repaired -------------------------------------------------------

SERIAL = """\
    simline: 1
    name: serial
    time_unit: min
    run: {warmup: 0, length: 8h, replications: 1, seed: 3}
    stations:
      a: {kind: machine, process_time: {dist: exponential, mean: 1.0}, buffer: 2}
      b: {kind: machine, process_time: {dist: exponential, mean: 0.8}}
"""


def _run_with_cache(path: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "simline",
            "run",
            str(path),
            "--backend",
            "fast",
            "-q",
            "--format",
            "json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_a_damaged_cache_is_repaired_and_said_once(tmp_path: Path) -> None:
    """A truncated .nbc or a garbled .nbi used to fail every fast run with UnpicklingError."""
    from tests.fuzz.numba_cache import copy_cache

    path = write(tmp_path, SERIAL)
    cache = tmp_path / "numba-cache"
    # A copy of the checkout's cache, so that only the two repairs compile (each compile of
    # the kernel is ~7 s of CPU); a stale copy is compiled over by the first run.
    copy_cache(cache)
    first = _run_with_cache(path, cache)
    assert first.returncode == 0, first.stderr
    data = sorted(cache.rglob("tandem._simulate_tandem_kernel*.nbc"))
    index = sorted(cache.rglob("tandem._simulate_tandem_kernel*.nbi"))
    assert data and index
    for stale_or_current in data:  # the copy may hold entries of older kernel sources too
        stale_or_current.write_bytes(stale_or_current.read_bytes()[:100])  # truncated
    again = _run_with_cache(path, cache)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert again.stderr.strip().splitlines() == [
        "simline: the fast engine's cache was damaged; recompiling"
    ]
    for file in sorted(cache.rglob("tandem._simulate_tandem_kernel*.nbi")):
        file.write_bytes(b"\x80\x04garbage, not a pickle" * 10)  # garbled
    third = _run_with_cache(path, cache)
    assert third.returncode == 0, third.stderr
    assert third.stdout == first.stdout
    assert third.stderr.count("the fast engine's cache was damaged") == 1
    fourth = _run_with_cache(path, cache)  # repaired for good: nothing said
    assert fourth.returncode == 0 and fourth.stderr == ""
    assert fourth.stdout == first.stdout


def test_the_notice_of_a_worker_reaches_the_parent() -> None:
    """A SimlineWarning raised in a worker process is issued again in the caller."""
    from simline.errors import SimlineWarning

    plan = one_station_plan(replications=1)
    result, notes = replicate._run_in_worker(warning_simulate, plan, 0, False)
    assert result.replication == 0
    assert notes == ["a notice"]
    with pytest.warns(SimlineWarning, match="a notice"):
        replicate._rewarn(notes)


def warning_simulate(plan: Plan, replication: int, *, trace: bool = False) -> RunResult:
    import warnings

    from simline.errors import SimlineWarning

    warnings.warn("a notice", SimlineWarning, stacklevel=2)
    return quick_simulate(plan, replication)
