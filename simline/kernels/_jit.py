"""The one place that sets Numba's compile options for every kernel."""

from __future__ import annotations

from typing import Any

from numba import njit as _numba_njit

__all__ = ["JIT_OPTIONS", "is_cached", "njit", "njit_inline", "njit_loop"]

#: Cached on disk (compile once), no GIL (parallel replications in threads), strict IEEE
#: arithmetic (the same numbers as the JIT-off run), numpy's error model (no ZeroDivisionError
#: checks on the hot path).
JIT_OPTIONS: dict[str, Any] = {
    "cache": True,
    "nogil": True,
    "fastmath": False,
    "error_model": "numpy",
}


def _no_runtime() -> dict[str, Any]:
    """Numba's option to compile without its runtime, where this Numba version has it.

    ``_nrt`` is a long-standing option (Numba's own answer to reference counting in
    branchy code, numba/numba#2350), but underscored; should it go, the loops compile with
    the runtime: slower, the same numbers.
    """
    try:
        from numba.core.cpu import CPUTargetOptions
    except ImportError:  # pragma: no cover - a Numba without the module
        return {}
    return {"_nrt": False} if hasattr(CPUTargetOptions, "_nrt") else {}


_NO_RUNTIME = _no_runtime()


def njit(func: Any) -> Any:
    """Compile ``func`` with :data:`JIT_OPTIONS`."""
    return _numba_njit(**JIT_OPTIONS)(func)


def njit_loop(func: Any) -> Any:
    """Compile a kernel's main loop with :data:`JIT_OPTIONS` and without reference counting.

    The loops allocate nothing (every array comes from the wrapper), so they need none of
    Numba's runtime; without it no helper inlined into them increments and decrements the
    arrays' reference counts (atomic operations: a third of the run time otherwise). A loop
    that allocated would fail to compile, not run wrong.
    """
    return _numba_njit(**JIT_OPTIONS, **_NO_RUNTIME)(func)


def njit_inline(func: Any) -> Any:
    """Compile ``func`` with :data:`JIT_OPTIONS`, inlined into its callers by Numba.

    For the small helpers of a big kernel (LLVM alone does not inline every call in a
    kernel that large).
    """
    return _numba_njit(inline="always", **JIT_OPTIONS)(func)


def is_cached(kernel: Any) -> bool:
    """Whether Numba's disk cache holds ``kernel`` compiled from its current source.

    Reads the cache index the way Numba does when it loads (an index written for another
    version of the source counts as empty). Numba has no public call for this; should its
    internals change, or the JIT be off, the answer is ``True`` (nothing to announce).
    """
    try:
        return bool(kernel._cache._cache_file._load_index())
    except Exception:  # any change in Numba's internals: assume cached
        return True
