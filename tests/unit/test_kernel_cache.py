"""A kernel's disk cache is valid for the source of every kernel module, not its own file only.

Numba keys a cached function on its own file; the event loop (``line.py``) has the code of
``station.py``, ``buffers.py`` ... compiled into it, so an edit there must compile it again.
"""

from __future__ import annotations

import importlib
import pkgutil
import shutil
from pathlib import Path

from numba.core.registry import CPUDispatcher

import simline.kernels
from simline.kernels._jit import SOURCE_STAMP, source_stamp

KERNELS = Path(simline.kernels.__file__).resolve().parent


def _cached_kernels() -> list[tuple[str, CPUDispatcher]]:
    found = []
    for info in pkgutil.iter_modules([str(KERNELS)]):
        module = importlib.import_module(f"simline.kernels.{info.name}")
        for name, value in vars(module).items():
            ours = isinstance(value, CPUDispatcher) and value.__module__ == module.__name__
            if ours and value._cache.__class__.__name__ != "NullCache":
                found.append((f"{info.name}.{name}", value))
    return found


def test_every_cached_kernel_is_keyed_on_the_source_of_all_kernel_modules() -> None:
    kernels = _cached_kernels()
    names = {name for name, _ in kernels}
    assert {"line._simulate", "tandem._simulate_tandem_kernel"} <= names
    for name, dispatcher in kernels:
        assert dispatcher._cache._cache_file._source_stamp == SOURCE_STAMP, name


def test_the_stamp_changes_with_any_kernel_module_and_the_vocabulary(tmp_path: Path) -> None:
    copy = tmp_path / "simline"
    shutil.copytree(KERNELS, copy / "kernels", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(KERNELS.parent / "vocabulary.py", copy / "vocabulary.py")
    assert source_stamp(copy / "kernels") == SOURCE_STAMP
    stamps = {SOURCE_STAMP}
    for path in [copy / "kernels" / "station.py", copy / "vocabulary.py"]:
        original = path.read_bytes()
        path.write_bytes(original + b"\n# an edit\n")
        stamps.add(source_stamp(copy / "kernels"))
        path.write_bytes(original)
    assert len(stamps) == 3
    assert source_stamp(copy / "kernels") == SOURCE_STAMP
