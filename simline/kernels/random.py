# mypy: disable-error-code="no-any-return"
"""Random streams as Numba kernels: the generator, its uniforms and its seeding.

A stream is one row of an ``int64`` state array: the four 32-bit words of a xoshiro128**
generator (Blackman and Vigna), held in 64-bit integers so that no operation ever overflows
(the same numbers with and without the JIT, and no overflow warnings in pure Python). Two
32-bit outputs make one double with 53 random bits, in the open interval (0, 1). The
variates of every distribution are drawn from these in :mod:`simline.kernels.distributions`.
"""

from __future__ import annotations

import numpy as np

from simline.kernels._jit import njit, njit_inline

__all__ = ["seed_state", "seed_states", "u01", "u01_inline", "uniforms"]

_MASK = 0xFFFFFFFF
_TWO_M53 = 1.0 / 9007199254740992.0


@njit
def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _MASK


@njit
def _next32(rs: np.ndarray, k: int) -> int:
    """One 32-bit output of xoshiro128** stream ``k`` (advances the stream)."""
    s0 = rs[k, 0]
    s1 = rs[k, 1]
    s2 = rs[k, 2]
    s3 = rs[k, 3]
    result = (_rotl((s1 * 5) & _MASK, 7) * 9) & _MASK
    t = (s1 << 9) & _MASK
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 11)
    rs[k, 0] = s0
    rs[k, 1] = s1
    rs[k, 2] = s2
    rs[k, 3] = s3
    return result


@njit
def u01(rs: np.ndarray, k: int) -> float:
    """Draw a uniform double in the open interval (0, 1) from stream ``k``."""
    a = _next32(rs, k) >> 5
    b = _next32(rs, k) >> 6
    return ((a * 67108864 + b) + 0.5) * _TWO_M53


@njit_inline
def u01_inline(rs: np.ndarray, k: int) -> float:
    """:func:`u01` without branches or calls, inlined into the hot loops of the line kernels.

    The same numbers as :func:`u01`; a kernel that inlines it passes no arrays to a call, so
    it pays no reference counting per draw.
    """
    s0 = rs[k, 0]
    s1 = rs[k, 1]
    s2 = rs[k, 2]
    s3 = rs[k, 3]
    x = (s1 * 5) & _MASK
    a = ((((x << 7) | (x >> 25)) & _MASK) * 9 & _MASK) >> 5
    t = (s1 << 9) & _MASK
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = ((s3 << 11) | (s3 >> 21)) & _MASK
    x = (s1 * 5) & _MASK
    b = ((((x << 7) | (x >> 25)) & _MASK) * 9 & _MASK) >> 6
    t = (s1 << 9) & _MASK
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    rs[k, 0] = s0
    rs[k, 1] = s1
    rs[k, 2] = s2
    rs[k, 3] = ((s3 << 11) | (s3 >> 21)) & _MASK
    return (a * 67108864 + b + 0.5) * _TWO_M53


@njit
def _uniforms_kernel(rs: np.ndarray, out: np.ndarray) -> None:
    for j in range(out.shape[0]):
        out[j] = u01(rs, 0)


# The constants of numpy's SeedSequence (O'Neill's seed_seq_fe with a pool of 4 words).
_INIT_A = 0x43B0D7E5
_MULT_A = 0x931E8875
_INIT_B = 0x8B51F9DD
_MULT_B = 0x58F38DED
_MIX_L = 0xCA01F9DD
_MIX_R = 0x4973F715


@njit
def _mul32(a: int, b: int) -> int:
    """Multiply 32-bit ``a`` and ``b`` modulo 2**32 without overflowing 64 bits."""
    return (a * (b & 0xFFFF) + (((a * (b >> 16)) & 0xFFFF) << 16)) & _MASK


@njit
def _seed_states_kernel(words: np.ndarray, lengths: np.ndarray, out: np.ndarray) -> None:
    pool = np.zeros(4, dtype=np.int64)
    for r in range(words.shape[0]):
        n = lengths[r]
        h = _INIT_A
        for i in range(4):  # hash the first four words (zeros past the end) into the pool
            v = words[r, i] if i < n else 0
            v ^= h
            h = _mul32(h, _MULT_A)
            v = _mul32(v, h)
            pool[i] = v ^ (v >> 16)
        for i in range(max(n, 4)):  # mix each pool word into the others, then the rest
            for dst in range(4):
                if i < 4:
                    if i == dst:
                        continue
                    v = pool[i]
                else:
                    v = words[r, i]
                v ^= h
                h = _mul32(h, _MULT_A)
                v = _mul32(v, h)
                v ^= v >> 16
                x = (_mul32(_MIX_L, pool[dst]) - _mul32(_MIX_R, v)) & _MASK
                pool[dst] = x ^ (x >> 16)
        h = _INIT_B
        zero = True
        for i in range(4):  # generate_state(4, uint32)
            v = pool[i] ^ h
            h = _mul32(h, _MULT_B)
            v = _mul32(v, h)
            v ^= v >> 16
            out[r, i] = v
            zero &= v == 0
        if zero:
            out[r, 0] = 1


def seed_states(entropy: list[list[int]]) -> np.ndarray:
    """Stream state rows from many SeedSequence entropy arrays at once.

    Row ``r`` equals ``seed_state(SeedSequence(...).generate_state(4, np.uint32))`` for the
    seed sequence whose assembled entropy (seed words padded to four, then the spawn key's
    words) is ``entropy[r]``: the same numbers in about a microsecond each instead of ten.

    Parameters
    ----------
    entropy
        One list of 32-bit words per stream.

    Returns
    -------
    numpy.ndarray
        ``int64`` array of shape ``(len(entropy), 4)``.
    """
    width = max((len(e) for e in entropy), default=1)
    words = np.zeros((len(entropy), max(width, 4)), dtype=np.int64)
    lengths = np.zeros(len(entropy), dtype=np.int64)
    for r, row in enumerate(entropy):
        words[r, : len(row)] = row
        lengths[r] = len(row)
    if ((words < 0) | (words > _MASK)).any():
        raise ValueError("entropy words must be 32-bit unsigned integers")
    out = np.zeros((len(entropy), 4), dtype=np.int64)
    _seed_states_kernel(words, lengths, out)
    return out


def seed_state(words: np.ndarray) -> np.ndarray:
    """Turn four 32-bit seed words into a stream state row (never all zero).

    Parameters
    ----------
    words
        Four unsigned 32-bit integers, e.g. ``SeedSequence.generate_state(4, np.uint32)``.

    Returns
    -------
    numpy.ndarray
        ``int64`` array of shape ``(4,)``.
    """
    state = np.asarray(words, dtype=np.uint32).astype(np.int64)
    if state.shape != (4,):
        raise ValueError(f"'words' must hold 4 integers (got shape {state.shape})")
    if not state.any():
        state[0] = 1
    return state


def uniforms(state: np.ndarray, n: int) -> np.ndarray:
    """Draw ``n`` uniform numbers on (0, 1) from one stream (advanced in place)."""
    if n < 0:
        raise ValueError(f"'n' must be >= 0 (got {n!r})")
    rs = _state_2d(state)
    out = np.empty(n, dtype=np.float64)
    _uniforms_kernel(rs, out)
    state[:] = rs[0]
    return out


def _state_2d(state: np.ndarray) -> np.ndarray:
    if state.shape != (4,) or state.dtype != np.int64:
        raise ValueError(f"'state' must be an int64 array of shape (4,) (got {state.shape})")
    return state.reshape(1, 4).copy()
