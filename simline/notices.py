"""Notices about a run's figures: an unstable line before it runs, WIP that grew after.

A :class:`Notice` is what ``simline run`` and ``compare`` show on stderr as
``simline: warning: FILE: MESSAGE`` and list in their JSON under ``warnings``. Kinds:

- ``"unstable"`` (before running, :func:`load_notices`): a station is offered at least as
  many parts as it can make (:mod:`simline.capacity`) and the excess goes into a buffer
  without limit, so WIP and lead time grow with the run's length;
- ``"backlog"`` (before running): the same under ``interarrival`` release behind finite
  buffers, so the arrivals that cannot get in queue outside the line;
- ``"wip_growth"`` (after running, :func:`trend_notice`): the line's WIP rose over the
  measured period, significantly and fast against the parts leaving it;
- ``"cost"``: a notice of the cost model (also in the ``cost`` block's ``warnings``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simline.engine.results import RunResult
    from simline.plan import Plan

__all__ = ["GROWTH_SHARE", "Notice", "load_notices", "trend_notice"]

#: WIP growth (parts per hour over the measured period) is reported when it is at least this
#: share of the parts leaving the line per hour (good or scrap) and its 95 % CI excludes 0.
#: In a line that keeps up, WIP at the end of the run differs from WIP at the end of warm-up
#: by about one WIP level, whatever the length, so the ratio falls like WIP / parts out as the
#: run lengthens; in a line that does not, it tends to ``load - 1`` at any length. 5 % catches
#: every load of 1.05 or more the capacity model missed (blocking, pools shared by stations),
#: while a line that keeps up would need its WIP to rise by a twentieth of all the parts that
#: left in the measured period (a warm-up far too short for it).
GROWTH_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class Notice:
    """One warning about a scenario's figures.

    Attributes
    ----------
    kind
        ``"unstable"``, ``"backlog"``, ``"wip_growth"`` or ``"cost"``.
    station
        The station it is about, or ``None`` (the whole line, the cost).
    message
        One line for people, without the file name.
    figures
        The numbers behind it, JSON-ready (see the warnings of ``docs/spec-extensions.md``).
    """

    kind: str
    station: str | None
    message: str
    figures: dict[str, Any] = field(default_factory=dict)

    def to_json(self, scenario: str) -> dict[str, Any]:
        """Return the object of a JSON ``warnings`` array."""
        return {
            "kind": self.kind,
            "scenario": scenario,
            "station": self.station,
            "message": self.message,
            **self.figures,
        }


def load_notices(plan: Plan) -> list[Notice]:
    """Return a notice for each station that cannot keep up with what it is offered.

    Only stations whose excess makes something grow are named: into a buffer without limit
    (``"unstable"``: WIP), or, under ``interarrival`` release behind finite buffers, outside
    the line (``"backlog"``). A bottleneck behind finite buffers under ``saturated`` release
    just blocks the stations before it, and ``conwip`` bounds the WIP: no notice.
    """
    from simline.capacity import station_loads

    out: list[Notice] = []
    for name, sl in station_loads(plan).items():
        if sl.excess not in ("wip", "outside"):
            continue
        head = (
            f"unstable line: {name!r} can make {_rate(sl.capacity_per_hour)} parts/h but is "
            f"offered {_rate(sl.offered_per_hour)} parts/h ({_rate(sl.short_per_hour)} more; "
            f"load {sl.load:.2f})"
        )
        figures = {
            "capacity_per_hour": _finite(sl.capacity_per_hour),
            "offered_per_hour": _finite(sl.offered_per_hour),
            "load": _finite(sl.load),
            "short_per_hour": _finite(sl.short_per_hour),
        }
        if sl.excess == "wip":
            tail = (
                "WIP and lead time grow with the run's length and their figures are not "
                "steady-state"
            )
            out.append(Notice("unstable", name, f"{head}; {tail}", figures))
        else:
            tail = "the excess arrivals queue outside the line, in neither WIP nor lead time"
            out.append(Notice("backlog", name, f"{head}; {tail}", figures))
    return out


def trend_notice(plan: Plan, results: Sequence[RunResult]) -> Notice | None:
    """Return a notice when the line's WIP grew over the measured period, else ``None``.

    Per replication, the growth is ``(released - good - scrap) / measured hours``: the parts
    released in the measured period that had not left by its end, beyond those in the line
    when it began. It is reported when its 95 % CI over the replications lies above 0 and its
    mean is at least :data:`GROWTH_SHARE` of the parts leaving the line per hour.
    """
    from simline.stats import estimate

    growth, out = [], []
    for r in results:
        hours = r.measured_time * r.hours_per_unit
        if hours <= 0.0:
            return None
        growth.append((r.released - r.good - r.scrap) / hours)
        out.append((r.good + r.scrap) / hours)
    if len(growth) < 2:
        return None
    g = estimate(growth)
    leaving = math.fsum(out) / len(out)
    if not (g.lo > 0.0 and g.mean >= GROWTH_SHARE * leaving):
        return None
    if leaving > 0.0:
        against = f"{g.mean / leaving:.0%} of the {_rate(leaving)} parts/h leaving the line"
    else:
        against = "and no part left the line"
    message = (
        f"WIP grew by {_rate(g.mean)} parts/h over the run (95% CI [{_rate(g.lo)}, "
        f"{_rate(g.hi)}]), {against}: not a steady state (a station cannot keep up, or the "
        "warm-up is too short)"
    )
    figures = {
        "growth_per_hour": g.to_json(),
        "leaving_per_hour": leaving,
    }
    return Notice("wip_growth", None, message, figures)


def _rate(x: float) -> str:
    if not math.isfinite(x):
        return "unbounded"
    return f"{x:,.1f}" if abs(x) >= 10 else f"{x:.3g}"


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
