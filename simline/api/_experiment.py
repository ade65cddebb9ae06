"""``simline.experiment``: an experiment file's runs into a resumable run store, and the answer."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from simline import __version__
from simline.api._scenarios import _duration
from simline.experiment.runner import ExperimentProgress, ExperimentResult, default_store

if TYPE_CHECKING:
    from simline.config.experiment import LoadedExperiment
    from simline.experiment.design import RunSpec
    from simline.plan import Plan

__all__ = [
    "ExperimentProgress",
    "ExperimentResult",
    "default_store",
    "experiment",
    "experiment_plan",
    "load_experiment_file",
]


def load_experiment_file(path: str | os.PathLike[str]) -> LoadedExperiment:
    """Read and validate an experiment file (bad input is a :class:`ConfigError`)."""
    from simline.config.experiment import load_experiment

    return load_experiment(path)


def experiment_plan(
    path: str | os.PathLike[str] | LoadedExperiment,
    *,
    replications: int | None = None,
    seed: int | None = None,
    length: str | float | None = None,
    warmup: str | float | None = None,
) -> list[RunSpec]:
    """Expand an experiment file into its runs without running anything (``--plan``).

    Returns
    -------
    list of RunSpec
        Every run of the design, in design order: its id, base scenario, factor values and
        resolved scenario.
    """
    from simline.experiment.design import expand

    exp = path if not isinstance(path, str | os.PathLike) else load_experiment_file(path)
    return expand(exp, overrides=_overrides(replications, seed, length, warmup))


def _overrides(
    replications: int | None,
    seed: int | None,
    length: str | float | None,
    warmup: str | float | None,
) -> dict[str, Any]:
    """Return the run-size overrides as the design takes them (a bare number a duration)."""
    return {
        "replications": replications,
        "seed": seed,
        "length": _duration(length),
        "warmup": _duration(warmup),
    }


def experiment(
    path: str | os.PathLike[str],
    *,
    replications: int | None = None,
    seed: int | None = None,
    length: str | float | None = None,
    warmup: str | float | None = None,
    backend: str = "auto",
    executor: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    jobs: int | None = None,
    store: str | os.PathLike[str] | None = None,
    fresh: bool = False,
    force: bool = False,
    progress: Callable[[ExperimentProgress], None] | None = None,
    on_start: Callable[[str, Sequence[Plan]], None] | None = None,
    command: Sequence[str] | None = None,
) -> ExperimentResult:
    """Run an experiment file into its run store and return what it found.

    The same work as ``simline experiment FILE``, with the same defaults: every run of the
    design with common random numbers on one engine (``auto``: the fast engine if every run
    allows it), replications in a process pool on this machine (or on a Dask cluster),
    each finished replication kept in the store at once, so that calling it again after an
    interruption computes only what is missing.

    Parameters
    ----------
    path
        The experiment file (``spec/experiment.md``).
    replications, seed, length, warmup
        Override every run's ``run`` settings (after the experiment's own ``run:``).
    backend
        ``auto``, ``des`` or ``fast``.
    executor, scheduler, jobs
        ``local`` (a process pool; ``jobs`` workers, default one per core) or ``dask``
        (the cluster at ``scheduler``, or a local cluster when it is ``None``).
    store
        The run store (default ``runs/<experiment name>``).
    fresh
        Start the store over (needed when it holds another experiment's results).
    force
        Run even runs estimated to take longer than the limit.
    progress
        Called with an :class:`~simline.experiment.runner.ExperimentProgress` as replications
        finish.
    on_start
        Called with the engine's name and the runs' plans just before anything runs.
    command
        Recorded in the store's manifest.

    Returns
    -------
    ExperimentResult
        ``to_dict()`` is the JSON of ``simline experiment --format json``; ``to_frame()``
        one row per run.

    Raises
    ------
    ConfigError
        On bad input, before anything runs.

    Examples
    --------
    >>> result = simline.experiment("experiments/mill-buffers.yaml")  # doctest: +SKIP
    >>> result.to_frame()[["id", "stations.mill.servers", "throughput_per_hour"]]  # doctest: +SKIP
    """
    from simline.experiment.runner import run_experiment

    exp = load_experiment_file(path)
    specs = experiment_plan(exp, replications=replications, seed=seed, length=length, warmup=warmup)
    overrides = _overrides(replications, seed, length, warmup)
    return run_experiment(
        exp,
        store_dir=None if store is None else Path(store),
        overrides=overrides,
        backend=backend,
        executor=executor,
        scheduler=scheduler,
        jobs=jobs,
        fresh=fresh,
        force=force,
        command=command,
        progress=progress,
        specs=specs,
        on_start=on_start,
        version=__version__,
    )
