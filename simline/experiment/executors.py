"""Where an experiment's replications run: a pool on this machine, or a Dask cluster.

Work is scheduled per replication (a :class:`Task`), not per run, so that three runs of
forty replications keep eight workers busy. Replication ``i`` of a plan draws its random
numbers from streams keyed by ``(seed, i, ...)``, so its result is the same in any process,
on any machine and in any order: every pool gives the same numbers for the same tasks.

- :func:`open_pool` ``("local")``: worker processes, started afresh (spawn) and dying with
  this process, one per core (``jobs`` caps it); with one worker, this thread. A compiled
  backend (the fast engine) first runs one task here, which compiles or loads its kernels
  into the cache before any worker starts and tells how long a replication takes: shorter
  than :data:`~simline.experiment.replicate.THREAD_LIMIT_S`, the pool uses threads instead
  (the kernels release the GIL), as :func:`~simline.experiment.replicate.run_replications`
  decides.
- ``("dask")``: a ``distributed.Client`` on the scheduler given, or on a ``LocalCluster`` of
  worker processes (one thread each) started for the purpose. Each plan is sent to the
  cluster once and shared by its tasks.

Either keeps only a few tasks per worker in flight, so that memory stays flat however many
tasks there are and an interruption loses little: each finished task is handed to
``on_done`` in the caller's thread at once (the caller stores it).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import secrets
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from simline.errors import ConfigError, SimlineError, SimulationError
from simline.experiment import replicate
from simline.experiment.replicate import (
    COMPILE_PENDING,
    COMPILED,
    IN_FLIGHT_PER_WORKER,
    Simulate,
    available_cores,
    resolve_backend,
)

if TYPE_CHECKING:
    from simline.engine.results import RunResult
    from simline.plan import Plan

__all__ = ["DASK_CONNECT_TIMEOUT_S", "DASK_IN_FLIGHT_PER_WORKER", "Pool", "Task", "open_pool"]

#: How long (seconds) to try to reach a Dask scheduler before giving up.
DASK_CONNECT_TIMEOUT_S = 10.0

#: Tasks per Dask worker thread in flight: more than a local pool's, to cover the round trip
#: to the scheduler, still few enough that an interruption loses little.
DASK_IN_FLIGHT_PER_WORKER = 8

OnDone = Callable[["Task", "RunResult"], None]
OnFailed = Callable[["Task", SimlineError], None]


@dataclass(frozen=True)
class Task:
    """One replication of one run: replication ``replication`` of ``plan``."""

    run_id: str
    plan: Plan
    replication: int


class Pool(Protocol):
    """Runs tasks; made by :func:`open_pool`."""

    #: How many tasks run at once.
    workers: int

    def map(self, tasks: Sequence[Task], on_done: OnDone, on_failed: OnFailed) -> None:
        """Run every task; report each in this thread as it finishes, in any order.

        Parameters
        ----------
        tasks
            The tasks (their plans' backends are resolved first: a backend that does not
            support a plan is a :class:`~simline.errors.ConfigError` before anything runs).
        on_done
            Called as ``on_done(task, result)`` for each task that finished.
        on_failed
            Called as ``on_failed(task, error)`` for each task that failed; the error is a
            :class:`~simline.errors.SimulationError` naming the scenario and the
            replication. The run's tasks not yet started are then skipped.

        Raises
        ------
        KeyboardInterrupt
            After stopping the workers (as anything ``on_done`` or ``on_failed`` raises).
        SimulationError
            If a local worker process died (the pool cannot go on).
        """
        ...


@contextlib.contextmanager
def open_pool(
    kind: Literal["local", "dask"],
    *,
    backend: str,
    jobs: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = DASK_CONNECT_TIMEOUT_S,
) -> Iterator[Pool]:
    """Start a pool of workers; stop it when the block ends (however it ends).

    Parameters
    ----------
    kind
        ``"local"`` (processes or threads on this machine) or ``"dask"``.
    backend
        ``"auto"``, ``"des"`` or ``"fast"``, resolved for each plan
        (:func:`~simline.experiment.replicate.resolve_backend`).
    jobs
        Workers: locally at most one per core (``None``: one per core); with Dask and no
        ``scheduler``, the local cluster's worker processes (``None``: one per core).
    scheduler
        With ``"dask"``: the scheduler's address (``tcp://host:8786``); ``None`` starts a
        ``LocalCluster``.
    connect_timeout
        Seconds to try to reach ``scheduler``.

    Yields
    ------
    Pool
        The pool.

    Raises
    ------
    ConfigError
        If ``kind`` is unknown, ``jobs`` is below 1, ``scheduler`` is given without Dask,
        Dask is not installed (``path="--executor"``) or the scheduler cannot be reached
        (``path="--scheduler"``).
    """
    if jobs is not None and jobs < 1:
        raise ConfigError(f"must be >= 1 (got {jobs})", path="--jobs")
    pool: _LocalPool | _DaskPool
    if kind == "local":
        if scheduler is not None:
            raise ConfigError("a scheduler needs --executor dask", path="--scheduler")
        pool = _LocalPool(backend, jobs)
    elif kind == "dask":
        pool = _DaskPool(backend, jobs, scheduler, connect_timeout)
    else:
        raise ConfigError(
            f"unknown executor {kind!r}; expected one of local, dask", path="--executor"
        )
    try:
        yield pool
    finally:
        pool.close()


def _resolve(backend: str, tasks: Sequence[Task]) -> dict[int, tuple[str, Simulate]]:
    """Resolve the backend of each distinct plan of ``tasks`` (keyed by ``id(plan)``)."""
    out: dict[int, tuple[str, Simulate]] = {}
    for task in tasks:
        if id(task.plan) not in out:
            out[id(task.plan)] = resolve_backend(backend, task.plan)
    return out


def _compile_pending(backend: str, plan: Plan) -> bool:
    """Whether running ``plan`` on a compiled ``backend`` compiles kernels first (no cache)."""
    return COMPILE_PENDING.get(backend, replicate._never)(plan)


def _failure(task: Task, exc: BaseException) -> SimulationError:
    return SimulationError(
        f"scenario {task.plan.name!r}, replication {task.replication}: {type(exc).__name__}: {exc}"
    )


# -- local ------------------------------------------------------------------------------


class _LocalPool:
    """Processes (spawn) or threads on this machine; this thread with one worker."""

    def __init__(self, backend: str, jobs: int | None) -> None:
        cores = available_cores()
        self.backend = backend
        self.workers = min(cores if jobs is None else jobs, cores)
        #: "serial" (this thread), "threads" or "processes"; None until the first task says.
        self.mode: str | None = "serial" if self.workers == 1 else None
        self._executor: Executor | None = None

    def map(self, tasks: Sequence[Task], on_done: OnDone, on_failed: OnFailed) -> None:
        """Run every task (see :meth:`Pool.map`)."""
        backends = _resolve(self.backend, tasks)
        queue = deque(tasks)
        failed: set[str] = set()
        if self.mode is None:
            self._decide(queue, backends, failed, on_done, on_failed)
        if self.mode == "serial" or self.mode is None:
            while queue:
                task = queue.popleft()
                if task.run_id not in failed:
                    self._here(task, backends, failed, on_done, on_failed)
            return
        self._pooled(queue, backends, failed, on_done, on_failed)

    def _here(
        self,
        task: Task,
        backends: dict[int, tuple[str, Simulate]],
        failed: set[str],
        on_done: OnDone,
        on_failed: OnFailed,
    ) -> bool:
        """Run one task in this thread; report it; return whether it succeeded."""
        simulate = backends[id(task.plan)][1]
        try:
            result = replicate._run_one(simulate, task.plan, task.replication, False)
        except SimlineError as err:
            failed.add(task.run_id)
            on_failed(task, err)
            return False
        on_done(task, result)
        return True

    def _decide(
        self,
        queue: deque[Task],
        backends: dict[int, tuple[str, Simulate]],
        failed: set[str],
        on_done: OnDone,
        on_failed: OnFailed,
    ) -> None:
        """Choose threads or processes for this pool, running the first task(s) here.

        A compiled backend runs a task here, which compiles its kernels (or loads them) into
        the cache before any worker starts; when it had to compile, its time says nothing
        and the next one is timed too. Quicker than ``THREAD_LIMIT_S``: threads. Any other
        backend: processes.
        """
        first = queue[0]
        name = backends[id(first.plan)][0]
        if name not in COMPILED:
            self.mode = "processes"
            return
        cold = _compile_pending(name, first.plan)
        while queue:
            task = queue.popleft()
            if task.run_id in failed:
                continue
            t0 = time.perf_counter()
            if not self._here(task, backends, failed, on_done, on_failed):
                continue
            seconds = time.perf_counter() - t0
            if cold and seconds >= replicate.THREAD_LIMIT_S:
                cold = False
                continue
            self.mode = "threads" if seconds < replicate.THREAD_LIMIT_S else "processes"
            return

    def _pooled(
        self,
        queue: deque[Task],
        backends: dict[int, tuple[str, Simulate]],
        failed: set[str],
        on_done: OnDone,
        on_failed: OnFailed,
    ) -> None:
        """Run the queued tasks in the pool's threads or processes, a few per worker at once."""
        processes = self.mode == "processes"
        if self._executor is None:
            self._executor = (
                replicate._process_pool(self.workers)
                if processes
                else ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="simline")
            )
        executor = self._executor
        limit = IN_FLIGHT_PER_WORKER * self.workers
        pending: dict[Future[Any], Task] = {}
        try:
            while True:
                while queue and len(pending) < limit:
                    task = queue.popleft()
                    if task.run_id in failed:
                        continue
                    simulate = backends[id(task.plan)][1]
                    run = replicate._run_in_worker if processes else replicate._run_one
                    pending[executor.submit(run, simulate, task.plan, task.replication, False)] = (
                        task
                    )
                if not pending:
                    return
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = pending.pop(future)
                    try:
                        value = future.result()
                    except SimlineError as err:
                        failed.add(task.run_id)
                        on_failed(task, err)
                        continue
                    except BrokenProcessPool as exc:
                        raise SimulationError(
                            f"scenario {task.plan.name!r}: a worker process died unexpectedly "
                            f"({exc})"
                        ) from exc
                    except Exception as exc:  # a result that could not come back
                        failed.add(task.run_id)
                        on_failed(task, _failure(task, exc))
                        continue
                    if processes:
                        result, notes = cast("tuple[RunResult, list[str]]", value)
                        replicate._rewarn(notes)
                    else:
                        result = cast("RunResult", value)
                    on_done(task, result)
        except BaseException:  # a dead pool, KeyboardInterrupt, a callback's error: stop now
            self._executor = None
            replicate._abort(executor)
            raise

    def close(self) -> None:
        """Stop the workers (they are idle: nothing is lost)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


# -- dask -------------------------------------------------------------------------------


def _ignore_interrupts() -> bool:
    """Ignore SIGINT in this (Dask worker) process; ``False`` where it cannot be done here."""
    if threading.current_thread() is not threading.main_thread():
        return False
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return True


class _DaskPool:
    """Tasks on a Dask cluster: the scheduler given, or a LocalCluster of processes."""

    def __init__(
        self, backend: str, jobs: int | None, scheduler: str | None, connect_timeout: float
    ) -> None:
        try:
            # typed as Any: the package's annotations are partial
            distributed: Any = importlib.import_module("distributed")
        except ImportError:
            raise ConfigError(
                '--executor dask needs pip install "simline[dask]"', path="--executor"
            ) from None
        self.backend = backend
        self._distributed = distributed
        self._cluster: Any = None
        self._scattered: dict[int, tuple[Plan, Any]] = {}
        if scheduler is None:
            self._cluster = distributed.LocalCluster(
                n_workers=available_cores() if jobs is None else jobs,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # no dashboard; its HTTP server (health checks) on a free port, not 8787,
                # which another cluster on this machine may hold
                scheduler_kwargs={"dashboard_address": ":0"},
                # quiet: a task's error comes back with its future; what the workers log
                # (a heartbeat lost as the cluster closes) is noise on the user's stderr
                silence_logs=logging.CRITICAL,
            )
            try:
                self._client: Any = distributed.Client(self._cluster, set_as_default=False)
                # Ctrl-C reaches the whole process group: the workers are ours to stop, as a
                # local pool's are (else each prints a traceback as it dies)
                self._client.run(_ignore_interrupts)
            except BaseException:
                self._cluster.close()
                raise
        else:
            _check_reachable(scheduler, connect_timeout)
            try:
                self._client = distributed.Client(
                    scheduler, timeout=connect_timeout, set_as_default=False
                )
            except Exception as exc:
                raise ConfigError(
                    f"cannot reach the Dask scheduler {scheduler!r} within {connect_timeout:g} s "
                    f"({type(exc).__name__}: {exc})",
                    path="--scheduler",
                ) from None
        self.workers = self._threads()

    def _threads(self) -> int:
        return max(int(sum(self._client.nthreads().values())), 1)

    def _plan_future(self, plan: Plan) -> Any:
        """Return the plan on the cluster, sent there once (the first time a task needs it)."""
        entry = self._scattered.get(id(plan))
        if entry is None:
            entry = (plan, self._client.scatter(plan, hash=False))
            self._scattered[id(plan)] = entry
        return entry[1]

    def map(self, tasks: Sequence[Task], on_done: OnDone, on_failed: OnFailed) -> None:
        """Run every task (see :meth:`Pool.map`)."""
        backends = _resolve(self.backend, tasks)
        queue = deque(tasks)
        failed: set[str] = set()
        if self._cluster is not None and queue:
            # A local cluster shares this machine's kernel cache: compile here, once, rather
            # than in every worker at the same time.
            name, simulate = backends[id(queue[0].plan)]
            if name in COMPILED and _compile_pending(name, queue[0].plan):
                task = queue.popleft()
                try:
                    result = replicate._run_one(simulate, task.plan, task.replication, False)
                except SimlineError as err:
                    failed.add(task.run_id)
                    on_failed(task, err)
                else:
                    on_done(task, result)
        self.workers = self._threads()
        limit = DASK_IN_FLIGHT_PER_WORKER * self.workers
        token = secrets.token_hex(4)
        pending: dict[str, Task] = {}
        futures = self._distributed.as_completed(
            loop=self._client.loop, with_results=True, raise_errors=False
        )

        def submit() -> None:
            while queue and len(pending) < limit:
                task = queue.popleft()
                if task.run_id in failed:
                    continue
                key = f"simline-{task.run_id}-{task.replication}-{token}"
                future = self._client.submit(
                    replicate._run_in_worker,
                    backends[id(task.plan)][1],  # a module's function: sent by name
                    self._plan_future(task.plan),
                    task.replication,
                    False,
                    key=key,
                    pure=False,
                )
                pending[key] = task
                futures.add(future)

        try:
            submit()
            for future, value in futures:  # results gathered by the client's own thread
                task = pending.pop(future.key)
                if future.status == "finished":
                    result, notes = value
                    replicate._rewarn(notes)
                    on_done(task, result)
                else:  # "error": (type, exception, traceback); or cancelled
                    exc = value[1] if isinstance(value, tuple) else value
                    if not isinstance(exc, BaseException):
                        exc = RuntimeError(f"the Dask task ended as {future.status!r}")
                    error = exc if isinstance(exc, SimlineError) else _failure(task, exc)
                    failed.add(task.run_id)
                    on_failed(task, error)
                del future, value
                submit()
        except BaseException:
            with contextlib.suppress(Exception):
                self._client.cancel(list(futures.futures))
            raise

    def close(self) -> None:
        """Close the client, and the local cluster if this pool started one."""
        self._scattered.clear()
        try:
            with contextlib.suppress(Exception):
                self._client.close()
        finally:
            if self._cluster is not None:
                with contextlib.suppress(Exception):
                    self._cluster.close()


def _check_reachable(scheduler: str, timeout: float) -> None:
    """Refuse a scheduler address that is malformed or does not answer, before Dask tries.

    A ``distributed.Client`` that fails to connect is left to the garbage collector, which
    then spends another 20 s and a traceback closing it; a plain TCP connection answers
    the same question at once. Other protocols than ``tcp://`` are left to Dask.
    """
    import socket

    address = scheduler.strip()
    protocol, _, rest = address.rpartition("://")
    if protocol not in ("", "tcp"):
        return
    host, _, port = rest.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"expected a scheduler address such as tcp://host:8786 (got {scheduler!r})",
            path="--scheduler",
        )
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the Dask scheduler {scheduler!r} within {timeout:g} s "
            f"({exc.strerror or exc})",
            path="--scheduler",
        ) from None
