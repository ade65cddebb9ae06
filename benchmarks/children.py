"""Benchmarks of child processes: the child's CPU time, not only this process's.

pytest-benchmark times the benchmarked call with one timer in this process. Run with
``--benchmark-timer=time.process_time`` (as the spread measurement and a gate do), a call that
runs a subprocess then measures only the parent's share of it, waiting for the child: under
a millisecond, whatever the child did (``docs/performance.md``, "Run-to-run spread").

:func:`run` runs one child and measures its CPU time from ``resource.getrusage
(RUSAGE_CHILDREN)`` before and after (the child has been waited for, so its time, and that of
any child of its own it waited for, is counted) and its wall time. :func:`time_children`
makes a benchmark's timer count the children too when it is ``time.process_time``, so that
the benchmark's statistics are the child's CPU time (plus the parent's small share); with
any other timer (the default, ``perf_counter``: wall time) it is left as it is, since wall
time already includes the child. Each subprocess benchmark also stores the child's CPU and
wall time in ``extra_info``.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]


class Child(NamedTuple):
    """One finished child process: its exit status, its output and what it cost."""

    returncode: int
    stdout: str
    stderr: str
    cpu_s: float
    wall_s: float


def children_cpu() -> float:
    """User plus system CPU seconds of every child this process has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_time_with_children() -> float:
    """This process's CPU time plus its waited-for children's (a benchmark timer)."""
    return time.process_time() + children_cpu()


def time_children(benchmark: Any) -> None:
    """Make ``benchmark`` time its children too, when it times process time.

    pytest-benchmark has no public setting for one benchmark's timer; it keeps it in
    ``_timer`` and reads it when a round starts. Should that attribute go, the benchmark
    keeps its timer and the child's time is still in ``extra_info``.
    """
    if getattr(benchmark, "_timer", None) is time.process_time:
        benchmark._timer = process_time_with_children


def env(**overrides: str) -> dict[str, str]:
    """This process's environment with the worktree first on ``PYTHONPATH``, and overrides."""
    out = dict(os.environ)
    path = out.get("PYTHONPATH", "")
    out["PYTHONPATH"] = str(ROOT) + (os.pathsep + path if path else "")
    out.update(overrides)
    return out


def run(
    command: Sequence[str],
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 600.0,
) -> Child:
    """Run ``command`` to its end; return its status, output, CPU time and wall time."""
    cpu0 = children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(
        list(command),
        capture_output=True,
        text=True,
        env=dict(environ) if environ is not None else env(),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - t0
    return Child(proc.returncode, proc.stdout, proc.stderr, children_cpu() - cpu0, wall)


def python(*args: str) -> list[str]:
    """The command running this interpreter with ``args``."""
    return [sys.executable, *args]


def record(benchmark: Any, prefix: str, children: Sequence[Child]) -> None:
    """Store the children's median CPU and wall seconds (and each round's) in ``extra_info``."""
    cpu = [c.cpu_s for c in children]
    wall = [c.wall_s for c in children]
    benchmark.extra_info.update(
        {
            f"{prefix}child_cpu_s": statistics.median(cpu),
            f"{prefix}wall_s": statistics.median(wall),
            f"{prefix}child_cpu_s_rounds": cpu,
            f"{prefix}wall_s_rounds": wall,
        }
    )
