"""``simline experiment``: an experiment file's runs into a resumable run store, and the answer.

Registered on the ``simline`` group when :mod:`simline.cli` is imported. The work is
:func:`simline.api.experiment`; here are the options, the checks of the result files (never
an input of the experiment, never inside its store), ``--plan``, the progress display and
the output formats.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simline.cli import (
    _BACKEND_OPTION,
    _FORCE_OPTION,
    _JOBS_OPTION,
    _OUTPUT,
    _QUIET_OPTION,
    _SCENARIO,
    _announce_compile,
    _check_stdout,
    _check_targets,
    _Choice,
    _commit,
    _print_rich,
    _render_text,
    _reports_errors,
    _run_size_options,
    _say_error,
    _text_writer,
    _write,
    _write_stdout,
    cli,
)
from simline.errors import ConfigError

if TYPE_CHECKING:
    from simline.api import ExperimentProgress
    from simline.config.experiment import LoadedExperiment
    from simline.experiment.design import RunSpec
    from simline.plan import Plan

__all__: list[str] = []


@cli.command()
@click.argument("file", type=_SCENARIO)
@_run_size_options(
    "Override every run's run.replications.",
    "Override every run's run.seed.",
    "Override every run's run.length.",
    "Override every run's run.warmup.",
)
@_BACKEND_OPTION
@click.option(
    "--format",
    "fmt",
    type=_Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table is for people; json is the documented object; csv has one row per run.",
)
@click.option(
    "-o", "--output", type=_OUTPUT, metavar="PATH", help="Write the result there, atomically."
)
@_JOBS_OPTION
@_QUIET_OPTION
@_FORCE_OPTION
@click.option(
    "--store",
    type=_OUTPUT,
    metavar="DIR",
    help="The run store  [default: runs/<experiment name> in the current directory]",
)
@click.option(
    "--executor",
    type=_Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: a process pool on this machine; dask: a Dask cluster "
    "(pip install 'simline[dask]').",
)
@click.option(
    "--scheduler",
    metavar="ADDR",
    help="With --executor dask: the scheduler to join (tcp://host:8786); without it a local "
    "cluster is started.",
)
@click.option(
    "--plan", "plan_only", is_flag=True, help="Print the expanded runs and exit; nothing runs."
)
@click.option(
    "--plot",
    type=_OUTPUT,
    metavar="PATH",
    help="Main-effects and interaction plots of the objective; PNG, SVG, PDF "
    "(or EPS, PS, JPEG, TIFF, WebP) by suffix.",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Start the run store over (it may hold another experiment's results).",
)
@_reports_errors
def experiment(
    file: Path,
    replications: int | None,
    seed: int | None,
    length: str | None,
    warmup: str | None,
    backend: str,
    fmt: str,
    output: Path | None,
    jobs: int | None,
    quiet: bool,
    force: bool,
    store: Path | None,
    executor: str,
    scheduler: str | None,
    plan_only: bool,
    plot: Path | None,
    fresh: bool,
) -> None:
    """Run an experiment file: every run of its design, kept in a resumable run store.

    The runs share one seed (common random numbers) and one engine. Each finished
    replication is in the store at once: run the same command again after an interruption
    and it computes only what is missing, ending with the same numbers. With an objective the
    best run is named, and every run's paired difference from it given with its 95% CI.
    """
    from simline import api

    if output is None:
        _check_stdout()
    if scheduler is not None and executor != "dask":
        raise ConfigError("needs --executor dask", path="--scheduler")
    exp = api.load_experiment_file(file)
    sizes: dict[str, Any] = {
        "replications": replications,
        "seed": seed,
        "length": length,
        "warmup": warmup,
    }
    cfg = exp.config
    if replications is not None and (cfg.precision is not None or cfg.select is not None):
        rule = "precision" if cfg.precision is not None else "select"
        raise ConfigError(
            f"the experiment's '{rule}' decides how many replications each run gets; "
            "leave out -r (or give the experiment a fixed run.replications instead)",
            path="-r/--replications",
        )
    specs = api.experiment_plan(exp, **sizes)
    store_dir = store if store is not None else api.default_store(cfg.experiment)
    _check_experiment_targets(exp, specs, store_dir, output, plot)
    if plot is not None:
        from simline.report.experiment_plots import plot_format

        plot_format(plot)
        if cfg.objective is None:
            raise ConfigError(
                "plots the objective: the experiment file has no 'objective'", path="--plot"
            )
    if plan_only:
        _print_plan(exp, specs, fmt, output)
        return
    show_progress = not quiet and sys.stderr.isatty()

    def on_start(backend_name: str, plans: Sequence[Plan]) -> None:
        if not quiet:
            _announce_compile(backend_name, list(plans))

    with _experiment_progress(cfg.experiment, quiet, show_progress, store_dir) as progress:
        result = api.experiment(
            file,
            **sizes,
            backend=backend,
            executor=executor,  # type: ignore[arg-type]
            scheduler=scheduler,
            jobs=jobs,
            store=store,
            fresh=fresh,
            force=force,
            progress=progress,
            on_start=on_start,
            command=["simline", *sys.argv[1:]],
        )
    files: list[tuple[Path, Callable[[Path], Any]]] = []
    if plot is not None:
        from simline.report.experiment_plots import plot_effects

        frame = result.to_frame()
        figure = exp.config.objective.figure  # type: ignore[union-attr]
        done = frame[frame["status"] == "done"]
        _write(plot, lambda: plot_effects(plot, done, result.factor_names, figure))
    if fmt == "table":
        from simline.report.experiment_table import render_experiment

        renderable = render_experiment(result)
        if output is not None:
            files.append((output, _text_writer(_render_text(renderable))))
        _commit(files)
        if output is None:
            _print_rich(renderable)
    else:
        if fmt == "json":
            from simline.report.output import dumps_json

            text = dumps_json(result.to_dict())
        else:
            from simline.report.experiment_table import experiment_csv

            text = experiment_csv(result)
        if output is not None:
            files.append((output, _text_writer(text)))
        _commit(files)
        if output is None:
            _write_stdout(text)
    if result.failed:
        _say_error(
            f"{len(result.failed)} of {len(result.runs)} runs failed: "
            + ", ".join(r.spec.id for r in result.failed)
        )
        sys.exit(1)


def _check_experiment_targets(
    exp: LoadedExperiment,
    specs: Sequence[RunSpec],
    store: Path,
    output: Path | None,
    plot: Path | None,
) -> None:
    """Refuse result files that are inputs of the experiment or inside its run store.

    Inputs are the experiment file, its base scenarios and the site files they name, and
    every site file given as a factor's value; a file in the store would be overwritten by
    the store (or overwrite its database).
    """
    scenarios: list[Path] = list(dict.fromkeys(s.base for s in specs))
    scenarios += [b.file for b in getattr(exp, "bases", ()) if b.file not in scenarios]
    more = [(exp.file, f"the experiment file {str(exp.file)!r}")]
    more += [(site, f"the site file {str(site)!r} of a factor") for site in _factor_site_files(exp)]
    _check_targets({"--output": output, "--plot": plot}, scenarios, more)
    root = os.path.realpath(store)
    for option, target in (("--output", output), ("--plot", plot)):
        if target is None:
            continue
        where = os.path.realpath(target)
        if where == root or where.startswith(root.rstrip(os.sep) + os.sep):
            raise ConfigError(
                f"cannot write {str(target)!r}: it is inside the run store {str(store)!r}, "
                "which the experiment writes itself",
                path=option,
            )


def _factor_site_files(exp: LoadedExperiment) -> list[Path]:
    """Return the site files named as values of a ``site`` factor or in a ``runs:`` point."""
    cfg = exp.config
    values: list[Any] = []
    for path, given in (cfg.factors or {}).items():
        if path == "site" and isinstance(given, list):
            values += given
    for point in (cfg.runs or {}).values():
        if "site" in point:
            values.append(point["site"])
    base = exp.file.parent
    return [Path(v) if Path(v).is_absolute() else base / v for v in values if isinstance(v, str)]


def _print_plan(
    exp: LoadedExperiment, specs: Sequence[RunSpec], fmt: str, output: Path | None
) -> None:
    """Print the expanded runs of an experiment (``--plan``), and how many replications start.

    With ``precision`` a run starts at ``precision.min`` replications, with ``select`` at
    its first stage; more follow as they ask. A search (``optimize``) has no list of runs
    before it runs: its variables and budget are printed instead.
    """
    cfg = exp.config
    start = _starting_replications(exp)
    if cfg.optimize is not None:
        rows: list[dict[str, Any]] = []
        search: dict[str, Any] | None = {
            "method": cfg.optimize.method,
            "budget": cfg.optimize.budget,
            "variables": {
                path: v if isinstance(v, str) else v.model_dump()
                for path, v in cfg.optimize.variables.items()
            },
        }
    else:
        search = None
        rows = [
            {
                "id": s.id,
                "scenario": s.scenario,
                "label": s.label,
                "factors": s.factors,
                "replications": start if start is not None else s.config.run.replications,
                "seed": s.config.run.seed,
            }
            for s in specs
        ]
    factors = list(dict.fromkeys(k for s in specs for k in s.factors))
    labels = any(s.label for s in specs)
    if fmt == "json":
        from simline.report.output import dumps_json

        obj: dict[str, Any] = {"experiment": cfg.experiment, "runs": rows}
        if search is not None:
            obj["optimize"] = search
        text = dumps_json(obj)
    elif fmt == "csv":
        import csv

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["id", "scenario", "label", *factors, "replications", "seed"])
        for row, s in zip(rows, specs, strict=True):
            cells = [_plan_cell(s.factors.get(f, "")) for f in factors]
            writer.writerow(
                [s.id, s.scenario, s.label or "", *cells, row["replications"], row["seed"]]
            )
        text = buf.getvalue()
    else:
        from rich.text import Text

        if search is not None:
            lines = [f"A search ({search['method']}) of at most {search['budget']} runs over:"]
            lines += [f"  {path}: {_plan_cell(v)}" for path, v in search["variables"].items()]
            renderable: Any = Text("\n".join(lines))
        else:  # split over several tables, never cut, to fit the width (the run id repeated)
            from simline.report._layout import FitTable

            columns = ["run", "scenario", *(["label"] if labels else []), *factors, "reps"]
            table = FitTable(
                f"{len(specs)} runs",
                [(c, "right" if c == "reps" else "left") for c in columns],
                caption=_start_note(exp) or None,
            )
            for row, s in zip(rows, specs, strict=True):
                label = [s.label or ""] if labels else []
                cells = [_plan_cell(s.factors.get(f, "")) for f in factors]
                table.add_row(s.id, s.scenario, *label, *cells, str(row["replications"]))
            renderable = table
        if output is not None:
            _commit([(output, _text_writer(_render_text(renderable)))])
        else:
            _print_rich(renderable)
        return
    if output is not None:
        _commit([(output, _text_writer(text))])
    else:
        _write_stdout(text)


def _starting_replications(exp: LoadedExperiment) -> int | None:
    """Return the replications a run starts with when the experiment decides them."""
    cfg = exp.config
    if cfg.precision is not None:
        return int(cfg.precision.min)
    if cfg.select is not None and cfg.optimize is None:
        return int(cfg.select.first_stage)
    return None


def _start_note(exp: LoadedExperiment) -> str:
    cfg = exp.config
    if cfg.precision is not None:
        p = cfg.precision
        return (
            f"reps: to start with; more in rounds until the 95 % CI of {p.figure} is narrow "
            f"enough, at most {p.max} per run"
        )
    if cfg.select is not None:
        return (
            "reps: the first stage of the selection; then one more per round for the runs "
            f"still in contention, at most {cfg.select.max} per run"
        )
    return ""


def _plan_cell(value: Any) -> str:
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, sort_keys=True)
    return str(value)


@contextlib.contextmanager
def _experiment_progress(
    name: str, quiet: bool, show_bar: bool, store: Path
) -> Iterator[Callable[[ExperimentProgress], None]]:
    """Say what the experiment will run (unless -q), and show its progress on a terminal.

    On an interruption (Ctrl-C, SIGTERM), one line says how many replications are safe in
    the store and that the same command goes on from there.
    """
    announced = False
    last: ExperimentProgress | None = None
    console: Any = None

    def say(text: str) -> None:
        if console is not None:
            console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            click.echo(text, err=True)

    def announce(p: ExperimentProgress) -> None:
        nonlocal announced, last
        last = p
        if announced or quiet:
            return
        announced = True
        held = f"{p.from_store} in the store already"
        if p.search is not None:
            what = f"a search of at most {p.search} runs"
        else:
            runs = f"{p.runs} run{'s' if p.runs != 1 else ''}"
            more = "" if p.final else " to start with (more as precision or selection asks)"
            what = f"{runs}, {p.total} replications{more}"
        say(f"simline: experiment {name}: {what}; {held}")

    try:
        if not show_bar:
            yield announce
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("replications"),
            TextColumn("{task.fields[failed]}"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            console = bar.console
            task = bar.add_task(name, total=None, failed="")

            def progress(p: ExperimentProgress) -> None:
                announce(p)
                failed = f"{p.failed} runs failed" if p.failed else ""
                bar.update(task, completed=p.done, total=p.total, failed=failed)

            yield progress
    except KeyboardInterrupt:
        console = None
        if last is not None:
            were = "replication is" if last.done == 1 else "replications are"
            click.echo(
                f"simline: {last.done} of {last.total} {were} in the run store "
                f"{str(store)!r}; the same command goes on from there",
                err=True,
            )
        raise
