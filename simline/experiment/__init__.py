"""Running scenarios: replications (serial or in worker processes), later sweeps and experiments."""

from __future__ import annotations

from simline.experiment.replicate import BACKENDS, resolve_backend, run_replications

__all__ = ["BACKENDS", "resolve_backend", "run_replications"]
