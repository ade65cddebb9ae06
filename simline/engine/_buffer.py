"""The FIFO buffer in front of a station, with its queues of waiting servers.

A :class:`Buffer` holds up to ``cap`` parts and two queues, each entry with the SimPy event
that wakes it:

- ``getters``: free servers of its station waiting for a part. A part put into the buffer
  goes straight to the first of them (so a buffer of 0 places still hands parts over).
- ``putters``: parts that found no place, in the order they came: each is held by a blocked
  upstream server (woken when its part gets in) or waits outside the line (interarrival,
  CONWIP; the owner is then ``None``).

A server that is down (calendar failure) keeps its place in either queue but is passed over
until it is repaired; its repair calls :meth:`Buffer.retry`.

Taking or putting a part that can move at once needs no event at all: only waiting does.

:class:`BatchBuffer` is the buffer of a batch station: parts go into the buffer, and a waiting
server is woken with a whole build once one is ready. With no place at all (a buffer of 0)
the parts blocked in front of the station are the waiting ones: a free server takes up to a
full build of them at once, and a part arriving at a waiting server starts a build alone.
"""

from __future__ import annotations

import math
import sys
from collections import deque
from typing import TYPE_CHECKING

from simpy import Event

if TYPE_CHECKING:
    import simpy

    from simline.engine._line import Line, Part
    from simline.engine._station import Server, Station

__all__ = ["BatchBuffer", "Buffer"]

#: A part that found no place: (blocked server or None, the part, the event to wake it).
_Putter = tuple["Server | None", "Part", "Event | None"]


def _pop_first_up(queue: deque[Server]) -> Server | None:
    """Remove and return the first server of ``queue`` that is not down."""
    for i, server in enumerate(queue):
        if not server.down:
            del queue[i]
            return server
    return None


def _pop_first_up_putter(queue: deque[_Putter]) -> _Putter | None:
    """Remove and return the first putter of ``queue`` whose server is not down."""
    for i, entry in enumerate(queue):
        owner = entry[0]
        if owner is None or not owner.down:
            del queue[i]
            return entry
    return None


class Buffer:
    """The FIFO buffer of a station.

    Parameters
    ----------
    env
        The environment of the run.
    line
        The line (for releases of parts waiting outside, and the trace).
    name
        The station's name (for the trace).
    cap
        Places; ``None`` for unlimited.
    """

    __slots__ = ("cap", "env", "getters", "items", "line", "name", "owner", "putters")

    def __init__(self, env: simpy.Environment, line: Line, name: str, cap: int | None) -> None:
        self.env = env
        self.line = line
        self.name = name
        self.cap = sys.maxsize if cap is None else cap
        self.items: deque[Part] = deque()
        self.getters: deque[Server] = deque()
        self.putters: deque[_Putter] = deque()
        #: The station this buffer feeds (set by the builder).
        self.owner: Station = None  # type: ignore[assignment]

    def __len__(self) -> int:
        return len(self.items)

    # -- putting ----------------------------------------------------------------------------

    def accepts(self) -> bool:
        """Whether a part put now would get in (onto a waiting server or into a place)."""
        if len(self.items) < self.cap:
            return True
        return any(not s.down for s in self.getters)

    def put(self, part: Part) -> bool:
        """Move ``part`` in: onto the first waiting server, else into a free place.

        Returns
        -------
        bool
            ``False`` when there is no room: the caller must then wait with :meth:`block`.
        """
        getters = self.getters
        if getters:
            server = getters.popleft() if not getters[0].down else _pop_first_up(getters)
            if server is not None:
                if self.line.trace is not None:
                    self.line.log(part, self.name, "arrive")
                server.waiting_in = None
                server.wake.succeed(part)
                return True
        items = self.items
        if len(items) < self.cap:
            items.append(part)
            if self.line.trace is not None:
                self.line.log(part, self.name, "arrive")
            return True
        return False

    def block(self, server: Server, part: Part) -> Event:
        """Queue ``part``, held by the blocked ``server``; the event fires when it got in."""
        event = Event(self.env)
        self.putters.append((server, part, event))
        server.waiting_in = self
        return event

    def queue_outside(self, part: Part) -> None:
        """Queue ``part`` outside the line, in front of this (its first station's) buffer."""
        self.putters.append((None, part, None))
        if self.line.trace is not None:
            self.line.log(part, self.name, "wait")

    def _admitted(self, entry: _Putter) -> Part:
        """Let the part of a putter in: wake its server, or release it if it came from outside."""
        owner, part, event = entry
        if owner is None:
            if part.released < 0.0:
                self.line.release(part)
        else:
            owner.waiting_in = None
            assert event is not None
            event.succeed()
        if self.line.trace is not None:
            self.line.log(part, self.name, "arrive")
        return part

    def _place(self, part: Part) -> None:
        self.items.append(part)

    def _admit(self) -> None:
        """Fill free places from the putters, in order."""
        putters = self.putters
        while putters and len(self.items) < self.cap:
            entry = putters.popleft() if _up(putters[0]) else _pop_first_up_putter(putters)
            if entry is None:
                return
            self._place(self._admitted(entry))

    # -- taking -----------------------------------------------------------------------------

    def take(self) -> Part | None:
        """Take the oldest part for a free server, or ``None`` when there is none.

        A freed place goes to the first blocked part; with no part in the buffer, a blocked
        part moves straight onto the server (a buffer of 0 places).
        """
        items = self.items
        if items:
            part = items.popleft()
            if self.putters:
                self._admit()
            return part
        putters = self.putters
        if putters:
            entry = putters.popleft() if _up(putters[0]) else _pop_first_up_putter(putters)
            if entry is not None:
                return self._admitted(entry)
        return None

    def wait(self, server: Server) -> Event:
        """Queue the free ``server``; the event fires with the part it gets."""
        event = Event(self.env)
        server.wake = event
        server.waiting_in = self
        self.getters.append(server)
        return event

    def retry(self) -> None:
        """Match waiting servers and parts again (after a server waiting here was repaired)."""
        getters = self.getters
        while getters and (self.items or any(_up(e) for e in self.putters)):
            server = _pop_first_up(getters)
            if server is None:
                break
            part = self.take()
            assert part is not None
            server.waiting_in = None
            server.wake.succeed(part)
        if self.putters:
            self._admit()


def _up(entry: _Putter) -> bool:
    owner = entry[0]
    return owner is None or not owner.down


class BatchBuffer(Buffer):
    """The buffer of a batch station: servers take whole builds.

    A build is ready when ``size`` parts wait, or when at least one waits and ``max_wait``
    has passed since the oldest entered. It takes up to ``size`` parts, oldest first.
    """

    __slots__ = ("expired", "max_wait", "size")

    def __init__(
        self,
        env: simpy.Environment,
        line: Line,
        name: str,
        cap: int | None,
        size: int,
        max_wait: float,
    ) -> None:
        super().__init__(env, line, name, cap)
        self.size = size
        self.max_wait = max_wait
        #: The part whose max_wait timer fired while it was the oldest.
        self.expired: Part | None = None

    def accepts(self) -> bool:
        """Whether a part put now would get in (a place, or straight onto a waiting server)."""
        if len(self.items) < self.cap:
            return True
        return self.cap == 0 and any(not s.down for s in self.getters)

    def put(self, part: Part) -> bool:
        """Put ``part`` into a free place (``False`` when there is none).

        With no place at all (a buffer of 0), a part goes straight onto a waiting server,
        which starts a build of that one part.
        """
        if len(self.items) < self.cap:
            self._place(part)
            if self.line.trace is not None:
                self.line.log(part, self.name, "arrive")
            if self.getters:
                self._dispatch()
            return True
        if self.cap == 0 and self.getters:
            server = _pop_first_up(self.getters)
            if server is not None:
                if self.line.trace is not None:
                    self.line.log(part, self.name, "arrive")
                server.waiting_in = None
                server.wake.succeed([part])
                return True
        return False

    def _place(self, part: Part) -> None:
        part.entered = self.env.now
        self.items.append(part)
        if len(self.items) == 1:
            self._arm(part)

    def _arm(self, head: Part) -> None:
        """Wake waiting servers when ``head``'s max_wait is over."""
        if self.max_wait == math.inf:
            return
        delay = max(head.entered + self.max_wait - self.env.now, 0.0)
        timer = self.env.timeout(delay, head)
        timer.callbacks.append(self._expire)

    def _expire(self, timer: Event) -> None:
        items = self.items
        if items and items[0] is timer.value:
            self.expired = items[0]
            if self.getters:
                self._dispatch()

    def ready(self) -> bool:
        """Whether a build may start now."""
        items = self.items
        if len(items) >= self.size:
            return True
        if not items:
            return False
        head = items[0]
        return head is self.expired or head.entered + self.max_wait <= self.env.now

    def _pop(self, limit: int) -> list[Part]:
        items = self.items
        n = min(limit, len(items))
        build = [items.popleft() for _ in range(n)]
        if self.putters:
            self._admit()
        if items and n:
            self._arm(items[0])
        return build

    def _take_blocked(self, limit: int) -> list[Part]:
        """Up to ``limit`` blocked parts, straight onto the server (a buffer of 0 places)."""
        build: list[Part] = []
        putters = self.putters
        while putters and len(build) < limit:
            entry = _pop_first_up_putter(putters)
            if entry is None:
                break
            build.append(self._admitted(entry))
        return build

    def take_build(self) -> list[Part] | None:
        """Return the next build for a free server if one is ready, else ``None``.

        With a buffer of 0 places the blocked parts in front of the station are the ones
        waiting: a free server takes up to ``size`` of them at once.
        """
        if self.cap == 0:
            return self._take_blocked(self.size) or None
        if not self.ready():
            return None
        build = self._pop(self.size)
        if self.getters:
            self._dispatch()
        return build

    def take_upto(self, limit: int) -> list[Part]:
        """Up to ``limit`` waiting parts, oldest first, whether a build is ready or not."""
        if self.cap == 0:
            return self._take_blocked(limit)
        build = self._pop(limit)
        if self.getters:
            self._dispatch()
        return build

    def _dispatch(self) -> None:
        getters = self.getters
        while getters and self.ready():
            server = _pop_first_up(getters)
            if server is None:
                return
            server.waiting_in = None
            server.wake.succeed(self._pop(self.size))

    def retry(self) -> None:
        """Start ready builds on waiting servers and fill free places (after a repair)."""
        if self.cap == 0:
            getters = self.getters
            while getters and any(_up(e) for e in self.putters):
                server = _pop_first_up(getters)
                if server is None:
                    break
                server.waiting_in = None
                server.wake.succeed(self._take_blocked(self.size))
            return
        self._dispatch()
        if self.putters:
            self._admit()

    def take(self) -> Part | None:  # pragma: no cover - batch servers take builds
        """Not used: batch servers take builds."""
        raise NotImplementedError
