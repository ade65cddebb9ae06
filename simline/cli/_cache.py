"""``simline warmup-cache``: compile the fast engine's kernels now, for CI images and Docker builds.

Registered on the ``simline`` group when :mod:`simline.cli` is imported. The work is
:func:`simline.engine.warmup.warm_up`; here is one line per kernel on stdout, then the cache
directory. A cache that cannot be written is bad input (exit status 2, one line).
"""

from __future__ import annotations

from simline.cli import _reports_errors, _write_stdout, cli
from simline.errors import printable

__all__: list[str] = []


@cli.command(name="warmup-cache")
@_reports_errors
def warmup_cache() -> None:
    """Compile the fast engine's kernels into Numba's cache, so no run has to.

    For CI images and Docker builds: run it once where the image is built (as the user that
    will run simline, or with NUMBA_CACHE_DIR set to a directory both can read), and the
    first simulation starts at once instead of compiling for about a minute. A kernel that
    is cached already is only reported. Prints one line per kernel and the cache directory;
    exit status 2 when the cache cannot be written.
    """
    from simline.engine.warmup import KERNELS, cache_directory, warm_up

    for kernel in KERNELS:
        took = warm_up([kernel])[kernel]
        if took is None:
            _write_stdout(f"{kernel}: already cached\n")
        else:
            _write_stdout(f"{kernel}: compiled in {took.cpu:.1f} s CPU ({took.wall:.1f} s wall)\n")
    _write_stdout(f"cache directory: {printable(str(cache_directory()))}\n")
