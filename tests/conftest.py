"""Test-wide settings: property tests are reproducible in CI; the suite on both cores.

Locally hypothesis draws new examples on every run (and remembers failures in its
database), which is how it finds bugs. Under ``CI=true`` it draws the same examples every
time and keeps no database, so a CI run is a pure function of the commit.

Under pytest-xdist (``-n auto --dist loadgroup`` in pyproject.toml) the tests are handed out
one at a time as workers free up, except the modules of :data:`ONE_WORKER`, each of which runs
whole on one worker. Shared state is safe with two workers:

- hypothesis's example database (``.hypothesis/examples``) is one directory per test, and a
  test runs on one worker only; each example is a file named by its hash, written to a
  temporary file and renamed into place (``DirectoryBasedExampleDatabase.save``), so two
  workers saving at once (the shared key index) write the same name with the same bytes.
- Numba's cache (``simline/kernels/__pycache__``, or ``NUMBA_CACHE_DIR``) is written through
  a temporary file and ``os.replace`` (``numba.core.caching``), so no worker reads a half
  written file; two workers compiling one kernel at once (a cold cache) both compile it, and
  the index the last one writes wins: a later run at worst compiles once more. The tests that
  damage a cache on purpose damage their own copy (``NUMBA_CACHE_DIR`` in a temporary
  directory: ``tests/fuzz/numba_cache.py``, ``test_hardening_exec.py``).
"""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
from hypothesis import settings

# A suite started in the background without job control (`nohup ... &`, some CI runners)
# inherits SIGINT ignored, and so would every simline the tests start and then interrupt:
# the Ctrl-C tests would hang. Python's own handler here gives the children the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")

#: Modules that run whole on one xdist worker: their module-scoped fixtures or per-process
#: caches are expensive, and would be built once per worker were their tests spread.
ONE_WORKER = frozenset(
    {
        "tests/fuzz/test_cases.py",  # the campaign fixture runs every case (~2 min of CPU)
        "tests/integration/test_theory.py",  # Little's law reuses the theory runs
        "tests/integration/test_experiment_executors.py",  # reference figures, a Dask cluster
    }
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup``, with the modules of :data:`ONE_WORKER` as groups.

    xdist's own ``loadgroup`` groups by the ``xdist_group`` mark through a suffix it writes to
    each test's ``_nodeid``, which pytest 9 no longer reads (the id is ``Node._id``): every
    test became its own group. This scheduler groups by module path instead, which needs no
    mark, and keeps xdist's handling of a ``@group`` suffix should that work again.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    try:
        from xdist.scheduler import LoadGroupScheduling
    except ImportError:  # a later xdist: its own scheduler, the groups merely lost
        return None

    class ModuleGroups(LoadGroupScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            scope = str(super()._split_scope(nodeid))
            module = nodeid.split("::", 1)[0]
            return module if scope == nodeid and module in ONE_WORKER else scope

    return ModuleGroups(config, log)
