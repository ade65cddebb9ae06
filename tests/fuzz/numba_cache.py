"""The fast engine's Numba cache, for the cases that need it.

:func:`warm` compiles the two kernels once into the checkout's own cache (next to the
package), so that the cases that run the fast engine measure a run, not a compile.
:func:`copy_cache` copies that cache into a directory laid out as ``NUMBA_CACHE_DIR``
expects, so a case can damage its own copy (issue item 21) without touching the real one.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.fuzz.harness import ROOT, child_env

KERNELS = ROOT / "simline" / "kernels"
IN_TREE = KERNELS / "__pycache__"


def warm(timeout: float = 600.0) -> None:
    """Compile (or load) both fast kernels in this checkout's cache; idempotent."""
    from tests.fuzz.cases import TINY, TWO_PRODUCTS

    with tempfile.TemporaryDirectory(prefix="simline-warm-") as tmp:
        for name, text in (("serial.yaml", TINY), ("events.yaml", TWO_PRODUCTS)):
            path = Path(tmp) / name
            path.write_text(text)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "simline",
                    "run",
                    str(path),
                    "--backend",
                    "fast",
                    "-q",
                    "-j",
                    "1",
                ],
                env=child_env(),
                capture_output=True,
                timeout=timeout,
                check=False,
            )


def cache_subdir(cache_dir: Path) -> Path:
    """Where Numba looks for the kernels' cache under ``NUMBA_CACHE_DIR=cache_dir``."""
    source_dir = str(KERNELS)
    return cache_dir / f"{KERNELS.name}_{hashlib.sha1(source_dir.encode()).hexdigest()}"


def copy_cache(cache_dir: Path) -> list[Path]:
    """Copy the checkout's kernel cache under ``cache_dir``; return the files copied."""
    if not any(IN_TREE.glob("*.nbi")):
        warm()
    dest = cache_subdir(cache_dir)
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in sorted(IN_TREE.iterdir()):
        if path.suffix in (".nbi", ".nbc"):
            copied.append(Path(shutil.copy2(path, dest / path.name)))
    return copied
