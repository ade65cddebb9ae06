"""The campaign of issue #8: run every case, print a table, say how many pass.

Run it as ``python tests/fuzz/campaign.py [-k SUBSTRING] [--no-slow]``. Each case runs in a
fresh temporary directory as a child process under the limits of :mod:`tests.fuzz.harness`
(2 GiB of address space per process, a watchdog on the sum of memory and the number of
processes, a timeout), so a case that would hang or eat the machine fails quickly instead.
The tests in ``test_cases.py`` run the same cases (:data:`tests.fuzz.cases.CASES`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

if __name__ == "__main__" and __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fuzz.cases import CASES, Case
from tests.fuzz.harness import Outcome, run, verdict


def run_case(case: Case, tmp: Path) -> tuple[Outcome, list[str]]:
    """Build the case in ``tmp``, run it, judge it."""
    invocation = case.build(tmp)
    outcome = run(invocation, timeout=case.timeout, linger=case.expect.linger)
    return outcome, verdict(case.expect, outcome, outputs=invocation.outputs)


def _cut(text: str, width: int) -> str:
    text = text.replace("\n", " ").encode("unicode_escape").decode("ascii")
    return text if len(text) <= width else text[: width - 1] + "~"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only cases whose id contains this")
    parser.add_argument("--no-slow", action="store_true", help="leave out the slow cases")
    parser.add_argument("--no-warm", action="store_true", help="do not compile the kernels first")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if args.k in c.id and not (args.no_slow and c.slow)]
    if not args.no_warm and any(c.fast for c in cases):
        from tests.fuzz.numba_cache import warm

        t0 = time.monotonic()
        warm()
        print(f"(fast kernels compiled or loaded in {time.monotonic() - t0:.0f} s)")
    header = (
        f"{'case':34} {'item':>4}  {'command':46} {'exit':>5}  {'stderr (first line)':44} "
        f"{'RSS MiB':>7} {'all MiB':>7} {'procs':>5} {'s':>6}  verdict"
    )
    print(header)
    print("-" * len(header))
    passed = failed = skipped = 0
    worst: tuple[float, str] = (0.0, "")
    started = time.monotonic()
    for case in cases:
        reason = case.skip()
        if reason:
            skipped += 1
            print(
                f"{case.id:34} {case.item:>4}  {'':46} {'':>5}  {'':44} "
                f"{'':>7} {'':>7} {'':>5} {'':>6}  SKIP ({reason})"
            )
            continue
        with tempfile.TemporaryDirectory(prefix=f"simline-{case.id}-") as tmp:
            outcome, bad = run_case(case, Path(tmp))
        first = outcome.lines()[0] if outcome.lines() else ""
        if bad:
            failed += 1
            mark = "FAIL: " + "; ".join(bad)
        else:
            passed += 1
            mark = "PASS"
        memory = max(outcome.rss_mb, outcome.group_rss_mb)
        worst = max(worst, (memory, case.id))
        print(
            f"{case.id:34} {case.item:>4}  {_cut(outcome.command, 46):46} "
            f"{outcome.code!s:>5}  {_cut(first, 44):44} {outcome.rss_mb:7.0f} "
            f"{outcome.group_rss_mb:7.0f} {outcome.procs:5d} {outcome.seconds:6.1f}  {mark}",
            flush=True,
        )
    print("-" * len(header))
    print(
        f"{len(cases)} cases: {passed} PASS, {failed} FAIL, {skipped} SKIP, "
        f"in {time.monotonic() - started:.0f} s; worst peak memory {worst[0]:.0f} MiB "
        f"({worst[1]})"
    )
    print("RSS: peak resident memory of the CLI (and its reaped children), from wait4;")
    print("all: peak sum over every process of the run, sampled from /proc.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
