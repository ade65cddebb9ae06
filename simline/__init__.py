"""simline: discrete-event simulation of production lines, with a reshoring cost model."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
