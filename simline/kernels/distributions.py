# mypy: disable-error-code="no-any-return"
"""The variates of every distribution code, from the streams of :mod:`~simline.kernels.random`.

Distributions are rows of two tables: ``dint[i] = (code, offset, length)`` (offset and length
into ``emp`` for an empirical distribution) and ``dpar[i] = (p0, p1, p2)``, the parameters of
``simline.vocabulary.DistCode`` (the model's vocabulary, which the kernels import):

==  ===========  ==========================  ===========================================
 0  constant     (value,)                    the value
 1  exponential  (mean,)                     inverse CDF
 2  uniform      (low, high)                 inverse CDF
 3  triangular   (low, mode, high)           inverse CDF
 4  normal       (mean, sd)                  Box-Muller; a negative draw is drawn again
 5  lognormal    (mu, sigma)                 exp of a normal
 6  gamma        (shape, scale)              Marsaglia-Tsang (shape < 1: boosted by U^(1/a))
 7  erlang       (k, scale)                  as gamma with a whole shape
 8  weibull      (shape, scale)              inverse CDF
 9  empirical    ``emp[0, off:off+len]`` values, ``emp[1, off:off+len]`` cumulative probs
==  ===========  ==========================  ===========================================
"""

from __future__ import annotations

import math

import numpy as np

from simline.kernels._jit import njit, njit_inline, njit_loop
from simline.kernels.random import _state_2d, u01_inline
from simline.vocabulary import DistCode

__all__ = ["N_CODES", "dist_tables", "draw", "draw_fast", "fill", "sample"]

# The distribution codes (simline.vocabulary.DistCode) as plain integers for the kernels.
CONSTANT = int(DistCode.CONSTANT)
EXPONENTIAL = int(DistCode.EXPONENTIAL)
UNIFORM = int(DistCode.UNIFORM)
TRIANGULAR = int(DistCode.TRIANGULAR)
NORMAL = int(DistCode.NORMAL)
LOGNORMAL = int(DistCode.LOGNORMAL)
GAMMA = int(DistCode.GAMMA)
ERLANG = int(DistCode.ERLANG)
WEIBULL = int(DistCode.WEIBULL)
EMPIRICAL = int(DistCode.EMPIRICAL)
#: Number of distribution codes.
N_CODES = len(DistCode)


@njit_inline
def _std_normal(rs: np.ndarray, k: int) -> float:
    u1 = u01_inline(rs, k)
    u2 = u01_inline(rs, k)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


# One sampler per code, used by the two dispatchers below: draw() for a single draw, fill()
# for a block, which dispatches once and then runs a tight loop of one sampler. The normal
# and gamma samplers are inlined by Numba (LLVM would not: a call there costs 8 ns a draw);
# LLVM inlines the small ones itself, at no compile cost to Numba.


@njit
def _exponential(mean: float, rs: np.ndarray, k: int) -> float:
    return -mean * math.log(u01_inline(rs, k))


@njit
def _uniform(low: float, high: float, rs: np.ndarray, k: int) -> float:
    if low == high:
        return low
    return low + (high - low) * u01_inline(rs, k)


@njit
def _triangular(low: float, mode: float, high: float, rs: np.ndarray, k: int) -> float:
    if low == high:
        return low
    u = u01_inline(rs, k)
    width = high - low
    if u < (mode - low) / width:
        return low + math.sqrt(u * width * (mode - low))
    return high - math.sqrt((1.0 - u) * width * (high - mode))


@njit
def _normal(mean: float, sd: float, rs: np.ndarray, k: int) -> float:
    if sd == 0.0:
        return max(mean, 0.0)
    while True:
        x = mean + sd * _std_normal(rs, k)
        if x >= 0.0:
            return x


@njit
def _lognormal(mu: float, sigma: float, rs: np.ndarray, k: int) -> float:
    return math.exp(mu + sigma * _std_normal(rs, k))


@njit_inline
def _gamma(shape: float, scale: float, rs: np.ndarray, k: int) -> float:
    boost = 1.0
    a = shape
    if a < 1.0:
        boost = u01_inline(rs, k) ** (1.0 / a)
        a += 1.0
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = _std_normal(rs, k)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = u01_inline(rs, k)
        if u < 1.0 - 0.0331 * x * x * x * x or math.log(u) < 0.5 * x * x + d * (
            1.0 - v + math.log(v)
        ):
            return d * v * scale * boost


@njit
def _weibull(shape: float, scale: float, rs: np.ndarray, k: int) -> float:
    return scale * (-math.log(u01_inline(rs, k))) ** (1.0 / shape)


@njit
def _empirical(emp: np.ndarray, off: int, n: int, rs: np.ndarray, k: int) -> float:
    if n == 1:
        return emp[0, off]
    u = u01_inline(rs, k)
    j = np.searchsorted(emp[1, off : off + n], u, side="right")
    if j > n - 1:
        j = n - 1
    return emp[0, off + j]


@njit
def draw(
    i: int, dint: np.ndarray, dpar: np.ndarray, emp: np.ndarray, rs: np.ndarray, k: int
) -> float:
    """One draw of distribution ``i`` (a row of ``dint``/``dpar``) from stream ``k``."""
    code = dint[i, 0]
    p0 = dpar[i, 0]
    p1 = dpar[i, 1]
    if code == CONSTANT:
        return p0
    if code == EXPONENTIAL:
        return _exponential(p0, rs, k)
    if code == UNIFORM:
        return _uniform(p0, p1, rs, k)
    if code == TRIANGULAR:
        return _triangular(p0, p1, dpar[i, 2], rs, k)
    if code == NORMAL:
        return _normal(p0, p1, rs, k)
    if code == LOGNORMAL:
        return _lognormal(p0, p1, rs, k)
    if code == GAMMA or code == ERLANG:  # noqa: SIM109 - plain compares for Numba
        return _gamma(p0, p1, rs, k)
    if code == WEIBULL:
        return _weibull(p0, p1, rs, k)
    return _empirical(emp, dint[i, 1], dint[i, 2], rs, k)


@njit_inline
def draw_fast(
    i: int, dint: np.ndarray, dpar: np.ndarray, emp: np.ndarray, rs: np.ndarray, k: int
) -> float:
    """:func:`draw` for the kernels' hot paths: constant and exponential without a call.

    Inlined by Numba into the kernel loops (as a call it costs the event kernel 13 %); the
    same numbers as :func:`draw`.
    """
    code = dint[i, 0]
    if code == CONSTANT:
        return dpar[i, 0]
    if code == EXPONENTIAL:
        return _exponential(dpar[i, 0], rs, k)
    return draw(i, dint, dpar, emp, rs, k)


@njit_loop
def fill(
    i: int,
    dint: np.ndarray,
    dpar: np.ndarray,
    emp: np.ndarray,
    rs: np.ndarray,
    k: int,
    out: np.ndarray,
) -> None:
    """Fill ``out`` with the next draws of distribution ``i`` from stream ``k``, in order.

    The numbers of :func:`draw` called ``len(out)`` times, several times faster: one call
    and one dispatch per block, and a loop compiled without Numba's runtime (no reference
    counting on the arrays the samplers are given).
    """
    code = dint[i, 0]
    p0 = dpar[i, 0]
    p1 = dpar[i, 1]
    p2 = dpar[i, 2]
    n = out.shape[0]
    if code == CONSTANT:
        out[:] = p0
    elif code == EXPONENTIAL:
        for j in range(n):
            out[j] = _exponential(p0, rs, k)
    elif code == UNIFORM:
        for j in range(n):
            out[j] = _uniform(p0, p1, rs, k)
    elif code == TRIANGULAR:
        for j in range(n):
            out[j] = _triangular(p0, p1, p2, rs, k)
    elif code == NORMAL:
        for j in range(n):
            out[j] = _normal(p0, p1, rs, k)
    elif code == LOGNORMAL:
        for j in range(n):
            out[j] = _lognormal(p0, p1, rs, k)
    elif code == GAMMA or code == ERLANG:  # noqa: SIM109 - plain compares for Numba
        for j in range(n):
            out[j] = _gamma(p0, p1, rs, k)
    elif code == WEIBULL:
        for j in range(n):
            out[j] = _weibull(p0, p1, rs, k)
    else:
        off = dint[i, 1]
        m = dint[i, 2]
        for j in range(n):
            out[j] = _empirical(emp, off, m, rs, k)


@njit
def _sample_kernel(
    dint: np.ndarray, dpar: np.ndarray, emp: np.ndarray, rs: np.ndarray, out: np.ndarray
) -> None:
    fill(0, dint, dpar, emp, rs, 0, out)


def dist_tables(
    dists: list[tuple[int, tuple[float, ...]]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pack ``(code, params)`` pairs into the ``dint``, ``dpar`` and ``emp`` tables.

    Parameters
    ----------
    dists
        Codes and parameters as in ``simline.plan.Dist``.

    Returns
    -------
    tuple of numpy.ndarray
        ``dint`` (n, 3) int64, ``dpar`` (n, 3) float64, ``emp`` (2, m) float64.

    Raises
    ------
    ValueError
        If a code is unknown or its parameters do not fit.
    """
    n = len(dists)
    dint = np.zeros((max(n, 1), 3), dtype=np.int64)
    dpar = np.zeros((max(n, 1), 3), dtype=np.float64)
    values: list[float] = []
    cums: list[float] = []
    for i, (code, params) in enumerate(dists):
        if not 0 <= code < N_CODES:
            raise ValueError(f"'code' must be in 0..{N_CODES - 1} (got {code!r})")
        dint[i, 0] = code
        if code == EMPIRICAL:
            if len(params) % 2 or not params:
                raise ValueError(
                    f"'params' of an empirical distribution must be values, then cumulative "
                    f"probabilities (got {params!r})"
                )
            m = len(params) // 2
            dint[i, 1] = len(values)
            dint[i, 2] = m
            values.extend(params[:m])
            cums.extend(params[m:])
        else:
            if len(params) > 3:
                raise ValueError(f"'params' must have at most 3 entries (got {params!r})")
            dpar[i, : len(params)] = params
            if code in (GAMMA, ERLANG, WEIBULL) and not params[0] > 0.0:
                raise ValueError(f"'shape' must be > 0 (got {params[0]!r})")
    emp = np.zeros((2, max(len(values), 1)), dtype=np.float64)
    emp[0, : len(values)] = values
    emp[1, : len(cums)] = cums
    return dint, dpar, emp


def sample(code: int, params: tuple[float, ...], state: np.ndarray, n: int) -> np.ndarray:
    """Draw ``n`` numbers of one distribution from one stream.

    Parameters
    ----------
    code, params
        The distribution, as ``simline.plan.Dist`` holds it.
    state
        The stream's state row (see :func:`seed_state`); it is advanced in place.
    n
        How many numbers.

    Returns
    -------
    numpy.ndarray
        ``n`` draws, float64.
    """
    if n < 0:
        raise ValueError(f"'n' must be >= 0 (got {n!r})")
    dint, dpar, emp = dist_tables([(int(code), tuple(float(p) for p in params))])
    rs = _state_2d(state)
    out = np.empty(n, dtype=np.float64)
    _sample_kernel(dint, dpar, emp, rs, out)
    state[:] = rs[0]
    return out
