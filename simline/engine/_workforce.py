"""The operator pool: its size follows the weekly shift pattern of the plan's workforce.

Servers that need ``k > 0`` operators take them when they start a part, first come first
served, and give them back when the part is done. When the pool shrinks below the operators
in use, the most recently started holders give theirs back at once: the pool interrupts
their work, which pauses with its remaining time and queues for operators again.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from simpy import Event

if TYPE_CHECKING:
    import simpy

    from simline.engine._station import Server
    from simline.plan import WorkforcePlan

__all__ = ["OperatorPool"]


class OperatorPool:
    """Operators on duty, free or held, and the servers waiting for them.

    Parameters
    ----------
    env
        The environment of the run.
    plan
        The weekly step function of operators on duty.
    """

    __slots__ = ("env", "free", "holders", "manned", "off", "plan", "queue", "size")

    def __init__(self, env: simpy.Environment, plan: WorkforcePlan) -> None:
        self.env = env
        self.plan = plan
        self.size = plan.on_duty(0.0)
        self.free = self.size
        #: Whether no operator is on duty (manned servers are then off shift).
        self.off = self.size == 0
        #: Servers holding operators, in the order they took them.
        self.holders: dict[Server, None] = {}
        self.queue: deque[Server] = deque()
        #: Every server that draws on this pool (their state depends on ``off``).
        self.manned: list[Server] = []

    def acquire(self, server: Server) -> Event | None:
        """Take ``server.k`` operators for ``server``.

        Returns
        -------
        Event or None
            ``None`` when the operators were free (taken at once); otherwise the server is
            queued and the event fires once they are its.
        """
        if not self.queue and self.free >= server.k:
            self.free -= server.k
            self.holders[server] = None
            server.has_ops = True
            return None
        event = Event(self.env)
        server.ops_wait = event
        self.queue.append(server)
        return event

    def release(self, server: Server) -> None:
        """``server`` gives its operators back."""
        self.free += server.k
        del self.holders[server]
        server.has_ops = False
        if self.queue:
            self._serve()

    def _serve(self) -> None:
        queue = self.queue
        while queue and self.free >= queue[0].k:
            server = queue.popleft()
            self.free -= server.k
            self.holders[server] = None
            server.has_ops = True
            event = server.ops_wait
            server.ops_wait = None
            assert event is not None
            event.succeed()

    def resize(self, size: int) -> None:
        """Change the operators on duty to ``size`` now, taking operators back if needed."""
        self.free += size - self.size
        self.size = size
        holders = self.holders
        while self.free < 0 and holders:
            server = next(reversed(holders))
            del holders[server]
            server.has_ops = False
            self.free += server.k
            if server.in_work:
                server.in_work = False
                server.proc.interrupt("operators")
        if self.queue:
            self._serve()
        off = size == 0
        if off != self.off:
            self.off = off
            for server in self.manned:
                server.refresh()

    def run(self) -> simpy.events.ProcessGenerator:
        """Follow the shift pattern (a process): resize the pool at every change, every week."""
        env = self.env
        changes = self.plan.changes
        period = self.plan.period
        week = 0.0
        if period <= 0.0:
            return
        while True:
            for start, size in changes:
                at = week + start
                if at > env.now:
                    yield env.timeout(at - env.now)
                if size < self.size:
                    # Let work that ends at this very instant finish before operators leave.
                    yield env.timeout(0.0)
                if size != self.size:
                    self.resize(size)
            week += period
