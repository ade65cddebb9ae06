"""Developer sessions: ``nox -s tests``, ``lint``, ``coverage``, ``bench``, ``bench_compare``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite; benchmarks run once each as correctness tests."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff (lint and format), the layering of DESIGN.md (import-linter) and mypy --strict."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", "simline", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "simline", "tests", "benchmarks", "noxfile.py")
    session.run("lint-imports")
    session.run("mypy")


@nox.session(python=PYTHON)
def coverage(session: nox.Session) -> None:
    """Coverage with the JIT off, so that the kernels' Python lines are measured too."""
    session.install("-e", ".[dev]", "pytest-cov")
    session.run(
        "python",
        "-m",
        "pytest",
        "--cov=simline",
        "--cov-report=term-missing",
        *session.posargs,
        env={"NUMBA_DISABLE_JIT": "1"},
    )


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Time the benchmarks and save the run (medians are what to quote)."""
    session.install("-e", ".[dev]")
    session.run(
        "python",
        "-m",
        "pytest",
        "benchmarks",
        "-n",
        "0",
        "--benchmark-enable",
        "--benchmark-only",
        "--benchmark-autosave",
        "--benchmark-columns=min,median,max,rounds",
        *session.posargs,
    )


@nox.session(python=PYTHON)
def bench_compare(session: nox.Session) -> None:
    """Benchmark BASE (a git revision, default main) and the working tree in one job.

    ``nox -s bench_compare -- BASE``. Both are measured on this machine in this run with
    process time, and the run fails if a stable benchmark's mean got more than 5 % slower.
    """
    base = session.posargs[0] if session.posargs else "main"
    storage = Path(tempfile.mkdtemp(prefix="simline-bench-"))
    worktree = storage / "base"
    session.run("git", "worktree", "add", "--detach", str(worktree), base, external=True)
    try:
        common = [
            "python",
            "-m",
            "pytest",
            "benchmarks",
            "-n",
            "0",
            "--benchmark-enable",
            "--benchmark-only",
            "--benchmark-timer=time.process_time",
            f"--benchmark-storage=file://{storage}",
            "-m",
            "stable",
        ]
        session.install("-e", str(worktree))
        session.run(*common, "--benchmark-save=base", env={"PYTHONPATH": str(worktree)})
        session.install("-e", ".")
        session.run(*common, "--benchmark-compare=0001", "--benchmark-compare-fail=mean:5%")
    finally:
        session.run("git", "worktree", "remove", "--force", str(worktree), external=True)
        os.environ.pop("PYTHONPATH", None)
