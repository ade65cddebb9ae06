"""The engine against queueing theory: one scenario per analytic case of ``tests/analytic.py``.

Tolerance rule
--------------
Each stochastic case runs ``R = 20`` independent replications with a fixed seed; each figure
gets a Student t interval at 99.9 % confidence (``conftest.CONFIDENCE``) and the test asserts
``abs(mean - theory) <= halfwidth``. There are 35 such checks in this module, so a correct
simulator run with a freshly drawn seed fails at least one with probability at most
``35 x 0.001 = 3.5 %`` (Bonferroni); with the fixed seeds the outcome is reproducible.

No bias allowance is added, because start-up bias is made negligible instead: the open queues
start empty and are warmed up for at least 15 relaxation times of their slowest station
(``analytic.mm1_relaxation_time``, or ``analytic.rbm_relaxation_time`` where service is not
exponential or servers are pooled), which leaves a bias of order ``exp(-15) ~ 3e-7`` of the
initial deviation. The finite chains (two-machine line, failures, setups, CONWIP) forget their
start within a few process times and get a warm-up of 100 or more.

Each check also bounds the half-width, so that it cannot pass by being noisy: at most
:data:`RATE` (3 %) of the theoretical value for throughputs and busy fractions, :data:`MEAN`
(10 %) for queue lengths, lead times and small state fractions, and :data:`LITTLE` (2 % of
``L``) for the gap ``L - lambda W``.

The deterministic cases (shift calendar, additive builds) are checked exactly, up to
floating-point rounding or the one part a finite period can cut.

Time unit: minutes; the open lines get one arrival a minute on average. Stochastic cases run
20000 min per replication (about 20000 parts), long enough that every half-width sits well
inside its bound; the module takes about 15 s on the SimPy engine.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from simline.engine.results import RunResult
from tests import analytic
from tests.integration.conftest import (
    Scenario,
    check,
    check_exact,
    fraction,
    little_gap,
    run,
    scenario,
)

# Under pytest-xdist one worker runs this module (ONE_WORKER in tests/conftest.py), so the
# Little's-law tests find the theory tests' replications in ``conftest.run``'s cache (kept per
# process) instead of simulating them again.

#: Largest half-width of throughputs and busy fractions, as a share of the theoretical value.
RATE = 0.03
#: Largest half-width of queue lengths, lead times and small state fractions.
MEAN = 0.10
#: Largest half-width of ``L - lambda W``, as a share of ``L``.
LITTLE = 0.02


def _exp(mean: float) -> dict[str, object]:
    return {"dist": "exponential", "mean": mean}


def _poisson(mean_interarrival: float) -> dict[str, object]:
    return {"interarrival": _exp(mean_interarrival)}


def _per_hour(per_minute: float) -> float:
    return 60.0 * per_minute


def _values(runs: list[RunResult], figure: str) -> list[float]:
    return [float(getattr(r, figure)) for r in runs]


# --- the scenarios -------------------------------------------------------------------------

MM1_S = 0.7
MM1 = scenario(
    "theory-mm1",
    {"m": {"kind": "machine", "process_time": _exp(MM1_S)}},
    release=_poisson(1.0),
    warmup=500,  # relaxation time 26 min
    length=20000,
    replications=20,
    seed=101,
)

MMC_C, MMC_S = 3, 2.1
MMC = scenario(
    "theory-mmc",
    {"m": {"kind": "machine", "servers": MMC_C, "process_time": _exp(MMC_S)}},
    release=_poisson(1.0),
    warmup=500,  # pooled server (rate 3 / 2.1, rho 0.7): RBM relaxation time 31 min
    length=20000,
    replications=20,
    seed=102,
)

MG1_S, MG1_CV = 0.7, 0.5
MG1 = scenario(
    "theory-mg1",
    {"m": {"kind": "machine", "process_time": {"dist": "lognormal", "mean": MG1_S, "cv": MG1_CV}}},
    release=_poisson(1.0),
    warmup=500,  # rho 0.7, ca2 = 1, cs2 = 0.25: RBM relaxation time 19 min
    length=20000,
    replications=20,
    seed=103,
)

TANDEM_S = (0.5, 0.7, 0.6)
TANDEM = scenario(
    "theory-tandem",
    {n: {"kind": "machine", "process_time": _exp(s)} for n, s in zip("abc", TANDEM_S, strict=True)},
    release=_poisson(1.0),
    warmup=500,  # slowest station (rho 0.7): relaxation time 26 min
    length=20000,
    replications=20,
    seed=104,
)

TWO_S, TWO_BUFFER = (1.0, 0.8), 3
TWO_MACHINE = scenario(
    "theory-two-machine",
    {
        "m1": {"kind": "machine", "process_time": _exp(TWO_S[0])},
        "m2": {"kind": "machine", "process_time": _exp(TWO_S[1]), "buffer": TWO_BUFFER},
    },
    warmup=100,
    length=20000,
    replications=20,
    seed=105,
)

AV_P, AV_MTBF, AV_MTTR = 1.0, 8.0, 2.0
AVAILABILITY = scenario(
    "theory-availability",
    {
        "m": {
            "kind": "machine",
            "process_time": AV_P,
            "failures": {"mtbf": AV_MTBF, "mttr": AV_MTTR, "basis": "operating"},
        }
    },
    warmup=100,
    length=20000,
    replications=20,
    seed=106,
)

SETUP_P, SETUP_S, SETUP_MIX = 1.0, 2.0, 0.3
SETUP = scenario(
    "theory-setup",
    {"m": {"kind": "machine", "process_time": SETUP_P, "setup": SETUP_S}},
    products={
        "a": {"routing": ["m"], "mix": SETUP_MIX},
        "b": {"routing": ["m"], "mix": 1 - SETUP_MIX},
    },
    warmup=100,
    length=20000,
    replications=20,
    seed=107,
)

CONWIP_N, CONWIP_S = 5, (1.0, 0.8, 1.2)
CONWIP = scenario(
    "theory-conwip",
    {n: {"kind": "machine", "process_time": _exp(s)} for n, s in zip("abc", CONWIP_S, strict=True)},
    release={"conwip": CONWIP_N},
    warmup=200,
    length=20000,
    replications=20,
    seed=108,
)

SHIFT_P, SHIFT_WEEKS = 7.0, 2
WEEK, ON_SHIFT = 168 * 60.0, 80 * 60.0  # minutes per week; two 8 h shifts on five days
SHIFTS = scenario(
    "theory-shifts",
    {"desk": {"kind": "manual", "process_time": SHIFT_P}},
    workforce={
        "operators": 1,
        "shifts": [["06:00", "14:00"], ["14:00", "22:00"]],
        "days": ["mon", "tue", "wed", "thu", "fri"],
    },
    warmup=0,
    length=f"{SHIFT_WEEKS}w",
    replications=2,
    seed=109,
)

ADDITIVE = scenario(
    "theory-additive",
    {
        "print": {
            "kind": "additive",
            "servers": 2,
            "batch": {"size": 24},
            "process_time": "6h",
            "per_part_time": "10min",
        }
    },
    warmup=300,  # builds end at 600, 1200, ... min: none near the ends of [300, 6300)
    length=6000,
    replications=2,
    seed=110,
)


# --- 1. M/M/1 ------------------------------------------------------------------------------


def test_mm1(backend: str) -> None:
    """M/M/1 at rho = 0.7: utilization rho, throughput lambda, W = 1/(mu - lambda), L.

    Tolerance: 99.9 % t interval over 20 replications, no bias allowance; half-width at
    most 3 % (utilization, throughput) or 10 % (W, L) of theory.
    """
    q = analytic.mm1(1.0, 1 / MM1_S)
    runs = run(MM1, backend)
    busy = [fraction("m", "busy")(r) for r in runs]
    check("M/M/1", "utilization", busy, q.utilization, tight=RATE)
    check(
        "M/M/1",
        "throughput/h",
        _values(runs, "throughput_per_hour"),
        _per_hour(q.throughput),
        tight=RATE,
    )
    check("M/M/1", "lead time W", _values(runs, "lead_time"), q.lead_time, tight=MEAN)
    check("M/M/1", "WIP L", _values(runs, "wip"), q.wip, tight=MEAN)


# --- 2. M/M/c ------------------------------------------------------------------------------


def test_mmc_erlang_c(backend: str) -> None:
    """M/M/3 at rho = 0.7 (Erlang C): utilization, W and Lq.

    ``Lq`` of a replication is its WIP less the mean number in service,
    ``servers x busy fraction``. Tolerance: 99.9 % t interval over 20 replications, no bias
    allowance; half-width at most 3 % (utilization) or 10 % (W, Lq) of theory.
    """
    q = analytic.mmc(1.0, 1 / MMC_S, MMC_C)
    runs = run(MMC, backend)
    busy = [fraction("m", "busy")(r) for r in runs]
    lq = [r.wip - MMC_C * b for r, b in zip(runs, busy, strict=True)]
    check("M/M/3", "utilization", busy, q.utilization, tight=RATE)
    check("M/M/3", "lead time W", _values(runs, "lead_time"), q.lead_time, tight=MEAN)
    check("M/M/3", "queue Lq", lq, q.queue, tight=MEAN)


# --- 3. M/G/1 ------------------------------------------------------------------------------


def test_mg1_pollaczek_khinchine(backend: str) -> None:
    """M/G/1 with lognormal service (mean 0.7, cv 0.5): P-K lead time, WIP, utilization.

    ``W = E[S] + lambda E[S^2] / (2 (1 - rho))`` with ``E[S^2] = E[S]^2 (1 + cv^2)``: 1.72,
    where exponential service would give 2.33 and constant service 1.52.
    Tolerance: 99.9 % t interval over 20 replications, no bias allowance; half-width at most
    3 % (utilization) or 10 % (W, L) of theory.
    """
    q = analytic.mg1(1.0, MG1_S, analytic.lognormal_second_moment(MG1_S, MG1_CV))
    runs = run(MG1, backend)
    busy = [fraction("m", "busy")(r) for r in runs]
    check("M/G/1", "utilization", busy, q.utilization, tight=RATE)
    check("M/G/1", "lead time W", _values(runs, "lead_time"), q.lead_time, tight=MEAN)
    check("M/G/1", "WIP L", _values(runs, "wip"), q.wip, tight=MEAN)


# --- 4. Jackson tandem ---------------------------------------------------------------------


def test_jackson_tandem(backend: str) -> None:
    """Three exponential stations in series, Poisson arrivals: ``W = sum 1 / (mu_i - lambda)``.

    Also the utilization ``lambda / mu_i`` of each station and ``L = lambda W``. Tolerance:
    99.9 % t interval over 20 replications, no bias allowance; half-width at most 3 %
    (utilizations) or 10 % (W, L) of theory.
    """
    line = analytic.jackson_tandem(1.0, [1 / s for s in TANDEM_S])
    runs = run(TANDEM, backend)
    check("tandem", "lead time W", _values(runs, "lead_time"), line.lead_time, tight=MEAN)
    check("tandem", "WIP L", _values(runs, "wip"), line.wip, tight=MEAN)
    for name, station in zip("abc", line.stations, strict=True):
        busy = [fraction(name, "busy")(r) for r in runs]
        check("tandem", f"utilization {name}", busy, station.utilization, tight=RATE)


# --- 5. Two-machine line with a finite buffer -----------------------------------------------


def test_two_machine_line_with_finite_buffer(backend: str) -> None:
    """Saturated exponential two-machine line, buffer 3: exact birth-death throughput.

    Also M1's blocked share ``pi_K``, M2's starved share ``pi_0`` and the WIP. Tolerance:
    99.9 % t interval over 20 replications, no bias allowance (a 6-state chain, warmed up for
    100 process times); half-width at most 3 % (throughput) or 10 % (the rest) of theory.
    M1 is the first station under saturated release, so it never starves (exactly 0).
    """
    line = analytic.two_machine_line(1 / TWO_S[0], 1 / TWO_S[1], TWO_BUFFER)
    runs = run(TWO_MACHINE, backend)
    tput = _values(runs, "throughput_per_hour")
    check("two-machine", "throughput/h", tput, _per_hour(line.throughput), tight=RATE)
    blocked = [fraction("m1", "blocked")(r) for r in runs]
    check("two-machine", "M1 blocked", blocked, line.blocked_first, tight=MEAN)
    starved = [fraction("m2", "starved")(r) for r in runs]
    check("two-machine", "M2 starved", starved, line.starved_second, tight=MEAN)
    check("two-machine", "WIP", _values(runs, "wip"), line.wip, tight=MEAN)
    assert all(fraction("m1", "starved")(r) == 0.0 for r in runs)


# --- 6. Availability ----------------------------------------------------------------------


def test_availability_under_operating_time_failures(backend: str) -> None:
    """Saturated machine, constant p = 1, exponential MTBF 8 (operating) and MTTR 2.

    ``X = 1 / (p (1 + MTTR/MTBF))``, down share ``(MTTR/MTBF) / (1 + MTTR/MTBF)``, busy share
    ``1 / (1 + MTTR/MTBF)``; a part hit by a failure resumes with its remaining time (a
    restart would lower X). Tolerance: 99.9 % t interval over 20 replications, no bias
    allowance; half-width at most 3 % (throughput, busy) or 10 % (the small down share) of
    theory.
    """
    a = analytic.availability(AV_P, AV_MTBF, AV_MTTR)
    runs = run(AVAILABILITY, backend)
    check(
        "availability",
        "throughput/h",
        _values(runs, "throughput_per_hour"),
        _per_hour(a.throughput),
        tight=RATE,
    )
    check("availability", "down", [fraction("m", "down")(r) for r in runs], a.down, tight=MEAN)
    check("availability", "busy", [fraction("m", "busy")(r) for r in runs], a.busy, tight=RATE)


# --- 7. Shift calendar --------------------------------------------------------------------


def test_shift_calendar_capacity(backend: str) -> None:
    """Manual saturated desk, constant p = 7 min, one operator on two shifts Mon-Fri.

    Deterministic. Over two whole weeks from Monday 00:00 the desk works exactly the 2 x 80 h
    on shift (work pauses at a shift end and resumes), so exactly ``floor(9600 / 7) = 1371``
    parts finish: the throughput is ``(80 h / 168 h) / p`` up to the one part the end of the
    period cuts. ``off_shift = 88/168`` and ``busy = 80/168`` exactly (tolerance 1e-9, float
    rounding), and the paid operator time is the 2 x 80 h on duty.
    """
    x = analytic.calendar_throughput(SHIFT_P, ON_SHIFT, WEEK)
    runs = run(SHIFTS, backend)
    parts = math.floor(SHIFT_WEEKS * ON_SHIFT / SHIFT_P)
    assert all(r.measured_time == pytest.approx(SHIFT_WEEKS * WEEK, rel=1e-12) for r in runs)
    check_exact("shifts", "good parts", [r.good for r in runs], parts, rel=0)
    tput = _values(runs, "throughput_per_hour")
    check_exact("shifts", "throughput/h", tput, _per_hour(x), rel=1 / parts)
    check_exact(
        "shifts", "off_shift", [fraction("desk", "off_shift")(r) for r in runs], 88 / 168, rel=1e-9
    )
    check_exact("shifts", "busy", [fraction("desk", "busy")(r) for r in runs], 80 / 168, rel=1e-9)
    paid = _values(runs, "operator_paid_time")
    check_exact("shifts", "paid operator time", paid, SHIFT_WEEKS * ON_SHIFT, rel=1e-9)


# --- 8. Additive builds --------------------------------------------------------------------


def test_additive_build_capacity(backend: str) -> None:
    """Saturated printer pair, full builds of 24: 6 h + 24 x 10 min = 10 h per build.

    Deterministic: in the 100 h period each printer finishes 10 builds, so 480 parts and
    exactly ``2 x 24 / 10 = 4.8`` parts/h; both printers are always busy, 48 parts are always
    in the line, and every part's lead time is one build, 600 min (released when the build
    takes it). Tolerance 1e-9 relative (float rounding of 10 min = 1/6 h in sums).
    """
    x = analytic.additive_throughput(2, 24, 360.0, 10.0)
    runs = run(ADDITIVE, backend)
    printer = [r.stations["print"] for r in runs]
    check_exact(
        "additive", "throughput/h", _values(runs, "throughput_per_hour"), _per_hour(x), rel=1e-9
    )
    check_exact("additive", "good parts", [r.good for r in runs], 480, rel=0)
    check_exact("additive", "builds", [p.builds for p in printer], 20, rel=0)
    check_exact("additive", "parts in builds", [p.build_parts for p in printer], 480, rel=0)
    check_exact("additive", "busy", [fraction("print", "busy")(r) for r in runs], 1.0, rel=1e-9)
    check_exact("additive", "WIP", _values(runs, "wip"), 48.0, rel=1e-9)
    check_exact("additive", "lead time", _values(runs, "lead_time"), 600.0, rel=1e-9)


# --- 9. Setups under a random product mix ---------------------------------------------------


def test_setups_under_random_mix(backend: str) -> None:
    """One saturated machine, products drawn 0.3 / 0.7 per part, setup 2 on every change.

    A change between consecutive parts has probability ``2 p (1 - p) = 0.42``, so
    ``X = 1 / (p_time + 0.42 s)`` and the setup share is ``0.42 s X``. Tolerance: 99.9 % t
    interval over 20 replications, no bias allowance; half-width at most 3 % of theory.
    """
    s = analytic.setup_line(SETUP_P, SETUP_S, [SETUP_MIX, 1 - SETUP_MIX])
    runs = run(SETUP, backend)
    check(
        "setup",
        "throughput/h",
        _values(runs, "throughput_per_hour"),
        _per_hour(s.throughput),
        tight=RATE,
    )
    check("setup", "setup share", [fraction("m", "setup")(r) for r in runs], s.down, tight=RATE)


# --- 10. CONWIP ----------------------------------------------------------------------------


def test_conwip_mean_value_analysis(backend: str) -> None:
    """Closed line of 3 exponential stations, CONWIP 5: throughput by exact MVA.

    WIP is exactly 5 at every instant (tolerance 1e-9, float rounding); ``W = N / X`` by
    Little's law; the bottleneck's utilization is ``X S_c``. Tolerance of the stochastic
    figures: 99.9 % t interval over 20 replications, no bias allowance; half-width at most
    3 % (throughput, utilization) or 10 % (W) of theory.
    """
    net = analytic.mva(CONWIP_S, CONWIP_N)
    runs = run(CONWIP, backend)
    check_exact("CONWIP", "WIP", _values(runs, "wip"), CONWIP_N, rel=1e-9)
    check(
        "CONWIP",
        "throughput/h",
        _values(runs, "throughput_per_hour"),
        _per_hour(net.throughput),
        tight=RATE,
    )
    check("CONWIP", "lead time W", _values(runs, "lead_time"), net.lead_time, tight=MEAN)
    busy = [fraction("c", "busy")(r) for r in runs]
    check("CONWIP", "utilization c", busy, net.utilization[2], tight=RATE)


# --- 11. Little's law ----------------------------------------------------------------------


def _little_cases() -> list[Any]:
    """Each stochastic scenario with its theoretical WIP (the scale of the gap)."""
    cases = [
        (MM1, analytic.mm1(1.0, 1 / MM1_S).wip),
        (MMC, analytic.mmc(1.0, 1 / MMC_S, MMC_C).wip),
        (MG1, analytic.mg1(1.0, MG1_S, analytic.lognormal_second_moment(MG1_S, MG1_CV)).wip),
        (TANDEM, analytic.jackson_tandem(1.0, [1 / s for s in TANDEM_S]).wip),
        (TWO_MACHINE, analytic.two_machine_line(1 / TWO_S[0], 1 / TWO_S[1], TWO_BUFFER).wip),
        (AVAILABILITY, 1.0),  # saturated single machine: always exactly one part in the line
        (SETUP, 1.0),
        (CONWIP, float(CONWIP_N)),
    ]
    return [pytest.param(data, wip, id=data["name"].removeprefix("theory-")) for data, wip in cases]


@pytest.mark.parametrize(("data", "wip"), _little_cases())
def test_littles_law(data: Scenario, wip: float, backend: str) -> None:
    """``L = lambda W`` on the measured period of every stochastic case.

    Per replication, ``L - lambda W = (WIP integral - sum of lead times of the parts leaving
    in the period) / T``, whose expectation is 0 in steady state (see
    ``conftest.little_gap``; no scrap here, so every part leaving is good). Tolerance: 99.9 %
    t interval over 20 replications, no bias allowance; half-width at most 2 % of the
    theoretical ``L``.
    """
    runs = run(data, backend)
    check(
        data["name"].removeprefix("theory-"),
        "L - lambda W",
        [little_gap(r) for r in runs],
        0.0,
        tight=LITTLE,
        scale=wip,
    )
