"""Named random streams: one per (seed, replication, owner, purpose), stable across runs."""

from __future__ import annotations

import numpy as np

from simline.engine import rng


def first(seed: int, replication: int, owner: str, purpose: rng.Purpose) -> list[float]:
    return rng.stream(seed, replication, owner, purpose).random(4).tolist()


def test_owner_key_is_stable_and_fits_63_bits() -> None:
    # blake2b of the UTF-8 name: the same on every platform, run and Python hash seed.
    assert rng.owner_key("saw") == 7211290252563494664
    assert rng.owner_key(rng.RELEASE) == 7888477017327842302
    for name in ("", "saw", "weld station", "Bohrwerk-Ü"):
        assert 0 <= rng.owner_key(name) < 2**63
    assert rng.owner_key("saw") != rng.owner_key("Saw")


def test_same_key_gives_the_same_numbers() -> None:
    assert first(7, 0, "saw", rng.Purpose.PROCESS) == first(7, 0, "saw", rng.Purpose.PROCESS)


def test_every_part_of_the_key_changes_the_numbers() -> None:
    base = first(7, 0, "saw", rng.Purpose.PROCESS)
    assert first(8, 0, "saw", rng.Purpose.PROCESS) != base
    assert first(7, 1, "saw", rng.Purpose.PROCESS) != base
    assert first(7, 0, "weld", rng.Purpose.PROCESS) != base
    assert first(7, 0, "saw", rng.Purpose.FAILURE) != base


def test_all_purposes_are_distinct_streams() -> None:
    heads = {tuple(first(1, 0, "saw", p)) for p in rng.Purpose}
    assert len(heads) == len(rng.Purpose)


def test_seed_sequence_spawn_key() -> None:
    ss = rng.seed_sequence(5, 2, "saw", rng.Purpose.SCRAP)
    assert ss.entropy == 5
    assert ss.spawn_key == (2, rng.owner_key("saw"), int(rng.Purpose.SCRAP))
    gen = rng.stream(5, 2, "saw", rng.Purpose.SCRAP)
    assert isinstance(gen, np.random.Generator)
    assert isinstance(gen.bit_generator, np.random.PCG64)
