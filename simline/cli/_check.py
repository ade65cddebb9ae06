"""``simline check``: a KPI gate for CI, a candidate scenario against a baseline.

Registered on the ``simline`` group when :mod:`simline.cli` is imported. The work is
:func:`simline.api.check`; here are the options, the checks of the result files (``--junit``,
``--save-baseline``: never an input, written atomically and together), the one line per gate
and exit status 4 when a gate failed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from simline.cli import (
    _BACKEND_OPTION,
    _FORCE_OPTION,
    _JOBS_OPTION,
    _OUTPUT,
    _QUIET_OPTION,
    _SCENARIO,
    _announcer,
    _check_stdout,
    _check_targets,
    _Choice,
    _commit,
    _progress_display,
    _reports_errors,
    _run_size_options,
    _text_writer,
    _write_stdout,
    cli,
)
from simline.errors import ConfigError

__all__: list[str] = []

#: The exit status of a check whose gate failed (``spec/cli.md``).
GATE_FAILED = 4


@cli.command(name="check")
@click.argument(
    "scenarios", nargs=-1, required=True, type=_SCENARIO, metavar="[BASELINE] CANDIDATE"
)
@click.option(
    "--fail-if",
    "gates",
    multiple=True,
    metavar="EXPR",
    help="A gate 'FIGURE < TOL' or 'FIGURE > TOL': fail when the candidate is significantly "
    "lower (<) or higher (>) than the baseline beyond TOL, a signed number in the figure's "
    "unit or a percentage of the baseline ('throughput_per_hour < -1%', 'cost.tco > +0.5'). "
    "Repeatable.",
)
@click.option(
    "--junit",
    type=_OUTPUT,
    metavar="PATH",
    help="Write a JUnit XML report there (one testcase per gate), atomically.",
)
@click.option(
    "--baseline-json",
    "baseline_json",
    type=_SCENARIO,
    metavar="PATH",
    help="Check against a baseline stored with --save-baseline instead of simulating one: "
    "give only CANDIDATE. Its seed, replications, engine, --length/--warmup and simline "
    "version are used; different ones are refused.",
)
@click.option(
    "--save-baseline",
    "save_baseline",
    type=_OUTPUT,
    metavar="PATH",
    help="Write the baseline's per-replication figures there (with its seed, replications, "
    "engine and version) for a later --baseline-json; with BASELINE alone, only that.",
)
@_run_size_options(
    "Replications of both  [default: the baseline's run.replications]",
    "One seed for both (common random numbers)  [default: the baseline's run.seed]",
    "Override run.length of both scenarios.",
    "Override run.warmup of both scenarios.",
    least=2,
)
@_BACKEND_OPTION
@_JOBS_OPTION
@_QUIET_OPTION
@_FORCE_OPTION
@click.option(
    "--format",
    "fmt",
    type=_Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: one line per gate, PASS or FAIL with the change and its bound; json: an "
    "object with every gate, its change, interval and verdict.",
)
@_reports_errors
def check(
    scenarios: tuple[Path, ...],
    gates: tuple[str, ...],
    junit: Path | None,
    baseline_json: Path | None,
    save_baseline: Path | None,
    replications: int | None,
    seed: int | None,
    length: str | None,
    warmup: str | None,
    backend: str,
    jobs: int | None,
    quiet: bool,
    force: bool,
    fmt: str,
) -> None:
    """Fail (exit status 4) when CANDIDATE is significantly worse than BASELINE: a CI gate.

    \b
    simline check BASELINE CANDIDATE --fail-if EXPR... [--junit PATH]
    simline check BASELINE --save-baseline PATH          (store a baseline)
    simline check CANDIDATE --baseline-json PATH --fail-if EXPR...

    Both run with common random numbers (one seed, the same replications, one engine). A
    gate fails only when the one-sided 95% paired confidence bound of the change lies
    beyond its tolerance: for '<' the upper bound below it, for '>' the lower bound above
    it; noise alone does not fail it. A relative tolerance is judged on the change of the
    means relative to the baseline's mean, with a delta-method interval (docs/ci.md).

    \b
    Exit status: 0 every gate passed (or the baseline was stored), 4 a gate failed,
    2 bad input (a file, an option, an expression, a stored baseline that does not
    match), 1 a failure while simulating.
    """  # noqa: D301 (click's \b keeps a paragraph's lines as written)
    _run_check(
        scenarios,
        gates,
        junit=junit,
        baseline_json=baseline_json,
        save_baseline=save_baseline,
        sizes={"replications": replications, "seed": seed, "length": length, "warmup": warmup},
        backend=backend,
        jobs=jobs,
        quiet=quiet,
        force=force,
        fmt=fmt,
    )


def _run_check(
    scenarios: tuple[Path, ...],
    gates: tuple[str, ...],
    *,
    junit: Path | None,
    baseline_json: Path | None,
    save_baseline: Path | None,
    sizes: dict[str, Any],
    backend: str,
    jobs: int | None,
    quiet: bool,
    force: bool,
    fmt: str,
) -> None:
    from simline import api

    only_save = _check_arguments(scenarios, gates, baseline_json, save_baseline)
    _check_stdout()
    inputs = [] if baseline_json is None else [(baseline_json, "the stored baseline")]
    _check_targets({"--junit": junit, "--save-baseline": save_baseline}, list(scenarios), inputs)
    show_progress = not quiet and sys.stderr.isatty()
    with _progress_display(show_progress) as progress:
        if only_save:
            stored = api.simulate_baseline(
                scenarios[0],
                backend=backend,
                jobs=jobs,
                force=force,
                progress=progress,
                before_simulate=_announcer(quiet),
                **sizes,
            )
        else:
            baseline, candidate = (None, scenarios[0]) if baseline_json is not None else scenarios
            outcome = api.check(
                baseline,
                candidate,
                list(gates),
                backend=backend,
                jobs=jobs,
                baseline_json=baseline_json,
                force=force,
                progress=progress,
                before_simulate=_announcer(quiet),
                **sizes,
            )
    if only_save:
        assert save_baseline is not None
        _commit([(save_baseline, _text_writer(stored.to_json()))])
        _write_stdout(
            f"stored baseline {stored.scenario!r}: {stored.replications} replications, "
            f"seed {stored.seed}, {stored.backend} engine, {len(stored.figures)} figures "
            f"-> {save_baseline}\n"
        )
        return
    files: list[tuple[Path, Callable[[Path], Any]]] = []
    if junit is not None:
        files.append((junit, _text_writer(outcome.junit_xml())))
    if save_baseline is not None:
        files.append((save_baseline, _text_writer(outcome.stored.to_json())))
    _commit(files)
    if fmt == "json":
        from simline.report.output import dumps_json

        _write_stdout(dumps_json(outcome.to_dict()))
    else:
        _write_stdout("".join(f"{line}\n" for line in outcome.lines()))
    if not outcome.passed:
        sys.exit(GATE_FAILED)


def _check_arguments(
    scenarios: tuple[Path, ...],
    gates: tuple[str, ...],
    baseline_json: Path | None,
    save_baseline: Path | None,
) -> bool:
    """Check the scenario arguments against the options; return whether only to store a baseline."""
    if baseline_json is not None:
        if len(scenarios) != 1:
            raise ConfigError(
                "with a stored baseline give only the CANDIDATE scenario "
                f"(got {len(scenarios)} scenario files)",
                path="--baseline-json",
            )
        if save_baseline is not None:
            raise ConfigError(
                "a stored baseline is not simulated, so there is none to save",
                path="--save-baseline",
            )
    elif len(scenarios) == 1:
        if save_baseline is None:
            raise ConfigError(
                "give BASELINE and CANDIDATE, or CANDIDATE with --baseline-json, "
                "or BASELINE with --save-baseline (got 1 scenario file)"
            )
        if gates:
            raise ConfigError(
                "storing a baseline checks nothing: give a CANDIDATE too, or leave --fail-if out",
                path="--fail-if",
            )
        return True
    elif len(scenarios) != 2:
        raise ConfigError(f"give BASELINE and CANDIDATE (got {len(scenarios)} scenario files)")
    if not gates:
        raise ConfigError(
            "give one gate or more, e.g. --fail-if 'throughput_per_hour < -1%'",
            path="--fail-if",
        )
    return False
