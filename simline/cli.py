"""The ``simline`` command line: parse, call the library, format, map errors to exit codes.

This is the only module that prints or exits. Exit status (``spec/cli.md``): 0 success,
1 a failure while simulating, 2 bad input (a file, an option or a value). Every error the
library raises on purpose (:class:`~simline.errors.SimlineError`) becomes one line on stderr,
``simline: error: <message>``, never a traceback. Heavy imports (numpy, scipy, SimPy, rich)
happen inside the commands, so ``simline --help`` and ``--version`` start fast.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import signal
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import click

from simline import __version__
from simline.errors import ConfigError, SimlineError, SimlineWarning

if TYPE_CHECKING:
    from simline.config import ScenarioConfig
    from simline.engine.results import RunResult
    from simline.plan import Plan

__all__ = ["cli", "main"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: Set this environment variable to see the traceback of an unexpected error (a bug).
DEBUG_ENV = "SIMLINE_DEBUG"


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"simline: error: {message}", err=True)
    sys.exit(code)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread: it stops a run as Ctrl-C does (workers too)."""


def _on_sigterm(signum: int, frame: object) -> None:
    del signum, frame
    raise _Terminated


def _reports_errors(command: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn simline's errors into one line on stderr and their exit status.

    The library's notices (:class:`~simline.errors.SimlineWarning`) are shown the same way,
    as ``simline: <notice>``.
    """

    @functools.wraps(command)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        show = warnings.showwarning
        warnings.showwarning = functools.partial(_show_warning, show)
        try:
            return command(*args, **kwargs)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except SimlineError as err:
            _fail(str(err), err.exit_code)
        except KeyboardInterrupt as err:
            if isinstance(err, _Terminated):
                click.echo("simline: terminated", err=True)
                sys.exit(128 + signal.SIGTERM)
            click.echo("simline: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (``simline run ... | head``): leave quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except Exception as err:
            if os.environ.get(DEBUG_ENV):
                raise
            _fail(
                f"internal error (a bug in simline, please report it; set {DEBUG_ENV}=1 "
                f"for the traceback): {type(err).__name__}: {err}",
                1,
            )
        finally:
            warnings.showwarning = show

    return wrapper


def _show_warning(
    show: Callable[..., None],
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    if issubclass(category, SimlineWarning):
        click.echo(f"simline: {message}", err=True)
    else:
        show(message, category, filename, lineno, file, line)


#: Options that ``run`` and ``compare`` share, defined once.
_BACKEND_OPTION = click.option(
    "--backend",
    type=click.Choice(["auto", "des", "fast"]),
    default="auto",
    show_default=True,
    help="des: the SimPy engine; fast: the Numba engine; auto: fast where the scenario allows it.",
)
_JOBS_OPTION = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help=(
        "Replications in parallel processes (threads for the fast engine when a "
        "replication takes under 2 s), at most one per core available and per "
        "replication  [default: number of cores]"
    ),
)
_QUIET_OPTION = click.option("-q", "--quiet", is_flag=True, help="No progress display.")
_FORCE_OPTION = click.option(
    "--force",
    is_flag=True,
    help="Run even when the run is estimated to take longer than the limit (docs/limits.md).",
)


@click.group(name="simline", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="simline", message="%(prog)s %(version)s")
def cli() -> None:
    """Discrete-event simulation of production lines, driven by YAML scenario files."""


_SCENARIO = click.Path(dir_okay=False, path_type=Path)
_OUTPUT = click.Path(dir_okay=False, path_type=Path)


@cli.command()
@click.argument("config", type=_SCENARIO)
@click.option(
    "-r",
    "--replications",
    type=click.IntRange(min=1),
    metavar="N",
    help="Override run.replications.",
)
@click.option("--seed", type=click.IntRange(min=0), metavar="S", help="Override run.seed.")
@click.option(
    "--length", metavar="D", help="Override run.length (a duration as in the scenario file)."
)
@click.option(
    "--warmup", metavar="D", help="Override run.warmup (a duration as in the scenario file)."
)
@_BACKEND_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table is for people; json is the documented object; csv has one row per figure.",
)
@click.option(
    "-o",
    "--output",
    type=_OUTPUT,
    metavar="PATH",
    help="Write the result there instead of stdout, atomically.",
)
@click.option(
    "--trace",
    type=_OUTPUT,
    metavar="PATH",
    help="Write every event (replication, time, part, product, station, event) as CSV, "
    "or Parquet if PATH ends in .parquet.",
)
@_JOBS_OPTION
@_QUIET_OPTION
@_FORCE_OPTION
@_reports_errors
def run(
    config: Path,
    replications: int | None,
    seed: int | None,
    length: str | None,
    warmup: str | None,
    backend: str,
    fmt: str,
    output: Path | None,
    trace: Path | None,
    jobs: int | None,
    quiet: bool,
    force: bool,
) -> None:
    """Simulate one scenario and print its figures with 95% confidence intervals."""
    scenario = _load(config)
    from simline.experiment.replicate import resolve_backend, run_replications
    from simline.plan import compile_plan
    from simline.stats import summarize

    scenario = _overrides(
        scenario, replications=replications, seed=seed, length=length, warmup=warmup
    )
    plan = compile_plan(scenario)
    for path, option in ((output, "--output"), (trace, "--trace")):
        if path is not None:
            _check_writable_dir(path, option)
    if trace is not None and trace.suffix.lower() not in (".csv", ".parquet"):
        raise ConfigError(f"expected a .csv or .parquet file (got {str(trace)!r})", path="--trace")
    if trace is not None and trace.suffix.lower() == ".parquet":
        _require_pyarrow()
    backend_name, _ = resolve_backend(backend, plan, trace=trace is not None)
    _check_budget(config, plan, backend_name, jobs, force)

    show_progress = not quiet and sys.stderr.isatty()
    if show_progress:
        _announce_compile(backend_name, [plan])
    results = _simulate(
        plan,
        lambda progress: run_replications(
            plan, backend=backend_name, jobs=jobs, trace=trace is not None, progress=progress
        ),
        show_progress,
    )
    summary = summarize(plan, results)
    cost = _cost_block(scenario, results)

    if trace is not None:
        from simline.report.output import write_trace

        _write(trace, lambda: write_trace(trace, results))

    if fmt == "table":
        from simline.report.table import render_table

        renderable = render_table(plan, summary, backend=backend_name)
        if cost is not None:
            from rich.console import Group
            from rich.text import Text

            from simline.report.table import render_cost_table

            renderable = Group(renderable, Text(""), render_cost_table(cost))
        if output is None:
            _print_rich(renderable)
        else:
            _save(output, _render_text(renderable))
        return
    if fmt == "json":
        from simline.report.output import dumps_json, run_to_json

        text = dumps_json(
            run_to_json(plan, summary, backend=backend_name, version=__version__, cost=cost)
        )
    else:
        from simline.report.output import cost_to_csv_rows, rows_to_csv, run_to_csv_rows

        rows = run_to_csv_rows(plan, summary)
        if cost is not None:
            rows += cost_to_csv_rows(plan, cost)
        text = rows_to_csv(rows)
    if output is None:
        click.echo(text, nl=False)
    else:
        _save(output, text)


def _cost_block(scenario: ScenarioConfig, results: list[RunResult]) -> dict[str, Any] | None:
    """Return the ``cost`` block of a run when the scenario has a site (no new simulation)."""
    if getattr(scenario, "site", None) is None:
        return None
    from simline.cost import scenario_cost

    return scenario_cost(scenario, results).to_json()


@cli.command()
@click.argument("configs", nargs=2, required=True, type=_SCENARIO)
@click.argument("more", nargs=-1, type=_SCENARIO)
@click.option(
    "-r",
    "--replications",
    type=click.IntRange(min=1),
    metavar="N",
    help="Replications of every scenario  [default: the first scenario's run.replications]",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    metavar="S",
    help="One seed for all (common random numbers)  [default: the first scenario's run.seed]",
)
@click.option("--length", metavar="D", help="Override run.length of every scenario.")
@click.option("--warmup", metavar="D", help="Override run.warmup of every scenario.")
@_BACKEND_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table is for people; json is the documented object; csv has one row per scenario "
    "and figure, then one per difference against the first.",
)
@click.option(
    "-o", "--output", type=_OUTPUT, metavar="PATH", help="Write the result there, atomically."
)
@_JOBS_OPTION
@_QUIET_OPTION
@_FORCE_OPTION
@click.option(
    "--rate",
    "rates",
    multiple=True,
    metavar="CUR=X",
    help="Exchange rate: one CUR is X of the first scenario's currency (e.g. USD=0.93); "
    "needed for every other currency among the scenarios. Repeatable.",
)
@click.option(
    "--sensitivity",
    is_flag=True,
    help="Vary each cost input between a low and a high value and find where the verdict "
    "flips (no new simulation).",
)
@click.option(
    "--plot",
    type=_OUTPUT,
    metavar="PATH",
    help="Draw the cost breakdown (and the tornado chart with --sensitivity); PNG or SVG by "
    "suffix.",
)
@_reports_errors
def compare(
    configs: tuple[Path, ...],
    more: tuple[Path, ...],
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
    rates: tuple[str, ...],
    sensitivity: bool,
    plot: Path | None,
) -> None:
    """Simulate scenarios with common random numbers and compare them side by side.

    Every scenario runs with the same seed and replications (the first scenario's unless
    given), so the paired differences against the first have tight 95% CIs. With a site in
    every scenario they are compared on cost: money is shown in the first scenario's currency
    (give --rate for any other) and the winner is the lowest TCO per good part. Without a site
    in any they are compared on the line's figures (throughput, lead time, WIP, utilization)
    and the winner is the highest throughput. A winner is significant when the paired 95% CI
    of its margin over the runner-up lies above 0.
    """
    from simline.experiment.replicate import resolve_backend, run_replications
    from simline.plan import compile_plan

    paths = [*configs, *more]
    scenarios = [_load(p) for p in paths]
    costed = _check_sites(paths, scenarios)
    if not costed:
        for given, option in ((rates, "--rate"), (sensitivity, "--sensitivity"), (plot, "--plot")):
            if given:
                raise ConfigError(
                    "is about cost and needs a 'site' in every scenario (none has one)",
                    path=option,
                )
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ConfigError(f"scenario names must differ to be compared (got {', '.join(names)})")
    currency, factors = "", [1.0] * len(scenarios)
    if costed:
        from simline.cost import exchange_rates, parse_rate

        rate_map = dict(parse_rate(text) for text in rates)
        currency, factors = exchange_rates(scenarios, rate_map)
    first = scenarios[0]
    common_seed = first.run.seed if seed is None else seed
    common_reps = first.run.replications if replications is None else replications
    scenarios = [
        _overrides(s, replications=common_reps, seed=common_seed, length=length, warmup=warmup)
        for s in scenarios
    ]
    plans = [compile_plan(s) for s in scenarios]
    for path_opt, option in ((output, "--output"), (plot, "--plot")):
        if path_opt is not None:
            _check_writable_dir(path_opt, option)
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise ConfigError(f"expected a .png or .svg file (got {str(plot)!r})", path="--plot")
    # One engine for all scenarios: the two engines draw different numbers, and common
    # random numbers need the same ones. auto picks fast only if every scenario allows it.
    engines = {resolve_backend(backend, plan)[0] for plan in plans}
    backend_name = engines.pop() if len(engines) == 1 else "des"
    for path, plan in zip(paths, plans, strict=True):
        _check_budget(path, plan, backend_name, jobs, force)
    show_progress = not quiet and sys.stderr.isatty()
    if show_progress:
        _announce_compile(backend_name, plans)

    all_results: list[list[RunResult]] = []
    for plan in plans:

        def run_all(
            progress: Callable[[int, int], None] | None, plan: Plan = plan
        ) -> list[RunResult]:
            return run_replications(plan, backend=backend_name, jobs=jobs, progress=progress)

        all_results.append(_simulate(plan, run_all, show_progress))

    head: dict[str, Any] = {
        "simline_version": __version__,
        "compared_on": "tco" if costed else "throughput_per_hour",
        "seed": common_seed,
        "replications": common_reps,
    }
    if costed:
        from simline.report.compare import cost_comparison

        obj, costs, rows = cost_comparison(
            head,
            scenarios,
            plans,
            all_results,
            factors,
            currency,
            backend_name,
            sensitivity,
            __version__,
        )
        if plot is not None:
            from simline.report.plots import plot_comparison

            _write(plot, lambda: plot_comparison(plot, costs, rows))
    else:
        from simline.report.compare import line_comparison

        obj = line_comparison(head, plans, all_results, backend_name, __version__)
    time_units = [(p.time_unit, p.hours_per_unit) for p in plans]
    if fmt == "table":
        from simline.report.table import render_comparison

        renderable = render_comparison(obj, time_units)
        if output is None:
            _print_rich(renderable)
        else:
            _save(output, _render_text(renderable))
        return
    if fmt == "json":
        from simline.report.output import dumps_json

        text = dumps_json(obj)
    else:
        from simline.report.output import comparison_to_csv_rows, rows_to_csv

        text = rows_to_csv(comparison_to_csv_rows(obj, plans), COMPARE_CSV_COLUMNS)
    if output is None:
        click.echo(text, nl=False)
    else:
        _save(output, text)


#: Columns of ``simline compare --format csv``: ``versus`` is empty on a scenario's own
#: figures and names the first scenario on a difference row.
COMPARE_CSV_COLUMNS: tuple[str, ...] = (
    "scenario",
    "versus",
    "figure",
    "mean",
    "ci95_lo",
    "ci95_hi",
    "unit",
)


def _check_sites(paths: list[Path], scenarios: list[ScenarioConfig]) -> bool:
    """Return whether the scenarios are compared on cost (all have a site) or not (none has).

    Raises
    ------
    ConfigError
        If some have a site and some do not: the first without one is named.
    """
    sited = [s.site is not None for s in scenarios]
    if all(sited) or not any(sited):
        return all(sited)
    missing = sited.index(False)
    with_site = scenarios[sited.index(True)].name
    raise ConfigError(
        f"scenario {scenarios[missing].name!r} has no 'site' but {with_site!r} has one: "
        "give every scenario a site to compare them on cost, or none to compare the lines "
        "alone",
        file=str(paths[missing]),
        path="site",
    )


@cli.command()
@click.argument("configs", nargs=-1, required=True, type=_SCENARIO)
@_reports_errors
def validate(configs: tuple[Path, ...]) -> None:
    """Check scenario files without simulating them; exit 0 if all are valid, 2 otherwise."""
    from simline.plan import compile_plan

    invalid = 0
    for path in configs:
        try:
            compile_plan(_load(path))
        except SimlineError as err:
            click.echo(f"simline: error: {err}", err=True)
            invalid += 1
        else:
            click.echo(f"{path}: ok")
    if invalid:
        sys.exit(2)


@cli.command()
@_reports_errors
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors' YAML completion)."""
    import json

    from simline.config import scenario_json_schema

    click.echo(json.dumps(scenario_json_schema(), indent=2))


def _load(path: Path) -> ScenarioConfig:
    """Load a scenario; a file that cannot be read is bad input too (exit status 2)."""
    if not path.exists():
        raise ConfigError("no such file", file=str(path))
    if not path.is_file():
        raise ConfigError("not a file", file=str(path))
    from simline.config import load_scenario

    try:
        return load_scenario(path)
    except OSError as err:
        raise ConfigError(f"cannot read: {err.strerror or err}", file=str(path)) from err


def _check_budget(path: Path, plan: Plan, backend_name: str, jobs: int | None, force: bool) -> None:
    """Refuse a run that cannot run correctly, or (without ``--force``) would take too long."""
    from simline.engine.budget import check_budget
    from simline.experiment.replicate import available_cores

    cores = available_cores()
    workers = min(cores if jobs is None else jobs, cores, plan.replications)
    try:
        check_budget(plan, backend_name, workers=workers, force=force, file=str(path))
    except ConfigError as err:
        if err.line is None and err.path:  # the plan has no lines: find the key's
            from simline.config.loader import line_of, read_yaml

            with contextlib.suppress(SimlineError):
                err.line = line_of(tuple(err.path.split(".")), read_yaml(path)[1])
        raise ConfigError(err.message, file=err.file, path=err.path, line=err.line) from None


def _overrides(
    scenario: ScenarioConfig,
    *,
    replications: int | None,
    seed: int | None,
    length: str | None,
    warmup: str | None,
) -> ScenarioConfig:
    """Apply the command line's overrides; a bad duration is echoed as the user typed it."""
    import re

    from simline.config import apply_overrides

    try:
        return apply_overrides(
            scenario,
            replications=replications,
            seed=seed,
            length=_duration(length),
            warmup=_duration(warmup),
        )
    except ConfigError as err:
        typed = {"--length": length, "--warmup": warmup}.get(err.path or "")
        if typed is None:
            raise
        message = re.sub(r"\(got [^()]*\)$", f"(got {typed!r})", err.message)
        raise ConfigError(message, path=err.path) from None


def _duration(text: str | None) -> str | float | None:
    """Pass a duration option on as the config expects it: a bare number as a float."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return text.strip()
    return value if math.isfinite(value) else text


def _check_writable_dir(path: Path, option: str) -> None:
    """Fail before simulating if a result could not be written there (exit status 2).

    A target that cannot be written is bad input, like a bad option value: ``-o /proc/version``
    or a path that is a directory is refused with ``cannot write ...`` and exit status 2
    before anything is simulated. The probe creates and removes a temporary file in the
    directory, as the atomic write will (root passes ``os.access`` checks that the write
    itself then fails). A write that fails later anyway (a full disk) is exit status 1.
    """
    import tempfile

    directory = path.parent
    if not directory.is_dir():
        raise ConfigError(f"directory {str(directory)!r} does not exist", path=option)
    if path.is_dir():
        raise ConfigError(f"cannot write {str(path)!r}: it is a directory", path=option)
    if path.exists() and not path.is_file():
        raise ConfigError(f"cannot write {str(path)!r}: not a regular file", path=option)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ConfigError(
            f"cannot write {str(path)!r}: directory {str(directory)!r} is not writable",
            path=option,
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        raise ConfigError(
            f"cannot write {str(path)!r}: {err.strerror or err}", path=option
        ) from None
    os.close(fd)
    Path(probe).unlink(missing_ok=True)


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ConfigError(
            "writing Parquet needs pyarrow (pip install 'simline[parquet]'); "
            "or give the trace a .csv suffix",
            path="--trace",
        ) from None


def _announce_compile(backend_name: str, plans: list[Plan]) -> None:
    """Say on stderr that the fast engine compiles now, when its kernel is not cached yet.

    The first use of a Numba kernel compiles it (the event kernel in about 20 s, the serial
    line recursion in about 5 s); later runs load it from Numba's cache next to the package.
    Without this line a first run would look stuck before its progress bar appears.
    """
    if backend_name != "fast":
        return
    from simline.engine.fast import uncompiled_kernels

    missing = uncompiled_kernels(plans)
    if missing:
        wait = "about 20 s" if "events" in missing else "a few seconds"
        click.echo(
            f"simline: compiling the fast engine, once ({wait}); later runs load it from the cache",
            err=True,
        )


def _simulate(
    plan: Plan,
    run_all: Callable[[Callable[[int, int], None] | None], list[RunResult]],
    show_progress: bool,
) -> list[RunResult]:
    """Run the replications, with a progress bar on stderr when asked."""
    if not show_progress:
        return run_all(None)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("replications"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(plan.name, total=plan.replications)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return run_all(progress)


def _write(path: Path, write: Callable[[], Any]) -> None:
    """Run a write to ``path``; an OS failure is a clear message with exit status 1."""
    try:
        write()
    except OSError as err:
        raise SimlineError(f"cannot write {str(path)!r}: {err.strerror or err}") from err


def _save(path: Path, text: str) -> None:
    from simline.report.output import atomic_write

    _write(path, lambda: atomic_write(path, text))


def _print_rich(renderable: Any) -> None:
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=120, color_system=None)
    console.print(renderable)


def _render_text(renderable: Any) -> str:
    import io

    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None, force_terminal=False).print(renderable)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the ``simline`` console script and ``python -m simline``).

    SIGTERM stops a run as Ctrl-C does: worker processes are ended, one line says so, and
    the exit status is 143.
    """
    signal.signal(signal.SIGTERM, _on_sigterm)
    cli.main(args=argv, prog_name="simline")
