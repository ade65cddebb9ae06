"""Stations and their servers: the SimPy processes that move parts through the line.

Each server is one process (:meth:`Server.run`, or :meth:`Server.run_batch` at a batch
station): take a part, set up if the product changes, work, scrap-check, hand the part on
(blocking while there is no place). Work that can be interrupted (calendar failures, shift
ends) runs in :meth:`Server.work`, which resumes with the remaining time; failures on an
operating basis are handled inline there, as a work segment that ends in a repair. A
calendar failure is a process of its own per server (:meth:`Server.fail_calendar`).

State accounting is plain arithmetic: each server knows its state and since when it is in
it, and on every change adds the elapsed time to its station's totals. The warm-up event
zeroes the totals, so only the measured window counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simpy import Event, Interrupt

from simline.engine._deadlock import Deadlock
from simline.vocabulary import BLOCKED, BUSY, DOWN, OFF_SHIFT, SETUP, STARVED, WAITING_STATES

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    import simpy

    from simline.engine._buffer import BatchBuffer, Buffer
    from simline.engine._line import Line, Part
    from simline.engine._sampling import Sampler
    from simline.engine._workforce import OperatorPool

__all__ = [
    "BLOCKED",
    "BUSY",
    "DOWN",
    "OFF_SHIFT",
    "SETUP",
    "STARVED",
    "Server",
    "Station",
    "check_deadlock",
]


def check_deadlock(station: Station) -> None:
    """Raise :class:`Deadlock` if ``station`` is part of a deadlock (see ``_deadlock``).

    Called when one of its servers has just blocked: follow the buffers its blocked servers
    wait for; stop at the first server that is not blocked at a full buffer.
    """
    queue = [station]
    seen = {station.index}
    for st in queue:  # the list grows while it is walked
        for server in st.servers:
            target = server.waiting_in
            if server.base != BLOCKED or target is None or len(target.items) < target.cap:
                return
            owner = target.owner
            if owner.index not in seen:
                seen.add(owner.index)
                queue.append(owner)
    raise Deadlock(station.line.env.now, [st.name for st in queue])


class Station:
    """A station at run time: its samplers, its buffer, its servers and its totals.

    Built by :mod:`simline.engine.build`; the attributes are set there.
    """

    __slots__ = (
        "acc",
        "active_periods",
        "active_since",
        "active_time",
        "batch_size",
        "buffer",
        "build_parts",
        "builds",
        "fail_calendar",
        "fail_operating",
        "index",
        "k",
        "line",
        "name",
        "parts_out",
        "per_part",
        "pick",
        "plain",
        "pool",
        "process",
        "saturated",
        "scrap",
        "scrap_p",
        "scrap_u",
        "servers",
        "setup",
        "ttf",
        "ttr",
        "wait_since",
        "waiting",
    )

    def __init__(self, line: Line, index: int, name: str) -> None:
        self.line = line
        self.index = index
        self.name = name
        self.buffer: Buffer = None  # type: ignore[assignment]
        self.servers: list[Server] = []
        #: Process time sampler of each product index (``None`` if it does not come here).
        self.process: list[Sampler | None] = []
        #: ``setup(a, b)``: setup sampler from product a to b, or None; None for no setups.
        self.setup: Callable[[int, int], Sampler | None] | None = None
        self.scrap_p = 0.0
        self.scrap_u: Sampler | None = None
        self.fail_operating = False
        self.fail_calendar = False
        self.ttf: Sampler | None = None
        self.ttr: Sampler | None = None
        self.k = 0
        self.pool: OperatorPool | None = None
        #: No failures and no operator pool: work is a bare timeout.
        self.plain = True
        self.batch_size = 0
        self.per_part: Sampler | None = None
        #: First station of some routing under saturated release: it never starves.
        self.saturated = False
        #: Draws the product of a new part released here (saturated release).
        self.pick: Callable[[], int] | None = None
        self.acc = [0.0] * 6
        self.parts_out = 0
        self.scrap = 0
        self.builds = 0
        self.build_parts = 0
        # Active periods (simline.kernels.activity has the rules): servers waiting now, when
        # the current period began, when the station last began to wait, and the totals.
        self.waiting = 0
        self.active_since = 0.0
        self.wait_since = 0.0
        self.active_time = 0.0
        self.active_periods = 0

    def start_measuring(self, now: float) -> None:
        """Zero the measured totals (end of the warm-up)."""
        acc = self.acc
        for i in range(6):
            acc[i] = 0.0
        for server in self.servers:
            server.since = now
        self.parts_out = 0
        self.scrap = 0
        self.builds = 0
        self.build_parts = 0
        self.active_time = 0.0
        self.active_periods = 0
        self.active_since = max(self.active_since, now)
        if self.waiting:  # its last period ended in the warm-up
            self.active_since = self.wait_since = now

    def waiting_changed(self, now: float, waits: bool) -> None:
        """Count a server that began (``waits``) or stopped waiting (starved or blocked) now."""
        if waits:
            self.waiting += 1
            if self.waiting == 1:
                self.wait_since = now
        else:
            self.waiting -= 1
            if self.waiting == 0 and now > self.wait_since:
                self._end_period(self.wait_since)
                self.active_since = now

    def _end_period(self, end: float) -> None:
        length = end - self.active_since
        if length > 0.0:
            self.active_time += length
            self.active_periods += 1

    def close(self, now: float) -> None:
        """Close every server's open state interval at ``now`` (end of the run)."""
        for server in self.servers:
            self.acc[server.state] += now - server.since
            server.since = now
        self._end_period(now if self.waiting == 0 else self.wait_since)


class Server:
    """One server of a station and its process.

    ``base`` is the state its work alone would give (busy, setup, blocked or starved);
    ``state`` the one that counts, where being down comes first and being off shift (a
    manned server while no operator is on duty) next.
    """

    __slots__ = (
        "acc",
        "base",
        "down",
        "env",
        "has_ops",
        "in_work",
        "k",
        "last",
        "line",
        "ops_wait",
        "pool",
        "proc",
        "repair_wait",
        "since",
        "state",
        "station",
        "ttf_left",
        "waiting_in",
        "wake",
    )

    def __init__(self, env: simpy.Environment, station: Station) -> None:
        self.env = env
        self.station = station
        self.line = station.line
        self.acc = station.acc
        self.pool = station.pool
        self.k = station.k
        self.down = False
        self.in_work = False
        self.has_ops = False
        self.last = -1
        self.ops_wait: Event | None = None
        self.repair_wait: Event | None = None
        self.waiting_in: Buffer | None = None
        self.wake: Event = None  # type: ignore[assignment]
        self.ttf_left = station.ttf() if station.fail_operating and station.ttf else 0.0
        self.base = STARVED
        self.state = OFF_SHIFT if self.pool is not None and self.pool.off else STARVED
        self.since = env.now
        if self.state == STARVED:
            station.waiting += 1
        self.proc: simpy.Process = None  # type: ignore[assignment]

    def set(self, base: int) -> None:
        """Enter the base state ``base`` now, and account for the time in the previous one."""
        self.base = base
        if self.down:
            state = DOWN
        elif self.pool is not None and self.pool.off:
            state = OFF_SHIFT
        else:
            state = base
        if state != self.state:
            now = self.env.now
            self.acc[self.state] += now - self.since
            waits = state in WAITING_STATES
            if waits != (self.state in WAITING_STATES):
                self.station.waiting_changed(now, waits)
            self.state = state
            self.since = now

    def refresh(self) -> None:
        """Recompute the state after ``down`` or the pool's shift status changed."""
        self.set(self.base)

    def _repaired(self) -> Event:
        event = Event(self.env)
        self.repair_wait = event
        return event

    # -- the processes ----------------------------------------------------------------------

    def run(self) -> Generator[simpy.Event, Any, None]:
        """Run a server of a station without batches: its process body."""
        env = self.env
        station = self.station
        line = self.line
        buffer = station.buffer
        take = buffer.take
        timeout = env.timeout
        process = station.process
        setup = station.setup
        scrap_p = station.scrap_p
        scrap_u = station.scrap_u
        saturated = station.saturated
        pick = station.pick
        calendar = station.fail_calendar
        plain = station.plain
        inline = station.fail_operating and station.pool is None
        trace = line.trace
        name = station.name
        while True:
            if calendar and self.down:
                self.set(STARVED)
                yield self._repaired()
            part = take()
            if part is None:
                if saturated:
                    part = line.release_new(pick())  # type: ignore[misc]
                else:
                    self.set(STARVED)
                    part = yield buffer.wait(self)
            product = part.product
            if setup is not None:
                last = self.last
                if last != product:
                    self.last = product
                    change = setup(last, product) if last >= 0 else None
                    if change is not None:
                        if trace is not None:
                            line.log(part, name, "setup")
                        if plain:
                            self.set(SETUP)
                            yield timeout(change())
                        else:
                            yield from self.work(change(), SETUP, part)
            if trace is not None:
                line.log(part, name, "start")
            duration = process[product]()  # type: ignore[misc]
            if plain:
                if self.state != BUSY:
                    self.set(BUSY)
                yield timeout(duration)
            elif inline and self.ttf_left >= duration:
                # Operating-basis failures only, and none due in this part: a bare timeout.
                if self.state != BUSY:
                    self.set(BUSY)
                yield timeout(duration)
                self.ttf_left -= duration
            else:
                yield from self.work(duration, BUSY, part)
                if self.has_ops:
                    self.pool.release(self)  # type: ignore[union-attr]
            station.parts_out += 1
            if trace is not None:
                line.log(part, name, "finish")
            if scrap_p and scrap_u() < scrap_p:  # type: ignore[misc]
                line.scrap(part, station)
                continue
            step = part.step + 1
            route = part.route
            if step == len(route):
                line.leave(part, station)
                continue
            part.step = step
            target = route[step].buffer
            if calendar and self.down:
                yield self._repaired()
            if not target.put(part):
                self.set(BLOCKED)
                if trace is not None:
                    line.log(part, name, "blocked")
                blocked = target.block(self, part)
                check_deadlock(station)
                yield blocked

    def run_batch(self) -> Generator[simpy.Event, Any, None]:
        """Run a server of a batch station: whole builds instead of single parts."""
        env = self.env
        station = self.station
        line = self.line
        buffer: BatchBuffer = station.buffer  # type: ignore[assignment]
        process = station.process
        setup = station.setup
        per_part = station.per_part
        scrap_p = station.scrap_p
        scrap_u = station.scrap_u
        saturated = station.saturated
        pick = station.pick
        size = station.batch_size
        calendar = station.fail_calendar
        plain = station.plain
        trace = line.trace
        name = station.name
        while True:
            if calendar and self.down:
                self.set(STARVED)
                yield self._repaired()
            build: list[Part] | None
            if saturated:
                build = buffer.take_upto(size)
                while len(build) < size:
                    build.append(line.release_new(pick()))  # type: ignore[misc]
            else:
                build = buffer.take_build()
                if build is None:
                    self.set(STARVED)
                    build = yield buffer.wait(self)
            assert build
            first = build[0]
            product = first.product
            if setup is not None and self.last != product:
                last = self.last
                self.last = product
                change = setup(last, product) if last >= 0 else None
                if change is not None:
                    if trace is not None:
                        line.log(first, name, "setup")
                    yield from self.work(change(), SETUP, first)
            duration = process[product]()  # type: ignore[misc]
            if per_part is not None:
                for _ in build:
                    duration += per_part()
            if trace is not None:
                for part in build:
                    line.log(part, name, "start")
            if plain:
                self.set(BUSY)
                yield env.timeout(duration)
            else:
                yield from self.work(duration, BUSY, first)
                if self.has_ops:
                    self.pool.release(self)  # type: ignore[union-attr]
            n = len(build)
            station.parts_out += n
            station.builds += 1
            station.build_parts += n
            for part in build:
                if trace is not None:
                    line.log(part, name, "finish")
                if scrap_p and scrap_u() < scrap_p:  # type: ignore[misc]
                    line.scrap(part, station)
                    continue
                yield from self.hand_on(part)

    def hand_on(self, part: Part) -> Generator[simpy.Event, Any, None]:
        """Move a finished good part on: leave the line, or into the next buffer (blocking)."""
        step = part.step + 1
        route = part.route
        if step == len(route):
            self.line.leave(part, self.station)
            return
        part.step = step
        target = route[step].buffer
        if self.down:
            yield self._repaired()
        if not target.put(part):
            self.set(BLOCKED)
            if self.line.trace is not None:
                self.line.log(part, self.station.name, "blocked")
            blocked = target.block(self, part)
            check_deadlock(self.station)
            yield blocked

    def work(self, duration: float, base: int, part: Part) -> Generator[simpy.Event, Any, None]:
        """Work ``duration`` in state ``base`` (busy or setup), through failures and shifts.

        Work starts only when the server is up and holds its operators; an interruption
        (calendar failure, operators taken back) pauses it with its remaining time. With
        failures on an operating basis the time to failure runs down only in here.
        """
        env = self.env
        station = self.station
        pool = self.pool
        operating = station.fail_operating
        trace = self.line.trace
        remaining = duration
        paused = False
        while True:
            while True:
                if self.down:
                    self.set(base)
                    yield self._repaired()
                elif pool is not None and not self.has_ops:
                    self.set(STARVED)
                    wait = pool.acquire(self)
                    if wait is not None:
                        if trace is not None:
                            self.line.log(part, station.name, "wait_operator")
                        yield wait
                        if trace is not None:
                            self.line.log(part, station.name, "operator")
                else:
                    break
            if paused:
                paused = False
                if trace is not None:
                    self.line.log(part, station.name, "resume")
            self.set(base)
            failing = False
            step = remaining
            if operating and self.ttf_left < remaining:
                failing = True
                step = self.ttf_left
            start = env.now
            self.in_work = True
            try:
                yield env.timeout(step)
            except Interrupt:
                elapsed = env.now - start
                remaining = max(remaining - elapsed, 0.0)
                if operating:
                    self.ttf_left = max(self.ttf_left - elapsed, 0.0)
                paused = True
                if trace is not None:
                    self.line.log(part, station.name, "pause")
                continue
            self.in_work = False
            if not failing:
                if operating:
                    self.ttf_left -= step
                return
            remaining -= step
            self.ttf_left = 0.0
            self.down = True
            self.set(base)
            if trace is not None:
                self.line.log(part, station.name, "fail")
            yield env.timeout(station.ttr())  # type: ignore[misc]
            self.down = False
            self.ttf_left = station.ttf()  # type: ignore[misc]
            self.set(base)
            if trace is not None:
                self.line.log(part, station.name, "repair")

    def fail_calendar(self) -> Generator[simpy.Event, Any, None]:
        """Calendar-basis failures of this server, as a process of its own.

        A failure interrupts work in progress; a server that is waiting for a part or for a
        place downstream is passed over until repaired. The next time to failure starts at
        the end of the repair.
        """
        env = self.env
        station = self.station
        ttf: Sampler = station.ttf  # type: ignore[assignment]
        ttr: Sampler = station.ttr  # type: ignore[assignment]
        line = self.line
        while True:
            yield env.timeout(ttf())
            # Let work that ends at this very instant finish before the breakdown.
            yield env.timeout(0.0)
            self.down = True
            self.refresh()
            if line.trace is not None:
                line.log(None, station.name, "fail")
            if self.in_work:
                self.in_work = False
                self.proc.interrupt("failure")
            yield env.timeout(ttr())
            self.down = False
            self.refresh()
            if line.trace is not None:
                line.log(None, station.name, "repair")
            wait = self.repair_wait
            if wait is not None:
                self.repair_wait = None
                wait.succeed()
            elif self.waiting_in is not None:
                self.waiting_in.retry()
                if self.base == BLOCKED and self.waiting_in is not None:
                    check_deadlock(station)  # still blocked: the room went to others
