"""``simline warmup-cache`` through the real command line, on a cache of the test's own.

Each case runs on a copy of the checkout's Numba cache under ``NUMBA_CACHE_DIR`` in a
temporary directory (``tests/fuzz/numba_cache.py``), so what it compiles or breaks is its
own. The compile is real: the recursion's kernel is removed from the copy and compiled again
(some 7 to 13 s of CPU); the event kernel is compiled too when the checkout's cache lacks it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numba
import pytest

from tests.fuzz.harness import ROOT, child_env
from tests.fuzz.numba_cache import cache_subdir, copy_cache

SCENARIO = (
    "simline: 1\nname: one\nrun: {length: 2h, replications: 2, seed: 3}\n"
    "stations: {m: {kind: machine, process_time: exp(1min)}}\n"
)


def _simline(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simline", *args],
        cwd=ROOT,
        env=child_env({"NUMBA_CACHE_DIR": str(cache)}),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


#: Under ``NUMBA_DISABLE_JIT=1`` (``nox -s coverage``) nothing is compiled or cached.
needs_jit = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="the JIT is off")


@needs_jit
def test_warmup_cache_compiles_what_is_missing_and_a_run_then_compiles_nothing(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "numba-cache"
    copy_cache(cache)
    for path in cache_subdir(cache).glob("tandem._simulate_tandem_kernel*"):
        path.unlink()
    first = _simline("warmup-cache", cache=cache)
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    tandem, events, directory = first.stdout.splitlines()
    assert re.fullmatch(r"tandem: compiled in \d+\.\d s CPU \(\d+\.\d s wall\)", tandem)
    assert re.fullmatch(
        r"events: (already cached|compiled in \d+\.\d s CPU \(\d+\.\d s wall\))", events
    )
    assert directory == f"cache directory: {cache_subdir(cache)}"

    again = _simline("warmup-cache", cache=cache)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        "tandem: already cached",
        "events: already cached",
        directory,
    ]

    # A first run after the warm-up loads the kernel: no compile notice, even without -q.
    scenario = tmp_path / "one.yaml"
    scenario.write_text(SCENARIO)
    run = _simline("run", str(scenario), "--backend", "fast", "--format", "json", cache=cache)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


@needs_jit
def test_a_cache_directory_numba_cannot_write_is_one_line_exit_2(tmp_path: Path) -> None:
    """Numba passes over a NUMBA_CACHE_DIR it cannot write without a word; warmup-cache says so."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    done = _simline("warmup-cache", cache=blocker / "cache")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("simline: error: NUMBA_CACHE_DIR: cannot write the fast ")
    assert str(blocker / "cache") in done.stderr


def test_with_the_jit_off_there_is_nothing_to_cache(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "simline", "warmup-cache"],
        env=child_env({"NUMBA_DISABLE_JIT": "1", "NUMBA_CACHE_DIR": str(tmp_path)}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "simline: error: NUMBA_DISABLE_JIT: the JIT is off, so the fast engine compiles "
        "nothing to cache (unset it)\n"
    )


def test_warmup_cache_help_says_what_it_is_for() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "simline", "warmup-cache", "--help"],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "CI images and Docker builds" in " ".join(done.stdout.split())
