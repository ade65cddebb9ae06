"""Running an experiment: its runs' replications into the run store, then the answer.

The expanded design (:func:`simline.experiment.design.expand`) says which runs there are; the
store (:class:`simline.experiment.store.RunStore`) says which replications of them are done.
This module decides which replications are still wanted and hands them to a pool
(:func:`simline.experiment.executors.open_pool`) in *rounds*:

- a fixed count: one round, every run's ``run.replications``;
- ``precision``: ``precision.min`` of every run, then more of the runs whose confidence
  interval is still too wide (:func:`simline.experiment.precision.replications_wanted`);
- ``select``: Kim and Nelson's first stage, then one more replication of every run still in
  contention per round (:class:`simline.experiment.select.KN`).

Every decision is taken on replications in the store, and a replication's numbers depend only
on its run and index, so an experiment interrupted at any moment and run again makes the
same decisions and ends with the same numbers; nothing that finished is computed twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from simline.errors import ConfigError, SimlineError

if TYPE_CHECKING:
    from simline.config.experiment import LoadedExperiment
    from simline.engine.results import RunResult
    from simline.experiment.design import Overrides, RunSpec
    from simline.experiment.executors import Pool, Task
    from simline.experiment.store import RunStore
    from simline.plan import Plan

__all__ = [
    "ExperimentProgress",
    "ExperimentResult",
    "RunOutcome",
    "default_store",
    "run_experiment",
]


@dataclass(frozen=True)
class ExperimentProgress:
    """Where an experiment stands, for a progress display.

    Parameters
    ----------
    runs
        Runs in the design.
    done, total
        Replications finished (in the store) and wanted so far; ``total`` grows when a
        precision or selection round asks for more.
    from_store
        Replications that were in the store before this command started.
    failed
        Runs that failed.
    seconds_left
        An estimate of the time left from the replications done by this command, or ``None``
        before there is one.
    final
        Whether ``total`` is the last word (a fixed count), or more rounds may follow.
    search
        With ``optimize``: the most runs the search makes (its budget), else ``None``.
    """

    runs: int
    done: int
    total: int
    from_store: int
    failed: int
    seconds_left: float | None
    final: bool
    search: int | None = None


@dataclass(frozen=True)
class RunOutcome:
    """One run of an experiment as it ended: its figures, or its error."""

    spec: RunSpec
    replications: int
    status: Literal["done", "failed"]
    figures: dict[str, dict[str, Any]]
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the run as in ``simline experiment --format json``."""
        out: dict[str, Any] = {
            "id": self.spec.id,
            "scenario": self.spec.scenario,
        }
        if self.spec.label is not None:
            out["label"] = self.spec.label
        out["factors"] = dict(self.spec.factors)
        out["replications"] = self.replications
        out["status"] = self.status
        if self.status == "done":
            out["figures"] = self.figures
        else:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class ExperimentResult:
    """What an experiment found: every run, and the best of them when an objective is given.

    ``to_dict()`` is the JSON object of ``simline experiment --format json``
    (``spec/experiment.md``); ``to_frame()`` is one row per run.
    """

    name: str
    version: str
    store: Path
    backend: str
    runs: tuple[RunOutcome, ...]
    objective: dict[str, str] | None = None
    best: dict[str, Any] | None = None
    differences: tuple[dict[str, Any], ...] = ()
    constraints: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    selection: dict[str, Any] | None = None
    precision: dict[str, Any] | None = None
    optimization: dict[str, Any] | None = None
    constraint_figures: tuple[str, ...] = ()

    @property
    def failed(self) -> list[RunOutcome]:
        """The runs that failed."""
        return [r for r in self.runs if r.status == "failed"]

    @property
    def factor_names(self) -> list[str]:
        """The factors of the design, in the order they were given."""
        names: dict[str, None] = {}
        for run in self.runs:
            names.update(dict.fromkeys(run.spec.factors))
        return list(names)

    def to_dict(self) -> dict[str, Any]:
        """Return the experiment's JSON object (``spec/experiment.md``)."""
        runs = []
        for outcome in self.runs:
            entry = outcome.to_dict()
            if outcome.spec.id in self.constraints:
                entry["constraints"] = self.constraints[outcome.spec.id]
            runs.append(entry)
        out: dict[str, Any] = {
            "experiment": self.name,
            "simline_version": self.version,
            "store": str(self.store),
            "backend": self.backend,
            "runs": runs,
        }
        if self.objective is not None:
            out["objective"] = dict(self.objective)
            out["best"] = self.best
            out["differences"] = list(self.differences)
        if self.precision is not None:
            out["precision"] = self.precision
        if self.selection is not None:
            out["selection"] = self.selection
        if self.optimization is not None:
            out["optimization"] = self.optimization
        return out

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per run: id, scenario, label, factors, replications, status, figures.

        Each figure gives three columns, ``<figure>``, ``<figure>.ci95_lo`` and
        ``<figure>.ci95_hi``; a failed run has none.
        """
        out = []
        for outcome in self.runs:
            row: dict[str, Any] = {
                "id": outcome.spec.id,
                "scenario": outcome.spec.scenario,
                "label": outcome.spec.label,
            }
            row.update({name: _cell(v) for name, v in outcome.spec.factors.items()})
            row["replications"] = outcome.replications
            row["status"] = outcome.status
            for name, node in outcome.figures.items():
                row[name] = node.get("mean")
                low, high = node.get("ci95", [None, None])
                row[f"{name}.ci95_lo"] = low
                row[f"{name}.ci95_hi"] = high
            out.append(row)
        return out

    def to_frame(self) -> Any:
        """Return the runs as a pandas DataFrame, one row per run (see :meth:`rows`)."""
        import pandas as pd

        return pd.DataFrame(self.rows())


def _cell(value: Any) -> Any:
    """Return a factor value as one table cell: a scalar as it is, anything else as JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    import json

    return json.dumps(value, sort_keys=True)


def default_store(name: str) -> Path:
    """Return the run store an experiment uses when none is given: ``runs/<name>``."""
    return Path("runs") / name


def _identity(
    exp: LoadedExperiment, backend: str, version: str, overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """Return what a store's results depend on beyond each run's scenario (its id's hash).

    The store belongs to one experiment, by its name: editing the file (another factor
    value, a comment, an objective) keeps every finished replication of the runs still in
    the design, since a run's id is the hash of its scenario. The command line's
    ``--seed``, ``--length`` and ``--warmup`` change the runs' scenarios and so their ids:
    a store holds them apart without refusing. ``-r`` only changes how many replications
    are wanted, and replication ``i`` is the same whatever the count, so ``-r 20`` after
    ``-r 5`` reuses the first five. The engine (the engines draw different numbers) and
    simline's version must be the same; for a search, the replications too (its study
    holds objective values measured with them).
    """
    identity: dict[str, Any] = {
        "experiment": exp.config.experiment,
        "simline_version": version,
        "backend": backend,
    }
    if exp.config.optimize is not None:
        identity["overrides"] = {
            k: v for k, v in sorted(overrides.items()) if v is not None and k == "replications"
        }
    return identity


def choose_backend(name: str, plans: Sequence[Plan]) -> str:
    """Choose one engine for every run.

    The engines draw different numbers, and comparing runs needs the same ones: ``auto``
    picks the fast engine only if every run allows it.
    """
    from simline.experiment.replicate import resolve_backend

    engines = {resolve_backend(name, plan)[0] for plan in plans}
    return engines.pop() if len(engines) == 1 else "des"


class _Schedule:
    """The replications wanted of each run, and the pool that runs what the store lacks."""

    def __init__(
        self,
        store: RunStore,
        specs: Sequence[RunSpec],
        plans: dict[str, Plan],
        pool: Pool,
        progress: Callable[[ExperimentProgress], None] | None,
    ) -> None:
        self.store = store
        self.specs = {s.id: s for s in specs}
        self.plans = plans
        self.pool = pool
        self.progress = progress
        self.wanted: dict[str, int] = {}
        self.failed: dict[str, str] = {}
        self.failed_at: dict[str, int] = {}
        self.stored = {k: set(v) for k, v in store.completed().items()}
        ids = set(self.specs)
        self.from_store = sum(len(v) for k, v in self.stored.items() if not ids or k in ids)
        self.started = time.monotonic()
        self.done_here = 0
        self.counts = (0, 0)
        self.final = True
        self.search: int | None = None

    def add_run(self, spec: RunSpec) -> None:
        """Take a run found while running (an optimization's trial) into the schedule."""
        from simline.plan import compile_plan

        if spec.id not in self.specs:
            self.specs[spec.id] = spec
            self.plans[spec.id] = compile_plan(spec.config)
            self.store.write_scenario(spec)

    def have(self, run_id: str) -> int:
        """How many replications of a run the store holds, counted from 0 without gaps."""
        got = self.stored.get(run_id, set())
        n = 0
        while n in got:
            n += 1
        return n

    def _counts(self) -> tuple[int, int]:
        done = total = 0
        for run_id, n in self.wanted.items():
            got = self.stored.get(run_id, set())
            total += n
            done += sum(1 for i in range(n) if i in got)
        return done, total

    def report(self, finished: int = 0) -> None:
        """Tell the progress callback where the experiment stands.

        The counts are taken over every run when a round starts, then moved on by the
        replications that finish (``finished``), so a report costs nothing per run.
        """
        if self.progress is None:
            return
        if finished:
            self.counts = (self.counts[0] + finished, self.counts[1])
        else:
            self.counts = self._counts()
        done, total = self.counts
        left: float | None = None
        if self.done_here > 0:
            per = (time.monotonic() - self.started) / self.done_here
            left = per * max(total - done, 0)
        self.progress(
            ExperimentProgress(
                runs=len(self.specs),
                done=done,
                total=total,
                from_store=self.from_store,
                failed=len(self.failed),
                seconds_left=left,
                final=self.final,
                search=self.search,
            )
        )

    def fill(self, wanted: Mapping[str, int]) -> None:
        """Raise the replications wanted of some runs and run what the store does not hold."""
        from simline.experiment.executors import Task
        from simline.experiment.figures import replication_row

        for run_id, n in wanted.items():
            self.wanted[run_id] = max(self.wanted.get(run_id, 0), n)
        tasks: list[Task] = []
        for run_id, n in self.wanted.items():
            if run_id in self.failed:
                continue
            got = self.stored.get(run_id, set())
            tasks.extend(Task(run_id, self.plans[run_id], i) for i in range(n) if i not in got)
        self.report()
        if not tasks:
            return

        def done(task: Task, result: RunResult) -> None:
            if task.run_id in self.failed:
                return
            spec = self.specs[task.run_id]
            row = replication_row(spec.config, task.plan, result)
            self.store.add(task.run_id, task.replication, spec.config.run.seed, row, result)
            self.stored.setdefault(task.run_id, set()).add(task.replication)
            self.done_here += 1
            self.report(finished=1)

        def failed(task: Task, error: SimlineError) -> None:
            # The error of the lowest replication that failed is kept, so the message is the
            # same whichever worker reports first (replications start in index order).
            first = self.failed_at.get(task.run_id)
            if first is not None and first <= task.replication:
                return
            self.failed_at[task.run_id] = task.replication
            self.failed[task.run_id] = str(error)
            self.report()

        self.pool.map(tasks, done, failed)

    def count(self, run_id: str) -> int:
        """Return how many replications of a run count: those wanted, at most those held.

        The store may hold more, from an earlier command that wanted more.
        """
        have = self.have(run_id)
        return min(have, self.wanted[run_id]) if run_id in self.wanted else have

    def values(self, run_ids: Sequence[str], figure: str) -> dict[str, list[float]]:
        """Return each run's values of a figure, by replication index, over those that count."""
        return {
            run_id: self.store.figure_values(run_id, figure, self.count(run_id))
            for run_id in run_ids
        }


def run_experiment(
    exp: LoadedExperiment,
    *,
    store_dir: Path | None = None,
    overrides: Overrides | None = None,
    backend: str = "auto",
    executor: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    jobs: int | None = None,
    fresh: bool = False,
    force: bool = False,
    command: Sequence[str] | None = None,
    progress: Callable[[ExperimentProgress], None] | None = None,
    specs: Sequence[RunSpec] | None = None,
    on_start: Callable[[str, Sequence[Plan]], None] | None = None,
    version: str | None = None,
) -> ExperimentResult:
    """Run an experiment into its store and return what it found.

    Parameters
    ----------
    exp
        The loaded experiment file.
    store_dir
        The run store (default :func:`default_store`).
    overrides
        The command line's ``-r``, ``--seed``, ``--length``, ``--warmup``.
    backend
        ``auto``, ``des`` or ``fast``: one engine for every run.
    executor, scheduler, jobs
        Where replications run (:func:`simline.experiment.executors.open_pool`).
    fresh
        Start the store over.
    force
        Run even runs estimated to take longer than the limit (``docs/limits.md``).
    command
        The command line, recorded in the manifest.
    progress
        Called with an :class:`ExperimentProgress` as replications finish.
    specs
        The expanded runs, when the caller expanded them already.
    on_start
        Called with the engine's name and the plans once every check passed (the store
        opened too, the pool started), just before anything runs (the command line says
        there whether the fast engine compiles first).

    Raises
    ------
    ConfigError
        On bad input, before anything runs.
    """
    from simline.experiment.design import expand
    from simline.experiment.executors import open_pool
    from simline.experiment.store import RunStore
    from simline.plan import compile_plan

    overrides = dict(overrides or {})
    if specs is None:
        specs = expand(exp, overrides=overrides)
    plans = {s.id: compile_plan(s.config) for s in specs}
    if exp.config.optimize is not None:
        # The search makes its runs as it goes: the engine and the budget are judged on the
        # base scenario (a trial the engine cannot run fails, and is an infeasible point).
        from simline.experiment.design import resolve

        probe = resolve(exp, 0, {}, overrides=overrides)
        probes = {probe.id: compile_plan(probe.config)}
        backend_name = choose_backend(backend, list(probes.values()))
        _check_budgets(exp, [probe], probes, backend_name, jobs, force)
    else:
        backend_name = choose_backend(backend, list(plans.values()))
        _check_budgets(exp, specs, plans, backend_name, jobs, force)
    _require_pyarrow()
    if exp.config.optimize is not None:  # its libraries, before the store is made
        from simline.experiment.optimize import require

        require(exp.config.optimize.method)
    store_path = store_dir if store_dir is not None else default_store(exp.config.experiment)
    if version is None:
        from importlib import metadata

        version = metadata.version("simline")
    identity = _identity(exp, backend_name, version, overrides)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    # The pool first: a Dask scheduler that cannot be reached is bad input, and nothing is
    # written then. It is closed (its workers end) before the summary is written.
    workers = contextlib.ExitStack()
    with workers:
        pool = workers.enter_context(
            open_pool(executor, backend=backend_name, jobs=jobs, scheduler=scheduler)
        )
        with RunStore.open(
            store_path, identity=identity, experiment_text=exp.text, fresh=fresh
        ) as store:
            if on_start is not None:  # after the last refusal: bad input stays one line
                on_start(backend_name, list(plans.values()))
            result = _run_all(
                exp, store, specs, plans, pool, progress, overrides, identity,
                command, started, store_path, backend_name, version, workers,
            )  # fmt: skip
    return result


def _require_pyarrow() -> None:
    """Refuse, before anything runs, an experiment whose store could not write its tables."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ConfigError(
            'the run store writes Parquet, which needs pyarrow: pip install "simline[parquet]"'
        ) from None


def _run_all(
    exp: LoadedExperiment,
    store: RunStore,
    specs: Sequence[RunSpec],
    plans: dict[str, Plan],
    pool: Pool,
    progress: Callable[[ExperimentProgress], None] | None,
    overrides: dict[str, Any],
    identity: Mapping[str, Any],
    command: Sequence[str] | None,
    started: str,
    store_path: Path,
    backend_name: str,
    version: str,
    workers: contextlib.ExitStack,
) -> ExperimentResult:
    """Run what the design wants into the open store, then write the derived files."""
    cfg = exp.config
    for spec in specs:
        store.write_scenario(spec)
    store.write_manifest(
        _manifest(exp.text, identity, overrides, specs, command, started, None, {})
    )
    schedule = _Schedule(store, specs, plans, pool, progress)
    ids = [s.id for s in specs]
    selection: dict[str, Any] | None = None
    precision: dict[str, Any] | None = None
    optimization: dict[str, Any] | None = None
    if cfg.optimize is not None:
        specs, optimization, selection = _optimize(schedule, exp, overrides)
        plans = schedule.plans
    elif cfg.select is not None and cfg.objective is not None and len(ids) > 1:
        selection = _select(schedule, ids, cfg)
    elif cfg.precision is not None:
        precision = _precision(schedule, ids, cfg)
    else:
        schedule.fill({s.id: s.config.run.replications for s in specs})
    workers.close()
    outcomes = []
    for spec in specs:
        n = schedule.wanted.get(spec.id, 0)
        if spec.id in schedule.failed:
            store.write_error(spec.id, schedule.failed[spec.id])
            outcomes.append(
                RunOutcome(spec, schedule.have(spec.id), "failed", {}, schedule.failed[spec.id])
            )
            continue
        store.clear_error(spec.id)
        from simline.experiment.figures import run_figures

        results = store.results(spec.id, n)
        outcomes.append(
            RunOutcome(spec, n, "done", run_figures(spec.config, plans[spec.id], results))
        )
    result = ExperimentResult(
        name=cfg.experiment,
        version=version,
        store=store_path,
        backend=backend_name,
        runs=tuple(outcomes),
        selection=selection,
        precision=precision,
        optimization=optimization,
    )
    result = _judge(result, exp, schedule)
    store.write_replications(specs, counts={o.spec.id: o.replications for o in outcomes})
    store.write_summary(result.rows(), result.to_dict(), csv=True)
    statuses = {o.spec.id: o.status for o in outcomes}
    ended = datetime.now(UTC).isoformat(timespec="seconds")
    store.write_manifest(
        _manifest(exp.text, identity, overrides, specs, command, started, ended, statuses)
    )
    return result


def _check_budgets(
    exp: LoadedExperiment,
    specs: Sequence[RunSpec],
    plans: Mapping[str, Plan],
    backend_name: str,
    jobs: int | None,
    force: bool,
) -> None:
    """Refuse a run that cannot run correctly, and (unless forced) an experiment too long.

    Each run is checked as ``simline run`` checks it; then the whole experiment, every run's
    replications spread over the workers, against the same limit (``docs/limits.md``):
    eighteen runs of three hours each are a two-day experiment, not eighteen acceptable runs.
    """
    from simline.engine.budget import MAX_WALL_S, check_budget, describe_duration, estimate
    from simline.experiment.replicate import available_cores

    cores = available_cores()
    workers = max(1, min(cores if jobs is None else jobs, cores))
    total_events = total_seconds = 0.0
    for spec in specs:
        plan = plans[spec.id]
        try:
            check_budget(
                plan,
                backend_name,
                workers=min(workers, plan.replications),
                force=force,
                file=str(exp.file),
            )
        except ConfigError as err:
            where = f"run {spec.id} ({spec.scenario}"
            where += f", {spec.label})" if spec.label else ")"
            raise ConfigError(
                f"{where}: {err.message}", file=str(exp.file), path=err.path
            ) from None
        found = estimate(plan, backend_name, workers=1)
        total_events += found.events
        total_seconds += found.seconds / workers
    if total_seconds > MAX_WALL_S and not force:
        raise ConfigError(
            f"the experiment's {len(specs)} runs are estimated at {total_events:.2g} events, "
            f"about {describe_duration(total_seconds)} on the {backend_name} engine with "
            f"{workers} worker{'s' if workers != 1 else ''} (the limit is "
            f"{describe_duration(MAX_WALL_S)}); shorten run.length or run.replications, or "
            "give --force to run it anyway",
            file=str(exp.file),
            path="run",
        )


def _manifest(
    exp_text: str,
    identity: Mapping[str, Any],
    overrides: Mapping[str, Any],
    specs: Sequence[RunSpec],
    command: Sequence[str] | None,
    started: str,
    ended: str | None,
    statuses: Mapping[str, str],
) -> dict[str, Any]:
    from importlib import metadata

    versions = {}
    for package in ("simline", "simpy", "numpy", "numba", "scipy", "pydantic", "pyarrow", "pandas"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return {
        "experiment": identity["experiment"],
        "simline_version": identity["simline_version"],
        "experiment_sha256": hashlib.sha256(exp_text.encode()).hexdigest(),
        "backend": identity["backend"],
        "overrides": {k: v for k, v in sorted(overrides.items()) if v is not None},
        "versions": versions,
        "platform": {
            "python": sys.version.split()[0],
            "system": platform.platform(),
            "machine": platform.machine(),
        },
        "command": list(command) if command is not None else None,
        "started": started,
        "ended": ended,
        "runs": [
            {
                "id": s.id,
                "scenario": s.scenario,
                "base": str(s.base),
                "label": s.label,
                "factors": s.factors,
                "status": statuses.get(s.id, "pending"),
            }
            for s in specs
        ],
    }


def _precision(schedule: _Schedule, ids: Sequence[str], cfg: Any) -> dict[str, Any]:
    """Add rounds of replications until every run's interval is narrow enough, or ``max``."""
    from simline.experiment.precision import replications_wanted

    target = cfg.precision
    schedule.final = False
    schedule.fill(dict.fromkeys(ids, target.min))
    rounds = 1
    while True:
        live = [i for i in ids if i not in schedule.failed]
        wanted = replications_wanted(schedule.values(live, target.figure), target)
        if not wanted:
            break
        schedule.fill(wanted)
        rounds += 1
    schedule.final = True
    schedule.report()
    out: dict[str, Any] = {
        "figure": target.figure,
        "rounds": rounds,
        "min": target.min,
        "max": target.max,
    }
    if target.relative is not None:
        out["relative"] = target.relative
    else:
        out["absolute"] = target.absolute
    return out


def _select(schedule: _Schedule, ids: Sequence[str], cfg: Any) -> dict[str, Any]:
    """Kim and Nelson's procedure: replications only for the runs still in contention."""
    from simline.experiment.select import KN

    rule = cfg.select
    figure = cfg.objective.figure
    schedule.final = False
    kn = KN(
        ids,
        goal=cfg.objective.goal,
        indifference=rule.indifference,
        confidence=rule.confidence,
        first_stage=rule.first_stage,
        max_replications=rule.max,
    )
    live = [i for i in ids if i not in schedule.failed]
    while not kn.done:
        wanted = kn.wanted()
        if not wanted:
            break
        schedule.fill(wanted)
        if any(i in schedule.failed for i in live):
            # A run that fails is out of the selection; the procedure starts again on the
            # others from their stored replications (deterministic: failures are too).
            live = [i for i in live if i not in schedule.failed]
            if not live:
                raise _failed_in_selection(schedule)
            kn = KN(
                live,
                goal=cfg.objective.goal,
                indifference=rule.indifference,
                confidence=rule.confidence,
                first_stage=rule.first_stage,
                max_replications=rule.max,
            )
            continue
        kn.update(schedule.values(kn.survivors, figure))
    schedule.final = True
    schedule.report()
    return kn.to_json()


def _optimize(
    schedule: _Schedule, exp: LoadedExperiment, overrides: Overrides
) -> tuple[list[RunSpec], dict[str, Any], dict[str, Any] | None]:
    """Search the variables with Optuna; finish the best few with ``select`` (or by mean).

    Every trial is a run with its replications in the store, and the search's own state is
    Optuna's SQLite storage in the store, so an interrupted search resumes where it stopped.
    """
    from simline.experiment.design import resolve
    from simline.experiment.optimize import search, top
    from simline.experiment.store import STUDY

    cfg = exp.config
    rule = cfg.optimize
    assert rule is not None and cfg.objective is not None
    figure = cfg.objective.figure
    trial_specs: dict[str, RunSpec] = {}
    by_point: dict[str, str] = {}

    def evaluate(assignments: dict[str, Any]) -> tuple[float, list[float]]:
        spec = resolve(exp, 0, assignments, overrides=overrides)
        schedule.add_run(spec)
        trial_specs.setdefault(spec.id, spec)
        by_point[_point_key(assignments)] = spec.id
        schedule.fill({spec.id: spec.config.run.replications})
        if spec.id in schedule.failed:
            raise ConfigError(f"run {spec.id} failed: {schedule.failed[spec.id]}", path="optimize")
        n = schedule.count(spec.id)
        value = _mean_of(schedule.store.figure_values(spec.id, figure, n))
        violations = [
            _violation(c, _mean_of(schedule.store.figure_values(spec.id, c.figure, n)))
            for c in exp.constraints
        ]
        return value, violations

    schedule.final = False
    schedule.search = rule.budget
    trials = search(
        rule.variables,
        budget=rule.budget,
        method=rule.method,
        seed=rule.seed,
        goal=cfg.objective.goal,
        storage=schedule.store.directory / STUDY,
        study_name=cfg.experiment,
        evaluate=evaluate,
    )
    # The trials of an earlier, interrupted search were not evaluated here: their runs are
    # rebuilt from their points (their replications are in the store already).
    for trial in trials:
        if trial.value is not None and _point_key(trial.assignments) not in by_point:
            spec = resolve(exp, 0, trial.assignments, overrides=overrides)
            schedule.add_run(spec)
            trial_specs.setdefault(spec.id, spec)
            by_point[_point_key(trial.assignments)] = spec.id
            schedule.fill({spec.id: spec.config.run.replications})
    best = top(trials, rule.top, cfg.objective.goal)
    finalists = list(
        dict.fromkeys(by_point[_point_key(t.assignments)] for t in best if t.value is not None)
    )
    selection: dict[str, Any] | None = None
    if cfg.select is not None and len(finalists) > 1:
        selection = _select(schedule, finalists, cfg)
    optimization = {
        "method": rule.method,
        "budget": rule.budget,
        "trials": len(trials),
        "feasible": sum(1 for t in trials if t.feasible),
        "finalists": finalists,
    }
    schedule.final = True
    ordered = [
        trial_specs[run_id]
        for run_id in dict.fromkeys(
            by_point[_point_key(t.assignments)] for t in trials if t.value is not None
        )
    ]
    return ordered, optimization, selection


def _point_key(assignments: Mapping[str, Any]) -> str:
    import json

    return json.dumps(assignments, sort_keys=True, default=str)


def _mean_of(values: Sequence[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return math.fsum(kept) / len(kept) if kept else math.nan


def _violation(constraint: Any, mean: float) -> float:
    """How far a mean breaks a constraint: at most 0 when the constraint holds."""
    if math.isnan(mean):
        return math.inf
    if constraint.op in (">=", ">"):
        return float(constraint.value - mean) + (
            0.0 if constraint.op == ">=" or mean > constraint.value else 1e-12
        )
    return float(mean - constraint.value) + (
        0.0 if constraint.op == "<=" or mean < constraint.value else 1e-12
    )


def _failed_in_selection(schedule: _Schedule) -> SimlineError:
    from simline.errors import ExperimentError

    run_id, error = next(iter(schedule.failed.items()))
    return ExperimentError(f"every run failed, so none can be selected; {run_id}: {error}")


def _judge(
    result: ExperimentResult, exp: LoadedExperiment, schedule: _Schedule
) -> ExperimentResult:
    """Add the objective's answer: the best run under the constraints, and differences."""
    from dataclasses import replace

    from simline.experiment.analysis import best_run, constraint_report, differences

    cfg = exp.config
    done = [o for o in result.runs if o.status == "done"]
    constraints = exp.constraints
    by_run: dict[str, dict[str, list[float]]] = {}
    figures = {c.figure for c in constraints}
    if cfg.objective is not None:
        figures.add(cfg.objective.figure)
    for outcome in done:
        n = outcome.replications
        by_run[outcome.spec.id] = {
            f: schedule.store.figure_values(outcome.spec.id, f, n) for f in sorted(figures)
        }
    report = constraint_report(constraints, by_run) if constraints else {}
    if cfg.objective is None:
        return replace(
            result, constraints=report, constraint_figures=tuple(c.figure for c in constraints)
        )
    figure = cfg.objective.figure
    means = {o.spec.id: _mean(o.figures.get(figure)) for o in done}
    feasible = {run_id: all(entry["holds"] for entry in report.get(run_id, [])) for run_id in means}
    best_id = best_run(means, feasible, cfg.objective.goal)
    if result.selection is not None and result.selection.get("selected") is not None:
        best_id = result.selection["selected"]
    best: dict[str, Any] | None = None
    diffs: list[dict[str, Any]] = []
    if best_id is not None:
        best = {"id": best_id, "meets_constraints": feasible.get(best_id, True)}
        values = {run_id: by_run[run_id][figure] for run_id in means}
        diffs = differences(values, best_id, figure)
    return replace(
        result,
        constraint_figures=tuple(c.figure for c in constraints),
        objective={"figure": figure, "goal": cfg.objective.goal},
        best=best,
        differences=tuple(diffs),
        constraints=report,
    )


def _mean(node: Mapping[str, Any] | None) -> float:
    if node is None or node.get("mean") is None:
        return math.nan
    return float(node["mean"])
