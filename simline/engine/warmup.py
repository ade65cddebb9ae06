"""Compiling the fast engine's kernels ahead of a run, and saying when a run will compile them.

The fast engine has two Numba kernels (:data:`KERNELS`): ``"events"``, the event loop of
:mod:`simline.kernels.line`, and ``"tandem"``, the departure-time recursion of
:mod:`simline.kernels.tandem`. Each is compiled on its first use and kept in Numba's disk
cache (:func:`cache_directory`); later processes load it. The first compile is long
(:data:`COMPILE_CPU_SECONDS`), so the command line says so before it starts
(:func:`compile_notice`), and :func:`warm_up` compiles both up front, for CI images and
Docker builds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from simline.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from simline.plan import Plan

__all__ = [
    "BOTH_CPU_SECONDS",
    "COMPILE_CPU_SECONDS",
    "KERNELS",
    "Compiled",
    "cache_directory",
    "compile_notice",
    "is_cached",
    "warm_up",
]

#: The kernels of the fast engine, by the names :func:`simline.engine.fast.simulate` forces,
#: in the order :func:`warm_up` compiles them (the recursion first: the event kernel then
#: finds the random streams' functions compiled, and both take less in all).
KERNELS = ("tandem", "events")

#: CPU seconds of a kernel's first compile on an empty cache, measured on a 2-core machine
#: with :func:`warm_up` and by ``benchmarks/engine_report.py`` (docs/performance.md): the
#: event kernel 44-53 s, the recursion 9-13 s (the low ends on a quiet machine). The event
#: kernel takes 36-39 s when the recursion is cached already (they share the random streams).
#: Wall time is longer on a busy machine.
COMPILE_CPU_SECONDS = {"events": 50.0, "tandem": 12.0}

#: CPU seconds of compiling both from an empty cache (measured 48-61 s, by the order).
BOTH_CPU_SECONDS = 55.0


class Compiled(NamedTuple):
    """What compiling a kernel took: CPU seconds (every thread) and wall seconds."""

    cpu: float
    wall: float


def _kernel(name: str) -> Any:
    """Return the Numba dispatcher whose cache holds kernel ``name``."""
    if name == "events":
        from simline.kernels import line

        return line._simulate
    if name == "tandem":
        from simline.kernels import tandem

        return tandem._simulate_tandem_kernel
    raise ValueError(f"'kernel' must be one of {', '.join(KERNELS)} (got {name!r})")


def is_cached(kernel: str) -> bool:
    """Whether kernel ``kernel`` (one of :data:`KERNELS`) is in Numba's cache, compiled.

    ``True`` means a run loads it; ``False``, that a run compiles it first.
    """
    from simline.kernels import line, tandem

    _kernel(kernel)  # refuses an unknown name
    return bool(line.compiled() if kernel == "events" else tandem.compiled())


def compile_notice(kernels: Iterable[str]) -> str:
    """Return the one line that says the kernels ``kernels`` are about to be compiled.

    The figure is the measured compile time from an empty cache (:data:`COMPILE_CPU_SECONDS`,
    :data:`BOTH_CPU_SECONDS` when both are missing): an honest upper figure on an idle
    machine, since the event kernel takes less when the recursion is cached already.
    """
    names = sorted(set(kernels))
    if not names:
        raise ValueError("'kernels' must name at least one kernel (got none)")
    for name in names:
        _kernel(name)
    seconds = BOTH_CPU_SECONDS if len(names) > 1 else COMPILE_CPU_SECONDS[names[0]]
    return (
        f"simline: compiling the fast engine once: about {seconds:.0f} s of CPU (more on a busy "
        "machine); later runs load it from the cache; `simline warmup-cache` does it ahead"
    )


def cache_directory() -> Path:
    """Return the directory Numba caches the kernels in.

    Numba takes the first of these it can write: ``$NUMBA_CACHE_DIR`` (a copy of the
    package's path under it), the ``__pycache__`` beside the kernels' source, the user's
    cache directory. Both kernels live in one package, so they share it.

    Raises
    ------
    ConfigError
        If Numba found no directory it can write (the kernels cannot be imported then), or
        the JIT is off (``NUMBA_DISABLE_JIT``: nothing is compiled).
    """
    from simline.kernels._jit import _cache_dir

    directory = _cache_dir(_import_kernel("events"))
    if directory is None:  # the JIT is off: nothing is cached
        raise ConfigError(
            "the JIT is off, so the fast engine compiles nothing to cache (unset it)",
            path="NUMBA_DISABLE_JIT",
        )
    return directory


def _import_kernel(name: str) -> Any:
    """Return kernel ``name``; a cache Numba cannot place is bad input, not a bug."""
    try:
        return _kernel(name)
    except RuntimeError as err:
        if "no locator available" not in str(err):
            raise
        raise ConfigError(
            "no writable directory for the fast engine's cache (neither the package's "
            "__pycache__ nor the user's cache directory); set NUMBA_CACHE_DIR to one",
            path="NUMBA_CACHE_DIR",
        ) from None


def _check_cache_dir(directory: Path) -> None:
    """Refuse a ``NUMBA_CACHE_DIR`` that Numba passed over because it could not write it.

    Numba then caches elsewhere without a word, and an image built with the variable set
    would start every container with a cold cache.
    """
    wanted = os.environ.get("NUMBA_CACHE_DIR")
    if not wanted:
        return
    root = Path(wanted).expanduser().resolve()
    if root not in directory.resolve().parents:
        raise ConfigError(
            f"cannot write the fast engine's cache under {wanted!r} "
            f"(Numba would cache in {str(directory)!r} instead); make it a writable directory",
            path="NUMBA_CACHE_DIR",
        )


def _tiny_plan(kernel: str) -> Plan:
    """Return a one-station saturated line measured for ten minutes: a run that only compiles.

    With two servers the recursion refuses it, so only ``"events"`` runs it; ``"tandem"``
    gets one server.
    """
    from simline.config.parse import parse_scenario
    from simline.plan import compile_plan

    servers = 2 if kernel == "events" else 1
    scenario = parse_scenario(
        {
            "simline": 1,
            "name": f"warmup-{kernel}",
            "time_unit": "min",
            "run": {"warmup": 0, "length": 10, "replications": 1, "seed": 1},
            "stations": {"m": {"kind": "machine", "process_time": 1.0, "servers": servers}},
        },
        source="<warm-up>",
    )
    return compile_plan(scenario)


def warm_up(kernels: Iterable[str] = KERNELS) -> dict[str, Compiled | None]:
    """Compile every kernel of ``kernels`` that is not in Numba's cache yet.

    Each is compiled by running a tiny plan through :func:`simline.engine.fast.simulate`
    with that kernel forced.

    Returns
    -------
    dict
        Per kernel, in the order given: what its compile took (:class:`Compiled`), or
        ``None`` if it was cached already.

    Raises
    ------
    ConfigError
        If the cache cannot be written: ``NUMBA_CACHE_DIR`` names a directory Numba cannot
        write, there is no writable directory at all, or the compiled kernel did not reach
        the cache; or the JIT is off.
    """
    from simline.engine import fast

    names = list(dict.fromkeys(kernels))
    for name in names:
        _import_kernel(name)
    directory = cache_directory()
    _check_cache_dir(directory)
    done: dict[str, Compiled | None] = {}
    for name in names:
        if is_cached(name):
            done[name] = None
            continue
        plan = _tiny_plan(name)
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            fast.simulate(plan, 0, kernel=name)
        except OSError as err:  # Numba could not write the cache files
            raise ConfigError(
                f"cannot write the fast engine's cache in {str(directory)!r}: "
                f"{err.strerror or err}",
                path="NUMBA_CACHE_DIR",
            ) from None
        done[name] = Compiled(time.process_time() - cpu, time.perf_counter() - wall)
        if not is_cached(name):
            raise ConfigError(
                f"the {name} kernel was compiled but did not reach the cache in "
                f"{str(directory)!r}; make it writable or set NUMBA_CACHE_DIR",
                path="NUMBA_CACHE_DIR",
            )
    return done
