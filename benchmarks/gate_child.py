"""One side of the benchmark gate: a process that times workloads on request.

Started by :mod:`benchmarks.gate` as ``python gate_child.py CONFIGS`` with ``PYTHONPATH`` set
to the tree under test (base or head), so that ``import simline`` takes that tree's code. It
imports nothing else of ours: the tree under test may be older than this file.

It reads one JSON workload per line on standard input and answers each with one JSON line:
the process time of the workload's replications (seeds 0 to n-1, timed together with
``time.process_time``) and the parts they made, or the error that stopped it. A workload's
scenario is compiled and run once untimed the first time it is asked for (which compiles or
loads the kernels). The first line it writes names the ``simline`` package it imported.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def _prepare(configs: Path, workload: dict[str, Any]) -> Any:
    from simline.config import load_scenario
    from simline.engine import des, fast
    from simline.plan import compile_plan

    plan = compile_plan(load_scenario(configs / workload["config"]))
    kernel = workload.get("kernel", "auto")

    def once(replication: int) -> Any:
        if workload["engine"] == "des":
            return des.simulate(plan, replication)
        return fast.simulate(plan, replication, kernel=kernel)

    once(0)
    return once


def _time(once: Any, replications: int) -> dict[str, Any]:
    start = time.process_time()
    results = [once(i) for i in range(replications)]
    seconds = time.process_time() - start
    return {
        "seconds": seconds,
        "good": int(sum(r.good for r in results)),
        "released": int(sum(r.released_total for r in results)),
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
            answer = _time(ready[name], int(workload["replications"]))
        except Exception as exc:  # an older tree may lack what a workload needs
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
