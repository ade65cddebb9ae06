"""Running scenarios and experiments: replications, designs, the run store, executors, selection.

``simline.experiment`` is this package and also the library call of ``spec/experiment.md``:
``simline.experiment("experiments/mill-buffers.yaml")`` runs an experiment file, as
:func:`simline.api.experiment` does (the package is callable; the call is forwarded there).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from simline.experiment.replicate import BACKENDS, resolve_backend, run_replications

__all__ = ["BACKENDS", "resolve_backend", "run_replications"]


class _CallablePackage(types.ModuleType):
    """The package, callable as :func:`simline.api.experiment` (``simline.experiment(path)``)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run an experiment file: see :func:`simline.api.experiment`."""
        # Looked up by name: the facade sits above this package in the layering.
        return importlib.import_module("simline.api").experiment(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
