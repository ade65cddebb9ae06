"""No event pushes more events than the kernel's heap keeps in reserve (issue #11).

The event kernel flags an overflow once its heap passes a limit, and stops after the event;
the room above the limit (:func:`simline.kernels.layout.heap_reserve`) must hold every push one
event can make, or the compiled kernel would write past its array. Numba does not check
indices, so ``jit_off_heap.py`` runs the kernel with the JIT off (numpy checks every index)
on generated plans, each with heaps that leave it only a few events below the limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_event_pushes_past_the_reserve_with_the_jit_off() -> None:
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",
            str(ROOT / "tests" / "semantics" / "jit_off_heap.py"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "2 passed" in done.stdout, done.stdout[-2000:]
