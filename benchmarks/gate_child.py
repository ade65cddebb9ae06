"""One side of the benchmark gate: a process that times workloads on request.

Started by :mod:`benchmarks.gate` as ``python gate_child.py CONFIGS`` with ``PYTHONPATH`` set
to the tree under test (base or head), so that ``import simline`` takes that tree's code. It
imports nothing else of ours: the tree under test may be older than this file.

It reads one JSON workload per line on standard input and answers each with one JSON line:
the process time of the workload's replications (seeds 0 to n-1, timed together with
``time.process_time``), the parts they made and the events the engine counted
(``RunResult.events``), the kernel that ran (``"des"``, ``"events"``, ``"tandem"``), or the
error that stopped it. A workload's scenario is compiled and run once untimed the first time
it is asked for (which compiles or loads the kernels). The first line it writes names the
``simline`` package it imported.

Optional keys of a workload (for :mod:`benchmarks.engine_report`): ``short`` (at most a day
of warm-up and a week measured, as ``benchmarks/test_users.py`` runs the SimPy engine), and
``engine: "bare"`` with ``bare`` (the path of a ``fast_recursion.py``), ``means``,
``buffer`` and ``parts``: the bare Numba recursion of that file, the same yardstick for every
tree (its parts are ``parts``, its events 0).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


class _Bare:
    """What :func:`_time` reads of a bare recursion's run."""

    def __init__(self, parts: int) -> None:
        self.good = self.released_total = parts
        self.events = 0


def _bare(workload: dict[str, Any]) -> Any:
    import importlib.util

    import numpy as np

    spec = importlib.util.spec_from_file_location("fast_recursion", workload["bare"])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    means = np.asarray(workload["means"], dtype=np.float64)
    parts, buffer = int(workload["parts"]), int(workload["buffer"])

    def once(replication: int) -> Any:
        module.departures(parts, means, buffer, replication)
        return _Bare(parts)

    once(0)
    return once, "bare"


def _prepare(configs: Path, workload: dict[str, Any]) -> Any:
    if workload["engine"] == "bare":
        return _bare(workload)
    import dataclasses

    from simline.config import load_scenario
    from simline.engine import des, fast
    from simline.plan import compile_plan

    plan = compile_plan(load_scenario(configs / workload["config"]))
    if workload.get("short"):
        day = 24.0 / plan.hours_per_unit
        plan = dataclasses.replace(
            plan, warmup=min(plan.warmup, day), length=min(plan.length, 7 * day)
        )
    kernel = workload.get("kernel", "auto")
    ran = "des"
    if workload["engine"] != "des":
        ran = "tandem" if kernel != "events" and fast.tandem_steps(plan) else "events"

    def once(replication: int) -> Any:
        if workload["engine"] == "des":
            return des.simulate(plan, replication)
        return fast.simulate(plan, replication, kernel=kernel)

    once(0)
    return once, ran


def _time(once: Any, replications: int) -> dict[str, Any]:
    start = time.process_time()
    results = [once(i) for i in range(replications)]
    seconds = time.process_time() - start
    return {
        "seconds": seconds,
        "good": int(sum(r.good for r in results)),
        "released": int(sum(r.released_total for r in results)),
        "events": int(sum(getattr(r, "events", 0) for r in results)),
    }


def main(argv: list[str]) -> int:
    """Answer workloads read from standard input, timed on the scenarios in ``argv[1]``."""
    import simline

    configs = Path(argv[1])
    print(json.dumps({"simline": str(Path(simline.__file__).parent)}), flush=True)
    ready: dict[str, Any] = {}
    for line in sys.stdin:
        workload = json.loads(line)
        try:
            name = workload["name"]
            if name not in ready:
                ready[name] = _prepare(configs, workload)
            once, kernel = ready[name]
            answer = _time(once, int(workload["replications"]))
            answer["kernel"] = kernel
        except Exception as exc:  # an older tree may lack what a workload needs
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
