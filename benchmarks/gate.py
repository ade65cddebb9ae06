"""The benchmark regression gate: base against head, interleaved in one job on one machine.

``python benchmarks/gate.py [--base REV]`` (``.ci/run`` runs it after the tests). The base is
``$SIMLINE_BENCH_BASE`` if set, else the commit before ``HEAD``; the head is this working tree.
The base's files are exported from git into a temporary directory, and each side runs in its
own processes with ``PYTHONPATH`` pointing at its tree, on the base's scenario files (which
the head must read: the scenario format only grows).

Each side has a worker process (:mod:`benchmarks.gate_child`) that times a workload's
replications with process time when asked; both are replaced by new ones every few rounds,
so that the luck of one process's memory layout does not bias a side. A round asks both
workers for each workload in turn, back to back and in alternating order, so that a change
in the machine's load falls on both halves of a pair; the first rounds also time a
``simline run`` from the shell on each side (the child's CPU time, from ``getrusage``).
After a warm-up that is not counted (it compiles the base's kernels), each workload's
statistic is the median over the rounds of
head time / base time in that round. The gate fails when that median exceeds the workload's
limit, when the head cannot run a workload the base runs, or when the head's numbers vary
between rounds; it prints its table either way.

The limits come from the ratios' spread with nothing changed, measured on the development
machine (``docs/performance.md``, "The regression gate").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHILD = Path(__file__).resolve().parent / "gate_child.py"

#: name, scenario (relative to configs/), engine, kernel, replications timed together.
#: Each takes about 0.1 s of CPU on the development machine.
WORKLOADS: list[dict[str, Any]] = [
    {"name": "fast robot-machining", "config": "robot-machining.yaml", "engine": "fast",
     "replications": 15},
    {"name": "fast two-product", "config": "two-product.yaml", "engine": "fast",
     "replications": 25},
    {"name": "fast manual-assembly", "config": "manual-assembly.yaml", "engine": "fast",
     "replications": 35},
    {"name": "fast additive-cell", "config": "additive-cell.yaml", "engine": "fast",
     "replications": 45},
    {"name": "fast transfer-line (recursion)", "config": "transfer-line.yaml",
     "engine": "fast", "replications": 15},
    {"name": "fast transfer-line (event kernel)", "config": "transfer-line.yaml",
     "engine": "fast", "kernel": "events", "replications": 4},
    {"name": "des robot-machining", "config": "robot-machining.yaml", "engine": "des",
     "replications": 1},
]  # fmt: skip
STARTUP = "simline run robot-machining (start-up)"
STARTUP_ARGS = ["run", "robot-machining.yaml", "-r", "1", "--length", "1d", "-q"]

#: The most a workload's median ratio (head / base) may reach: 1 + max(0.15, 4 sd), where sd
#: is the standard deviation of that median over 10 runs of the gate with base = head on the
#: development machine under load, 2026-12-02. The floor of 0.15 is about twice the largest
#: deviation of a no-op seen in those and the next runs (0.081: every fast workload of one run
#: moved together). See docs/performance.md, "The regression gate".
LIMITS: dict[str, float] = {
    "fast robot-machining": 1.15,  # sd 0.030
    "fast two-product": 1.15,  # sd 0.026
    "fast manual-assembly": 1.15,  # sd 0.023
    "fast additive-cell": 1.15,  # sd 0.025
    "fast transfer-line (recursion)": 1.15,  # sd 0.010
    "fast transfer-line (event kernel)": 1.15,  # sd 0.022
    "des robot-machining": 1.15,  # sd 0.019
    STARTUP: 1.15,  # sd 0.034
}
#: For a workload added since (measure its spread, then give it its own limit).
DEFAULT_LIMIT = 1.15


@dataclass
class Side:
    """One tree under test, its worker process and its timings (a list per workload).

    ``events`` holds the events each timed measurement counted and ``kernels`` the kernel
    that ran each workload (``benchmarks/engine_report.py`` reports them; the gate does not).
    """

    label: str
    tree: Path
    seconds: dict[str, list[float]] = field(default_factory=dict)
    counts: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    events: dict[str, list[int]] = field(default_factory=dict)
    kernels: dict[str, str] = field(default_factory=dict)
    worker: subprocess.Popen[str] | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(self.tree)
        return env

    def start(self, configs: Path) -> None:
        """Start the worker process that times this side's workloads."""
        self.worker = subprocess.Popen(
            [sys.executable, str(CHILD), str(configs)],
            env=self.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        hello = self._read()
        if (
            hello is not None
            and Path(hello["simline"]).resolve() != (self.tree / "simline").resolve()
        ):
            raise SystemExit(f"gate: the {self.label} side imported {hello['simline']}")

    def _read(self) -> dict[str, Any] | None:
        assert self.worker is not None and self.worker.stdout is not None
        line = self.worker.stdout.readline()
        if not line:
            self.worker.wait()
            return None
        answer: dict[str, Any] = json.loads(line)
        return answer

    def measure(self, workload: dict[str, Any], record: bool) -> dict[str, Any] | None:
        """Time ``workload`` once in the worker, and keep the time if ``record``.

        Returns the worker's answer, or ``None`` if the workload failed (now or before).
        """
        name = workload["name"]
        if name in self.errors:
            return None
        answer = None
        if self.worker is not None and self.worker.poll() is None:
            assert self.worker.stdin is not None
            self.worker.stdin.write(json.dumps(workload) + "\n")
            self.worker.stdin.flush()
            answer = self._read()
        if answer is None:
            self.errors[name] = f"the worker ended (exit {self.worker and self.worker.poll()})"
        elif "error" in answer:
            self.errors[name] = answer["error"]
        elif record:
            self.seconds.setdefault(name, []).append(answer["seconds"])
            self.counts.setdefault(name, set()).add((answer["good"], answer["released"]))
            self.events.setdefault(name, []).append(int(answer.get("events", 0)))
        if answer is None or "error" in answer:
            return None
        self.kernels[name] = str(answer.get("kernel", "?"))
        return answer

    def start_up(self, configs: Path, record: bool) -> None:
        """Run ``simline run`` once from the shell, timed by the child's CPU time."""
        if STARTUP in self.errors:
            return
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(
            [sys.executable, "-m", "simline", *STARTUP_ARGS],
            cwd=configs,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
            self.errors[STARTUP] = tail[0]
        elif record:
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            self.seconds.setdefault(STARTUP, []).append(cpu)

    def stop(self) -> None:
        """End the worker process."""
        if self.worker is not None:
            if self.worker.stdin is not None:
                self.worker.stdin.close()
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.worker.kill()


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def _resolve(revision: str) -> str | None:
    """The commit ``revision`` names, fetching one more commit of history if the clone is
    shallow; ``None`` if there is none."""
    for attempt in range(2):
        try:
            return _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
        except subprocess.CalledProcessError:
            if attempt or _git("rev-parse", "--is-shallow-repository") != "true":
                return None
            subprocess.run(["git", "fetch", "--quiet", "--deepen=1"], cwd=ROOT, check=False)
    return None


def _export(commit: str, into: Path) -> None:
    """Write the files of ``commit`` into ``into`` (no git worktree to clean up after)."""
    into.mkdir(parents=True)
    archive = subprocess.Popen(["git", "archive", commit], cwd=ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit(f"gate: git archive {commit} failed")


def _verdicts(base: Side, head: Side) -> tuple[list[list[str]], bool]:
    rows: list[list[str]] = []
    failed = False
    for name in [w["name"] for w in WORKLOADS] + [STARTUP]:
        limit = LIMITS.get(name, DEFAULT_LIMIT)
        if name in base.errors:
            rows.append([name, "-", "-", "-", "-", f"{limit:.2f}", "not compared: base fails"])
            continue
        if name in head.errors:
            failed = True
            rows.append([name, "-", "-", "-", "-", f"{limit:.2f}", "FAIL: " + head.errors[name]])
            continue
        b, h = base.seconds[name], head.seconds[name]
        ratios = sorted(hh / bb for bb, hh in zip(b, h, strict=True))
        median = statistics.median(ratios)
        verdict = "ok"
        if median > limit:
            failed = True
            verdict = "FAIL: slower"
        if name in head.counts and len(head.counts[name]) > 1:
            failed = True
            verdict = "FAIL: head not deterministic"
        elif name in head.counts and head.counts[name] != base.counts.get(name):
            verdict += " (numbers changed)"
        rows.append(
            [
                name,
                f"{statistics.median(b):.4f}",
                f"{statistics.median(h):.4f}",
                f"{median:.3f}",
                f"{ratios[0]:.3f}-{ratios[-1]:.3f}",
                f"{limit:.2f}",
                verdict,
            ]
        )
    return rows, failed


def _table(rows: list[list[str]]) -> str:
    header = ["workload", "base s", "head s", "head/base", "range", "limit", "verdict"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    """Run the gate; exit status 0 when it passes, 1 when it fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base",
        default=os.environ.get("SIMLINE_BENCH_BASE") or "HEAD~1",
        help="git revision to compare against (default: $SIMLINE_BENCH_BASE or HEAD~1; "
        "'none' skips the gate)",
    )
    parser.add_argument("--rounds", type=int, default=30, help="counted rounds (default 30)")
    parser.add_argument(
        "--block", type=int, default=5, help="rounds per pair of worker processes (default 5)"
    )
    parser.add_argument(
        "--start-ups", type=int, default=10, help="rounds that also time start-up (default 10)"
    )
    parser.add_argument("--json", type=Path, help="also write the timings to this file")
    args = parser.parse_args(argv)
    if args.base == "none":
        print("benchmark gate: skipped (base 'none')")
        return 0
    commit = _resolve(args.base)
    if commit is None:
        if _resolve("HEAD~1") is None and _resolve("HEAD") is not None:
            print(f"benchmark gate: skipped, {args.base} does not exist (the first commit)")
            return 0
        print(f"benchmark gate: the base revision {args.base!r} does not exist", file=sys.stderr)
        return 1
    began = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="simline-gate-"))
    try:
        _export(commit, scratch / "base")
        base = Side("base", scratch / "base")
        head = Side("head", ROOT)
        configs = base.tree / "configs"
        print(
            f"benchmark gate: base {commit[:12]} ({args.base}) against the working tree, "
            f"{args.rounds} rounds after a warm-up",
            flush=True,
        )
        for side in (base, head):  # compiles the base's kernels; not counted
            side.start(configs)
            side.start_up(configs, record=False)
        for r in range(args.rounds):
            if r % args.block == 0 and r:  # new processes: a layout's luck is not one side's
                for side in (base, head):
                    side.stop()
                    side.start(configs)
            if r % args.block == 0:
                for side in (base, head):
                    for workload in WORKLOADS:
                        side.measure(workload, record=False)
            for i, workload in enumerate(WORKLOADS):
                for side in (base, head) if (r + i) % 2 == 0 else (head, base):
                    side.measure(workload, record=True)
            if r < args.start_ups:
                for side in (base, head) if r % 2 == 0 else (head, base):
                    side.start_up(configs, record=True)
            if (r + 1) % args.block == 0 or r + 1 == args.rounds:
                print(f"  round {r + 1}/{args.rounds}", file=sys.stderr, flush=True)
        for side in (base, head):
            side.stop()
        rows, failed = _verdicts(base, head)
        print(_table(rows))
        took = time.monotonic() - began
        print(
            f"benchmark gate: {'FAILED' if failed else 'passed'} in {took:.0f} s "
            "(medians over rounds of head time / base time, process time)"
        )
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "base": commit,
                        "rounds": args.rounds,
                        "seconds": {"base": base.seconds, "head": head.seconds},
                        "errors": {"base": base.errors, "head": head.errors},
                        "failed": failed,
                    },
                    indent=1,
                )
            )
        return 1 if failed else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
