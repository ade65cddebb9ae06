"""Hypothesis over YAML text: the shipped configs, damaged, through the real command line.

``validate`` runs in this process (click's CliRunner: many examples, each in milliseconds);
``run`` runs as a child process under the harness's limits, with ``-o`` and ``--trace`` so
that every example also checks that nothing is written on error. For every input: exit 0 or
2 for ``validate`` (0, 1 or 2 for ``run``), no traceback, and on 2 one line naming the file.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from simline.cli import cli
from simline.errors import MAX_PROBLEMS
from tests.fuzz.harness import ERROR, MAX_LINE, Invocation, bad_characters, expect, run, verdict
from tests.fuzz.mutations import RUN_VALUES, Mutant, mutants

#: Seconds one in-process ``validate`` may take (the slowest shipped config takes 0.05 s).
VALIDATE_SECONDS = 10.0


def invoke(args: list[str]) -> tuple[int, str, str, BaseException | None, float]:
    """Run the CLI in this process: exit code, stdout, stderr, escaped exception, seconds."""
    t0 = time.monotonic()
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # as in a child process: a warning is not an error
        result = CliRunner().invoke(cli, args, catch_exceptions=True)
    seconds = time.monotonic() - t0
    escaped = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.stdout, result.stderr, escaped, seconds


def contract(code: int, stderr: str, *names: str, codes: set[int]) -> list[str]:
    """The generic contract for one file, as :func:`tests.fuzz.harness.verdict` checks it."""
    bad = []
    if code not in codes:
        bad.append(f"exit {code}, expected {sorted(codes)}")
    for word in ("Traceback", "Exception ignored"):
        if word in stderr:
            bad.append(f"{word!r} on stderr")
    chars = bad_characters(stderr)
    if chars:
        bad.append(f"stderr has control/bidi characters {', '.join(chars[:5])}")
    lines = [line for line in stderr.splitlines() if line.strip()]
    if any(len(line) > MAX_LINE for line in lines):
        bad.append(f"a stderr line over {MAX_LINE} characters")
    if code == 2:
        # one error line per problem, each naming the file, up to MAX_PROBLEMS (then a count)
        errors = [line for line in lines if line.startswith(ERROR)]
        counted = lines[len(errors) :] == [] or (
            len(lines) == len(errors) + 1 and lines[-1].startswith("(and ")
        )
        if not errors or not counted or len(errors) > MAX_PROBLEMS:
            bad.append(f"exit 2 with {len(lines)} stderr lines, expected {ERROR!r} lines")
        elif not all(any(n in line for n in names) for line in errors):
            bad.append(f"an error does not name {' or '.join(names)}")
    return bad


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutant=mutants())
def test_validate_mutated_config(mutant: Mutant) -> None:
    with tempfile.TemporaryDirectory(prefix="simline-mutant-") as top:
        path = mutant.write(Path(top))
        code, stdout, stderr, escaped, seconds = invoke(["validate", str(path)])
    bad = contract(code, stderr, path.name, "sites", codes={0, 2})
    if escaped is not None:
        bad.append(f"exception escaped the CLI: {type(escaped).__name__}: {escaped}")
    if code == 0 and path.name not in stdout:
        bad.append("exit 0 without saying the file is ok")
    if seconds > VALIDATE_SECONDS:
        bad.append(f"validate took {seconds:.1f} s")
    assert not bad, f"{mutant.source.name} {list(mutant.steps)}: {stderr[:400]!r}: {bad}"


@pytest.mark.slow
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutant=mutants(values=RUN_VALUES, max_steps=2))
def test_run_mutated_config(mutant: Mutant) -> None:
    """A short run of a damaged config: whatever happens, the contract holds."""
    with tempfile.TemporaryDirectory(prefix="simline-mutant-") as top:
        path = mutant.write(Path(top))
        rel = str(path.relative_to(top))
        invocation = Invocation(
            [
                "run",
                rel,
                "--backend",
                "des",
                "-q",
                "-j",
                "1",
                "-r",
                "1",
                "--length",
                "2h",
                "--warmup",
                "0",
                "--format",
                "json",
                "-o",
                "out.json",
                "--trace",
                "t.csv",
            ],
            Path(top),
            outputs=("out.json", "t.csv"),
        )
        outcome = run(invocation, timeout=60)
    exp = expect(0, 1, 2, names=[(path.name, "sites")], seconds=45, rss_mb=1024, error_lines=None)
    bad = verdict(exp, outcome, outputs=invocation.outputs)
    assert not bad, f"{mutant.source.name} {list(mutant.steps)}: {outcome.stderr[:400]!r}: {bad}"
