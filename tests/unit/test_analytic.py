"""The closed-form yardstick itself: ``tests/analytic.py`` against known numbers.

Two kinds of check, so that an error in a formula cannot hide behind the same error in its
test: published or hand-derived values (M/M/1 at rho = 0.8 has L = 4, Erlang C tables, the
two-machine line without buffer at 2/3 of the rate, M/D/1), and brute force: the same model
written as a continuous-time Markov chain on its full state, built transition by transition
from the model's rules and solved with ``numpy.linalg``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Iterable

import numpy as np
import pytest
from scipy import stats

from tests.analytic import (
    additive_throughput,
    availability,
    calendar_throughput,
    erlang_c,
    jackson_tandem,
    little_wip,
    lognormal_second_moment,
    mg1,
    mm1,
    mm1_relaxation_time,
    mmc,
    mva,
    rbm_relaxation_time,
    setup_change_probability,
    setup_line,
    two_machine_line,
)

State = Hashable
Transitions = Callable[[State], Iterable[tuple[State, float]]]


def stationary(states: list[State], transitions: Transitions) -> dict[State, float]:
    """Stationary distribution of a finite CTMC given by its outgoing transitions.

    Builds the generator ``Q`` and solves ``pi Q = 0`` with ``sum(pi) = 1`` (one balance
    equation replaced by the normalisation).
    """
    index = {s: i for i, s in enumerate(states)}
    q = np.zeros((len(states), len(states)))
    for s in states:
        for target, rate in transitions(s):
            q[index[s], index[target]] += rate
            q[index[s], index[s]] -= rate
    a = q.T.copy()
    a[-1, :] = 1.0
    b = np.zeros(len(states))
    b[-1] = 1.0
    pi = np.linalg.solve(a, b)
    assert np.all(pi > -1e-12)
    return {s: float(pi[index[s]]) for s in states}


# --- M/M/1 -------------------------------------------------------------------------------


def test_mm1_at_rho_08_has_l_4() -> None:
    r = mm1(0.8, 1.0)
    assert r.utilization == pytest.approx(0.8)
    assert r.wip == pytest.approx(4.0)
    assert r.queue == pytest.approx(3.2)
    assert r.lead_time == pytest.approx(5.0)
    assert r.wait == pytest.approx(4.0)
    assert r.throughput == 0.8


def test_mm1_against_truncated_birth_death_chain() -> None:
    lam, mu, cap = 0.7, 1.0, 200
    pi = stationary(
        list(range(cap + 1)),
        lambda n: [(n + 1, lam)] * (n < cap) + [(n - 1, mu)] * (n > 0),
    )
    r = mm1(lam, mu)
    assert sum(n * p for n, p in pi.items()) == pytest.approx(r.wip, rel=1e-9)
    assert 1 - pi[0] == pytest.approx(r.utilization, rel=1e-9)


def test_mm1_relaxation_time() -> None:
    # Spectral gap of the M/M/1 chain: (sqrt(mu) - sqrt(lam))**2.
    assert mm1_relaxation_time(0.25, 1.0) == pytest.approx(4.0)
    assert mm1_relaxation_time(0.7, 1 / 0.7) == pytest.approx(
        1 / (math.sqrt(1 / 0.7) - math.sqrt(0.7)) ** 2
    )


def test_rbm_relaxation_time_bounds_mm1_and_meets_it_in_heavy_traffic() -> None:
    for rho in (0.5, 0.7, 0.9):
        assert rbm_relaxation_time(1.0, rho, 1.0, 1.0) > mm1_relaxation_time(rho, 1.0)
    exact = mm1_relaxation_time(0.999, 1.0)
    assert rbm_relaxation_time(1.0, 0.999, 1.0, 1.0) == pytest.approx(exact, rel=2e-3)


def test_unstable_queue_is_refused() -> None:
    with pytest.raises(ValueError, match="lambda < capacity"):
        mm1(1.0, 1.0)
    with pytest.raises(ValueError, match="lambda < capacity"):
        mmc(3.0, 1.0, 3)
    with pytest.raises(ValueError, match="0 < a < c"):
        erlang_c(2, 2.0)


# --- Erlang C and M/M/c ------------------------------------------------------------------


def _erlang_c_by_sums(c: int, a: float) -> float:
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize(
    ("c", "a", "expected"),
    [
        (1, 0.5, 0.5),  # M/M/1: P(wait) = rho
        (2, 1.0, 1 / 3),  # M/M/2: 2 rho**2 / (1 + rho) at rho = 0.5
        (3, 2.0, 4 / 9),  # hand-derived: B(3, 2) = 4/19, C = B / (1 - rho (1 - B))
        (2, 1.6, 2 * 0.8**2 / 1.8),
    ],
)
def test_erlang_c_known_values(c: int, a: float, expected: float) -> None:
    assert erlang_c(c, a) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("c", "a", "table"),
    # Erlang C tables (call-centre staffing tables), four decimals; the last one is the M/M/3
    # case of the integration tests, worked by hand to four decimals.
    [(5, 4.0, 0.5541), (10, 8.0, 0.4092), (3, 2.1, 0.4923)],
)
def test_erlang_c_table_values(c: int, a: float, table: float) -> None:
    assert erlang_c(c, a) == pytest.approx(table, abs=5e-5)
    assert erlang_c(c, a) == pytest.approx(_erlang_c_by_sums(c, a), rel=1e-12)


def test_mm2_closed_form() -> None:
    lam, mu = 1.6, 1.0
    rho = lam / (2 * mu)
    r = mmc(lam, mu, 2)
    assert r.lead_time == pytest.approx(1 / (mu * (1 - rho**2)))
    assert r.wip == pytest.approx(2 * rho / (1 - rho**2))


def test_mmc_with_one_server_is_mm1() -> None:
    a, b = mmc(0.6, 1.0, 1), mm1(0.6, 1.0)
    for field in ("utilization", "wip", "queue", "lead_time", "wait", "throughput"):
        assert getattr(a, field) == pytest.approx(getattr(b, field))


def test_mmc_against_truncated_birth_death_chain() -> None:
    lam, mu, c, cap = 1.0, 1 / 2.1, 3, 300
    pi = stationary(
        list(range(cap + 1)),
        lambda n: [(n + 1, lam)] * (n < cap) + [(n - 1, min(n, c) * mu)] * (n > 0),
    )
    r = mmc(lam, mu, c)
    assert sum(n * p for n, p in pi.items()) == pytest.approx(r.wip, rel=1e-9)
    assert sum(max(n - c, 0) * p for n, p in pi.items()) == pytest.approx(r.queue, rel=1e-9)
    assert sum(p for n, p in pi.items() if n >= c) == pytest.approx(erlang_c(c, lam / mu))
    busy = sum(min(n, c) * p for n, p in pi.items()) / c
    assert busy == pytest.approx(r.utilization, rel=1e-9)
    assert r.wip == pytest.approx(little_wip(lam, r.lead_time))


# --- M/G/1 -------------------------------------------------------------------------------


def test_lognormal_second_moment_matches_scipy() -> None:
    mean, cv = 0.6, 1.5
    sigma = math.sqrt(math.log(1 + cv**2))
    dist = stats.lognorm(s=sigma, scale=mean * math.exp(-(sigma**2) / 2))
    assert dist.mean() == pytest.approx(mean)
    assert dist.moment(2) == pytest.approx(lognormal_second_moment(mean, cv))


def test_pk_with_exponential_service_is_mm1() -> None:
    es = 0.7
    a, b = mg1(1.0, es, 2 * es**2), mm1(1.0, 1 / es)
    assert a.lead_time == pytest.approx(b.lead_time)
    assert a.wip == pytest.approx(b.wip)
    assert a.queue == pytest.approx(b.queue)


def test_pk_with_constant_service_is_md1() -> None:
    lam, es = 0.8, 1.0
    rho = lam * es
    r = mg1(lam, es, es**2)
    assert r.wait == pytest.approx(rho * es / (2 * (1 - rho)))  # M/D/1: half of M/M/1's Wq
    assert r.wait == pytest.approx(mm1(lam, 1 / es).wait / 2)


# --- Jackson tandem ----------------------------------------------------------------------


def test_jackson_tandem_known_value() -> None:
    r = jackson_tandem(1.0, [2.0, 1 / 0.7, 1 / 0.6])
    assert r.lead_time == pytest.approx(1.0 + 7 / 3 + 1.5)
    assert r.wip == pytest.approx(r.lead_time)
    assert [s.utilization for s in r.stations] == pytest.approx([0.5, 0.7, 0.6])


def test_jackson_tandem_against_two_station_ctmc() -> None:
    lam, mu1, mu2, cap = 1.0, 2.0, 1 / 0.6, 45

    def transitions(s: State) -> list[tuple[State, float]]:
        n1, n2 = s  # type: ignore[misc]
        out = []
        if n1 < cap:
            out.append(((n1 + 1, n2), lam))
        if n1 > 0 and n2 < cap:
            out.append(((n1 - 1, n2 + 1), mu1))
        if n2 > 0:
            out.append(((n1, n2 - 1), mu2))
        return out

    states = list(itertools.product(range(cap + 1), repeat=2))
    pi = stationary(states, transitions)
    mean_n = sum((n1 + n2) * p for (n1, n2), p in pi.items())  # type: ignore[misc]
    assert mean_n == pytest.approx(jackson_tandem(lam, [mu1, mu2]).wip, rel=1e-6)


# --- Two-machine line with a finite buffer -------------------------------------------------


def _two_machine_brute_force(mu1: float, mu2: float, buffer: int) -> dict[str, float]:
    """The line on its full state (m1 blocked?, parts in buffer, m2 busy?), rule by rule."""

    def transitions(s: State) -> list[tuple[State, float]]:
        blocked, b, busy = s  # type: ignore[misc]
        out = []
        if not blocked:  # machine 1 finishes a part
            if not busy:
                out.append(((False, b, True), mu1))  # straight onto the free machine 2
            elif b < buffer:
                out.append(((False, b + 1, True), mu1))  # into the buffer
            else:
                out.append(((True, b, True), mu1))  # no room: machine 1 blocks
        if busy:  # machine 2 finishes a part
            if b > 0 and blocked:
                out.append(((False, b, True), mu2))  # head moves on, blocked part enters
            elif b > 0:
                out.append(((False, b - 1, True), mu2))
            elif blocked:
                out.append(((False, 0, True), mu2))  # buffer 0: blocked part moves straight on
            else:
                out.append(((False, 0, False), mu2))  # machine 2 starves
        return out

    states: list[State] = [(False, 0, False)]
    states += [(blocked, b, True) for blocked in (False, True) for b in range(buffer + 1)]
    pi = stationary(states, transitions)
    return {
        "throughput": mu2 * sum(p for (_, _, busy), p in pi.items() if busy),  # type: ignore[misc]
        "blocked": sum(p for (blocked, _, _), p in pi.items() if blocked),  # type: ignore[misc]
        "starved": pi[(False, 0, False)],
        "wip": sum(
            (b + busy + 1) * p  # machine 1 always holds a part (in work or blocked)
            for (_, b, busy), p in pi.items()  # type: ignore[misc]
        ),
    }


@pytest.mark.parametrize(
    ("mu1", "mu2", "buffer"),
    [(1.0, 1.0, 0), (1.0, 1.25, 3), (1.25, 1.0, 3), (1.0, 1.0, 5), (0.5, 2.0, 1), (3.0, 1.0, 8)],
)
def test_two_machine_line_against_full_ctmc(mu1: float, mu2: float, buffer: int) -> None:
    exact = two_machine_line(mu1, mu2, buffer)
    brute = _two_machine_brute_force(mu1, mu2, buffer)
    assert exact.throughput == pytest.approx(brute["throughput"], rel=1e-10)
    assert exact.blocked_first == pytest.approx(brute["blocked"], rel=1e-10)
    assert exact.starved_second == pytest.approx(brute["starved"], rel=1e-10)
    assert exact.wip == pytest.approx(brute["wip"], rel=1e-10)
    pi = exact.probabilities
    assert mu1 * (1 - pi[-1]) == pytest.approx(exact.throughput, rel=1e-12)
    assert sum(pi) == pytest.approx(1.0)


def test_two_machine_line_known_values() -> None:
    # Two identical exponential machines without a buffer: 2/3 of one machine's rate.
    assert two_machine_line(1.0, 1.0, 0).throughput == pytest.approx(2 / 3)
    # Equal rates: X = mu (B + 2) / (B + 3).
    assert two_machine_line(2.0, 2.0, 4).throughput == pytest.approx(2.0 * 6 / 7)
    # r = 0.8, K = 5: X = mu1 (1 - r**5) / (1 - r**6).
    assert two_machine_line(1.0, 1.25, 3).throughput == pytest.approx((1 - 0.8**5) / (1 - 0.8**6))
    # A huge buffer decouples the machines: X -> min(mu1, mu2).
    assert two_machine_line(1.0, 1.25, 400).throughput == pytest.approx(1.0, rel=1e-9)


# --- Availability, calendar, additive builds, setups --------------------------------------


def test_availability_known_values() -> None:
    r = availability(1.0, 8.0, 2.0)
    assert r.throughput == pytest.approx(0.8)
    assert r.down == pytest.approx(0.2)
    assert r.busy + r.down == pytest.approx(1.0)
    # MTTR / MTBF = 1/6: throughput 1 / (p (1 + 1/6)).
    assert availability(3.0, 60.0, 10.0).throughput == pytest.approx(1 / (3.0 * 7 / 6))


def test_availability_against_ctmc_with_exponential_work() -> None:
    # Exponential process times: memoryless, so the chain is just (working, down).
    p, mtbf, mttr = 1.0, 8.0, 2.0
    pi = stationary(
        ["up", "down"], lambda s: [("down", 1 / mtbf)] if s == "up" else [("up", 1 / mttr)]
    )
    r = availability(p, mtbf, mttr)
    assert pi["up"] / p == pytest.approx(r.throughput)
    assert pi["down"] == pytest.approx(r.down)


def test_calendar_throughput_two_shifts() -> None:
    x = calendar_throughput(7.0, 80 * 60.0, 168 * 60.0)
    assert x * 168 * 60 == pytest.approx(4800 / 7)


def test_additive_throughput() -> None:
    assert additive_throughput(2, 24, 6.0, 10 / 60) == pytest.approx(4.8)


def test_setup_change_probability() -> None:
    assert setup_change_probability([0.3, 0.7]) == pytest.approx(2 * 0.3 * 0.7)
    assert setup_change_probability([3, 7]) == pytest.approx(0.42)  # shares are normalised
    mix = [0.2, 0.5, 0.3]
    by_pairs = sum(
        a * b for (i, a), (j, b) in itertools.product(enumerate(mix), repeat=2) if i != j
    )
    assert setup_change_probability(mix) == pytest.approx(by_pairs)


def test_setup_line_against_markov_chain_on_last_product() -> None:
    # A part costs p, plus s when its product differs from the previous one; the last product
    # is a Markov chain whose transition matrix has every row equal to the mix.
    p, s, mix = 1.0, 2.0, np.array([0.3, 0.7])
    matrix = np.tile(mix, (2, 1))
    eigvals, eigvecs = np.linalg.eig(matrix.T)
    last = np.real(eigvecs[:, np.argmin(np.abs(eigvals - 1))])
    last /= last.sum()
    change = float(sum(last[i] * matrix[i, j] for i in range(2) for j in range(2) if i != j))
    r = setup_line(p, s, mix.tolist())
    assert r.throughput == pytest.approx(1 / (p + change * s))
    assert r.down == pytest.approx(0.84 / 1.84)
    assert r.busy + r.down == pytest.approx(1.0)


# --- Mean Value Analysis -----------------------------------------------------------------


def _closed_cycle_brute_force(service_times: list[float], population: int) -> float:
    """Throughput of a closed cycle of exponential single servers, on the full state."""
    m = len(service_times)
    states: list[State] = [
        s for s in itertools.product(range(population + 1), repeat=m) if sum(s) == population
    ]

    def transitions(s: State) -> list[tuple[State, float]]:
        n = list(s)  # type: ignore[call-overload]
        out = []
        for i in range(m):
            if n[i] > 0:
                nxt = n.copy()
                nxt[i] -= 1
                nxt[(i + 1) % m] += 1
                out.append((tuple(nxt), 1 / service_times[i]))
        return out

    pi = stationary(states, transitions)
    return sum(p for s, p in pi.items() if s[-1] > 0) / service_times[-1]  # type: ignore[index]


def test_mva_known_values() -> None:
    assert mva([1.0, 2.0, 3.0], 1).throughput == pytest.approx(1 / 6)
    # Two identical stations, two customers: states (2,0), (1,1), (0,2) equally likely.
    assert mva([1.0, 1.0], 2).throughput == pytest.approx(2 / 3)
    r = mva([1.0, 0.8, 1.2], 5)
    assert sum(r.station_wip) == pytest.approx(5)
    assert r.lead_time == pytest.approx(5 / r.throughput)
    assert r.utilization[2] == pytest.approx(r.throughput * 1.2)


@pytest.mark.parametrize(
    ("service_times", "population"),
    [([1.0, 0.8, 1.2], 5), ([1.0, 1.0, 1.0], 4), ([0.5, 2.0, 1.0], 3), ([1.0, 0.7], 6)],
)
def test_mva_against_full_ctmc(service_times: list[float], population: int) -> None:
    assert mva(service_times, population).throughput == pytest.approx(
        _closed_cycle_brute_force(service_times, population), rel=1e-10
    )
