"""The contract's output keys in one place (``spec/config.md`` and ``spec/cost.md``), and a
helper that runs the real command line as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Keys of ``simline run --format json``, in the spec's order (``bottleneck`` and ``oee``:
#: simline's extensions, docs/spec-extensions.md).
RUN_KEYS = [
    "scenario",
    "simline_version",
    "backend",
    "time_unit",
    "replications",
    "seed",
    "throughput_per_hour",
    "lead_time",
    "wip",
    "good_parts",
    "scrap_parts",
    "products",
    "stations",
    "bottleneck",
    "oee",
]

#: Keys of each station, in the spec's order: the six states, then the two figures, then
#: simline's ``oee`` (docs/spec-extensions.md).
STATION_KEYS = [
    "busy",
    "setup",
    "blocked",
    "starved",
    "down",
    "off_shift",
    "utilization",
    "parts_out",
    "oee",
]

#: Keys of the ``cost`` block, and of its breakdown.
COST_KEYS = {
    "currency",
    "unit_cost",
    "landed_cost",
    "tco",
    "breakdown",
    "unused_capacity",
    "stations",
    "annual",
    "co2_kg_per_part",
}
BREAKDOWN = {
    "material",
    "labour",
    "equipment",
    "energy",
    "freight",
    "insurance",
    "duty",
    "fees",
    "inventory",
    "carbon",
    "risk",
    "strategic",
}


def run_cli(
    *args: str | Path, cwd: Path = ROOT, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m simline ARGS`` in ``cwd`` (the repository root), as a user would.

    This checkout's simline is imported wherever ``cwd`` is (``PYTHONPATH``).
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "simline", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
        timeout=timeout,
    )
