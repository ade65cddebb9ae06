"""The model's vocabulary, defined once for every engine.

Server states, stream purposes and distribution codes. The SimPy engine
(:mod:`simline.engine`), the kernels (:mod:`simline.kernels`) and the results all read
these; nothing else numbers them. This module imports nothing of simline, so the kernels
(which import nothing else of simline) may import it too.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "BLOCKED",
    "BUSY",
    "DOWN",
    "OFF_SHIFT",
    "SETUP",
    "STARVED",
    "STATES",
    "WAITING_STATES",
    "DistCode",
    "Purpose",
    "State",
]


class State(IntEnum):
    """A server's state; the six are exclusive and their times sum to the measured time."""

    BUSY = 0
    SETUP = 1
    BLOCKED = 2
    STARVED = 3
    DOWN = 4
    OFF_SHIFT = 5


#: The state names, in the order of :class:`State` (result fields and columns).
STATES: tuple[str, ...] = tuple(state.name.lower() for state in State)

#: The states as plain integers, for the engines' hot paths (array columns, compiled code).
BUSY, SETUP, BLOCKED, STARVED, DOWN, OFF_SHIFT = (int(state) for state in State)

#: The states in which a server waits on the rest of the line: for a part or its operators
#: (starved), for room downstream (blocked). A station is *active* while none of its servers
#: is in one of them (every server works, sets up, is under repair or off shift: each holds
#: the flow up); its uninterrupted active periods are what the bottleneck marker compares
#: (docs/model.md, "The bottleneck").
WAITING_STATES: frozenset[int] = frozenset((BLOCKED, STARVED))


class Purpose(IntEnum):
    """What a random stream is used for: each (owner, purpose) has its own stream."""

    PROCESS = 0
    FAILURE = 1
    REPAIR = 2
    SETUP = 3
    SCRAP = 4
    ARRIVAL = 5
    MIX = 6


class DistCode(IntEnum):
    """Distribution codes, shared by every backend.

    The ``params`` of a :class:`simline.plan.Dist` for each code, all durations in the plan's
    time unit:

    - ``CONSTANT``: ``(value,)``
    - ``EXPONENTIAL``: ``(mean,)``
    - ``UNIFORM``: ``(low, high)``
    - ``TRIANGULAR``: ``(low, mode, high)``
    - ``NORMAL``: ``(mean, sd)``; a negative draw is drawn again (truncated at 0)
    - ``LOGNORMAL``: ``(mu, sigma)`` of the underlying normal
    - ``GAMMA``: ``(shape, scale)``
    - ``ERLANG``: ``(k, scale)`` with ``k`` a whole number, ``scale = mean / k``
    - ``WEIBULL``: ``(shape, scale)``
    - ``EMPIRICAL``: ``(v_1, ..., v_n, c_1, ..., c_n)``: values, then cumulative probabilities
      (``c_n == 1``)
    """

    CONSTANT = 0
    EXPONENTIAL = 1
    UNIFORM = 2
    TRIANGULAR = 3
    NORMAL = 4
    LOGNORMAL = 5
    GAMMA = 6
    ERLANG = 7
    WEIBULL = 8
    EMPIRICAL = 9
