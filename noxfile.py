"""Developer sessions: ``nox -s tests``, ``lint``, ``coverage``, ``bench``, ``bench_compare``,
``engine_report``."""

from __future__ import annotations

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
    """The benchmark gate of ``.ci/run``: BASE (a git revision, default HEAD~1) against the
    working tree, interleaved in one job on this machine (``benchmarks/gate.py``).

    ``nox -s bench_compare -- BASE``; it fails on a slow-down beyond the measured noise.
    """
    session.install("-e", ".[dev]")
    base = session.posargs[0] if session.posargs else "HEAD~1"
    session.run("python", "benchmarks/gate.py", "--base", base, *session.posargs[1:])


@nox.session(python=PYTHON)
def engine_report(session: nox.Session) -> None:
    """The engines' figures for BASE (a git revision, default HEAD) and the working tree,
    from one interleaved run (``benchmarks/engine_report.py``; about 11 min on 2 cores,
    ``--quick`` for a smoke run of about 4 min).

    ``nox -s engine_report -- BASE [--json FILE] [--rounds N] [--quick]``.
    """
    session.install("-e", ".[dev]")
    session.run("python", "benchmarks/engine_report.py", *session.posargs)
