"""The engines' figures before and after a change, from one run: BASE against the working tree.

``python benchmarks/engine_report.py BASE [--rounds N] [--json FILE] [--quick]`` (also
``nox -s engine_report -- BASE``) measures, for the git revision BASE and for this working
tree (HEAD), the figures issue #11 asks of the event kernel's rewrite:

(a) fast / des: the fast engine's time per replication over the SimPy engine's, on the general
    line (``benchmarks/scenarios/general-line.yaml``, the event kernel) and on every shipped
    scenario (``configs/*.yaml``, ``configs/reshoring/*.yaml``) with the kernel the fast
    engine picks for it (``tandem``, the recursion, or ``events``), and the transfer line
    forced onto the event kernel. The shipped scenarios run at most a day of warm-up and a
    week measured (as ``benchmarks/test_users.py`` runs the SimPy engine), the general line
    as it is; both engines run the same plan.
(b) events/s on the general line: the event kernel's own count (``ci[C_EVENTS]``, returned
    as ``RunResult.events``: one per event popped from its heap) and the SimPy engine's
    (``RunResult.events``: the SimPy events the environment processed, i.e. its event
    counter minus the events still queued, minus the events that stopped ``env.run``; see
    ``simline.engine.des._processed``), over the process time of the replications.
(c) cold compile of each kernel: a fresh process with an empty ``NUMBA_CACHE_DIR`` runs one
    short replication (a day) forced onto that kernel: the event loop on the general line,
    the recursion on the transfer line. Its CPU time by ``getrusage(RUSAGE_CHILDREN)``
    (imports included) and wall time, and the CPU time of that first call measured inside
    it (the compile, plus the stream seeding's kernels both share, plus a day's run).
(d) warm start-up: ``simline run configs/robot-machining.yaml -r 1 --length 1d -q`` from the
    shell (as the gate runs it), its kernels in the tree's cache: child CPU and wall time.
(e) recursion / bare recursion: the fast engine's recursion on a plain copy of the transfer
    line (its seven stations with exponential process times of their means, every buffer
    ``PLAIN_BUFFER``, no failures, no scrap, as long as the transfer line's run) over the
    bare Numba loop of ``benchmarks/fast_recursion.py`` for as many parts, in the same
    worker. The bare loop is the head's file on both sides: the yardstick, not the code
    under test.

How, with :mod:`benchmarks.gate`'s machinery: the base's files are exported with ``git
archive``; each side has a worker process (``benchmarks/gate_child.py``) with
``PYTHONPATH`` at its tree, replaced every ``--block`` rounds; a round asks both workers for
each workload back to back, in alternating order. Each workload's replications per
measurement are chosen once (from the head's first run) to take about ``TARGET_S`` of
process time, the same on both sides. The shipped scenarios are the base's files (which the
head must read); the general line is the head's copy on both sides (the base may lack it:
it is input data). Every figure is the median over rounds (a ratio: the median of the
per-round ratios, each within one side and one round); the range is printed too. The same
counts on both sides and in every round are checked (a changed count is reported).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: import benchmarks.* from this checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from benchmarks import children, gate

ROOT = gate.ROOT
GENERAL = ROOT / "benchmarks" / "scenarios" / "general-line.yaml"
BARE = ROOT / "benchmarks" / "fast_recursion.py"
#: Every buffer of the plain transfer line (the bare recursion has one size for all).
PLAIN_BUFFER = 6
#: Process time one measurement of a workload aims at (its replications are set from it).
TARGET_S = 0.12
#: The most replications one measurement runs.
MAX_REPLICATIONS = 400
#: The goals of issue #11 (figure: (limit, "<=" or ">=")), printed beside the figures.
GOALS: dict[str, tuple[float, str]] = {
    "fast/des general-line (events)": (1 / 40, "<="),
    "events/s general-line (events)": (8e6, ">="),
    "cold compile events: child CPU s": (10.0, "<="),
    "recursion / bare recursion": (1.2, "<="),
    "start-up: wall s": (1.0, "<="),
}

_PROBE = """
import dataclasses, sys, time
from simline.config import load_scenario
from simline.engine import fast
from simline.plan import compile_plan
plan = compile_plan(load_scenario(sys.argv[1]))
plan = dataclasses.replace(plan, warmup=0.0, length=24.0 / plan.hours_per_unit)
c0, t0 = time.process_time(), time.perf_counter()
r = fast.simulate(plan, 0, kernel=sys.argv[2])
print(time.process_time() - c0, time.perf_counter() - t0, r.good)
"""


def _shipped(configs: Path) -> list[Path]:
    return sorted([*configs.glob("*.yaml"), *(configs / "reshoring").glob("*.yaml")])


def _plain_transfer_line(configs: Path, into: Path) -> tuple[Path, list[float]]:
    """Write the plain copy of the transfer line (see (e)); return its path and the means."""
    from simline.config import load_scenario
    from simline.plan import compile_plan

    plan = compile_plan(load_scenario(configs / "transfer-line.yaml"))
    (product,) = plan.products
    means = [plan.stations[s].process[0].mean for s in product.routing]
    data = {
        "simline": 1,
        "name": "transfer-line-plain",
        "time_unit": "min",
        "run": {"warmup": 0, "length": plan.warmup + plan.length, "replications": 1,
                "seed": plan.seed},
        "release": "saturated",
        "stations": {
            plan.stations[s].name: {
                "kind": "machine",
                "process_time": {"dist": "exponential", "mean": mean},
                "buffer": PLAIN_BUFFER,
            }
            for s, mean in zip(product.routing, means, strict=True)
        },
    }  # fmt: skip
    if plan.hours_per_unit != 1 / 60:
        raise SystemExit("engine report: the transfer line's time unit is no longer min")
    path = into / "transfer-line-plain.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path, means


def _workloads(configs: Path, plain: Path) -> list[dict[str, Any]]:
    """Every workload of (a), (b) and (e) but the bare recursion (it needs a part count)."""
    out: list[dict[str, Any]] = [
        {"name": "des general-line", "config": str(GENERAL), "engine": "des"},
        {"name": "fast general-line", "config": str(GENERAL), "engine": "fast"},
    ]
    for path in _shipped(configs):
        rel = str(path.relative_to(configs))
        tag = rel.removesuffix(".yaml")
        out.append({"name": f"des {tag}", "config": rel, "engine": "des", "short": True})
        out.append({"name": f"fast {tag}", "config": rel, "engine": "fast", "short": True})
        if tag == "transfer-line":
            out.append(
                {"name": f"fast {tag} (events forced)", "config": rel, "engine": "fast",
                 "kernel": "events", "short": True}
            )  # fmt: skip
    out.append({"name": "fast transfer-line-plain", "config": str(plain), "engine": "fast"})
    return out


def _bare_workload(parts: int, means: list[float]) -> dict[str, Any]:
    return {"name": "bare transfer-line-plain", "engine": "bare", "bare": str(BARE),
            "means": means, "buffer": PLAIN_BUFFER, "parts": parts}  # fmt: skip


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"median": None, "min": None, "max": None, "rounds": 0, "values": []}
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "rounds": len(values),
        "values": values,
    }


def _per_replication(side: gate.Side, name: str, n: int) -> list[float]:
    return [s / n for s in side.seconds.get(name, [])]


def _ratio(a: list[float], b: list[float]) -> list[float]:
    return [x / y for x, y in zip(a, b, strict=False) if y > 0.0]


def _cold(side: gate.Side, script: Path, kernel: str, scratch: Path) -> dict[str, Any]:
    """One fresh process with an empty ``NUMBA_CACHE_DIR`` compiling ``kernel``."""
    cache = Path(tempfile.mkdtemp(prefix="numba-", dir=scratch))
    environ = side.env()
    environ["NUMBA_CACHE_DIR"] = str(cache)
    child = children.run(
        children.python("-c", _PROBE, str(script), kernel), environ=environ, cwd=scratch
    )
    cached = any(cache.rglob("*.nbi"))
    shutil.rmtree(cache, ignore_errors=True)
    if child.returncode != 0:
        tail = child.stderr.strip().splitlines()[-1:] or [f"exit {child.returncode}"]
        return {"error": tail[0]}
    first_cpu, first_wall, good = child.stdout.split()
    if not cached:
        return {"error": "the cold process wrote no cache: it did not compile"}
    return {
        "child_cpu_s": child.cpu_s,
        "wall_s": child.wall_s,
        "first_call_cpu_s": float(first_cpu),
        "first_call_wall_s": float(first_wall),
        "good": int(good),
    }


def _start_up(side: gate.Side, configs: Path) -> dict[str, Any]:
    child = children.run(
        children.python("-m", "simline", *gate.STARTUP_ARGS), environ=side.env(), cwd=configs
    )
    if child.returncode != 0:
        tail = child.stderr.strip().splitlines()[-1:] or [f"exit {child.returncode}"]
        return {"error": tail[0]}
    return {"child_cpu_s": child.cpu_s, "wall_s": child.wall_s}


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0.0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4g}"
    return f"{value:.3g}"


def _row(label: str, kernel: str, base: dict[str, Any], head: dict[str, Any]) -> list[str]:
    b, h = base["median"], head["median"]
    goal = GOALS.get(label)
    return [
        label,
        kernel,
        _fmt(b),
        f"{_fmt(base['min'])}-{_fmt(base['max'])}",
        _fmt(h),
        f"{_fmt(head['min'])}-{_fmt(head['max'])}",
        _fmt(h / b) if b and h is not None else "-",
        f"{goal[1]} {_fmt(goal[0])}" if goal else "",
    ]


def _table(rows: list[list[str]]) -> str:
    header = ["figure", "kernel", "base", "base range", "head", "head range", "head/base",
              "goal"]  # fmt: skip
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _figures(
    sides: dict[str, gate.Side],
    workloads: list[dict[str, Any]],
    compiles: dict[str, dict[str, list[dict[str, Any]]]],
    start_ups: dict[str, list[dict[str, Any]]],
) -> tuple[dict[str, Any], list[list[str]]]:
    """The report's figures (for the JSON) and its table rows."""
    reps = {w["name"]: int(w["replications"]) for w in workloads}
    per = {
        label: {w: _per_replication(side, w, n) for w, n in reps.items()}
        for label, side in sides.items()
    }
    figures: dict[str, Any] = {"fast_over_des": {}, "events_per_s": {}, "events_per_part": {}}
    rows: list[list[str]] = []
    for w in workloads:
        name = w["name"]
        if not name.startswith("fast ") or name == "fast transfer-line-plain":
            continue
        scenario = name.removeprefix("fast ").removesuffix(" (events forced)")
        des_name = f"des {scenario}"
        kernels = {label: side.kernels.get(name, "-") for label, side in sides.items()}
        kernel = (
            kernels["head"] if kernels["head"] == kernels["base"] else "/".join(kernels.values())
        )
        label = f"fast/des {scenario}" + (" (forced)" if "forced" in name else "")
        label = f"fast/des {scenario} ({kernel})" if scenario == "general-line" else label
        entry = {side: _stats(_ratio(per[side][name], per[side][des_name])) for side in sides}
        entry["kernel"] = kernels
        figures["fast_over_des"][label] = entry
        rows.append(_row(label, kernel, entry["base"], entry["head"]))
    for name, what in (("fast general-line", "events"), ("des general-line", "des")):
        label = f"events/s general-line ({what})"
        entry = {}
        parts = {}
        for side_label, side in sides.items():
            rates = [
                e / s for e, s in zip(side.events.get(name, []), side.seconds.get(name, []),
                                      strict=False) if s > 0.0
            ]  # fmt: skip
            entry[side_label] = _stats(rates)
            released = [c[1] for c in side.counts.get(name, set())]
            events = side.events.get(name, [])
            parts[side_label] = events[0] / released[0] if events and released else None
        figures["events_per_s"][label] = entry
        figures["events_per_part"][label] = parts
        rows.append(_row(label, what, entry["base"], entry["head"]))
    figures["cold_compile"] = {}
    for kernel, probes in compiles.items():
        for key, label in (("child_cpu_s", "child CPU s"), ("wall_s", "wall s"),
                           ("first_call_cpu_s", "first call CPU s")):  # fmt: skip
            entry = {
                side: _stats([p[key] for p in probes.get(side, []) if key in p]) for side in sides
            }
            figures["cold_compile"].setdefault(kernel, {})[key] = entry
            rows.append(_row(f"cold compile {kernel}: {label}", kernel, entry["base"],
                             entry["head"]))  # fmt: skip
    figures["start_up"] = {}
    for key, label in (("child_cpu_s", "child CPU s"), ("wall_s", "wall s")):
        entry = {
            side: _stats([p[key] for p in start_ups.get(side, []) if key in p]) for side in sides
        }
        figures["start_up"][key] = entry
        rows.append(_row(f"start-up: {label}", "events", entry["base"], entry["head"]))
    entry = {
        side: _stats(
            _ratio(
                per[side].get("fast transfer-line-plain", []),
                per[side].get("bare transfer-line-plain", []),
            )
        )
        for side in sides
    }
    figures["recursion_over_bare"] = entry
    rows.append(_row("recursion / bare recursion", "tandem", entry["base"], entry["head"]))
    figures["seconds_per_replication"] = {
        name: {side: _stats(per[side][name]) for side in sides} for name in reps
    }
    figures["head_over_base_per_workload"] = {
        name: _stats(_ratio(per["head"][name], per["base"][name])) for name in reps
    }
    return figures, rows


def _counts_changed(sides: dict[str, gate.Side], names: list[str]) -> list[str]:
    notes = []
    for name in names:
        base, head = sides["base"].counts.get(name), sides["head"].counts.get(name)
        if head is not None and len(head) > 1:
            notes.append(f"{name}: the head's counts vary between rounds")
        elif base is not None and head is not None and base != head:
            notes.append(f"{name}: counts changed (base {sorted(base)}, head {sorted(head)})")
    return notes


def _head_label() -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return f"{commit[:12]}{' with uncommitted changes' if dirty else ''}"


def main(argv: list[str] | None = None) -> int:
    """Measure and print the report; exit status 0, or 1 if a side failed a workload."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", default="HEAD", help="git revision (default HEAD)")
    parser.add_argument("--rounds", type=int, default=20, help="counted rounds (default 20)")
    parser.add_argument(
        "--block", type=int, default=5, help="rounds per pair of worker processes (default 5)"
    )
    parser.add_argument(
        "--start-ups", type=int, default=10, help="rounds that also time start-up (default 10)"
    )
    parser.add_argument(
        "--compile-rounds", type=int, default=2,
        help="cold compiles of each kernel on each side (default 2; 0 skips them)",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 rounds, 1 of each")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.block, args.start_ups, args.compile_rounds = 2, 2, 1, 1
    commit = gate._resolve(args.base)
    if commit is None:
        print(f"engine report: the base revision {args.base!r} does not exist", file=sys.stderr)
        return 1
    began = time.monotonic()
    load_before = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="simline-report-"))
    sides = {"base": gate.Side("base", scratch / "base"), "head": gate.Side("head", ROOT)}
    try:
        gate._export(commit, scratch / "base")
        configs = sides["base"].tree / "configs"
        plain, means = _plain_transfer_line(configs, scratch)
        workloads = _workloads(configs, plain)
        head_label = _head_label()
        print(
            f"engine report: base {commit[:12]} ({args.base}) against the working tree "
            f"({head_label}), {args.rounds} rounds after a warm-up",
            flush=True,
        )
        for side in sides.values():  # compiles the base's kernels; not counted
            side.start(configs)
        bare: dict[str, Any] | None = None
        for w in workloads:  # the head's first run sets the replications of a measurement
            w["replications"] = 1
            for side in sides.values():
                side.measure(w, record=False)
            answer = sides["head"].measure(w, record=False)
            seconds = answer["seconds"] if answer else TARGET_S
            w["replications"] = max(1, min(MAX_REPLICATIONS, math.ceil(TARGET_S / seconds)))
            if w["name"] == "fast transfer-line-plain" and answer:
                bare = _bare_workload(int(answer["released"]), means)
                bare["replications"] = w["replications"]
        if bare is not None:
            workloads.append(bare)
            for side in sides.values():
                side.measure(bare, record=False)
        start_ups: dict[str, list[dict[str, Any]]] = {"base": [], "head": []}
        for side in sides.values():
            _start_up(side, configs)  # warm the page cache; not counted
        for r in range(args.rounds):
            if r % args.block == 0 and r:
                for side in sides.values():
                    side.stop()
                    side.start(configs)
            if r % args.block == 0:
                for side in sides.values():
                    for w in workloads:
                        side.measure(w, record=False)
            for i, w in enumerate(workloads):
                order = ("base", "head") if (r + i) % 2 == 0 else ("head", "base")
                for label in order:
                    sides[label].measure(w, record=True)
            if r < args.start_ups:
                for label in ("base", "head") if r % 2 == 0 else ("head", "base"):
                    start_ups[label].append(_start_up(sides[label], configs))
            print(f"  round {r + 1}/{args.rounds}", file=sys.stderr, flush=True)
        for side in sides.values():
            side.stop()
        compiles: dict[str, dict[str, list[dict[str, Any]]]] = {"events": {}, "tandem": {}}
        scripts = {"events": GENERAL, "tandem": configs / "transfer-line.yaml"}
        for r in range(args.compile_rounds):
            for k, kernel in enumerate(
                ("events", "tandem") if r % 2 == 0 else ("tandem", "events")
            ):
                for label in ("base", "head") if (r + k) % 2 == 0 else ("head", "base"):
                    probe = _cold(sides[label], scripts[kernel], kernel, scratch)
                    compiles[kernel].setdefault(label, []).append(probe)
                    print(f"  cold compile {kernel} {label}: {probe}", file=sys.stderr, flush=True)
        figures, rows = _figures(sides, workloads, compiles, start_ups)
        notes = _counts_changed(sides, [w["name"] for w in workloads])
        errors = {label: dict(side.errors) for label, side in sides.items()}
        for kind, probes in (("cold compile", compiles), ("start-up", {"": start_ups})):
            for kernel, by_side in probes.items():
                for label, found in by_side.items():
                    for p in found:
                        if "error" in p:
                            errors[label][f"{kind} {kernel}".strip()] = p["error"]
        print(_table(rows))
        for label, failures in errors.items():
            for name, message in failures.items():
                print(f"{label} failed {name}: {message}")
        for note in notes:
            print(f"note: {note}")
        took = time.monotonic() - began
        print(
            f"engine report: {took:.0f} s; medians over rounds, process time per replication; "
            f"load average {load_before[0]:.2f} at the start, {os.getloadavg()[0]:.2f} at the end"
        )
        if args.json:
            out = {
                "base": commit,
                "base_revision": args.base,
                "head": head_label,
                "rounds": args.rounds,
                "block": args.block,
                "start_up_rounds": args.start_ups,
                "compile_rounds": args.compile_rounds,
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "load_average_start": load_before,
                    "load_average_end": os.getloadavg(),
                },
                "took_s": took,
                "replications": {w["name"]: w["replications"] for w in workloads},
                "figures": figures,
                "cold_compile_probes": compiles,
                "start_up_probes": start_ups,
                "events": {label: side.events for label, side in sides.items()},
                "counts": {
                    label: {k: sorted(v) for k, v in side.counts.items()}
                    for label, side in sides.items()
                },
                "errors": errors,
                "notes": notes,
            }
            args.json.write_text(json.dumps(out, indent=1))
        return 1 if any(errors.values()) else 0
    finally:
        for side in sides.values():
            side.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
