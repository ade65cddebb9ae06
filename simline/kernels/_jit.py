"""The one place that sets Numba's compile options for every kernel."""

from __future__ import annotations

from typing import Any

from numba import njit as _numba_njit

__all__ = ["JIT_OPTIONS", "is_cached", "njit", "njit_inline"]

#: Cached on disk (compile once), no GIL (parallel replications in threads), strict IEEE
#: arithmetic (the same numbers as the JIT-off run), numpy's error model (no ZeroDivisionError
#: checks on the hot path).
JIT_OPTIONS: dict[str, Any] = {
    "cache": True,
    "nogil": True,
    "fastmath": False,
    "error_model": "numpy",
}


def njit(func: Any) -> Any:
    """Compile ``func`` with :data:`JIT_OPTIONS`."""
    return _numba_njit(**JIT_OPTIONS)(func)


def njit_inline(func: Any) -> Any:
    """Compile ``func`` with :data:`JIT_OPTIONS`, inlined into its callers by Numba.

    For the small helpers of a big kernel: inlined, a call passes no arrays, so it pays no
    reference counting (LLVM alone does not inline every call in a kernel that large).
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
