"""The engines: ``des`` (SimPy, the reference) and, later, ``fast`` (Numba kernels)."""
