"""The ``simline`` command line: parse, call the library, format, map errors to exit codes.

This is the only module that prints or exits. Exit status (``spec/cli.md``): 0 success,
1 a failure while simulating, 2 bad input (a file, an option or a value), 4 a gate of
``simline check`` failed. Every error the
library raises on purpose (:class:`~simline.errors.SimlineError`) and every usage error of
click becomes one line on stderr, ``simline: error: <message>`` (control and bidi characters
escaped, long values cut: :func:`~simline.errors.printable`), never a traceback or a usage
block. A lost write is never success: a result that cannot be written in full to stdout
(closed, a full disk) is exit status 1 with one line, one cut off by a reader that left
(``| head``) a quiet exit status 1. Result files (``-o``, ``--trace``, ``--plot``) are
checked before simulating (not an input of the run, writable, not read-only) and written
atomically, together (``/dev/null`` or a named pipe directly). Heavy imports (numpy, scipy,
SimPy, rich) happen inside the commands, so ``simline --help`` and ``--version`` start fast.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import click

from simline import __version__
from simline.errors import ConfigError, SimlineError, SimlineWarning, printable

if TYPE_CHECKING:
    from simline.api import RunOutcome
    from simline.config import ScenarioConfig
    from simline.engine.results import RunResult
    from simline.plan import Plan
    from simline.warmup_advice import WarmupAdvice

__all__ = ["cli", "main"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: Set this environment variable to see the traceback of an unexpected error (a bug).
DEBUG_ENV = "SIMLINE_DEBUG"


def _say_error(message: str) -> None:
    """Write ``simline: error: MESSAGE`` on stderr as one safe line (see ``printable``)."""
    try:
        click.echo(f"simline: error: {printable(message)}", err=True)
    except (OSError, ValueError):
        # stderr is gone too: the exit status is all that is left to say it.
        _silence(2)


def _say_warning(file: Path | str, message: str) -> None:
    """Write ``simline: warning: FILE: MESSAGE`` on stderr (shown under ``-q`` too)."""
    try:
        click.echo(f"simline: warning: {printable(f'{file}: {message}')}", err=True)
    except (OSError, ValueError):
        _silence(2)


def _fail(message: str, code: int) -> NoReturn:
    _say_error(message)
    sys.exit(code)


def _say_errors(err: SimlineError) -> None:
    """Say an error on stderr; a config error of several problems as one line each."""
    for line in err.lines() if isinstance(err, ConfigError) else [str(err)]:
        _say_error(line)


def _silence(fd: int) -> None:
    """Point a standard stream's file descriptor at the null device after it failed.

    Python flushes ``sys.stdout`` once more at exit; onto a full disk or a closed pipe that
    would print ``Exception ignored ...``. Only a descriptor that is still the stream's own
    is redirected (with stdout closed at start, fd 1 may be a file simline opened).
    """
    stream = sys.stdout if fd == 1 else sys.stderr
    try:
        if stream is None or stream.fileno() != fd:
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError):
        return
    os.dup2(devnull, fd)
    os.close(devnull)


class _StdoutError(SimlineError):
    """The result cannot go to standard output (closed, full, an I/O error): exit 1."""

    def __init__(self, why: str) -> None:
        super().__init__(f"cannot write the result to standard output: {why}")


def _check_stdout() -> None:
    """Fail before simulating when standard output is closed (``simline run x.yaml >&-``)."""
    if sys.stdout is None:
        raise _StdoutError("it is closed")


def _write_stdout(text: str) -> None:
    """Write text to stdout in full, or fail: a lost write is never success.

    The bytes go to the file descriptor with ``os.write`` until all are written, because
    Python's buffered stdout drops the rest of a short write (a reader that went away mid
    write, ``| head -c 10``) without an error. A full disk or an I/O error is
    :class:`_StdoutError` (exit status 1, one line); a closed pipe is ``BrokenPipeError``,
    which :func:`_reports_errors` turns into a quiet exit status 1.
    """
    stream = sys.stdout
    if stream is None:
        raise _StdoutError("it is closed")
    try:
        stream.flush()
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError) as err:
        if isinstance(err, BrokenPipeError):
            raise
        if isinstance(err, OSError) and not isinstance(err, io.UnsupportedOperation):
            _silence(1)
            raise _StdoutError(_strerror(err)) from None
        # Not a file (click's test runner, a StringIO): its own write is all there is.
        stream.write(text)
        stream.flush()
        return
    data = memoryview(text.encode(stream.encoding or "utf-8", stream.errors or "strict"))
    try:
        while data:
            data = data[os.write(fd, data) :]
    except BrokenPipeError:
        raise
    except OSError as err:
        _silence(1)
        raise _StdoutError(_strerror(err)) from None


def _strerror(err: OSError) -> str:
    """Return the reason of an OS error in lower case: ``no space left on device``."""
    why = err.strerror or str(err)
    return why[:1].lower() + why[1:]


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
            _say_errors(err)
            sys.exit(err.exit_code)
        except KeyboardInterrupt as err:
            if isinstance(err, _Terminated):
                click.echo("simline: terminated", err=True)
                sys.exit(128 + signal.SIGTERM)
            click.echo("simline: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (``simline run ... | head``): leave quietly, but not with
            # success, since part of the result was lost.
            _silence(1)
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


class _WholeNumber(click.ParamType):  # type: ignore[type-arg]
    """A whole number of at least ``minimum``; anything else is refused in one sentence."""

    name = "integer"

    def __init__(self, minimum: int) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        expected = f"expected a whole number >= {self.minimum}"
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            if not text.lstrip("+-").isdigit() or not text.isascii():
                self.fail(f"{expected} (got {value!r})", param, ctx)
            number = int(text)
        if number < self.minimum:
            self.fail(f"{expected} (got {number})", param, ctx)
        return number


class _Choice(click.Choice):  # type: ignore[type-arg]
    """One of a few words; anything else is refused naming them all."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            words = ", ".join(str(c) for c in self.choices)
            self.fail(f"expected one of {words} (got {value!r})", param, ctx)


def _param_hint(param: click.Parameter) -> str:
    """How the command line names a parameter: ``-j/--jobs``, or ``CONFIG`` for an argument."""
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return (param.human_readable_name or param.name or "argument").upper()


def _sentence(text: str) -> str:
    """Click's message as a clause of one line: lower case first, no final full stop."""
    text = " ".join(text.split())
    text = text[:-1] if text.endswith(".") else text
    return text[:1].lower() + text[1:]


def _usage_message(err: click.UsageError) -> str:
    """Click's usage error as one line naming the option, the value and what was expected."""
    ctx = err.ctx
    see = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    if _too_few_scenarios(err):
        return f"CONFIG: expected two scenario files or more{see}"
    if isinstance(err, click.MissingParameter) and err.param is not None:
        kind = "option" if isinstance(err.param, click.Option) else "argument"
        return f"{_param_hint(err.param)}: missing {kind}{see}"
    if isinstance(err, click.BadParameter) and err.param is not None:
        return f"{_param_hint(err.param)}: {_sentence(err.message)}"
    if isinstance(err, click.NoSuchOption):
        guess = sorted(err.possibilities or ())
        hint = f"; did you mean {' or '.join(guess)}?" if guess else ""
        return f"{err.option_name}: no such option{see}{hint}"
    if isinstance(err, click.BadOptionUsage):
        message = _sentence(err.message).removeprefix(f"option {err.option_name!r} ")
        return f"{err.option_name}: {message}"
    if isinstance(err, click.BadArgumentUsage):
        # "argument 'configs' takes 2 values": named as the usage line names it
        name, _, rest = _sentence(err.message).removeprefix("argument ").partition(" ")
        return f"{name.strip(chr(39)).upper()}: {rest}{see}"
    if isinstance(err, click.exceptions.NoArgsIsHelpError) or not err.message:
        names = ", ".join(sorted(cli.commands))
        return f"missing command (one of {names}){see}"
    message = _sentence(err.message)
    if message.startswith("no such command"):
        message += f" (commands: {', '.join(sorted(cli.commands))})"
        return message
    return f"{message}{see}"


def _too_few_scenarios(err: click.UsageError) -> bool:
    """Whether ``err`` is click's word for ``compare`` given fewer than two scenarios."""
    if isinstance(err, click.MissingParameter):
        return (
            err.ctx is not None
            and err.ctx.command.name == "compare"
            and err.param is not None
            and err.param.name == "configs"
        )
    # The parser's word (no context): compare's is the only argument of two values.
    return isinstance(err, click.BadArgumentUsage) and "'configs' takes 2" in err.message


class _Group(click.Group):
    """The ``simline`` group: every usage error is one line ``simline: error: ...``, exit 2.

    Click prints a usage block and ``Error: ...`` on three lines; simline treats a bad
    option like every other bad input. The usage text is shown on ``--help`` only.
    """

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as err:
            _fail(_usage_message(err), 2)
        except click.ClickException as err:
            _fail(_sentence(err.format_message()), err.exit_code)
        except click.exceptions.Abort:
            _fail("interrupted", 130)
        except BrokenPipeError:
            # click's own output (--help, --version) to a reader that went away
            _silence(1)
            sys.exit(1)
        except OSError as err:
            # click writes --help and --version itself: onto a full disk, say so in one line
            _silence(1)
            _fail(str(_StdoutError(_strerror(err))), 1)
        sys.exit(rv if isinstance(rv, int) else 0)


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
        try:
            click.echo(f"simline: {printable(str(message))}", err=True)
        except (OSError, ValueError):
            _silence(2)
    else:
        show(message, category, filename, lineno, file, line)


#: Options that ``run`` and ``compare`` share, defined once.
_BACKEND_OPTION = click.option(
    "--backend",
    type=_Choice(["auto", "des", "fast"]),
    default="auto",
    show_default=True,
    help="des: the SimPy engine; fast: the Numba engine; auto: fast where the scenario allows it.",
)
_JOBS_OPTION = click.option(
    "-j",
    "--jobs",
    type=_WholeNumber(1),
    metavar="N",
    help=(
        "Replications in parallel processes (threads for the fast engine when a "
        "replication takes under 2 s), at most one per core available and per "
        "replication  [default: number of cores]"
    ),
)
_QUIET_OPTION = click.option(
    "-q", "--quiet", is_flag=True, help="No progress display, no notice of a first compile."
)
_FORCE_OPTION = click.option(
    "--force",
    is_flag=True,
    help="Run even when the run is estimated to take longer than the limit (docs/limits.md).",
)


_REPORT_OPTION = click.option(
    "--report",
    type=click.Path(path_type=Path, readable=False),
    metavar="PATH",
    help="Also write a self-contained HTML report (figures, charts, warnings, cost), atomically.",
)

#: Bins of WIP and throughput over time that ``run --report`` keeps when --series is not given.
REPORT_BINS = 200


@click.group(name="simline", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="simline", message="%(prog)s %(version)s")
def cli() -> None:
    """Discrete-event simulation of production lines, driven by YAML scenario files."""


def _run_size_options(
    replications: str, seed: str, length: str, warmup: str, *, least: int = 1
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """``-r``, ``--seed``, ``--length`` and ``--warmup``, defined once, each command's help."""
    options = (
        click.option(
            "-r", "--replications", type=_WholeNumber(least), metavar="N", help=replications
        ),
        click.option("--seed", type=_WholeNumber(0), metavar="S", help=seed),
        click.option("--length", metavar="D", help=length),
        click.option("--warmup", metavar="D", help=warmup),
    )

    def apply(command: Callable[_P, _R]) -> Callable[_P, _R]:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


# No checks by click: a file that cannot be read or written is refused by simline itself, in
# one line that says what the path is (a directory, a device, read-only, ...).
_SCENARIO = click.Path(path_type=Path, readable=False)
_OUTPUT = click.Path(path_type=Path, readable=False)


@cli.command()
@click.argument("config", type=_SCENARIO)
@_run_size_options(
    "Override run.replications.",
    "Override run.seed.",
    "Override run.length (a duration as in the scenario file).",
    "Override run.warmup (a duration as in the scenario file).",
)
@_BACKEND_OPTION
@click.option(
    "--format",
    "fmt",
    type=_Choice(["table", "json", "csv"]),
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
@click.option(
    "--series",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Keep WIP and throughput over time in N bins of the whole run (warm-up included); "
    "in JSON as 'series'.",
)
@_REPORT_OPTION
@click.option(
    "--warmup-advice",
    is_flag=True,
    help="Suggest a warm-up by MSER-5 on WIP and throughput over time (on stderr, and in JSON "
    "as 'warmup_advice'); warn if the configured one is shorter. Never changes it.",
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
    series: int,
    report: Path | None,
    warmup_advice: bool,
    jobs: int | None,
    quiet: bool,
    force: bool,
) -> None:
    """Simulate one scenario and print its figures with 95% confidence intervals."""
    from simline import api

    if output is None:
        _check_stdout()

    def check_files(plans: Sequence[Plan]) -> None:
        _check_targets({"--output": output, "--trace": trace, "--report": report}, [config])
        _check_trace_suffix(trace)
        _check_report_suffix(report)

    show_progress = not quiet and sys.stderr.isatty()
    with _progress_display(show_progress) as progress:
        outcome = api.run(
            config,
            replications=replications,
            seed=seed,
            length=length,
            warmup=warmup,
            backend=backend,
            jobs=jobs,
            trace=trace is not None,
            force=force,
            progress=progress,
            on_compiled=check_files,
            before_simulate=_announcer(quiet),
            series=series or (REPORT_BINS if report is not None and not warmup_advice else 0),
            warmup_advice=warmup_advice,
        )
    for warning in outcome.warnings:
        _say_warning(config, warning)
    if outcome.warmup_advice is not None:
        _say_advice(config, outcome.warmup_advice, outcome.plan.hours_per_unit)
    if series and fmt != "json" and report is None and not quiet:
        click.echo(
            "simline: the series (--series) is in the JSON output (--format json) and the "
            "--report page; this output has none",
            err=True,
        )
    files: list[tuple[Path, Callable[[Path], Any]]] = []
    if trace is not None:
        from simline.report.output import write_trace_file

        parquet = trace.suffix.lower() == ".parquet"
        results = outcome.results
        files.append((trace, lambda tmp: write_trace_file(tmp, results, parquet=parquet)))
    if report is not None:
        files.append((report, _text_writer(_run_report(config, outcome))))
    if fmt == "table":
        renderable = _run_table(outcome)
        if output is not None:
            files.append((output, _text_writer(_render_text(renderable))))
        _commit(files)
        if output is None:
            _print_rich(renderable)
        return
    if fmt == "json":
        from simline.report.output import dumps_json

        obj = outcome.to_dict()
        if not series and not warmup_advice:
            obj.pop("series", None)  # kept for --report only
        text = dumps_json(obj)
    else:
        from simline.report.output import rows_to_csv

        text = rows_to_csv(outcome.rows())
    if output is not None:
        files.append((output, _text_writer(text)))
    _commit(files)
    if output is None:
        _write_stdout(text)


def _say_advice(config: Path, advice: WarmupAdvice, hours_per_unit: float) -> None:
    """Say MSER-5's warm-up advice on stderr: a warning when the warm-up looks too short."""
    from simline.report.table import readable_duration

    def d(t: float) -> str:
        return readable_duration(t * hours_per_unit)

    found = (
        f"warm-up advice (MSER-5): truncate at {d(advice.truncation)} "
        f"(WIP {d(advice.wip)}, throughput {d(advice.throughput)}"
        + ("; the line's shift pattern may make it later than needed)" if advice.shifts else ")")
    )
    if not advice.clear:
        _say_warning(
            config,
            f"{found}: no settled stretch found in the first half of the run; run longer "
            "(or the line never settles)",
        )
    elif advice.sufficient:
        click.echo(f"simline: {found}; the warm-up, {d(advice.configured)}, covers it", err=True)
    else:
        _say_warning(
            config,
            f"{found}; the warm-up, {d(advice.configured)}, is shorter, so the figures carry "
            f"start-up bias: set run.warmup to {d(advice.truncation)} or more",
        )


def _check_trace_suffix(trace: Path | None) -> None:
    """Refuse a trace file that is neither CSV nor Parquet, or Parquet without pyarrow."""
    if trace is not None and trace.suffix.lower() not in (".csv", ".parquet"):
        raise ConfigError(f"expected a .csv or .parquet file (got {str(trace)!r})", path="--trace")
    if trace is not None and trace.suffix.lower() == ".parquet":
        _require_pyarrow()


def _check_report_suffix(report: Path | None) -> None:
    if report is not None and report.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(f"expected a .html file (got {str(report)!r})", path="--report")


def _run_report(config: Path, outcome: RunOutcome) -> str:
    """Return the HTML page of ``run --report`` (:mod:`simline.report.html`)."""
    from simline.report.html import run_report

    return run_report(
        outcome.to_dict(),
        plan=outcome.plan,
        results=outcome.results,
        warnings=outcome.warnings,
        source=str(config),
        description=getattr(outcome.scenario, "description", "") or "",
    )


def _run_table(outcome: RunOutcome) -> Any:
    """Build the table of ``simline run``: the line's figures, then the cost block's if any."""
    from simline.report.table import render_table

    renderable = render_table(outcome.plan, outcome.summary, backend=outcome.backend)
    if outcome.cost is None:
        return renderable
    from rich.console import Group
    from rich.text import Text

    from simline.report.table import render_cost_table, render_futures_table

    cost = render_cost_table(outcome.cost, hours_per_unit=outcome.plan.hours_per_unit)
    parts = [renderable, Text(""), cost]
    if outcome.cost.get("uncertainty"):
        hours = outcome.plan.hours_per_unit
        parts += [Text(""), render_futures_table(outcome.cost, hours_per_unit=hours)]
    return Group(*parts)


@cli.command()
# Two scenarios at least: two arguments, named in the usage line as one would say it.
@click.argument("configs", nargs=2, required=True, type=_SCENARIO, metavar="CONFIG CONFIG")
@click.argument("more", nargs=-1, type=_SCENARIO, metavar="[CONFIG]...")
@click.option(
    "-r",
    "--replications",
    type=_WholeNumber(1),
    metavar="N",
    help="Replications of every scenario  [default: the first scenario's run.replications]",
)
@click.option(
    "--seed",
    type=_WholeNumber(0),
    metavar="S",
    help="One seed for all (common random numbers)  [default: the first scenario's run.seed]",
)
@click.option("--length", metavar="D", help="Override run.length of every scenario.")
@click.option("--warmup", metavar="D", help="Override run.warmup of every scenario.")
@_BACKEND_OPTION
@click.option(
    "--format",
    "fmt",
    type=_Choice(["table", "json", "csv"]),
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
    help="Draw the cost breakdown (and the tornado chart with --sensitivity); PNG, SVG, PDF "
    "(or EPS, PS, JPEG, TIFF, WebP) by suffix.",
)
@_REPORT_OPTION
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
    report: Path | None,
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
    from simline import api

    paths = [*configs, *more]
    if output is None:
        _check_stdout()

    def check_files(plans: Sequence[Plan]) -> None:
        _check_targets({"--output": output, "--plot": plot, "--report": report}, paths)
        _check_report_suffix(report)
        if plot is not None:
            from simline.report.plots import plot_format

            plot_format(plot)

    show_progress = not quiet and sys.stderr.isatty()
    with _progress_display(show_progress) as progress:
        outcome = api.compare(
            paths,
            replications=replications,
            seed=seed,
            length=length,
            warmup=warmup,
            backend=backend,
            jobs=jobs,
            rates=rates,
            sensitivity=sensitivity,
            force=force,
            progress=progress,
            cost_options=["--plot"] if plot is not None else [],
            on_compiled=check_files,
            before_simulate=_announcer(quiet),
        )
    for path, warning in outcome.warnings:
        _say_warning(path, warning)
    if plot is not None and outcome.costs is not None:
        from simline.report.plots import plot_comparison

        costs, rows, futures = list(outcome.costs), outcome.sensitivity, outcome.futures
        _write(
            plot,
            lambda: plot_comparison(plot, costs, None if rows is None else list(rows), futures),
        )
    obj = outcome.to_dict()
    files: list[tuple[Path, Callable[[Path], Any]]] = []
    if report is not None:
        from simline.report.html import compare_report

        page = compare_report(
            obj,
            plans=outcome.plans,
            costs=outcome.costs,
            sensitivity=outcome.sensitivity,
            futures=outcome.futures,
            warnings=outcome.warnings,
            sources=[str(p) for p in paths],
        )
        files.append((report, _text_writer(page)))
    if fmt == "table":
        from simline.report.table import render_comparison

        time_units = [(p.time_unit, p.hours_per_unit) for p in outcome.plans]
        renderable = render_comparison(obj, time_units)
        if output is not None:
            files.append((output, _text_writer(_render_text(renderable))))
        _commit(files)
        if output is None:
            _print_rich(renderable)
        return
    if fmt == "json":
        from simline.report.output import dumps_json

        text = dumps_json(obj)
    else:
        from simline.report.output import rows_to_csv

        text = rows_to_csv(outcome.rows(), api.COMPARE_CSV_COLUMNS)
    if output is not None:
        files.append((output, _text_writer(text)))
    _commit(files)
    if output is None:
        _write_stdout(text)


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
            _say_errors(err)
            invalid += 1
        else:
            _write_stdout(f"{printable(str(path))}: ok\n")
    if invalid:
        sys.exit(2)


@cli.command()
@_reports_errors
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors' YAML completion)."""
    import json

    from simline.config import scenario_json_schema

    _write_stdout(json.dumps(scenario_json_schema(), indent=2) + "\n")


def _load(path: Path) -> ScenarioConfig:
    """Load a scenario; a file that cannot be read is bad input too (exit status 2)."""
    from simline.api import load

    return load(path)


def _check_targets(
    targets: dict[str, Path | None],
    scenarios: list[Path],
    more: Sequence[tuple[Path, str]] = (),
) -> None:
    """Fail before simulating if a result file could not or must not be written (exit 2).

    A result file is refused when it is an input of the run (a scenario file or the site
    file one names: ``simline run a.yaml -o a.yaml`` would overwrite the scenario with its
    results), when two options name the same file, and when it cannot be written
    (see :func:`simline.report.output.check_target`).
    """
    given = {option: path for option, path in targets.items() if path is not None}
    if not given:
        return
    from simline.report.output import check_target

    inputs: list[tuple[Path, str]] = list(more)
    for scenario in scenarios:
        inputs.append((scenario, f"the scenario file {str(scenario)!r}"))
        site = _site_file(scenario)
        if site is not None:
            inputs.append((site, f"the site file of {str(scenario)!r}"))
    done: list[tuple[Path, str]] = []
    for option, path in given.items():
        check_target(path, option, inputs=inputs, others=done)
        done.append((path, option))


def _site_file(scenario: Path) -> Path | None:
    """Return the site file a scenario names (``site:`` given as a path), if any.

    Read again from the file only when a result file is given, to refuse writing onto it;
    the scenario was loaded already, so a failure here only means there is nothing to check.
    """
    from simline.config.loader import read_yaml

    try:
        data, _ = read_yaml(scenario)
    except Exception:  # the loaded scenario had no readable site path
        return None
    site = data.get("site") if isinstance(data, dict) else None
    if not isinstance(site, str):
        return None
    path = Path(site)
    return path if path.is_absolute() else scenario.parent / path


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ConfigError(
            "writing Parquet needs pyarrow (pip install 'simline[parquet]'); "
            "or give the trace a .csv suffix",
            path="--trace",
        ) from None


def _announcer(quiet: bool) -> Callable[[str, Sequence[Plan]], None] | None:
    """Return the ``before_simulate`` step of the commands: the compile notice, unless quiet."""
    if quiet:
        return None
    return lambda backend_name, plans: _announce_compile(backend_name, list(plans))


def _announce_compile(backend_name: str, plans: list[Plan]) -> None:
    """Say on stderr that the fast engine compiles now, when a kernel it needs is not cached.

    One line, before the compile starts, whether or not stderr is a terminal (a CI log shows
    it too); the figure is the measured one (:func:`simline.engine.warmup.compile_notice`).
    Without it a first run would look stuck, its progress bar at 0.
    """
    if backend_name != "fast":
        return
    from simline.engine.fast import uncompiled_kernels
    from simline.engine.warmup import compile_notice

    missing = uncompiled_kernels(plans)
    if missing:
        try:
            click.echo(compile_notice(missing), err=True)
        except (OSError, ValueError):
            _silence(2)


@contextlib.contextmanager
def _progress_display(show: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """Yield a progress callback (label, done, total) that draws a bar on stderr, or ``None``.

    Each scenario gets its own transient bar, named after it, when its first report comes.
    """
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
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
    current: list[tuple[str, Progress, TaskID]] = []

    def progress(label: str, done: int, total: int) -> None:
        if not current or current[0][0] != label:
            while current:
                current.pop()[1].stop()
            bar = Progress(*columns, console=Console(stderr=True), transient=True)
            bar.start()
            current.append((label, bar, bar.add_task(label, total=total)))
        _, bar, task = current[0]
        bar.update(task, completed=done, total=total)

    try:
        yield progress
    finally:
        while current:
            current.pop()[1].stop()


def _simulate(
    plan: Plan,
    run_all: Callable[[Callable[[int, int], None] | None], list[RunResult]],
    show_progress: bool,
) -> list[RunResult]:
    """Run one plan's replications with ``run_all(progress)``, under the progress display."""
    with _progress_display(show_progress) as progress:
        if progress is None:
            return run_all(None)
        return run_all(functools.partial(progress, plan.name))


def _write(path: Path, write: Callable[[], Any]) -> None:
    """Run a write to ``path``; an OS failure is a clear message with exit status 1."""
    try:
        write()
    except OSError as err:
        raise SimlineError(f"cannot write {str(path)!r}: {err.strerror or err}") from err


def _text_writer(text: str) -> Callable[[Path], None]:
    from simline.report.output import write_data

    return lambda tmp: write_data(tmp, text)


def _commit(files: list[tuple[Path, Callable[[Path], Any]]]) -> None:
    """Write result files together: all of them, or (on any failure) none (exit status 1).

    Each is written to a temporary file beside it; only when all are written are they
    renamed into place (:func:`simline.report.output.atomic_paths`), so a full disk while
    writing the result leaves no trace file and every earlier file untouched.
    """
    if not files:
        return
    from simline.report.output import atomic_paths

    current = files[-1][0]
    try:
        with atomic_paths([path for path, _ in files]) as tmps:
            for (path, write), tmp in zip(files, tmps, strict=True):
                current = path
                write(tmp)
            current = files[-1][0]
    except OSError as err:
        raise SimlineError(f"cannot write {str(current)!r}: {err.strerror or err}") from err


def _print_rich(renderable: Any) -> None:
    """Print a table: in colour on a terminal, else as plain text through :func:`_write_stdout`."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        _write_stdout(_render_text(renderable))
        return
    console.print(renderable)
    _write_stdout("")


def _render_text(renderable: Any) -> str:
    """Render plain text for a pipe or a file: ``COLUMNS`` wide when it is set, else 120."""
    import io

    from rich.console import Console

    buf = io.StringIO()
    width = _text_width()
    Console(file=buf, width=width, color_system=None, force_terminal=False).print(renderable)
    return buf.getvalue()


def _text_width() -> int:
    """Return the width of text not for a terminal: ``COLUMNS`` if a positive number, else 120."""
    columns = os.environ.get("COLUMNS", "").strip()
    return int(columns) if columns.isdigit() and int(columns) > 0 else 120


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the ``simline`` console script and ``python -m simline``).

    SIGTERM stops a run as Ctrl-C does: worker processes are ended, one line says so, and
    the exit status is 143.
    """
    _hold_closed_descriptors()
    signal.signal(signal.SIGTERM, _on_sigterm)
    cli.main(args=argv, prog_name="simline")


def _hold_closed_descriptors() -> None:
    """Put the null device on fd 1 and 2 when they are closed at start (``simline ... >&-``).

    Python then has ``sys.stdout = None`` (which :func:`_write_stdout` reports), but the
    next file simline opened, a scenario or a result's temporary file, would get fd 1, and
    anything written to fd 1 (by a library, a worker process) would land in that file.
    """
    for fd in (1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


# The experiment, check, sites and warmup-cache commands live in their own modules; importing
# registers them.
from simline.cli import _cache, _check, _experiment, _plot_trace, _sites  # noqa: E402, F401
