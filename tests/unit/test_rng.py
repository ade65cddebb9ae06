"""Named random streams: one per (seed, replication, owner, purpose), stable across runs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simline.engine import rng
from simline.kernels.random import seed_state, seed_states


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


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 2**140),
    st.integers(0, 2**40),
    st.text(max_size=12),
    st.sampled_from(list(rng.Purpose)),
)
def test_batch_seeding_gives_the_seed_sequences_states(
    seed: int, replication: int, owner: str, purpose: rng.Purpose
) -> None:
    """The fast backend seeds its streams in one batch: the states of numpy's SeedSequence."""
    expected = seed_state(
        rng.seed_sequence(seed, replication, owner, purpose).generate_state(4, np.uint32)
    )
    got = seed_states([rng.entropy(seed, replication, owner, purpose)])
    assert got.tolist() == [expected.tolist()]


@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1, 2**32, 2**64 + 5])
def test_batch_seeding_without_a_spawn_key(seed: int) -> None:
    """Entropy shorter than the pool (a plain seed) is hashed as SeedSequence hashes it."""
    words = [seed & 0xFFFFFFFF] + [seed >> s & 0xFFFFFFFF for s in (32, 64) if seed >> s]
    expected = seed_state(np.random.SeedSequence(seed).generate_state(4, np.uint32))
    assert seed_states([words]).tolist() == [expected.tolist()]
