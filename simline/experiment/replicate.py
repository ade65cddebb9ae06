"""Replications of one plan, one after the other, in threads or in worker processes.

Replication ``i`` draws its random numbers from streams keyed by ``(seed, i, ...)`` (see
:mod:`simline.engine.rng`), so it gives the same result in any process and in any order:
:func:`run_replications` returns the same list whatever ``jobs`` is.

Backends are looked up by name in :data:`BACKENDS`, each entry a loader that imports the
backend only when it is used (SimPy and Numba are slow to import). A new backend is one
more entry there, and one more name in :data:`AUTO_ORDER` if ``auto`` may choose it.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Protocol, cast

from simline.errors import ConfigError, SimlineError, SimlineWarning, SimulationError

if TYPE_CHECKING:
    from simline.engine.results import RunResult
    from simline.plan import Plan

__all__ = [
    "AUTO_ORDER",
    "BACKENDS",
    "COMPILED",
    "COMPILE_PENDING",
    "Simulate",
    "available_cores",
    "resolve_backend",
    "run_replications",
]


class Simulate(Protocol):
    """What a backend provides: one replication of a plan."""

    def __call__(
        self, plan: Plan, replication: int, *, trace: bool = False, bins: int = 0
    ) -> RunResult:
        """Simulate replication ``replication`` of ``plan`` (``bins``: of its time series)."""
        ...


def _load_des() -> Simulate:
    from simline.engine.des import simulate

    return simulate


def _load_fast() -> Simulate:
    from simline.engine.fast import simulate

    return simulate


def _fast_supports(plan: Plan, trace: bool) -> str | None:
    if trace:
        return "event traces ('--trace')"
    from simline.engine.fast import supports

    return supports(plan)


#: Backends by name: a loader returning the backend's ``simulate`` function.
BACKENDS: dict[str, Callable[[], Simulate]] = {"fast": _load_fast, "des": _load_des}

#: Backends that cover only some plans: a check returning why a plan (and whether a trace
#: is asked for) is not supported, or ``None``. ``auto`` skips such a backend when the plan
#: is unknown or not supported; asking for it by name on such a plan is a ConfigError.
SUPPORTS: dict[str, Callable[[Plan, bool], str | None]] = {"fast": _fast_supports}

#: The backends ``auto`` may choose, in order of preference; the first registered one wins.
AUTO_ORDER: tuple[str, ...] = ("fast", "des")

#: Backends whose kernels are compiled on first use (and then loaded from a cache), and
#: release the GIL while they run, so that threads run their replications in parallel.
COMPILED: frozenset[str] = frozenset({"fast"})


def _fast_compile_pending(plan: Plan) -> bool:
    from simline.engine.fast import uncompiled_kernels

    return bool(uncompiled_kernels([plan]))


#: For compiled backends: whether running ``plan`` will compile kernels first (no cache).
COMPILE_PENDING: dict[str, Callable[[Plan], bool]] = {"fast": _fast_compile_pending}

#: A compiled backend runs the other replications in threads when the first one took less
#: than this (seconds): a worker process costs about a second to start (Python, NumPy,
#: Numba and the cached kernels), more than a short replication's whole run. Longer
#: replications go to processes, which Ctrl-C stops at once.
THREAD_LIMIT_S = 2.0

#: How messages name a backend.
_LABELS = {"fast": "fast (Numba)", "des": "des (SimPy)"}

#: Every name ``--backend`` accepts.
BACKEND_CHOICES: tuple[str, ...] = ("auto", "des", "fast")

#: Replications submitted to a pool per worker at a time: enough to keep every worker busy,
#: few enough that the bookkeeping does not grow with the number of replications.
IN_FLIGHT_PER_WORKER = 2

#: How often (seconds) a worker process checks that its parent is still alive, where the
#: operating system cannot be asked to stop it with its parent (not Linux).
_PARENT_POLL_S = 1.0

#: Worker processes start afresh (no fork): the same behaviour on every platform, and safe
#: with threads in the parent (a progress display) and with Numba.
_START_METHOD = "spawn"


def resolve_backend(
    name: str, plan: Plan | None = None, *, trace: bool = False
) -> tuple[str, Simulate]:
    """Find the backend a name stands for, and its ``simulate`` function.

    Parameters
    ----------
    name
        ``"auto"``, ``"des"`` or ``"fast"``.
    plan
        The plan to run, when known: ``auto`` then picks the first backend of
        :data:`AUTO_ORDER` that supports it, and a backend named explicitly must support it.
        Without a plan, ``auto`` only picks backends that support every plan.
    trace
        Whether an event trace is asked for (not every backend records one).

    Returns
    -------
    tuple
        The concrete backend's name (never ``"auto"``) and its ``simulate`` function.

    Raises
    ------
    ConfigError
        If the name is unknown, the backend is not available, or it does not support
        ``plan`` (the message names the feature).
    """
    if name == "auto":
        for candidate in AUTO_ORDER:
            if candidate not in BACKENDS:
                continue
            check = SUPPORTS.get(candidate)
            if check is not None and (plan is None or check(plan, trace) is not None):
                continue
            return candidate, BACKENDS[candidate]()
        raise ConfigError("no simulation backend is available", path="--backend")
    if name in BACKENDS:
        check = SUPPORTS.get(name)
        reason = None if check is None or plan is None else check(plan, trace)
        if reason is not None:
            raise ConfigError(
                f"the {_LABELS.get(name, name)} backend does not support {reason} yet; "
                "use --backend des or --backend auto",
                path="--backend",
            )
        return name, BACKENDS[name]()
    if name == "fast":
        raise ConfigError(
            "the fast (Numba) backend is not available yet; use --backend des or --backend auto",
            path="--backend",
        )
    raise ConfigError(
        f"unknown backend {name!r}; expected one of {', '.join(BACKEND_CHOICES)}",
        path="--backend",
    )


def run_replications(
    plan: Plan,
    *,
    backend: str = "des",
    jobs: int | None = None,
    trace: bool = False,
    progress: Callable[[int, int], None] | None = None,
    bins: int = 0,
) -> list[RunResult]:
    """Simulate every replication of a plan.

    Parameters
    ----------
    plan
        The plan; ``plan.replications`` replications are run, indices ``0 .. n - 1``.
    backend
        ``"des"``, ``"fast"`` or ``"auto"`` (see :func:`resolve_backend`).
    jobs
        Parallel workers; ``None`` means one per core. Never more workers than the cores
        this process may run on (:func:`available_cores`) nor than replications: more
        would only share the same cores, at a memory cost each. With one job or one replication
        everything runs in this thread. With more replications than workers, a compiled
        backend (:data:`COMPILED`) runs the first replication here (the second too if the
        first compiled the kernels), then the others in threads when it took less than
        :data:`THREAD_LIMIT_S`, else in processes. Otherwise workers are processes.
    trace
        Whether each result carries its event trace.
    progress
        Called as ``progress(done, total)`` in this process: once with ``done == 0`` before
        the first replication, then after each one finishes (in the order they finish).
    bins
        Each result keeps the line's time series in this many bins (0: none).

    Returns
    -------
    list of RunResult
        Ordered by replication index; the same whatever ``jobs`` is.

    Raises
    ------
    ConfigError
        If the backend is not available or ``jobs`` or ``plan.replications`` is below 1.
    SimulationError
        If a replication fails; the message names the scenario and the replication.
    """
    n = plan.replications
    if n < 1:
        raise ConfigError(f"must be >= 1 (got {n})", path="run.replications")
    cores = available_cores()
    if jobs is None:
        jobs = cores
    if jobs < 1:
        raise ConfigError(f"must be >= 1 (got {jobs})", path="--jobs")
    name, simulate = resolve_backend(backend, plan, trace=trace)
    if bins:
        simulate = functools.partial(simulate, bins=bins)
    if progress is not None:
        progress(0, n)
    workers = min(jobs, cores, n)
    if workers == 1:
        results = []
        for i in range(n):
            results.append(_run_one(simulate, plan, i, trace))
            if progress is not None:
                progress(i + 1, n)
        return results
    first: list[RunResult] = []
    if name in COMPILED and n > workers:
        # Run the first replication here, so that its kernels compile (or load) once and
        # land in the cache before any worker starts, and to learn how long one takes. If
        # it compiled the kernels, its time says nothing: the second one is timed too.
        # (With no more replications than workers, all start at once in processes.)
        cold = COMPILE_PENDING.get(name, _never)(plan)
        while True:
            t0 = time.perf_counter()
            first.append(_run_one(simulate, plan, len(first), trace))
            seconds = time.perf_counter() - t0
            if progress is not None:
                progress(len(first), n)
            if not cold or seconds < THREAD_LIMIT_S or n - len(first) <= workers:
                break
            cold = False
        if seconds < THREAD_LIMIT_S:
            pool: Executor = ThreadPoolExecutor(max_workers=min(workers, n - len(first)))
            return first + _run_pool(pool, simulate, plan, trace, progress, start=len(first))
    return first + _run_parallel(simulate, plan, workers, trace, progress, start=len(first))


def available_cores() -> int:
    """Return how many cores this process may run on (its CPU affinity where known)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _never(plan: Plan) -> bool:
    del plan
    return False


def _run_one(simulate: Simulate, plan: Plan, replication: int, trace: bool) -> RunResult:
    """Run one replication (in this process or in a worker); wrap engine failures."""
    try:
        return simulate(plan, replication, trace=trace)
    except SimlineError:
        raise
    except Exception as exc:
        raise SimulationError(
            f"scenario {plan.name!r}, replication {replication}: {type(exc).__name__}: {exc}"
        ) from exc


def _run_in_worker(
    simulate: Simulate, plan: Plan, replication: int, trace: bool
) -> tuple[RunResult, list[str]]:
    """Run one replication in a worker process; also return its :class:`SimlineWarning` texts.

    A warning raised in a worker would be printed there, by Python, in its own format; the
    parent issues them again (:func:`_rewarn`) where the caller can see and show them.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SimlineWarning)
        result = _run_one(simulate, plan, replication, trace)
    notes = [str(w.message) for w in caught if issubclass(w.category, SimlineWarning)]
    for w in caught:
        if not issubclass(w.category, SimlineWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result, notes


def _rewarn(notes: list[str]) -> None:
    for note in notes:
        warnings.warn(note, SimlineWarning, stacklevel=2)


def _init_worker(parent: int) -> None:
    """Worker initializer: die with the parent; Ctrl-C and SIGTERM are the parent's to handle.

    On Linux the kernel sends the worker SIGKILL when its parent dies, however it dies
    (``kill -9`` included); the parent is checked once more after asking, in case it died
    before. Elsewhere a daemon thread checks every :data:`_PARENT_POLL_S` seconds that the
    parent is still there, and ends the worker when it is not. SIGINT (Ctrl-C reaches the
    whole process group) is ignored: the parent terminates its workers itself.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _die_with_parent():
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)
        return
    threading.Thread(
        target=_watch_parent, args=(parent,), name="simline-parent-watch", daemon=True
    ).start()


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; ``False`` where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        return int(libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_S)
    os._exit(1)


def _run_parallel(
    simulate: Simulate,
    plan: Plan,
    workers: int,
    trace: bool,
    progress: Callable[[int, int], None] | None,
    *,
    start: int = 0,
) -> list[RunResult]:
    """Run replications ``start .. n - 1`` in worker processes; return them in order."""
    pool = _process_pool(min(workers, plan.replications - start))
    try:
        return _run_pool(pool, simulate, plan, trace, progress, start=start)
    except BrokenProcessPool as exc:
        raise SimulationError(
            f"scenario {plan.name!r}: a worker process died unexpectedly ({exc})"
        ) from exc


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """Return a pool of ``workers`` fresh processes (spawned) that die with this one."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(_START_METHOD),
        initializer=_init_worker,
        initargs=(os.getpid(),),
    )


def _run_pool(
    pool: Executor,
    simulate: Simulate,
    plan: Plan,
    trace: bool,
    progress: Callable[[int, int], None] | None,
    *,
    start: int,
) -> list[RunResult]:
    """Run replications ``start .. n - 1`` in ``pool``; return them in order.

    Replications are submitted as workers free up, at most :data:`IN_FLIGHT_PER_WORKER`
    per worker at a time, so the bookkeeping is the same for ten replications or a
    billion: only the results are kept (a few kilobytes each), in order as they come, the
    few that finish ahead of an earlier one aside until it is done.

    On a failure or Ctrl-C the replications not started are cancelled and worker processes
    terminated; a thread cannot be stopped, so it finishes the replication it runs (about
    as long as the first one took) while the exception propagates.
    """
    n = plan.replications
    processes = isinstance(pool, ProcessPoolExecutor)
    limit = IN_FLIGHT_PER_WORKER * max(getattr(pool, "_max_workers", 1), 1)
    results: list[RunResult] = []  # in order; those that finished early wait in ``early``
    early: dict[int, RunResult] = {}
    pending: dict[Future[object], int] = {}
    todo = iter(range(start, n))
    done = start
    try:
        while True:
            for i in itertools.islice(todo, limit - len(pending)):
                if processes:
                    future: Future[object] = pool.submit(_run_in_worker, simulate, plan, i, trace)
                else:
                    future = pool.submit(_run_one, simulate, plan, i, trace)
                pending[future] = i
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                value = future.result()
                if processes:
                    result, notes = cast("tuple[RunResult, list[str]]", value)
                    _rewarn(notes)
                else:
                    result = cast("RunResult", value)
                early[pending.pop(future)] = result
                while start + len(results) in early:
                    results.append(early.pop(start + len(results)))
                done += 1
                if progress is not None:
                    progress(done, n)
    except BaseException:  # a failed replication, KeyboardInterrupt: stop the others now
        _abort(pool)
        raise
    pool.shutdown(wait=True)
    assert len(results) == n - start and not early
    return results


def _abort(pool: Executor) -> None:
    """Cancel what has not started; terminate worker processes and wait for them.

    Threads are not waited for: each finishes the replication it runs in the background.
    """
    if not isinstance(pool, ProcessPoolExecutor):
        pool.shutdown(wait=False, cancel_futures=True)
        return
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
