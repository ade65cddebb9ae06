"""simline.engine.warmup: the compile notice, the cache checks, the warm-up itself."""

from __future__ import annotations

import numba
import pytest

from simline.engine import warmup
from simline.kernels import line, tandem


def test_the_notice_is_one_line_with_the_figure_of_what_is_missing() -> None:
    events, recursion, both = (
        warmup.compile_notice(kernels) for kernels in (["events"], {"tandem"}, warmup.KERNELS)
    )
    assert "about 50 s of CPU" in events
    assert "about 12 s of CPU" in recursion
    assert "about 55 s of CPU" in both
    for text in (events, recursion, both):
        assert text.startswith("simline: compiling the fast engine once")
        assert "\n" not in text and "simline warmup-cache" in text
    assert warmup.compile_notice(["events", "events"]) == events


def test_the_notice_refuses_no_kernel_and_an_unknown_one() -> None:
    with pytest.raises(ValueError, match="at least one kernel"):
        warmup.compile_notice([])
    with pytest.raises(ValueError, match=r"one of tandem, events \(got 'heap'\)"):
        warmup.compile_notice(["heap"])
    with pytest.raises(ValueError, match="got 'heap'"):
        warmup.is_cached("heap")


def test_is_cached_follows_the_kernels_own_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(line, "compiled", lambda: False)
    monkeypatch.setattr(tandem, "compiled", lambda: True)
    assert not warmup.is_cached("events")
    assert warmup.is_cached("tandem")


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="the JIT is off: nothing is compiled")
def test_warm_up_leaves_both_kernels_cached_where_it_says() -> None:
    """Compiles what this checkout's cache lacks (the first time only), then finds it."""
    warmup.warm_up()
    assert warmup.warm_up() == {"tandem": None, "events": None}
    assert line.compiled() and tandem.compiled()
    directory = warmup.cache_directory()
    assert any(directory.glob("line._simulate-*.nbi"))
    assert any(directory.glob("tandem._simulate_tandem_kernel-*.nbi"))
