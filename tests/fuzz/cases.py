"""The cases of issue #8 (items 1-29), each built in a fresh directory by code.

A :class:`Case` makes its files (YAML text, byte strings, links, FIFOs) in a directory,
returns the command line to run there, and says what the contract expects, in generic terms:
exit status, one error line naming the file, nothing written, memory, time, processes. The
exact wording of messages is left to the code; only what a message must never do (echo a
file's contents, call an existing file "not found") is checked.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz.harness import (
    CORES,
    MISLEADING,
    Expect,
    Invocation,
    Outcome,
    Signal,
    expect,
)

# --- scenario texts ---------------------------------------------------------------------------

#: A two-station line that runs in a fraction of a second on the des engine.
TINY = """\
simline: 1
name: tiny
time_unit: min
run: {warmup: 0, length: 1h, replications: 1, seed: 1}
stations:
  cut: {kind: machine, process_time: 1.0, buffer: 5}
  weld: {kind: machine, process_time: 0.9}
"""

#: The same line measured for a year with fast machines: about 25 s on the des engine, so a
#: check that comes after the simulation shows in the time.
SLOW = """\
simline: 1
name: slow
time_unit: min
run: {warmup: 0, length: 52w, replications: 1, seed: 1}
stations:
  cut: {kind: machine, process_time: 0.1, buffer: 5}
  weld: {kind: machine, process_time: 0.09}
"""

SITE = """\
name: Testland
country: NL
currency: EUR
labour_cost_per_hour: 40
energy_price_per_kwh: 0.2
interest_rate: 0.05
inventory_carrying_rate: 0.2
"""

SITE_USD = SITE.replace("currency: EUR", "currency: USD").replace("Testland", "Dollarland")

#: A costed line: its site file is ``site.yaml`` next to it.
COSTED = """\
simline: 1
name: costed
time_unit: min
currency: EUR
run: {warmup: 0, length: 8h, replications: 2, seed: 1}
products:
  part: {routing: [cut, weld], material_cost: 3.0, mass_kg: 0.5}
stations:
  cut: {kind: machine, process_time: 1.0, buffer: 5, capex: 100000, life_years: 10}
  weld: {kind: machine, process_time: 0.9, capex: 50000, life_years: 8}
site: site.yaml
"""


def costed(
    name: str = "costed", site: str = "site.yaml", currency: str = "EUR", extra: str = ""
) -> str:
    """:data:`COSTED` with another name, site file, currency or extra top-level keys."""
    text = COSTED.replace("name: costed", f"name: {name}").replace(
        "site: site.yaml", f"site: {site}"
    )
    return text.replace("currency: EUR", f"currency: {currency}") + extra


def tiny(**replace: str) -> str:
    """:data:`TINY` with lines replaced: ``tiny(weld="  weld: {...}")`` by key prefix."""
    lines = TINY.splitlines()
    for key, new in replace.items():
        lines = [new if line.lstrip().startswith(f"{key}:") else line for line in lines]
    return "\n".join(lines) + "\n"


def serial(n: int, process_time: float = 1.0, length: str = "10min") -> str:
    """A serial line of ``n`` stations (a long JSON result)."""
    stations = "\n".join(
        f"  s{i}: {{kind: machine, process_time: {process_time}, buffer: 2}}" for i in range(n)
    )
    return (
        f"simline: 1\nname: long-line\ntime_unit: min\n"
        f"run: {{warmup: 0, length: {length}, replications: 1, seed: 1}}\n"
        f"stations:\n{stations}\n"
    )


#: Two products with opposite routings and no buffers: a deadlock (issue item 5).
DEADLOCK = """\
simline: 1
name: deadlock
time_unit: min
run: {warmup: 0, length: 8h, replications: 1, seed: 1}
release: saturated
products:
  up: {routing: [lathe, mill]}
  down: {routing: [mill, lathe]}
stations:
  lathe: {kind: machine, process_time: 1.0, buffer: 0}
  mill: {kind: machine, process_time: 1.0, buffer: 0}
"""

#: Two products with setups: the fast engine's event kernel.
TWO_PRODUCTS = """\
simline: 1
name: two-products
time_unit: min
run: {warmup: 0, length: 8h, replications: 2, seed: 1}
products:
  a: {routing: [lathe, pack], mix: 0.6}
  b: {routing: [lathe, pack], mix: 0.4}
stations:
  lathe: {kind: machine, process_time: 1.0, buffer: 10, setup: 5}
  pack: {kind: manual, process_time: 0.8}
"""

LAUGHS = """\
simline: 1
name: laughs
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
description: [*i, *i, *i, *i, *i, *i, *i, *i, *i]
stations:
  cut: {kind: machine, process_time: 1.0}
"""


# --- cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One input of the campaign and what the contract expects of it."""

    id: str
    item: int
    what: str
    build: Callable[[Path], Invocation]
    expect: Expect
    timeout: float = 30.0
    slow: bool = False
    #: Runs the fast (Numba) engine: its kernels are compiled once before.
    fast: bool = False
    #: A reason to skip the case here (e.g. root reads any file), or None.
    skip: Callable[[], str | None] = field(default=lambda: None)


CASES: list[Case] = []


def case(
    id: str,
    item: int,
    what: str,
    exp: Expect,
    *,
    timeout: float = 30.0,
    slow: bool = False,
    fast: bool = False,
    skip: Callable[[], str | None] | None = None,
) -> Callable[[Callable[[Path], Invocation]], Callable[[Path], Invocation]]:
    """Register the decorated builder as a case."""

    def register(build: Callable[[Path], Invocation]) -> Callable[[Path], Invocation]:
        CASES.append(Case(id, item, what, build, exp, timeout, slow, fast, skip or (lambda: None)))
        return build

    return register


def write(d: Path, name: str, text: str | bytes) -> Path:
    path = d / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def inv(d: Path, *args: str, **kwargs: object) -> Invocation:
    return Invocation(list(args), d, **kwargs)  # type: ignore[arg-type]


#: The usual options: the des engine (the engine does not matter here), no progress, one
#: process (workers are what items 9, 10 and 13 are about, and they say so).
DES = ("--backend", "des", "-q")
RUN = (*DES, "-j", "1")


def simple(
    id: str,
    item: int,
    what: str,
    files: Mapping[str, str | bytes],
    args: list[str],
    exp: Expect,
    **kw: object,
) -> None:
    """A case that is files plus a command line."""

    def build(d: Path) -> Invocation:
        for name, text in files.items():
            write(d, name, text)
        return inv(d, *args)

    case(id, item, what, exp, **kw)(build)  # type: ignore[arg-type]


def never_echo(*secrets: str) -> Callable[[Outcome], list[str]]:
    def check(out: Outcome) -> list[str]:
        return [f"stderr echoes the file's contents ({s!r})" for s in secrets if s in out.stderr]

    return check


def not_misleading(out: Outcome) -> list[str]:
    low = out.stderr.lower()
    return [f"message says {w!r} of a file that exists" for w in MISLEADING if w in low]


def json_out(out: Outcome) -> list[str]:
    try:
        json.loads(out.stdout)
    except ValueError:
        return ["stdout is not the JSON result"]
    return []


def file_json(rel: str) -> Callable[[Outcome], list[str]]:
    def check(out: Outcome) -> list[str]:
        if out.code != 0:
            return []
        try:
            json.loads((out.cwd / rel).read_text())
        except (OSError, ValueError):
            return [f"{rel} does not hold the JSON result"]
        return []

    return check


# 1. An output path that is an input -------------------------------------------------------

simple(
    "1a-o-onto-scenario",
    1,
    "run a.yaml -o a.yaml",
    {"a.yaml": TINY},
    ["run", "a.yaml", "-o", "a.yaml", *RUN],
    expect(2, names=["a.yaml"]),
)
simple(
    "1b-o-onto-site",
    1,
    "-o onto the scenario's own site file",
    {"a.yaml": costed(), "site.yaml": SITE},
    ["run", "a.yaml", "-o", "site.yaml", *RUN],
    expect(2, names=["site.yaml"]),
)


@case(
    "1c-o-onto-symlink-to-input",
    1,
    "-o a link to the scenario",
    expect(2, names=[("out.yaml", "a.yaml")]),
)
def _(d: Path) -> Invocation:
    write(d, "a.yaml", TINY)
    (d / "out.yaml").symlink_to("a.yaml")
    return inv(d, "run", "a.yaml", "-o", "out.yaml", *RUN)


simple(
    "1d-compare-o-onto-input",
    1,
    "compare a b -o b",
    {"a.yaml": TINY, "b.yaml": TINY.replace("name: tiny", "name: other")},
    ["compare", "a.yaml", "b.yaml", "-o", "b.yaml", *RUN],
    expect(2, names=["b.yaml"]),
)
simple(
    "1e-trace-onto-input",
    1,
    "a scenario named .csv and --trace onto it",
    {"a.csv": TINY},
    ["run", "a.csv", "--trace", "a.csv", *RUN],
    expect(2, names=["a.csv"]),
)


@case("1f-o-onto-input-other-spelling", 1, "-o sub/../a.yaml", expect(2, names=["a.yaml"]))
def _(d: Path) -> Invocation:
    write(d, "a.yaml", TINY)
    (d / "sub").mkdir()
    return inv(d, "run", "a.yaml", "-o", "sub/../a.yaml", *RUN)


# 2. A lost write is never success ----------------------------------------------------------

LONG = serial(400)  # about 250 KB of JSON: more than a pipe holds


@case("2a-stdout-closed", 2, "run --format json >&-", expect(1, 2, quiet_ok=True))
def _(d: Path) -> Invocation:
    write(d, "a.yaml", TINY)
    return inv(d, "run", "a.yaml", "--format", "json", *RUN, stdout="closed")


@case(
    "2b-head-unbuffered",
    2,
    "PYTHONUNBUFFERED=1 run --format json | head -c 10",
    expect(1, 2, quiet_ok=True),
)
def _(d: Path) -> Invocation:
    write(d, "long.yaml", LONG)
    return inv(
        d,
        "run",
        "long.yaml",
        "--format",
        "json",
        *RUN,
        stdout="head:10",
        env={"PYTHONUNBUFFERED": "1"},
    )


@case("2c-head-buffered", 2, "run --format json | head -c 10", expect(1, 2, quiet_ok=True))
def _(d: Path) -> Invocation:
    write(d, "long.yaml", LONG)
    return inv(d, "run", "long.yaml", "--format", "json", *RUN, stdout="head:10")


@case(
    "2d-head-table-unbuffered",
    2,
    "PYTHONUNBUFFERED=1 run (table) | head -c 10",
    expect(1, 2, quiet_ok=True),
)
def _(d: Path) -> Invocation:
    # The table has a row a station, about 120 bytes: 400 stations (48 KB) fit in a pipe's
    # 64 KB, so every byte is delivered before head leaves and exit 0 is right; 900 do not.
    write(d, "long.yaml", serial(900))
    return inv(d, "run", "long.yaml", *RUN, stdout="head:10", env={"PYTHONUNBUFFERED": "1"})


# 3. -o onto an existing file, a read-only file, a symlink ----------------------------------


def mode_is(rel: str, mode: int) -> Callable[[Outcome], list[str]]:
    def check(out: Outcome) -> list[str]:
        got = os.stat(out.cwd / rel).st_mode & 0o7777
        return [] if got == mode else [f"{rel} has mode {got:o}, was {mode:o}"]

    return check


@case(
    "3a-o-keeps-mode",
    3,
    "-o onto an existing 0600 file",
    expect(0, checks=(mode_is("out.json", 0o600), file_json("out.json"))),
)
def _(d: Path) -> Invocation:
    write(d, "a.yaml", TINY)
    out = write(d, "out.json", "old\n")
    out.chmod(0o600)
    return inv(
        d, "run", "a.yaml", "--format", "json", "-o", "out.json", *RUN, outputs=("out.json",)
    )


@case("3b-o-read-only", 3, "-o onto a 0444 file", expect(1, 2, names=["out.json"]))
def _(d: Path) -> Invocation:
    write(d, "a.yaml", TINY)
    write(d, "out.json", "keep me\n").chmod(0o444)
    return inv(d, "run", "a.yaml", "--format", "json", "-o", "out.json", *RUN)


def still_link(rel: str, target: str) -> Callable[[Outcome], list[str]]:
    def check(out: Outcome) -> list[str]:
        path = out.cwd / rel
        if not path.is_symlink() or os.readlink(path) != target:
            return [f"{rel} is no longer a link to {target}"]
        return []

    return check


@case(
    "3c-o-through-symlink",
    3,
    "-o a link: written to its target, the link stays",
    expect(
        0,
        checks=(
            still_link("out.json", "real/target.json"),
            file_json("real/target.json"),
            mode_is("real/target.json", 0o640),
        ),
    ),
)
def _(d: Path) -> Invocation:
    write(d, "a.yaml", TINY)
    write(d, "real/target.json", "old\n").chmod(0o640)
    (d / "out.json").symlink_to("real/target.json")
    return inv(
        d,
        "run",
        "a.yaml",
        "--format",
        "json",
        "-o",
        "out.json",
        *RUN,
        outputs=("real/target.json",),
    )


# 4. A shipment larger than a year's demand ---------------------------------------------------

DEMAND_LOGISTICS = """\
logistics: {mode: sea, rate_per_container: 2800, units_per_container: 24000, transit: 35d}
demand: {annual: ANNUAL}
"""


def sane_inventory(out: Outcome) -> list[str]:
    """Inventory per part at most a year of carrying the part's landed value; and a warning."""
    if out.code != 0:
        return []
    try:
        cost = json.loads(out.stdout)["cost"]
    except (ValueError, KeyError):
        return ["stdout is not the JSON result with a cost block"]
    inventory = cost["breakdown"]["inventory"]["mean"]
    landed = cost["landed_cost"]["mean"]
    bad = []
    if inventory > 0.2 * landed:  # carrying rate 0.2 a year
        bad.append(f"inventory {inventory:.2f} per part of a landed cost of {landed:.2f}")
    if not out.lines():
        bad.append("no warning that a shipment is larger than a year's demand")
    return bad


for _id, _annual in (("4a-demand-100", "100"), ("4b-demand-half", "0.5")):
    simple(
        _id,
        4,
        f"demand {{annual: {_annual}}}, 24,000 parts per container",
        {"a.yaml": costed(extra=DEMAND_LOGISTICS.replace("ANNUAL", _annual)), "site.yaml": SITE},
        ["run", "a.yaml", "--format", "json", "--backend", "des", "-j", "1"],
        expect(0, 2, names=["a.yaml"], checks=(sane_inventory,))
        if _annual == "0.5"
        else expect(0, checks=(sane_inventory,)),
    )


# 5. Deadlock ------------------------------------------------------------------------------

_names_stations = ("lathe", "mill")


def names_stations(out: Outcome) -> list[str]:
    line = next((x for x in out.lines() if x.startswith("simline: error: ")), "")
    return [f"error does not name station {s!r}" for s in _names_stations if s not in line]


simple(
    "5a-deadlock-des",
    5,
    "opposite routings, zero buffers (des)",
    {"a.yaml": DEADLOCK},
    ["run", "a.yaml", *RUN],
    expect(1, checks=(names_stations,)),
)
simple(
    "5b-deadlock-fast",
    5,
    "opposite routings, zero buffers (fast)",
    {"a.yaml": DEADLOCK},
    ["run", "a.yaml", "--backend", "fast", "-q"],
    expect(1, checks=(names_stations,)),
    fast=True,
    slow=True,
)


# 6. compare --rate ---------------------------------------------------------------------------

_RATED = {
    "a.yaml": costed("alpha"),
    "b.yaml": costed("beta"),
    "u.yaml": costed("gamma", site="usd.yaml", currency="USD"),
    "site.yaml": SITE,
    "usd.yaml": SITE_USD,
}
simple(
    "6a-rate-reporting-currency",
    6,
    "--rate for the reporting currency",
    _RATED,
    ["compare", "a.yaml", "b.yaml", "--rate", "EUR=1", *RUN],
    expect(2, names=["EUR"]),
)
simple(
    "6b-rate-unused",
    6,
    "--rate for a currency no scenario uses",
    _RATED,
    ["compare", "a.yaml", "b.yaml", "--rate", "USD=0.9", *RUN],
    expect(2, names=["USD"]),
)
simple(
    "6c-rate-repeated",
    6,
    "--rate USD twice",
    _RATED,
    ["compare", "a.yaml", "u.yaml", "--rate", "USD=0.9", "--rate", "USD=0.95", *RUN],
    expect(2, names=["USD"]),
)
simple(
    "6d-rate-ok",
    6,
    "control: one needed --rate",
    _RATED,
    ["compare", "a.yaml", "u.yaml", "--rate", "USD=0.9", *RUN],
    expect(0),
)


# 7. Trace and output together or not at all ----------------------------------------------------


@case("7a-trace-then-o-fails", 7, "--trace t.csv -o out.json, the disk fills on -o", expect(1, 2))
def _(d: Path) -> Invocation:
    write(d, "a.yaml", serial(60, process_time=20.0, length="30min"))
    return inv(
        d,
        "run",
        "a.yaml",
        "--format",
        "json",
        "--trace",
        "t.csv",
        "-o",
        "out.json",
        *RUN,
        fsize=16 * 1024,
    )


# 8. Billion laughs ---------------------------------------------------------------------------

simple(
    "8a-billion-laughs",
    8,
    "nested aliases in description",
    {"a.yaml": LAUGHS},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"], seconds=10, rss_mb=512),
    timeout=60,
)
simple(
    "8b-billion-laughs-run",
    8,
    "nested aliases, run",
    {"a.yaml": LAUGHS},
    ["run", "a.yaml", *RUN],
    expect(2, names=["a.yaml"], seconds=10, rss_mb=512),
    timeout=60,
)


# 9. -j far above the cores -------------------------------------------------------------------

_WORKERS = CORES + 3  # the CLI, the resource tracker, one worker per core, one to spare
for _jobs in (100, 1000):
    simple(
        f"9{'ab'[_jobs == 1000]}-jobs-{_jobs}",
        9,
        f"-j {_jobs} -r {_jobs}",
        {"a.yaml": TINY},
        ["run", "a.yaml", "-j", str(_jobs), "-r", str(_jobs), "--length", "10min", *DES],
        expect(0, 2, procs=_WORKERS, seconds=60, group_rss_mb=2048),
        timeout=90,
        slow=True,
    )


# 10. replications: 1e9 -------------------------------------------------------------------------


@case(
    "10a-replications-1e9",
    10,
    "replications: 1e9, -j 2, Ctrl-C after 8 s",
    expect(2, 130, rss_mb=400, group_rss_mb=900, seconds=20),
    timeout=30,
    slow=True,
)
def _(d: Path) -> Invocation:
    write(d, "a.yaml", tiny(run="run: {warmup: 0, length: 1min, replications: 1e9, seed: 1}"))
    return inv(
        d, "run", "a.yaml", "-j", "2", *DES, signal=Signal(signal.SIGINT, procs=10**6, wait=8.0)
    )


# 11. conwip and servers of 1e9 ------------------------------------------------------------------

for _backend in ("des", "fast"):
    simple(
        f"11-conwip-1e9-{_backend}",
        11,
        f"release: {{conwip: 1e9}} ({_backend})",
        {"a.yaml": TINY + "release: {conwip: 1e9}\n"},
        ["run", "a.yaml", "--backend", _backend, "-q"],
        expect(0, 2, names=["a.yaml"], seconds=20),
        fast=_backend == "fast",
    )
    simple(
        f"11-servers-1e9-{_backend}",
        11,
        f"servers: 1e9 ({_backend})",
        {"a.yaml": tiny(weld="  weld: {kind: machine, process_time: 0.9, servers: 1e9}")},
        ["run", "a.yaml", "--backend", _backend, "-q"],
        expect(0, 2, names=["a.yaml"], seconds=20),
        fast=_backend == "fast",
    )


# 12. horizon_years: 1e10 ---------------------------------------------------------------------

simple(
    "12a-horizon-1e10",
    12,
    "tco.horizon_years: 1e10",
    {"a.yaml": costed(extra="tco: {horizon_years: 1e10}\n"), "site.yaml": SITE},
    ["run", "a.yaml", *RUN],
    expect(0, 2, names=["a.yaml"], seconds=15),
)


# 13. Signals and workers -----------------------------------------------------------------------

_BUSY = Signal(signal.SIGTERM, procs=4, wait=10.0, delay=1.5)  # both workers are working


@case(
    "13a-sigterm-j2",
    13,
    "SIGTERM to the CLI during -j 2",
    expect(130, 143, seconds=30),
    timeout=45,
    slow=True,
)
def _(d: Path) -> Invocation:
    write(d, "a.yaml", SLOW.replace("replications: 1", "replications: 4"))
    return inv(d, "run", "a.yaml", "-j", "2", *DES, signal=_BUSY)


@case(
    "13b-sigkill-j2",
    13,
    "kill -9 of the CLI during -j 2",
    expect(-9, seconds=30),
    timeout=45,
    slow=True,
)
def _(d: Path) -> Invocation:
    write(d, "a.yaml", SLOW.replace("replications: 1", "replications: 4"))
    return inv(
        d,
        "run",
        "a.yaml",
        "-j",
        "2",
        *DES,
        signal=Signal(signal.SIGKILL, procs=4, wait=10.0, delay=1.5),
    )


@case(
    "13c-sigkill-during-compile",
    13,
    "kill -9 of the CLI while workers compile (cold cache)",
    expect(-9, seconds=40),
    timeout=60,
    slow=True,
)
def _(d: Path) -> Invocation:
    # the cache lies outside the working directory: only that must be left unchanged
    (d / "numba-cache").mkdir()
    work = d / "work"
    write(work, "a.yaml", TWO_PRODUCTS)
    return inv(
        work,
        "run",
        "a.yaml",
        "-j",
        "2",
        "--backend",
        "fast",
        "-q",
        env={"NUMBA_CACHE_DIR": str(d / "numba-cache")},
        signal=Signal(signal.SIGKILL, procs=4, wait=15.0, delay=8.0),
    )


@case(
    "13d-sigint-j2",
    13,
    "control: Ctrl-C during -j 2",
    expect(130, seconds=30),
    timeout=45,
    slow=True,
)
def _(d: Path) -> Invocation:
    write(d, "a.yaml", SLOW.replace("replications: 1", "replications: 4"))
    return inv(
        d,
        "run",
        "a.yaml",
        "-j",
        "2",
        *DES,
        signal=Signal(signal.SIGINT, procs=4, wait=10.0, delay=1.5),
    )


@case("13e-sigterm-one-process", 13, "SIGTERM to the CLI during -j 1", expect(130, 143, seconds=20))
def _(d: Path) -> Invocation:
    write(d, "a.yaml", SLOW)
    return inv(
        d, "run", "a.yaml", "-j", "1", *DES, signal=Signal(signal.SIGTERM, procs=10**6, wait=2.0)
    )


# 14. Absurd runs -------------------------------------------------------------------------------

simple(
    "14a-length-1e308",
    14,
    "run.length: 1e308",
    {"a.yaml": tiny(run="run: {warmup: 0, length: 1e308, replications: 1, seed: 1}")},
    ["run", "a.yaml", *RUN],
    expect(1, 2, names=["a.yaml"], seconds=15),
)
simple(
    "14b-tiny-times-52w",
    14,
    "52 weeks of 1e-4 min process times",
    {
        "a.yaml": tiny(
            run="run: {warmup: 0, length: 52w, replications: 1, seed: 1}",
            cut="  cut: {kind: machine, process_time: 1e-4, buffer: 5}",
            weld="  weld: {kind: machine, process_time: 1e-4}",
        )
    },
    ["run", "a.yaml", *RUN],
    expect(1, 2, names=["a.yaml"], seconds=15),
)
simple(
    "14c-mtbf-1e-6",
    14,
    "failures every 1e-6 min (calendar)",
    {
        "a.yaml": tiny(
            run="run: {warmup: 0, length: 1w, replications: 1, seed: 1}",
            weld="  weld: {kind: machine, process_time: 0.9, "
            "failures: {mtbf: 1e-6, mttr: 1e-6, basis: calendar}}",
        )
    },
    ["run", "a.yaml", *RUN],
    expect(1, 2, names=["a.yaml"], seconds=15),
)
simple(
    "14d-force-exists",
    14,
    "--force on a normal run",
    {"a.yaml": TINY},
    ["run", "a.yaml", "--force", *RUN],
    expect(0),
)


# 15. Big files ---------------------------------------------------------------------------------


@case(
    "15a-50mb-yaml",
    15,
    "a 50 MB scenario file",
    expect(0, 2, names=["big.yaml"], seconds=10),
    timeout=60,
    slow=True,
)
def _(d: Path) -> Invocation:
    # 50 MB of a valid file: mostly comment lines, a notes block and the line itself
    # (a pure-Python YAML scanner reads them a character at a time)
    comment = "# " + "lorem ipsum dolor sit amet, consectetur adipiscing elit " * 2 + "\n"
    line = "    " + "lorem ipsum dolor sit amet, consectetur adipiscing elit " * 2 + "\n"
    head, rest = TINY.split("time_unit", 1)
    with open(d / "big.yaml", "w") as f:
        f.write(comment * (40 * 2**20 // len(comment)))
        f.write(head + "description: >\n")
        f.write(line * (10 * 2**20 // len(line)))
        f.write("time_unit" + rest)
    return inv(d, "validate", "big.yaml")


def _many_products(n: int) -> str:
    products = "\n".join(f"  p{i}: {{routing: [cut]}}" for i in range(n))
    return (
        "simline: 1\nname: many\ntime_unit: min\n"
        "run: {warmup: 0, length: 1h, replications: 1, seed: 1}\n"
        f"products:\n{products}\n"
        "stations:\n  cut: {kind: machine, process_time: 1.0, setup: 2}\n"
    )


simple(
    "15b-5000-products-setups",
    15,
    "5,000 products with setups (validate)",
    {"a.yaml": _many_products(5000)},
    ["validate", "a.yaml"],
    expect(0, 2, names=["a.yaml"], seconds=30, rss_mb=768),
    timeout=60,
)


# 16. Bytes that are not text -----------------------------------------------------------------

_NUL = TINY.replace("name: tiny", "name: tiny\ndescription: a\x00b").encode()
_ESC = TINY.replace("name: tiny", "name: tiny\ndescription: a\x1b[31mb").encode()
simple(
    "16a-nul-byte",
    16,
    "a NUL byte",
    {"a.yaml": _NUL},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)
simple(
    "16b-esc-byte",
    16,
    "an ESC byte",
    {"a.yaml": _ESC},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)
simple(
    "16c-utf16le-no-bom",
    16,
    "UTF-16LE without BOM",
    {"a.yaml": TINY.encode("utf-16-le")},
    ["validate", "a.yaml"],
    expect(0, 2, names=["a.yaml"]),
)
simple(
    "16d-invalid-utf8",
    16,
    "a byte 0xFF",
    {"a.yaml": TINY.encode() + b"# \xff\xfe\n"},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)


def checked(name: str) -> Callable[[Outcome], list[str]]:
    def check(out: Outcome) -> list[str]:
        return [] if name in out.stdout.decode("utf-8", "replace") else [f"{name} was not checked"]

    return check


simple(
    "16e-validate-goes-on",
    16,
    "validate nul.yaml good.yaml esc.yaml",
    {"nul.yaml": _NUL, "good.yaml": TINY, "esc.yaml": _ESC},
    ["validate", "nul.yaml", "good.yaml", "esc.yaml"],
    expect(2, names=["nul.yaml", "esc.yaml"], error_lines=2, checks=(checked("good.yaml"),)),
)


# 17. Deep nesting ----------------------------------------------------------------------------

simple(
    "17a-nesting-flow-1000",
    17,
    "1,000 levels of [ ]",
    {"a.yaml": TINY + "description: " + "[" * 1000 + "]" * 1000 + "\n"},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)
simple(
    "17b-nesting-block-1000",
    17,
    "1,000 levels of block mappings",
    {"a.yaml": TINY + "description:\n" + "".join(" " * (i + 1) + "k:\n" for i in range(1000))},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)
simple(
    "17c-nesting-flow-100000",
    17,
    "100,000 levels of { }",
    {"a.yaml": TINY + "description: " + "{a: " * 100000 + "1" + "}" * 100000 + "\n"},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"], seconds=20),
)


# 18. Numbers that overflow in validate ---------------------------------------------------------

simple(
    "18a-weibull-shape",
    18,
    "weibull shape 1e-3",
    {
        "a.yaml": tiny(
            weld="  weld: {kind: machine, process_time: {dist: weibull, shape: 1e-3, scale: 1}}"
        )
    },
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)
simple(
    "18b-mix-1e308",
    18,
    "mix of 1e308 twice",
    {
        "a.yaml": TINY + "products:\n  p: {routing: [cut, weld], mix: 1e308}\n"
        "  q: {routing: [cut, weld], mix: 1e308}\n"
    },
    ["validate", "a.yaml"],
    expect(0, 2, names=["a.yaml"]),
)
simple(
    "18c-weights-1e308",
    18,
    "empirical weights of 1e308",
    {
        "a.yaml": tiny(
            weld="  weld: {kind: machine, process_time: {dist: empirical, "
            "values: [1, 2], weights: [1e308, 1e308]}}"
        )
    },
    ["validate", "a.yaml"],
    expect(0, 2, names=["a.yaml"]),
)
simple(
    "18d-normal-1e-300-0",
    18,
    "normal(1e-300, 0)",
    {"a.yaml": tiny(weld='  weld: {kind: machine, process_time: "normal(1e-300, 0)"}')},
    ["validate", "a.yaml"],
    expect(0, 2, names=["a.yaml"]),
)


# 19. Cost figures that overflow after the simulation -------------------------------------------

_COST19 = {
    "19a-capex-1e308": ("capex: 100000", "capex: 1e308", "scenario"),
    "19b-life-1e-300": ("life_years: 10", "life_years: 1e-300", "scenario"),
    "19c-hours-per-year-1e-300": ("", "hours_per_year: 1e-300\n", "site"),
    "19d-interest-1e308": ("interest_rate: 0.05", "interest_rate: 1e308", "site"),
    "19e-fx-growth-1e300": ("", "tco: {fx_growth: 1e300}\n", "scenario"),
}
for _id, (_old, _new, _where) in _COST19.items():
    _scenario, _site = costed(), SITE
    if _where == "site":
        _site = _site.replace(_old, _new) if _old else _site + _new
    else:
        _scenario = _scenario.replace(_old, _new) if _old else _scenario + _new
    _named = ["a.yaml"] if _where == "scenario" else [("site.yaml", "a.yaml")]
    simple(
        _id,
        19,
        _new.strip(),
        {"a.yaml": _scenario, "site.yaml": _site},
        ["validate", "a.yaml"],
        expect(2, names=_named),
    )


def long_run(text: str) -> str:
    """One replication of 26 weeks with fast machines: the simulation alone takes over 10 s,
    so a refusal within 8 s came before it."""
    return (
        text.replace("length: 8h, replications: 2", "length: 26w, replications: 1")
        .replace("process_time: 1.0", "process_time: 0.1")
        .replace("process_time: 0.9", "process_time: 0.09")
    )


simple(
    "19f-run-capex-1e308",
    19,
    "run with capex 1e308: refused before a 10 s simulation",
    {"a.yaml": long_run(costed().replace("capex: 100000", "capex: 1e308")), "site.yaml": SITE},
    ["run", "a.yaml", *RUN],
    expect(2, names=["a.yaml"], seconds=8),
    timeout=30,
)
simple(
    "19g-rate-1e308",
    19,
    "compare --rate USD=1e308",
    _RATED,
    ["compare", "a.yaml", "u.yaml", "--rate", "USD=1e308", *RUN],
    expect(2),
)


# 20. Huge buffers and batches on the fast engine -------------------------------------------------

simple(
    "20a-buffer-1e12-auto",
    20,
    "buffer: 1e12, --backend auto",
    {"a.yaml": tiny(weld="  weld: {kind: machine, process_time: 0.9, buffer: 1e12}")},
    ["run", "a.yaml", "-q"],
    expect(0, 2, names=["a.yaml"], seconds=20),
    fast=True,
)
simple(
    "20b-buffer-1e12-fast",
    20,
    "buffer: 1e12, --backend fast",
    {"a.yaml": tiny(weld="  weld: {kind: machine, process_time: 0.9, buffer: 1e12}")},
    ["run", "a.yaml", "--backend", "fast", "-q"],
    expect(0, 2, names=["a.yaml"], seconds=20),
    fast=True,
)
simple(
    "20c-batch-1e9-fast",
    20,
    "batch.size: 1e9, --backend fast",
    {
        "a.yaml": tiny(
            weld="  weld: {kind: additive, process_time: 60, per_part_time: 1, "
            "batch: {size: 1e9, max_wait: 30}}"
        )
    },
    ["run", "a.yaml", "--backend", "fast", "-q"],
    expect(0, 2, names=["a.yaml"], seconds=20),
    fast=True,
)
simple(
    "20d-buffer-2-63",
    20,
    "buffer: 9223372036854775808",
    {
        "a.yaml": tiny(
            weld="  weld: {kind: machine, process_time: 0.9, buffer: 9223372036854775808}"
        )
    },
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)
simple(
    "20e-servers-2-63-1-fast",
    20,
    "servers: 2**63-1, --backend fast",
    {
        "a.yaml": tiny(
            weld="  weld: {kind: machine, process_time: 0.9, servers: 9223372036854775807}"
        )
    },
    ["run", "a.yaml", "--backend", "fast", "-q"],
    expect(0, 2, names=["a.yaml"], seconds=20),
    fast=True,
)


# 21. A damaged Numba cache ----------------------------------------------------------------------


def _damaged_cache(d: Path, how: str) -> Invocation:
    from tests.fuzz.numba_cache import copy_cache

    # the cache lies outside the working directory (it is rewritten when recompiled)
    cache = d / "numba-cache"
    # only the serial line's kernel is damaged: it recompiles alone (its callees load)
    for path in copy_cache(cache):
        if not path.name.startswith("tandem."):
            continue
        if how == "nbc" and path.suffix == ".nbc":
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
        if how == "nbi" and path.suffix == ".nbi":
            path.write_bytes(b"garbage, not a pickle\n" * 4)
    work = d / "work"
    write(work, "a.yaml", TINY)
    return inv(
        work,
        "run",
        "a.yaml",
        "--format",
        "json",
        "--backend",
        "fast",
        "-q",
        env={"NUMBA_CACHE_DIR": str(cache)},
    )


@case(
    "21a-truncated-nbc",
    21,
    "truncated .nbc files in the Numba cache",
    expect(0, seconds=150, checks=(json_out,)),
    timeout=240,
    slow=True,
    fast=True,
)
def _(d: Path) -> Invocation:
    return _damaged_cache(d, "nbc")


@case(
    "21b-garbage-nbi",
    21,
    "garbage .nbi files in the Numba cache",
    expect(0, seconds=150, checks=(json_out,)),
    timeout=240,
    slow=True,
    fast=True,
)
def _(d: Path) -> Invocation:
    return _damaged_cache(d, "nbi")


# 22. A full disk on stdout ------------------------------------------------------------------------

for _id, _args in (
    ("22a-devfull-json", ["run", "a.yaml", "--format", "json", *RUN]),
    ("22b-devfull-table", ["run", "a.yaml", *RUN]),
    ("22c-devfull-validate", ["validate", "a.yaml"]),
    ("22d-devfull-schema", ["schema"]),
):

    def _build(d: Path, _args: list[str] = _args) -> Invocation:
        write(d, "a.yaml", TINY)
        return inv(d, *_args, stdout="devfull")

    case(_id, 22, " ".join(_args[:3]) + " >/dev/full", expect(1))(_build)


# 23. Cost inputs missing their partner: validate must say so ------------------------------------

_C23 = {
    "23a-container-m3-only": "logistics: {mode: sea, rate_per_container: 2800, container_m3: 67}\n",
    "23b-rate-per-kg-no-mass": "logistics: {mode: road, rate_per_kg: 0.5}\n",
    "23c-distance-no-mass": "logistics: {mode: road, rate_per_part: 0.1, distance_km: 900}\n",
}
for _id, _extra in _C23.items():
    _text = costed(extra=_extra).replace(", mass_kg: 0.5", "")
    simple(
        _id,
        23,
        _extra.strip(),
        {"a.yaml": _text, "site.yaml": SITE},
        ["validate", "a.yaml"],
        expect(2, names=["a.yaml"]),
    )
simple(
    "23d-capex-no-life",
    23,
    "capex without life_years",
    {"a.yaml": costed().replace(", life_years: 10", ""), "site.yaml": SITE},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)
simple(
    "23e-run-refused-before-simulating",
    23,
    "run: refused before a 10 s simulation",
    {"a.yaml": long_run(costed(extra=_C23["23a-container-m3-only"])), "site.yaml": SITE},
    ["run", "a.yaml", *RUN],
    expect(2, names=["a.yaml"], seconds=8),
    timeout=30,
)


# 24. A site that is not a site: never echo its contents ------------------------------------------

_SECRET = "tok3n-XYZZY-4711:x:0:0:secret"
simple(
    "24a-site-text-file",
    24,
    "site: a text file",
    {"a.yaml": costed(site="secret.txt"), "secret.txt": _SECRET + "\nmore secret lines\n"},
    ["validate", "a.yaml"],
    expect(2, names=["secret.txt"], checks=(never_echo("XYZZY"),)),
)
simple(
    "24b-site-etc-passwd",
    24,
    "site: ../../../etc/passwd",
    {"a.yaml": costed(site="../" * 30 + "etc/passwd")},
    ["validate", "a.yaml"],
    expect(2, names=["passwd"], checks=(never_echo("root:", ":0:0:"),)),
    skip=lambda: None if os.path.exists("/etc/passwd") else "no /etc/passwd",
)
simple(
    "24c-site-yaml-list",
    24,
    "site: a YAML list",
    {"a.yaml": costed(site="list.yaml"), "list.yaml": "- hunter2-XYZZY\n- other\n"},
    ["validate", "a.yaml"],
    expect(2, names=["list.yaml"], checks=(never_echo("XYZZY"),)),
)
simple(
    "24d-site-env-file",
    24,
    "site: an env file (a mapping of secrets)",
    {"a.yaml": costed(site="prod.env"), "prod.env": "DB_PASSWORD: hunter2-XYZZY\n"},
    ["validate", "a.yaml"],
    expect(2, names=["prod.env"], checks=(never_echo("XYZZY"),)),
)


# 25. Files that are not files ------------------------------------------------------------------


@case(
    "25a-site-directory",
    25,
    "site: a directory",
    expect(2, names=["sitedir"], checks=(not_misleading,)),
)
def _(d: Path) -> Invocation:
    write(d, "a.yaml", costed(site="sitedir"))
    (d / "sitedir").mkdir()
    return inv(d, "validate", "a.yaml")


@case(
    "25b-site-symlink-loop",
    25,
    "site: a symlink loop",
    expect(2, names=["loop.yaml"], checks=(not_misleading,)),
)
def _(d: Path) -> Invocation:
    write(d, "a.yaml", costed(site="loop.yaml"))
    (d / "loop.yaml").symlink_to("loop.yaml")
    return inv(d, "validate", "a.yaml")


simple(
    "25c-site-dev-zero",
    25,
    "site: /dev/zero",
    {"a.yaml": costed(site="/dev/zero")},
    ["validate", "a.yaml"],
    expect(2, names=["/dev/zero"], seconds=10, checks=(not_misleading,)),
)


@case(
    "25d-o-proc-version",
    25,
    "-o /proc/version",
    expect(2, names=["/proc/version"], checks=(not_misleading,)),
    skip=lambda: None if os.path.exists("/proc/version") else "no /proc/version",
)
def _(d: Path) -> Invocation:
    write(d, "a.yaml", TINY)
    return inv(d, "run", "a.yaml", "-o", "/proc/version", *RUN)


@case("25e-site-fifo", 25, "site: a FIFO nobody writes", expect(2, names=["pipe.yaml"], seconds=10))
def _(d: Path) -> Invocation:
    write(d, "a.yaml", costed(site="pipe.yaml"))
    os.mkfifo(d / "pipe.yaml")
    return inv(d, "validate", "a.yaml")


@case("25f-scenario-fifo", 25, "the scenario is a FIFO", expect(2, names=["a.yaml"], seconds=10))
def _(d: Path) -> Invocation:
    os.mkfifo(d / "a.yaml")
    return inv(d, "validate", "a.yaml")


simple(
    "25g-scenario-dev-zero",
    25,
    "validate /dev/zero",
    {},
    ["validate", "/dev/zero"],
    expect(2, names=["/dev/zero"], seconds=10),
)


# 26. Usage errors: one line -----------------------------------------------------------------------

_USAGE = {
    "26a-jobs-0": (["run", "a.yaml", "-j", "0"], []),
    "26b-replications-0": (["run", "a.yaml", "-r", "0"], []),
    "26c-seed-negative": (["run", "a.yaml", "--seed", "-1"], []),
    "26d-seed-fraction": (["run", "a.yaml", "--seed", "1.5"], []),
    "26e-bad-format": (["run", "a.yaml", "--format", "xml"], []),
    "26f-o-directory": (["run", "a.yaml", "-o", "outdir"], ["outdir"]),
    "26g-unknown-option": (["run", "a.yaml", "--bogus"], []),
    "26h-config-directory": (["run", "confdir"], ["confdir"]),
    "26i-unknown-command": (["simulate", "a.yaml"], []),
    "26j-compare-one-file": (["compare", "a.yaml"], []),
    "26k-validate-no-file": (["validate"], []),
    "26l-bad-backend": (["run", "a.yaml", "--backend", "gpu"], []),
    "26m-option-without-value": (["run", "a.yaml", "--length"], []),
    "26n-validate-missing-file": (["validate", "missing.yaml"], ["missing.yaml"]),
}
for _id, (_args, _names) in _USAGE.items():

    def _build(d: Path, _args: list[str] = _args) -> Invocation:
        write(d, "a.yaml", TINY)
        (d / "outdir").mkdir()
        (d / "confdir").mkdir()
        return inv(d, *_args)

    case(_id, 26, " ".join(_args), expect(2, names=_names))(_build)


@case(
    "26o-unreadable-config",
    26,
    "a config without read permission",
    expect(2, names=["a.yaml"]),
    skip=lambda: "root reads any file" if os.geteuid() == 0 else None,
)
def _(d: Path) -> Invocation:
    write(d, "a.yaml", TINY).chmod(0)
    return inv(d, "run", "a.yaml", *RUN)


# 27. Messages: escape control and bidi characters, cut long values -------------------------------

simple(
    "27a-bidi-in-name",
    27,
    "U+202E in a station name",
    {"a.yaml": TINY + 'products:\n  p: {routing: [cut, "we\u202eld"]}\n'},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)
simple(
    "27b-escape-in-name",
    27,
    "an ESC character in a station name",
    {"a.yaml": TINY + 'products:\n  p: {routing: [cut, "we\\e[2Jld"]}\n'},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)
simple(
    "27c-short-form-100000-args",
    27,
    "a short form with 100,000 arguments",
    {
        "a.yaml": tiny(
            weld='  weld: {kind: machine, process_time: "uniform('
            + ", ".join(["1"] * 100000)
            + ')"}'
        )
    },
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)
simple(
    "27d-key-1100-chars",
    27,
    "a key of 1,100 characters",
    {"a.yaml": TINY + "  " + "k" * 1100 + ": {kind: machine, process_time: 1}\n"},
    ["validate", "a.yaml"],
    expect(0, 2, names=["a.yaml"]),
)
simple(
    "27e-long-value",
    27,
    "a 100,000-character value",
    {"a.yaml": TINY.replace("time_unit: min", "time_unit: " + "m" * 100000)},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)


# 28. One strictness for all whole numbers ---------------------------------------------------------

_W28 = {
    "28a-servers-string": tiny(weld='  weld: {kind: machine, process_time: 0.9, servers: "2"}'),
    "28b-buffer-str-tag": tiny(weld="  weld: {kind: machine, process_time: 0.9, buffer: !!str 5}"),
    "28c-replications-string": tiny(run='run: {warmup: 0, length: 1h, replications: "3", seed: 1}'),
    "28d-seed-string": tiny(run='run: {warmup: 0, length: 1h, replications: 1, seed: "7"}'),
    "28e-conwip-string": TINY + 'release: {conwip: "4"}\n',
    "28f-operators-string": tiny(weld='  weld: {kind: manual, process_time: 0.9, operators: "1"}'),
    "28g-batch-size-string": tiny(
        weld='  weld: {kind: additive, process_time: 60, batch: {size: "4"}}'
    ),
}
for _id, _text in _W28.items():
    simple(
        _id,
        28,
        _id[4:].replace("-", " "),
        {"a.yaml": _text},
        ["validate", "a.yaml"],
        expect(2, names=["a.yaml"]),
    )


# 29. Shifts -----------------------------------------------------------------------------------

_SHIFT = TINY + 'workforce: {operators: 1, shifts: [["FROM", "TO"]]}\n'
simple(
    "29a-empty-shift",
    29,
    'shifts: [["08:00", "08:00"]]',
    {"a.yaml": _SHIFT.replace("FROM", "08:00").replace("TO", "08:00")},
    ["validate", "a.yaml"],
    expect(2, names=["a.yaml"]),
)
simple(
    "29b-whole-day-shift",
    29,
    'control: shifts: [["00:00", "24:00"]]',
    {"a.yaml": _SHIFT.replace("FROM", "00:00").replace("TO", "24:00")},
    ["validate", "a.yaml"],
    expect(0, 2, names=["a.yaml"]),
)


def by_id() -> dict[str, Case]:
    """The cases by id (ids are unique)."""
    out = {c.id: c for c in CASES}
    assert len(out) == len(CASES), "duplicate case ids"
    return out


if __name__ == "__main__":  # pragma: no cover
    for c in CASES:
        print(c.id, c.item, c.what, file=sys.stdout)
