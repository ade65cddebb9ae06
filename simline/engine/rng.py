"""Random streams keyed by name: one generator per (seed, replication, owner, purpose).

Streams are derived from one :class:`numpy.random.SeedSequence` by a spawn key made of the
replication number, a stable hash of the owner's name (a station name, or ``"release"``) and
the purpose. Because the key uses names rather than positions, adding a station leaves the
numbers drawn at every other station unchanged: two layouts run with the same seed share
common random numbers.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

from simline.vocabulary import Purpose

__all__ = ["RELEASE", "Purpose", "entropy", "owner_key", "seed_sequence", "stream"]

#: The owner name of the release process's streams (arrivals, product mix).
RELEASE = "release"


@functools.lru_cache(maxsize=4096)
def owner_key(name: str) -> int:
    """Hash an owner's name to a stable 63-bit integer (the same on every platform and run)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def _words(n: int) -> list[int]:
    """``n >= 0`` as numpy's SeedSequence reads an integer: 32-bit words, lowest first."""
    if n < 0:
        raise ValueError(f"expected a non-negative integer (got {n})")
    words = [n & 0xFFFFFFFF]
    n >>= 32
    while n:
        words.append(n & 0xFFFFFFFF)
        n >>= 32
    return words


def entropy(seed: int, replication: int, owner: str, purpose: Purpose) -> list[int]:
    """Return the words :func:`seed_sequence` hashes: the seed (4 words or more), the spawn key.

    :func:`simline.kernels.random.seed_states` turns many of them into stream states at once,
    the same states as the seed sequences give.
    """
    run = _words(seed)
    run += [0] * (4 - len(run))
    return run + _words(replication) + _words(owner_key(owner)) + _words(int(purpose))


def seed_sequence(
    seed: int, replication: int, owner: str, purpose: Purpose
) -> np.random.SeedSequence:
    """Return the seed sequence of one stream."""
    return np.random.SeedSequence(seed, spawn_key=(replication, owner_key(owner), int(purpose)))


def stream(seed: int, replication: int, owner: str, purpose: Purpose) -> np.random.Generator:
    """Return a fresh generator for one (seed, replication, owner, purpose) stream."""
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, replication, owner, purpose)))
