"""The 10-station benchmark line, and a minimal hand-written SimPy model of the same line.

Ten machines in series, saturated release, exponential process times of mean 1 min (the
fourth is the bottleneck at 1.1 min), buffers of 5 places, exponential failures counted in
operating time (MTBF 10 h, MTTR 10 min). The hand-written model is what a SimPy user would
write for this one line and nothing else: no statistics beyond the count of finished parts,
no warm-up, no products. It is the yardstick for the engine's overhead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import simpy

STATIONS = 10
MEANS = [1.1 if i == 3 else 1.0 for i in range(STATIONS)]
BUFFER = 5
MTBF = 600.0
MTTR = 10.0


def scenario(length_min: float) -> dict[str, Any]:
    """The line as a scenario mapping (time unit min)."""
    return {
        "simline": 1,
        "name": "line10",
        "time_unit": "min",
        "run": {"warmup": 0, "length": length_min, "replications": 1, "seed": 1},
        "stations": {
            f"m{i}": {
                "kind": "machine",
                "process_time": {"dist": "exponential", "mean": MEANS[i]},
                "buffer": BUFFER,
                "failures": {"mtbf": MTBF, "mttr": MTTR, "basis": "operating"},
            }
            for i in range(STATIONS)
        },
    }


def handwritten(length_min: float, seed: int = 1) -> int:
    """Simulate the line with plain SimPy; return the number of parts finished."""
    env = simpy.Environment()
    rng = np.random.default_rng(seed)
    stores = [simpy.Store(env, capacity=BUFFER) for _ in range(STATIONS)]
    done = [0]

    def machine(i: int) -> Any:
        mean = MEANS[i]
        ttf = rng.exponential(MTBF)
        while True:
            if i > 0:
                yield stores[i].get()
            work = rng.exponential(mean)
            while work > 0.0:
                if ttf >= work:
                    yield env.timeout(work)
                    ttf -= work
                    work = 0.0
                else:
                    yield env.timeout(ttf)
                    work -= ttf
                    yield env.timeout(rng.exponential(MTTR))
                    ttf = rng.exponential(MTBF)
            if i + 1 < STATIONS:
                yield stores[i + 1].put(1)
            else:
                done[0] += 1

    for i in range(STATIONS):
        env.process(machine(i))
    env.run(until=length_min)
    return done[0]
