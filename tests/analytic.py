"""Closed-form results of queueing theory, the yardstick of the integration tests.

Pure functions of the model's parameters; nothing here imports simline. Rates are per time
unit and times are in the same unit, whichever the caller picks. Each function names its
formula and a textbook that derives it; ``tests/unit/test_analytic.py`` checks them against
published numbers and against brute-force Markov chains solved numerically.

References
----------
.. [GSTH] D. Gross, J. F. Shortle, J. M. Thompson, C. M. Harris, *Fundamentals of Queueing
   Theory*, 4th ed., Wiley, 2008. Ch. 2 (M/M/1, M/M/c), ch. 4 (Jackson networks),
   ch. 5 (M/G/1, Pollaczek-Khinchine).
.. [K75] L. Kleinrock, *Queueing Systems, Vol. 1: Theory*, Wiley, 1975. Ch. 3 (birth-death
   queues), ch. 5 (M/G/1).
.. [BS93] J. A. Buzacott, J. G. Shanthikumar, *Stochastic Models of Manufacturing Systems*,
   Prentice Hall, 1993. Two-stage flow lines with a finite buffer and blocking.
.. [HS08] W. J. Hopp, M. L. Spearman, *Factory Physics*, 3rd ed., McGraw-Hill, 2008.
   Ch. 8 (availability: effective process time ``t0 / A``; setups), ch. 10 (CONWIP).
.. [RL80] M. Reiser, S. S. Lavenberg, "Mean-value analysis of closed multichain queuing
   networks", *J. ACM* 27(2):313-322, 1980.
.. [J57] J. R. Jackson, "Networks of waiting lines", *Operations Research* 5(4):518-521, 1957.
.. [L61] J. D. C. Little, "A proof for the queuing formula L = lambda W", *Operations
   Research* 9(3):383-387, 1961.
.. [AW87] J. Abate, W. Whitt, "Transient behavior of regulated Brownian motion, I: starting
   at the origin", *Advances in Applied Probability* 19(3):560-598, 1987.
.. [W89] W. Whitt, "Planning queueing simulations", *Management Science* 35(11):1341-1366,
   1989 (relaxation times and asymptotic variances, to size warm-ups and run lengths).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AvailabilityResult",
    "ClosedNetworkResult",
    "QueueResult",
    "TandemResult",
    "TwoMachineResult",
    "additive_throughput",
    "availability",
    "calendar_throughput",
    "erlang_c",
    "jackson_tandem",
    "little_wip",
    "lognormal_second_moment",
    "mg1",
    "mm1",
    "mm1_relaxation_time",
    "mmc",
    "mva",
    "rbm_relaxation_time",
    "setup_change_probability",
    "setup_line",
    "two_machine_line",
]


@dataclass(frozen=True, slots=True)
class QueueResult:
    """Steady-state figures of a single open queueing station.

    Attributes
    ----------
    utilization
        Fraction of time a server is busy (``rho = lambda / (c mu)``).
    wip
        Mean number in the system, ``L`` (waiting and in service).
    queue
        Mean number waiting, ``Lq``.
    lead_time
        Mean time in the system, ``W`` (waiting plus service).
    wait
        Mean time waiting, ``Wq``.
    throughput
        Departure rate, equal to the arrival rate ``lambda`` in steady state.
    """

    utilization: float
    wip: float
    queue: float
    lead_time: float
    wait: float
    throughput: float


def _check_stable(lam: float, capacity: float) -> None:
    if not 0 < lam < capacity:
        raise ValueError(f"need 0 < lambda < capacity (got lambda={lam!r}, capacity={capacity!r})")


def mm1(lam: float, mu: float) -> QueueResult:
    """M/M/1: Poisson arrivals, one exponential server, unlimited FIFO queue.

    With ``rho = lam / mu < 1`` ([GSTH]_ ch. 2, [K75]_ sec. 3.2)::

        L = rho / (1 - rho)        W = 1 / (mu - lam)
        Lq = rho**2 / (1 - rho)    Wq = rho / (mu - lam)

    Parameters
    ----------
    lam
        Arrival rate.
    mu
        Service rate.

    Returns
    -------
    QueueResult
        The steady-state figures.
    """
    _check_stable(lam, mu)
    rho = lam / mu
    return QueueResult(
        utilization=rho,
        wip=rho / (1 - rho),
        queue=rho**2 / (1 - rho),
        lead_time=1 / (mu - lam),
        wait=rho / (mu - lam),
        throughput=lam,
    )


def mm1_relaxation_time(lam: float, mu: float) -> float:
    """Relaxation time of the M/M/1 queue, ``1 / (mu (1 - sqrt(rho))**2)``.

    The time scale on which the queue forgets its start ([W89]_, eq. for the M/M/1
    relaxation time; [K75]_ sec. 2.9): the bias of a run started empty decays roughly like
    ``exp(-t / tau)``, so a warm-up of ten relaxation times leaves a bias below ``1e-4`` of
    the starting deviation.

    Parameters
    ----------
    lam
        Arrival rate.
    mu
        Service rate.

    Returns
    -------
    float
        The relaxation time, in the time unit of the rates.
    """
    _check_stable(lam, mu)
    return 1 / (mu * (1 - math.sqrt(lam / mu)) ** 2)


def rbm_relaxation_time(mu: float, rho: float, ca2: float, cs2: float) -> float:
    """Heavy-traffic relaxation time of a GI/G/1 queue, ``2 (ca2 + cs2) / (mu (1 - rho)**2)``.

    The queue is approximated by a regulated Brownian motion with drift ``-mu (1 - rho)`` and
    variance ``mu (ca2 + cs2)`` per time unit, whose relaxation time is ``2 variance /
    drift**2`` ([AW87]_, [W89]_). For M/M/1 (``ca2 = cs2 = 1``) it tends to the exact
    :func:`mm1_relaxation_time` as ``rho -> 1`` and exceeds it below, so a warm-up sized by it
    is conservative. It serves to size warm-ups for non-exponential and multi-server queues
    (an M/M/c in heavy traffic is approximated by the pooled server, ``mu -> c mu``).

    Parameters
    ----------
    mu
        Service rate (of the pooled server for several servers).
    rho
        Utilization, ``< 1``.
    ca2
        Squared coefficient of variation of interarrival times.
    cs2
        Squared coefficient of variation of service times.

    Returns
    -------
    float
        The relaxation time, in the time unit of ``mu``.
    """
    if not 0 < rho < 1:
        raise ValueError(f"'rho' must be in (0, 1) (got {rho!r})")
    return 2 * (ca2 + cs2) / (mu * (1 - rho) ** 2)


def erlang_c(c: int, a: float) -> float:
    """Erlang's C formula: the probability that an arrival to M/M/c has to wait.

    With offered load ``a = lam / mu < c`` ([GSTH]_ ch. 2, M/M/c)::

        C(c, a) = (a**c / c!) (c / (c - a)) / (sum_{k<c} a**k / k! + (a**c / c!) (c / (c - a)))

    Computed through the numerically stable Erlang B recursion ``B(0) = 1``,
    ``B(k) = a B(k-1) / (k + a B(k-1))`` and ``C = c B / (c - a (1 - B))``.

    Parameters
    ----------
    c
        Number of servers.
    a
        Offered load in Erlangs, ``lam / mu``.

    Returns
    -------
    float
        The waiting probability.
    """
    if c < 1 or not 0 < a < c:
        raise ValueError(f"need c >= 1 and 0 < a < c (got c={c!r}, a={a!r})")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1 - b))


def mmc(lam: float, mu: float, c: int) -> QueueResult:
    """M/M/c: Poisson arrivals, ``c`` exponential servers, one unlimited FIFO queue.

    With ``a = lam / mu``, ``rho = a / c < 1`` and ``C = erlang_c(c, a)``
    ([GSTH]_ ch. 2)::

        Lq = C rho / (1 - rho)     Wq = Lq / lam
        W = Wq + 1 / mu            L = Lq + a

    Parameters
    ----------
    lam
        Arrival rate.
    mu
        Service rate of one server.
    c
        Number of servers.

    Returns
    -------
    QueueResult
        The steady-state figures; ``utilization`` is per server.
    """
    _check_stable(lam, c * mu)
    a = lam / mu
    rho = a / c
    lq = erlang_c(c, a) * rho / (1 - rho)
    wq = lq / lam
    return QueueResult(
        utilization=rho,
        wip=lq + a,
        queue=lq,
        lead_time=wq + 1 / mu,
        wait=wq,
        throughput=lam,
    )


def lognormal_second_moment(mean: float, cv: float) -> float:
    """``E[S**2] = mean**2 (1 + cv**2)``: the second moment from mean and coefficient of variation.

    Holds for any distribution (variance ``= (cv mean)**2``), the lognormal included.

    Parameters
    ----------
    mean
        Mean ``E[S]``.
    cv
        Coefficient of variation, standard deviation over mean.

    Returns
    -------
    float
        The second moment.
    """
    return mean**2 * (1 + cv**2)


def mg1(lam: float, mean_service: float, second_moment: float) -> QueueResult:
    """M/G/1 by the Pollaczek-Khinchine mean-value formula.

    With ``rho = lam E[S] < 1`` ([GSTH]_ ch. 5, [K75]_ sec. 5.7)::

        Wq = lam E[S**2] / (2 (1 - rho))
        W = E[S] + Wq              L = lam W          Lq = lam Wq

    Parameters
    ----------
    lam
        Arrival rate.
    mean_service
        ``E[S]``.
    second_moment
        ``E[S**2]`` (see :func:`lognormal_second_moment`).

    Returns
    -------
    QueueResult
        The steady-state figures.
    """
    _check_stable(lam, 1 / mean_service)
    rho = lam * mean_service
    wq = lam * second_moment / (2 * (1 - rho))
    w = mean_service + wq
    return QueueResult(
        utilization=rho,
        wip=lam * w,
        queue=lam * wq,
        lead_time=w,
        wait=wq,
        throughput=lam,
    )


@dataclass(frozen=True, slots=True)
class TandemResult:
    """A line of stations in series: per-station results and line totals."""

    stations: tuple[QueueResult, ...]
    lead_time: float
    wip: float
    throughput: float


def jackson_tandem(lam: float, mus: Sequence[float]) -> TandemResult:
    """Single-server exponential stations in series with Poisson arrivals and unlimited buffers.

    By Jackson's theorem ([J57]_, [GSTH]_ ch. 4; for a series line also Burke's output
    theorem) the stations behave as independent M/M/1 queues fed at rate ``lam``::

        W = sum_i 1 / (mu_i - lam)      L = lam W      rho_i = lam / mu_i

    Parameters
    ----------
    lam
        Arrival rate.
    mus
        Service rate of each station, in line order.

    Returns
    -------
    TandemResult
        One :class:`QueueResult` per station and the line's lead time, WIP and throughput.
    """
    stations = tuple(mm1(lam, mu) for mu in mus)
    w = sum(s.lead_time for s in stations)
    return TandemResult(stations=stations, lead_time=w, wip=lam * w, throughput=lam)


@dataclass(frozen=True, slots=True)
class TwoMachineResult:
    """A saturated two-machine line with a finite buffer.

    Attributes
    ----------
    throughput
        Parts per time unit.
    blocked_first
        Fraction of time the first machine is blocked.
    starved_second
        Fraction of time the second machine is starved.
    wip
        Mean number of released parts in the line (on both machines and in the buffer).
    probabilities
        Stationary distribution of ``n``, the number of parts finished on the first machine
        and not yet finished on the second (``n = 0 .. buffer + 2``).
    """

    throughput: float
    blocked_first: float
    starved_second: float
    wip: float
    probabilities: tuple[float, ...]


def two_machine_line(mu1: float, mu2: float, buffer: int) -> TwoMachineResult:
    """Saturated two-machine line, exponential machines, ``buffer`` places between them.

    Machine 1 never starves, machine 2 never blocks; blocking after service. Let ``n`` be the
    number of parts that machine 1 has finished and machine 2 has not: ``n = 0`` (machine 2
    starved), ``1 <= n <= buffer + 1`` (machine 2 busy, ``n - 1`` in the buffer, machine 1
    working) and ``n = K = buffer + 2`` (buffer full, machine 1 blocked holding a finished
    part). ``n`` is a birth-death chain with birth rate ``mu1`` for ``n < K`` and death rate
    ``mu2`` for ``n > 0`` (a completion on machine 2 at ``n = K`` pulls the buffer's head in
    and lets the blocked part into the buffer, so machine 1 restarts and ``n = K - 1``).
    Hence, with ``r = mu1 / mu2`` ([BS93]_, two-stage flow line; [K75]_ ch. 3 for the
    birth-death solution)::

        pi_n = r**n / sum_{k=0}^{K} r**k
        X = mu2 (1 - pi_0) = mu1 (1 - pi_K)
        blocked_1 = pi_K    starved_2 = pi_0
        WIP = E[n] + (1 - pi_K)     (machine 1 holds one more part unless blocked)

    Parameters
    ----------
    mu1
        Rate of the first machine.
    mu2
        Rate of the second machine.
    buffer
        Places in front of the second machine (``0`` allowed).

    Returns
    -------
    TwoMachineResult
        Throughput, blocking and starvation fractions, WIP and the distribution of ``n``.
    """
    if buffer < 0 or mu1 <= 0 or mu2 <= 0:
        raise ValueError(f"need buffer >= 0 and rates > 0 (got {mu1!r}, {mu2!r}, {buffer!r})")
    k = buffer + 2
    r = mu1 / mu2
    weights = [r**n for n in range(k + 1)]
    total = sum(weights)
    pi = tuple(w / total for w in weights)
    mean_n = sum(n * p for n, p in enumerate(pi))
    return TwoMachineResult(
        throughput=mu2 * (1 - pi[0]),
        blocked_first=pi[k],
        starved_second=pi[0],
        wip=mean_n + 1 - pi[k],
        probabilities=pi,
    )


@dataclass(frozen=True, slots=True)
class AvailabilityResult:
    """A saturated machine with breakdowns: long-run throughput and state fractions."""

    throughput: float
    busy: float
    down: float


def availability(process_time: float, mtbf: float, mttr: float) -> AvailabilityResult:
    """A saturated single machine failing on an operating-time basis, preemptive-resume.

    Failures come after ``mtbf`` of working time on average, repairs take ``mttr`` on average,
    and an interrupted part resumes with its remaining time. By the renewal-reward theorem
    over up/down cycles, whatever the distributions ([HS08]_ ch. 8, effective process time
    ``te = t0 / A``)::

        A = mtbf / (mtbf + mttr) = 1 / (1 + mttr / mtbf)
        X = A / t0                  busy = A          down = (mttr / mtbf) / (1 + mttr / mtbf)

    Parameters
    ----------
    process_time
        Mean process time ``t0`` of a part.
    mtbf
        Mean working time between failures.
    mttr
        Mean time to repair.

    Returns
    -------
    AvailabilityResult
        Throughput per time unit and the busy and down fractions.
    """
    ratio = mttr / mtbf
    a = 1 / (1 + ratio)
    return AvailabilityResult(throughput=a / process_time, busy=a, down=ratio / (1 + ratio))


def calendar_throughput(process_time: float, on_shift: float, period: float) -> float:
    """Throughput of a saturated manned station that works only on shift.

    Work pauses at a shift end and resumes with its remaining time, so no capacity is lost
    to the calendar beyond the hours off shift ([HS08]_ ch. 8, capacity as available time
    over process time)::

        X = (on_shift / period) / process_time

    Over ``m`` whole periods exactly ``floor(m on_shift / process_time)`` parts finish.

    Parameters
    ----------
    process_time
        Constant process time of a part.
    on_shift
        Staffed time per period (a week: 80 h for two 8 h shifts on five days).
    period
        The calendar's period (a week: 168 h).

    Returns
    -------
    float
        Parts per time unit.
    """
    return on_shift / period / process_time


def additive_throughput(
    servers: int, size: int, process_time: float, per_part_time: float
) -> float:
    """Capacity of a saturated additive station that always builds full batches.

    A build of ``size`` parts takes ``process_time + size * per_part_time`` (constant times),
    and ``servers`` printers build in parallel::

        X = servers * size / (process_time + size * per_part_time)

    Parameters
    ----------
    servers
        Printers.
    size
        Parts per build.
    process_time
        Time per build.
    per_part_time
        Time added per part in the build.

    Returns
    -------
    float
        Parts per time unit.
    """
    return servers * size / (process_time + size * per_part_time)


def setup_change_probability(mix: Sequence[float]) -> float:
    """Probability that two consecutive parts differ when each is drawn independently by ``mix``.

    ``P(change) = 1 - sum_i p_i**2``; for two products ``2 p (1 - p)``.

    Parameters
    ----------
    mix
        Product shares, summing to 1.

    Returns
    -------
    float
        The probability of a product change between consecutive parts.
    """
    total = math.fsum(mix)
    return 1 - math.fsum((p / total) ** 2 for p in mix)


def setup_line(process_time: float, setup: float, mix: Sequence[float]) -> AvailabilityResult:
    """A saturated machine with a setup on every product change, products drawn by ``mix``.

    By the renewal-reward theorem, a part costs on average ``t0 + P(change) s``
    ([HS08]_ ch. 8, setups as nonpreemptive outages)::

        X = 1 / (t0 + P(change) s)
        busy = t0 X                 setup = P(change) s X

    Parameters
    ----------
    process_time
        Mean process time ``t0`` of a part (the same for every product).
    setup
        Mean setup time ``s`` on a change.
    mix
        Product shares.

    Returns
    -------
    AvailabilityResult
        Throughput per time unit, the busy fraction, and the setup fraction in ``down``.
    """
    change = setup_change_probability(mix) * setup
    x = 1 / (process_time + change)
    return AvailabilityResult(throughput=x, busy=process_time * x, down=change * x)


@dataclass(frozen=True, slots=True)
class ClosedNetworkResult:
    """A closed product-form network with ``population`` customers.

    ``lead_time`` is the time of one cycle through all stations, ``station_lead_time[i]``
    and ``station_wip[i]`` the mean time at and number at station ``i``.
    """

    population: int
    throughput: float
    lead_time: float
    station_lead_time: tuple[float, ...]
    station_wip: tuple[float, ...]
    utilization: tuple[float, ...]


def mva(service_times: Sequence[float], population: int) -> ClosedNetworkResult:
    """Exact Mean Value Analysis of a closed cyclic network of single-server FIFO stations.

    Exponential servers visited once per cycle. The arrival theorem (an arriving customer
    sees the network in equilibrium with one customer fewer) gives the recursion, from
    ``Q_i(0) = 0`` ([RL80]_; [HS08]_ ch. 10 for CONWIP lines)::

        W_i(n) = S_i (1 + Q_i(n - 1))
        X(n) = n / sum_i W_i(n)
        Q_i(n) = X(n) W_i(n)

    Parameters
    ----------
    service_times
        Mean service time ``S_i`` of each station.
    population
        Number of customers ``N >= 1`` (the CONWIP level).

    Returns
    -------
    ClosedNetworkResult
        Throughput ``X(N)``, cycle time ``N / X(N)``, per-station figures.
    """
    if population < 1:
        raise ValueError(f"'population' must be >= 1 (got {population!r})")
    q = [0.0] * len(service_times)
    x = 0.0
    w: list[float] = []
    for n in range(1, population + 1):
        w = [s * (1 + qi) for s, qi in zip(service_times, q, strict=True)]
        x = n / math.fsum(w)
        q = [x * wi for wi in w]
    return ClosedNetworkResult(
        population=population,
        throughput=x,
        lead_time=population / x,
        station_lead_time=tuple(w),
        station_wip=tuple(q),
        utilization=tuple(x * s for s in service_times),
    )


def little_wip(throughput: float, lead_time: float) -> float:
    """Little's law ``L = lambda W`` ([L61]_).

    Parameters
    ----------
    throughput
        Rate of parts leaving (equal to the rate entering in steady state).
    lead_time
        Mean time in the system, in the unit of ``1 / throughput``.

    Returns
    -------
    float
        Mean number in the system.
    """
    return throughput * lead_time
