"""Parts and the line-wide bookkeeping of one run: releases, exits, WIP and the trace.

All statistics are streaming: counters, a time integral of WIP and Welford triples for lead
times. The warm-up is cut by zeroing the measured figures once every event at ``warmup`` has
been processed (:meth:`Line.start_measuring`), so the hot path never clips anything to the
window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    import simpy

    from simline.engine._buffer import Buffer
    from simline.engine._station import Station
    from simline.engine.results import TraceRow

__all__ = ["Line", "Part"]


class Part:
    """A part in (or waiting to enter) the line.

    ``route`` holds the stations of its product's routing and ``step`` the index of the
    station it is at. ``released`` is the release time (negative while it waits outside the
    line); ``entered`` the time it entered its current buffer (used by batch stations).
    """

    __slots__ = ("entered", "id", "product", "released", "route", "step")

    def __init__(self, pid: int, product: int, route: tuple[Station, ...], released: float) -> None:
        self.id = pid
        self.product = product
        self.route = route
        self.step = 0
        self.released = released
        self.entered = released


class Line:
    """The run state shared by every station: counters, WIP, products and the trace.

    Parameters
    ----------
    env
        The environment of the run.
    product_names
        Product names, by index.
    trace
        A list to append :data:`~simline.engine.results.TraceRow` tuples to, or ``None``.
    """

    __slots__ = (
        "env",
        "good_total",
        "lead_m2",
        "lead_mean",
        "lead_n",
        "next_id",
        "p_good",
        "p_released",
        "p_scrap",
        "product_names",
        "refill",
        "released_total",
        "routes",
        "scrap_total",
        "series",
        "servers",
        "sojourn",
        "stations",
        "trace",
        "wip",
        "wip_acc",
        "wip_t",
    )

    def __init__(
        self,
        env: simpy.Environment,
        product_names: tuple[str, ...],
        trace: list[TraceRow] | None,
    ) -> None:
        n = len(product_names)
        self.env = env
        self.product_names = product_names
        #: The routing of each product as a tuple of stations (set by the builder).
        self.routes: tuple[tuple[Station, ...], ...] = ()
        self.trace = trace
        self.stations: list[Station] = []
        self.servers: list[object] = []
        #: Called with no argument each time a part leaves the line (CONWIP), or None.
        self.refill: Callable[[], None] | None = None
        self.next_id = 0
        self.wip = 0
        self.wip_t = 0.0
        self.wip_acc = 0.0
        #: The time series in bins (set by des.simulate when asked for), or None.
        self.series: SeriesBins | None = None
        #: Time in line of every part (good or scrap) that left in the measured period.
        self.sojourn = 0.0
        self.released_total = 0
        self.good_total = 0
        self.scrap_total = 0
        self.p_released = [0] * n
        self.p_good = [0] * n
        self.p_scrap = [0] * n
        self.lead_n = [0] * n
        self.lead_mean = [0.0] * n
        self.lead_m2 = [0.0] * n

    # -- parts entering ---------------------------------------------------------------------

    def new_part(self, product: int) -> Part:
        """Create a new part of ``product``, not yet released."""
        pid = self.next_id
        self.next_id = pid + 1
        return Part(pid, product, self.routes[product], -1.0)

    def release(self, part: Part) -> None:
        """Release ``part`` now: it enters the line (counted, in WIP from now on)."""
        now = self.env.now
        part.released = now
        part.entered = now
        self.released_total += 1
        self.p_released[part.product] += 1
        self.wip_acc += self.wip * (now - self.wip_t)
        self.wip_t = now
        if self.series is not None:
            self.series.add_wip(now, self.wip)
        self.wip += 1
        if self.trace is not None:
            self.log(part, part.route[0].name, "release")

    def release_new(self, product: int) -> Part:
        """Create and release a new part of ``product`` (saturated and CONWIP release)."""
        part = self.new_part(product)
        self.release(part)
        return part

    def enter(self, part: Part) -> None:
        """Send a new part to the buffer of its first station, or queue it outside.

        A part not yet released (interarrival) is released when it gets in; a released one
        (CONWIP) stays released while it queues.
        """
        buf: Buffer = part.route[0].buffer
        if buf.accepts():
            if part.released < 0.0:
                self.release(part)
            buf.put(part)
        else:
            buf.queue_outside(part)

    # -- parts leaving ----------------------------------------------------------------------

    def leave(self, part: Part, station: Station) -> None:
        """Let a good part leave the line from ``station``, its last station."""
        now = self.env.now
        p = part.product
        self.good_total += 1
        self.p_good[p] += 1
        lead = now - part.released
        self.sojourn += lead
        n = self.lead_n[p] + 1
        self.lead_n[p] = n
        mean = self.lead_mean[p]
        delta = lead - mean
        mean += delta / n
        self.lead_mean[p] = mean
        self.lead_m2[p] += delta * (lead - mean)
        self.wip_acc += self.wip * (now - self.wip_t)
        self.wip_t = now
        if self.series is not None:
            self.series.add_wip(now, self.wip)
            self.series.count_good(now)
        self.wip -= 1
        if self.trace is not None:
            self.log(part, station.name, "leave")
        if self.refill is not None:
            self.refill()

    def scrap(self, part: Part, station: Station) -> None:
        """``part`` is scrapped at ``station`` and leaves the line at once."""
        now = self.env.now
        self.scrap_total += 1
        self.p_scrap[part.product] += 1
        station.scrap += 1
        self.sojourn += now - part.released
        self.wip_acc += self.wip * (now - self.wip_t)
        self.wip_t = now
        if self.series is not None:
            self.series.add_wip(now, self.wip)
        self.wip -= 1
        if self.trace is not None:
            self.log(part, station.name, "scrap")
        if self.refill is not None:
            self.refill()

    # -- measuring --------------------------------------------------------------------------

    def start_measuring(self) -> None:
        """Zero every measured figure, now: the end of the warm-up.

        Totals over the whole run (``*_total``, the WIP itself) are kept.
        """
        now = self.env.now
        self.wip_acc = 0.0
        self.wip_t = now
        self.sojourn = 0.0
        n = len(self.product_names)
        self.p_released = [0] * n
        self.p_good = [0] * n
        self.p_scrap = [0] * n
        self.lead_n = [0] * n
        self.lead_mean = [0.0] * n
        self.lead_m2 = [0.0] * n
        for station in self.stations:
            station.start_measuring(now)

    def close(self, now: float) -> None:
        """Close the WIP integral (and the series') at the end of the run."""
        self.wip_acc += self.wip * (now - self.wip_t)
        self.wip_t = now
        if self.series is not None:
            self.series.add_wip(now, self.wip)

    def log(self, part: Part | None, station: str, event: str) -> None:
        """Append one row to the trace (only called when tracing)."""
        assert self.trace is not None
        if part is None:
            self.trace.append((self.env.now, -1, "", station, event))
        else:
            self.trace.append(
                (self.env.now, part.id, self.product_names[part.product], station, event)
            )


class SeriesBins:
    """The line's time series in bins over the whole run (:mod:`simline.kernels.series`'s).

    Bin ``k`` is ``[k * width, (k + 1) * width)`` of ``n`` bins, the last one closed at the
    horizon; each holds the WIP integral and the good parts out in it.
    """

    __slots__ = ("good", "n", "t", "width", "wip")

    def __init__(self, n: int, horizon: float) -> None:
        self.n = n
        self.width = horizon / n
        self.wip = [0.0] * n
        self.good = [0] * n
        #: The time up to which the WIP integral is brought.
        self.t = 0.0

    def _bin(self, t: float) -> int:
        k = int(t / self.width)
        if (k + 1) * self.width <= t:  # t / width rounded down across a bin's edge
            k += 1
        return min(max(k, 0), self.n - 1)

    def add_wip(self, now: float, wip: int) -> None:
        """Bring the WIP integral up to ``now``, ``wip`` parts having been in line since."""
        t = self.t
        last = self.n - 1
        while t < now:
            k = self._bin(t)
            end = now if k == last else min((k + 1) * self.width, now)
            self.wip[k] += wip * (end - t)
            t = end
        self.t = now

    def count_good(self, now: float) -> None:
        """Count a good part that left the line ``now``."""
        self.good[self._bin(now)] += 1
