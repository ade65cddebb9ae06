"""Deadlocks: stations whose servers all wait, blocked, for room that will never free.

Blocking after service can lock a line: when every server of a set of stations holds a
finished part for a full buffer of a station of the same set (two products with opposite
routings through zero buffers, say), none of them will ever take a part again, so no place
in those buffers frees and nothing more leaves. Both engines check for it each time a server
blocks (and when a blocked server is repaired): from the blocked server's station, follow
the buffers its servers wait for; a deadlock is when every station reached has only servers
blocked at full buffers. A station with one server that is not blocked (working, down, off
shift, waiting for a part or operators) will take a part again, so the walk stops there:
in a line without deadlock it usually stops at the next station.

The run then fails (:class:`~simline.errors.SimulationError`, exit status 1) with the
message of :func:`deadlock_message`, instead of reporting a line that stands still.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simline.plan import Plan

__all__ = ["Deadlock", "deadlock_message"]


class Deadlock(Exception):  # noqa: N818 - an internal signal, turned into a SimulationError
    """Raised inside an engine when the stations ``stations`` are deadlocked at ``time``."""

    def __init__(self, time: float, stations: Sequence[str]) -> None:
        super().__init__(time, tuple(stations))
        self.time = time
        self.stations = tuple(stations)


def _names(names: Sequence[str]) -> str:
    quoted = [repr(n) for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def deadlock_message(plan: Plan, replication: int, time: float, stations: Sequence[str]) -> str:
    """Return the message of a deadlock of ``stations`` found at simulated ``time``."""
    by_name = {sp.name: sp for sp in plan.stations}
    order = {sp.name: i for i, sp in enumerate(plan.stations)}
    stations = sorted(stations, key=lambda n: order.get(n, len(order)))
    zero = all(by_name[n].buffer == 0 for n in stations if n in by_name)
    buffers = "zero buffers" if zero else "full buffers"
    if len(stations) == 1:
        what = (
            f"{_names(stations)} is blocked, each server waiting for room at the same "
            f"station ({buffers} on a routing that comes back to it)"
        )
    elif len(stations) == 2:
        what = (
            f"{_names(stations)} are blocked, each waiting for room at the other "
            f"({buffers} on a cycle of routings)"
        )
    else:
        what = (
            f"{_names(stations)} are blocked, each waiting for room at another of them "
            f"({buffers} on a cycle of routings)"
        )
    where = f"scenario {plan.name!r}, replication {replication}"
    return f"{where}: deadlock at t={time:g} {plan.time_unit}: {what}"
