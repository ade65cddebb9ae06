"""Every case of issue #8 (items 1-29) through the real command line, judged by the contract.

The cases are defined once, in :mod:`tests.fuzz.cases` (``python tests/fuzz/campaign.py``
prints the same verdicts as a table). Each runs as a child process under the limits of
:mod:`tests.fuzz.harness`. The selected cases run a few at a time in threads (each is a child
process that mostly waits or starts Python), before the first test of this module looks at
its outcome; ``SIMLINE_FUZZ_WORKERS`` sets how many at a time (default 3).
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fuzz.campaign import run_case
from tests.fuzz.cases import CASES, Case, by_id
from tests.fuzz.harness import Outcome

CASE_BY_ID = by_id()

# Under pytest-xdist one worker runs this module (ONE_WORKER in tests/conftest.py): the module
# fixture runs every selected case, so each of two workers would otherwise run all of them.


def _param(case: Case) -> object:
    marks = [pytest.mark.slow] if case.slow else []
    return pytest.param(case.id, id=case.id, marks=marks)


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest) -> dict[str, tuple[Outcome, list[str]]]:
    """Run every selected case once, a few at a time; keep each outcome and its verdict."""
    selected = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        module = getattr(item, "module", None)
        if module is not None and module.__name__ == __name__ and callspec:
            case = CASE_BY_ID[callspec.params["case_id"]]
            if not case.skip():
                selected.append(case)
    if any(case.fast for case in selected):
        from tests.fuzz.numba_cache import warm

        warm()
    results: dict[str, tuple[Outcome, list[str]]] = {}
    with tempfile.TemporaryDirectory(prefix="simline-fuzz-") as top:

        def one(case: Case) -> None:
            tmp = Path(top) / case.id
            tmp.mkdir()
            results[case.id] = run_case(case, tmp)

        workers = int(os.environ.get("SIMLINE_FUZZ_WORKERS", "3"))
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            # the slowest first, so they overlap with the many quick ones
            order = sorted(selected, key=lambda c: -c.timeout)
            for future in [pool.submit(one, case) for case in order]:
                future.result()
    return results


@pytest.mark.parametrize("case_id", [_param(c) for c in CASES])
def test_case(case_id: str, outcomes: dict[str, tuple[Outcome, list[str]]]) -> None:
    case = CASE_BY_ID[case_id]
    reason = case.skip()
    if reason:
        pytest.skip(reason)
    outcome, bad = outcomes[case_id]
    assert not bad, (
        f"item {case.item}, {case.what}: {outcome.command}\n  exit {outcome.code}, "
        f"{outcome.seconds:.1f} s, RSS {outcome.rss_mb:.0f} MiB\n  stderr: "
        f"{outcome.stderr[:600]!r}\n  " + "\n  ".join(bad)
    )


def test_every_item_has_a_case() -> None:
    """Items 1 to 29 of the issue each have at least one case (30 is its own issue)."""
    assert {c.item for c in CASES} == set(range(1, 30))
