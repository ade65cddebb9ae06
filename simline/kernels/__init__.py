"""Numba kernels: random streams, distribution samplers and the line's event loop.

Everything here is ``@njit`` code over plain numpy arrays and imports nothing of simline
(checked by import-linter). The public functions are thin wrappers that validate and
allocate; the private ``_*_kernel`` functions compute into their ``out`` arguments.
"""
