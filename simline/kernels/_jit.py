"""The one place that sets Numba's compile options for every kernel."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

from numba import njit as _numba_njit
from numba.core import types

__all__ = [
    "JIT_OPTIONS",
    "SOURCE_STAMP",
    "damaged_cache_files",
    "is_cached",
    "njit",
    "njit_inline",
    "njit_kernel",
    "njit_loop",
    "repair_cache",
    "source_stamp",
]

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
#: A function of the event kernel: called from compiled code only (no wrapper for Python or
#: C callers), inlined into its callers by LLVM.
_KERNEL_FUNCTION: dict[str, Any] = {
    "no_cpython_wrapper": True,
    "no_cfunc_wrapper": True,
    "forceinline": True,
}


def source_stamp(kernels: Path) -> bytes:
    """SHA-256 over the source of every module in ``kernels`` and of the vocabulary beside."""
    digest = hashlib.sha256()
    for path in [*sorted(kernels.glob("*.py")), kernels.parent / "vocabulary.py"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


#: What a kernel's disk cache is valid for: the source of every module it may be built
#: from (see :func:`_stamped`).
SOURCE_STAMP = source_stamp(Path(__file__).resolve().parent)


def _stamped(dispatcher: Any) -> Any:
    """Key ``dispatcher``'s disk cache on :data:`SOURCE_STAMP`, not on its own file alone.

    Numba keys a cached function on the hash of the file it is written in, and loads it
    even when a function it calls (and has compiled into itself, with the module's
    constants) changed in another file: after an edit of ``station.py`` the event loop
    cached from ``line.py`` ran the old code. With the stamp of every kernel module in its
    index, a change to any of them compiles the kernels again. Numba has no public call for
    this; should its internals change, the cache is Numba's own
    (``tests/unit/test_kernel_cache.py`` notices).
    """
    cache_file = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
    if cache_file is not None and hasattr(cache_file, "_source_stamp"):
        cache_file._source_stamp = SOURCE_STAMP
    return dispatcher


def njit(func: Any) -> Any:
    """Compile ``func`` with :data:`JIT_OPTIONS`."""
    return _stamped(_numba_njit(**JIT_OPTIONS)(func))


def njit_loop(func: Any) -> Any:
    """Compile a kernel's main loop with :data:`JIT_OPTIONS` and without reference counting.

    The loops allocate nothing (every array comes from the wrapper), so they need none of
    Numba's runtime; without it no helper inlined into them increments and decrements the
    arrays' reference counts (atomic operations: a third of the run time otherwise). A loop
    that allocated would fail to compile, not run wrong.
    """
    return _stamped(_numba_njit(**JIT_OPTIONS, **_NO_RUNTIME)(func))


def njit_kernel(func: Any) -> Any:
    """Compile a function of the event kernel: no reference counting, inlined by LLVM.

    Every function of :mod:`simline.kernels.line` and its modules takes the run's arrays as
    two named tuples (:mod:`simline.kernels.layout`), the recursion's steps take theirs one
    by one; none allocates, so none needs Numba's runtime. A call that is not inlined passes
    the tuples as some 370 values (the split kernel ran 2 to 3.4 times slower while the
    medium functions were calls), so every one is inlined into its callers by LLVM
    (``forceinline``): Numba types and lowers each function once, LLVM's inliner puts it in
    place. They are called from compiled code only, so no wrapper lets Python call them
    (unboxing two tuples of 40 arrays would be most of a small
    function's compile time); the kernel's entry is compiled with :func:`njit_loop`.

    A call from compiled code with a constant argument (an event kind, a state) would make
    Numba compile a version for that constant (its literal types), a dozen of them for the
    event push alone; the arguments' types are taken without their literal values instead.
    """
    dispatcher = _stamped(_numba_njit(**JIT_OPTIONS, **_NO_RUNTIME, **_KERNEL_FUNCTION)(func))
    typed = getattr(dispatcher, "get_call_template", None)
    if typed is None:  # the JIT is off: the function itself
        return dispatcher

    plain: Any = types.unliteral  # untyped in Numba

    def get_call_template(args: Any, kws: Any) -> Any:
        return typed(tuple(plain(a) for a in args), {k: plain(v) for k, v in kws.items()})

    dispatcher.get_call_template = get_call_template
    return dispatcher


def njit_inline(func: Any) -> Any:
    """Compile ``func`` with :data:`JIT_OPTIONS`, inlined into its callers by Numba.

    For the small helpers of a big kernel (LLVM alone does not inline every call in a
    kernel that large).
    """
    return _stamped(_numba_njit(inline="always", **JIT_OPTIONS)(func))


def is_cached(kernel: Any) -> bool:
    """Whether Numba's disk cache holds ``kernel`` compiled from its current source.

    Reads the cache index the way Numba does when it loads (an index written for another
    version of the source counts as empty). Numba has no public call for this; should its
    internals change, or the JIT be off, the answer is ``True`` (nothing to announce).
    """
    try:
        return bool(kernel._cache._cache_file._load_index())
    except Exception:  # a damaged index, or a change in Numba's internals
        return not damaged_cache_files(kernel)


def _cache_dir(kernel: Any) -> Path | None:
    try:
        return Path(kernel._cache.cache_path)
    except Exception:  # the JIT is off, or Numba's internals changed
        return None


def damaged_cache_files(kernel: Any) -> list[Path]:
    """List the files of Numba's cache next to ``kernel`` that cannot be read back.

    Every index (``.nbi``: Numba's version, then a pickle) and data file (``.nbc``: a
    pickle) in the kernel's cache directory is read as Numba reads it; a truncated or
    garbled one fails. (The directory holds the caches of every kernel of the module's
    package, or of ``NUMBA_CACHE_DIR``'s copy of it.)
    """
    directory = _cache_dir(kernel)
    if directory is None or not directory.is_dir():
        return []
    damaged: list[Path] = []
    for path in sorted(directory.glob("*.nbi")) + sorted(directory.glob("*.nbc")):
        try:
            with path.open("rb") as f:
                if path.suffix == ".nbi":
                    pickle.load(f)
                pickle.loads(f.read())
        except FileNotFoundError:  # removed meanwhile (another process repairing it)
            continue
        except Exception:
            damaged.append(path)
    return damaged


def repair_cache(kernel: Any) -> list[Path]:
    """Delete the damaged cache files next to ``kernel`` (see :func:`damaged_cache_files`).

    Numba then compiles what they held again, and caches it anew. Returns the files
    deleted (none: nothing was damaged).
    """
    damaged = damaged_cache_files(kernel)
    for path in damaged:
        path.unlink(missing_ok=True)
    return damaged
