"""Benchmark conventions: every benchmark is marked ``stable`` or ``unstable``, and each group's
medians are reported as ratios to the group's reference, all measured in the same run."""

from __future__ import annotations

from typing import Any

import pytest

REFERENCE = "reference"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fail any benchmark that says neither how stable it is nor how it is gated."""
    for item in items:
        if "benchmark" not in getattr(item, "fixturenames", ()):
            continue
        if not (item.get_closest_marker("stable") or item.get_closest_marker("unstable")):
            raise pytest.UsageError(f"{item.nodeid}: mark the benchmark 'stable' or 'unstable'")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print, per group, each benchmark's median over the median of the group's reference."""
    session = terminalreporter.config._benchmarksession  # set by pytest-benchmark
    if session is None or session.disabled:
        return
    groups: dict[str, dict[str, float]] = {}
    for bench in session.benchmarks:
        if not bench.stats:
            continue
        role = bench.extra_info.get("role", bench.name)
        groups.setdefault(bench.group or "", {})[role] = bench.stats.median
    lines = []
    for group, medians in sorted(groups.items()):
        ref = medians.get(REFERENCE)
        if ref is None:
            continue
        for role, median in sorted(medians.items()):
            if role != REFERENCE:
                lines.append(f"{group}: {role} / {REFERENCE} = {median / ref:.3f} (medians)")
    if lines:
        terminalreporter.section("ratios measured in this run")
        for line in lines:
            terminalreporter.write_line(line)
