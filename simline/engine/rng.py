"""Random streams keyed by name: one generator per (seed, replication, owner, purpose).

Streams are derived from one :class:`numpy.random.SeedSequence` by a spawn key made of the
replication number, a stable hash of the owner's name (a station name, or ``"release"``) and
the purpose. Because the key uses names rather than positions, adding a station leaves the
numbers drawn at every other station unchanged: two layouts run with the same seed share
common random numbers.
"""

from __future__ import annotations

import hashlib
from enum import IntEnum

import numpy as np

__all__ = ["RELEASE", "Purpose", "owner_key", "seed_sequence", "stream"]

#: The owner name of the release process's streams (arrivals, product mix).
RELEASE = "release"


class Purpose(IntEnum):
    """What a stream is used for."""

    PROCESS = 0
    FAILURE = 1
    REPAIR = 2
    SETUP = 3
    SCRAP = 4
    ARRIVAL = 5
    MIX = 6


def owner_key(name: str) -> int:
    """Hash an owner's name to a stable 63-bit integer (the same on every platform and run)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def seed_sequence(
    seed: int, replication: int, owner: str, purpose: Purpose
) -> np.random.SeedSequence:
    """Return the seed sequence of one stream."""
    return np.random.SeedSequence(seed, spawn_key=(replication, owner_key(owner), int(purpose)))


def stream(seed: int, replication: int, owner: str, purpose: Purpose) -> np.random.Generator:
    """Return a fresh generator for one (seed, replication, owner, purpose) stream."""
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, replication, owner, purpose)))
