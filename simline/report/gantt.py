"""A Gantt chart of an event trace: each station's servers over time, and the parts' flow.

The trace (``simline run --trace``, ``docs/model.md`` "The event trace") says what happened
to each part, not which server did it, nor the shift calendar. So the chart is a
reconstruction from the events, and says so:

- A *visit* of a part to a station runs from the moment a server takes it (its ``setup``,
  ``start`` or ``wait_operator``) until the part is somewhere else (its ``arrive`` at the
  next station, ``leave``, ``scrap``), or until ``finish`` when nothing blocked it.
- Within a visit: ``setup`` until ``start`` is *setup*, then *busy* until ``finish``;
  ``blocked`` until the part moves on is *blocked*; ``fail`` to ``repair`` is *down*;
  ``wait_operator`` to ``operator`` is *waiting for operators*; ``pause`` to ``resume`` is
  *paused* (a shift end or a calendar failure). Down shows over waiting, waiting over paused.
- A failure of an idle server (part ``-1``) is *down* on a server of its own.
- Parts a station takes and finishes at the same instants form one build (a batch
  station's): one bar, blocked until the last of them moved on.
- Visits are laid on the fewest lanes that hold them, first free lane first: a station
  shows as many lanes as it had visits at once, which is at most its number of servers (and
  fewer if some were never all busy together). Where a lane has no bar, the server held no
  part: starved, or off shift (the trace cannot tell which: no event marks a shift).

matplotlib is imported inside the functions (Agg backend), so importing simline never loads it.
"""

from __future__ import annotations

import csv
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simline.errors import ConfigError
from simline.report.output import TRACE_COLUMNS, atomic_path

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence

    from matplotlib.figure import Figure

__all__ = [
    "EVENTS",
    "GANTT_STATES",
    "Gantt",
    "gantt_figure",
    "plot_gantt",
    "read_trace",
    "reconstruct",
]

#: The events a trace may hold (``docs/model.md``).
EVENTS: frozenset[str] = frozenset(
    (
        "release",
        "wait",
        "arrive",
        "setup",
        "start",
        "wait_operator",
        "operator",
        "pause",
        "resume",
        "fail",
        "repair",
        "finish",
        "blocked",
        "scrap",
        "leave",
    )
)

#: The states the chart draws, their labels and colours (as the report's state bars).
GANTT_STATES: dict[str, tuple[str, str]] = {
    "busy": ("busy", "#2e7d32"),
    "setup": ("setup", "#9ccc65"),
    "blocked": ("blocked", "#ef6c00"),
    "waiting": ("waiting for operators", "#7e57c2"),
    "paused": ("paused", "#b39ddb"),
    "down": ("down", "#c62828"),
}

#: Overlays, strongest first: what is drawn when several hold at once.
_OVERLAYS: tuple[str, ...] = ("down", "waiting", "paused")
_OPEN = {"fail": "down", "wait_operator": "waiting", "pause": "paused"}
_CLOSE = {"repair": "down", "operator": "waiting", "resume": "paused"}

#: One trace row without its replication: time, part, product, station, event.
Event = tuple[float, int, str, str, str]

#: Part-flow lines drawn at most (every k-th move of the window when there are more).
MAX_FLOW_LINES = 400


@dataclass
class _Visit:
    part: int
    station: str
    take: float | None
    base: str | None
    overlays: dict[str, int] = field(default_factory=dict)
    segments: list[tuple[float, float, str]] = field(default_factory=list)
    since: float = 0.0
    finish: float | None = None
    end: float | None = None
    idle: bool = False

    def state(self) -> str | None:
        for name in _OVERLAYS:
            if self.overlays.get(name):
                return name
        return self.base

    def change(self, t: float, apply: Any) -> None:
        """Close the running segment at ``t``, apply a change, open the next one."""
        before = self.state()
        if before is not None and t > self.since:
            self.segments.append((self.since, t, before))
        apply()
        self.since = t

    def close(self, t: float) -> None:
        if self.end is None:
            self.change(t, lambda: None)
            self.end = t


@dataclass(frozen=True)
class Bar:
    """One stretch of one state on one lane of a station."""

    lane: int
    start: float
    end: float
    state: str


@dataclass(frozen=True)
class StationRow:
    """A station: how many lanes it needed and its bars."""

    name: str
    lanes: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Gantt:
    """The reconstructed chart of one replication over a window of time.

    ``flows`` holds, per part, its moves as ``((t_from, station_from), (t_to, station_to))``:
    from the end of a visit to the start of the next (the slope is the wait in the buffer).
    """

    replication: int
    start: float
    end: float
    rows: tuple[StationRow, ...]
    flows: tuple[tuple[tuple[float, str], tuple[float, str]], ...]
    parts: int


def read_trace(path: str | os.PathLike[str]) -> dict[int, list[Event]]:
    """Read a trace file written by ``simline run --trace`` (CSV, or Parquet by suffix).

    Returns
    -------
    dict
        The events of each replication, in the file's order (time order, ties as the
        engine processed them).

    Raises
    ------
    ConfigError
        If the file cannot be read or is not a trace: missing columns, a value that is not
        a number, an unknown event; the message names the file and the line (CSV) or row.
    """
    path = Path(path)
    if path.is_dir():
        raise ConfigError("expected a trace file (got a directory)", file=str(path))
    if not path.exists():
        raise ConfigError("no such file", file=str(path))
    if path.suffix.lower() == ".parquet":
        rows, first = _parquet_rows(path), 1
        where = "row"
    else:
        rows, first = _csv_rows(path), 2
        where = "line"
    out: dict[int, list[Event]] = {}
    for k, row in enumerate(rows):
        out_row = _event(row, path, f"{where} {k + first}")
        out.setdefault(out_row[0], []).append(out_row[1])
    return out


def _csv_rows(path: Path) -> Iterable[Sequence[Any]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            _check_header(header, path)
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        why = getattr(err, "strerror", None) or str(err)
        raise ConfigError(f"cannot read the trace: {why}", file=str(path)) from None
    return rows


def _parquet_rows(path: Path) -> Iterable[Sequence[Any]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as err:  # pyarrow raises its own errors for a file that is not Parquet
        raise ConfigError(f"cannot read the trace as Parquet: {err}", file=str(path)) from None
    _check_header(table.column_names, path)
    columns = [table.column(name).to_pylist() for name in TRACE_COLUMNS]
    return list(zip(*columns, strict=True))


def _check_header(header: Sequence[str] | None, path: Path) -> None:
    if header is None or tuple(header) != TRACE_COLUMNS:
        got = "nothing" if not header else ", ".join(header)
        raise ConfigError(
            f"expected a trace of `simline run --trace` with columns "
            f"{', '.join(TRACE_COLUMNS)} (got {got})",
            file=str(path),
        )


def _event(row: Sequence[Any], path: Path, where: str) -> tuple[int, Event]:
    if len(row) != len(TRACE_COLUMNS):
        raise ConfigError(
            f"expected {len(TRACE_COLUMNS)} values (got {len(row)})", file=str(path), path=where
        )
    rep, time, part, product, station, event = row
    try:
        replication = int(rep)
        t = float(time)
        part_id = int(part)
    except (TypeError, ValueError):
        raise ConfigError(
            f"expected whole numbers for replication and part and a number for time "
            f"(got {rep!r}, {part!r}, {time!r})",
            file=str(path),
            path=where,
        ) from None
    if not math.isfinite(t) or t < 0:
        raise ConfigError(f"expected a time >= 0 (got {time!r})", file=str(path), path=where)
    if event not in EVENTS:
        raise ConfigError(
            f"expected an event of docs/model.md (got {event!r})", file=str(path), path=where
        )
    return replication, (t, part_id, str(product), str(station), str(event))


def reconstruct(
    events: Sequence[Event],
    *,
    replication: int = 0,
    start: float | None = None,
    end: float | None = None,
) -> Gantt:
    """Reconstruct the stations' states over time from one replication's events.

    Parameters
    ----------
    events
        ``(time, part, product, station, event)`` in trace order.
    replication
        Its index (for the title).
    start, end
        The window to keep (default: the first and last event).

    Raises
    ------
    ConfigError
        If the window is empty or holds no event.
    """
    if not events:
        raise ConfigError("the trace has no event for this replication", path="--replication")
    t0 = events[0][0] if start is None else start
    t1 = events[-1][0] if end is None else end
    if not t1 > t0:
        raise ConfigError(f"expected --to > --from (got {t0:g} and {t1:g})", path="--to")
    order: dict[str, float] = {}
    visits: list[_Visit] = []
    current: dict[int, _Visit] = {}
    idle_down: dict[str, list[_Visit]] = {}
    last = events[-1][0]
    for t, part, _product, station, event in events:
        order.setdefault(station, t)
        if part < 0:
            _idle_failure(idle_down, visits, t, station, event)
            continue
        visit = current.get(part)
        if visit is not None and visit.station != station:
            visit.close(t)
            del current[part]
            visit = None
        if visit is None:
            visit = _Visit(part, station, None, None, since=t)
            current[part] = visit
        if event in ("release", "wait", "arrive"):
            continue
        if visit.take is None:
            visit.take = t
            visit.since = t
            visits.append(visit)
        if event == "pause" and _claim_failure(idle_down.get(station, []), visits, visit, t):
            event = "fail"
        _apply(visit, t, event)
        if event in ("scrap", "leave"):
            visit.close(t)
            del current[part]
    for visit in current.values():
        if visit.take is not None and visit.base is None and visit.finish is not None:
            visit.close(visit.finish)
        visit.close(last)
    for pending in idle_down.values():
        for visit in pending:
            visit.close(last)
    rows = _rows(visits, order, t0, t1)
    flows, parts = _flows(visits, t0, t1)
    return Gantt(replication, t0, t1, rows, flows, parts)


def _apply(visit: _Visit, t: float, event: str) -> None:
    """Apply one event of a part to its visit of a station."""
    overlays = visit.overlays
    if event == "setup":
        visit.change(t, lambda: setattr(visit, "base", "setup"))
    elif event == "start":
        visit.change(t, lambda: setattr(visit, "base", "busy"))
    elif event in _OPEN:
        name = _OPEN[event]
        visit.change(t, lambda: overlays.__setitem__(name, overlays.get(name, 0) + 1))
    elif event in _CLOSE:
        name = _CLOSE[event]
        visit.change(t, lambda: overlays.__setitem__(name, max(overlays.get(name, 0) - 1, 0)))
    elif event == "finish":
        visit.finish = t

        def done() -> None:
            visit.base = None
            overlays.clear()

        visit.change(t, done)
    elif event == "blocked":
        visit.change(t, lambda: setattr(visit, "base", "blocked"))


def _idle_failure(
    idle_down: dict[str, list[_Visit]], visits: list[_Visit], t: float, station: str, event: str
) -> None:
    """Put a calendar failure (part -1) on a lane of its own, down until its repair.

    When a part at the station pauses at the same instant (:func:`_claim_failure`), the
    failure is that part's server's, and its repair ends the part's down time instead.
    """
    pending = idle_down.setdefault(station, [])
    if event == "fail":
        visit = _Visit(-1, station, t, None, since=t, idle=True)
        visit.overlays["down"] = 1
        pending.append(visit)
        visits.append(visit)
    elif event == "repair" and pending:
        visit = pending.pop(0)
        if visit.idle:
            visit.close(t)
        else:
            _apply(visit, t, "repair")


def _claim_failure(pending: list[_Visit], visits: list[_Visit], visit: _Visit, t: float) -> bool:
    """Give a calendar failure of this instant to the part that pauses at it, if one is open."""
    for k, down in enumerate(pending):
        if down.idle and down.take == t and not down.segments:
            pending[k] = visit
            visits.remove(down)
            return True
    return False


def _rows(
    visits: list[_Visit], order: dict[str, float], t0: float, t1: float
) -> tuple[StationRow, ...]:
    by_station: dict[str, list[tuple[float, float, list[tuple[float, float, str]]]]] = {}
    builds: dict[tuple[str, float, float], int] = {}
    for visit in visits:
        take = visit.take if visit.take is not None else t0
        end = visit.end if visit.end is not None else take
        occupied = by_station.setdefault(visit.station, [])
        key = (visit.station, take, visit.finish if visit.finish is not None else -1.0)
        if not visit.idle and key in builds:
            # another part of the same build: the build is blocked until its last part moved
            k = builds[key]
            take, old_end, segs = occupied[k]
            if end > old_end:
                segs = [s for s in segs if s[2] != "blocked"]
                if visit.finish is not None:
                    segs.append((visit.finish, end, "blocked"))
                occupied[k] = (take, end, segs)
            continue
        builds[key] = len(occupied)
        occupied.append((take, end, list(visit.segments)))
    rows = []
    for station in sorted(order, key=lambda s: (order[s], list(order).index(s))):
        lane_ends: list[float] = []
        bars: list[Bar] = []
        for take, end, segs in sorted(by_station.get(station, []), key=lambda v: (v[0], v[1])):
            lane = next((k for k, e in enumerate(lane_ends) if e <= take), len(lane_ends))
            if lane == len(lane_ends):
                lane_ends.append(end)
            lane_ends[lane] = max(end, take)
            for a, b, state in segs:
                a, b = max(a, t0), min(b, t1)
                if b > a:
                    bars.append(Bar(lane, a, b, state))
        rows.append(StationRow(station, max(len(lane_ends), 1), tuple(bars)))
    return tuple(rows)


def _flows(
    visits: list[_Visit], t0: float, t1: float
) -> tuple[tuple[tuple[tuple[float, str], tuple[float, str]], ...], int]:
    """Each part's moves: from the end of a visit to the start of its next, in the window."""
    by_part: dict[int, list[_Visit]] = {}
    for visit in visits:
        if not visit.idle and visit.take is not None:
            by_part.setdefault(visit.part, []).append(visit)
    moves = []
    parts = set()
    for part, stops in by_part.items():
        for here, there in itertools.pairwise(stops):
            left = here.end if here.end is not None else here.take
            assert left is not None and there.take is not None
            if there.take >= t0 and left <= t1:
                moves.append(((left, here.station), (there.take, there.station)))
                parts.add(part)
    moves.sort()
    return tuple(moves), len(parts)


def gantt_figure(
    gantt: Gantt, *, flow: bool = True, time_unit: str = "", width: float = 11.0
) -> Figure:
    """Draw a reconstructed chart; the caller saves and closes the figure.

    Parameters
    ----------
    gantt
        From :func:`reconstruct`.
    flow
        Draw each part's moves between stations as thin grey lines (at most
        :data:`MAX_FLOW_LINES`: every k-th move when there are more).
    time_unit
        The scenario's time unit, for the axis label (the trace does not record it).
    width
        The figure's width in inches.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    rows = gantt.rows
    total = sum(r.lanes for r in rows)
    height = min(max(2.2 + 0.32 * total + 0.3 * len(rows), 3.0), 14.0)
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    centres: dict[str, float] = {}
    y = 0.0
    ticks, labels = [], []
    for row in reversed(rows):
        lane_h = 0.8 / row.lanes
        groups: dict[tuple[int, str], list[tuple[float, float]]] = {}
        for bar in row.bars:
            groups.setdefault((bar.lane, bar.state), []).append((bar.start, bar.end - bar.start))
        for (lane, state), spans in groups.items():
            bottom = y + 0.1 + (row.lanes - 1 - lane) * lane_h
            ax.broken_barh(
                spans, (bottom, lane_h * 0.92), facecolors=GANTT_STATES[state][1], linewidth=0
            )
        centres[row.name] = y + 0.5
        ticks.append(y + 0.5)
        servers = f" ({row.lanes} lanes)" if row.lanes > 1 else ""
        labels.append(f"{row.name}{servers}")
        ax.axhline(y, color="#dddddd", linewidth=0.6)
        y += 1.0
    drawn, step = 0, 1
    if flow and gantt.flows:
        from matplotlib.collections import LineCollection

        step = math.ceil(len(gantt.flows) / MAX_FLOW_LINES)
        lines = [
            [(ta, centres[sa]), (tb, centres[sb])] for (ta, sa), (tb, sb) in gantt.flows[::step]
        ]
        ax.add_collection(LineCollection(lines, colors="#455a64", alpha=0.35, linewidths=0.6))
        drawn = len(lines)
    ax.set_yticks(ticks, labels)
    ax.set_ylim(0, y)
    ax.set_xlim(gantt.start, gantt.end)
    unit = time_unit or "the scenario's time unit"
    ax.set_xlabel(f"time ({unit})")
    title = (
        f"Station states over time, replication {gantt.replication}, "
        f"{gantt.start:g} to {gantt.end:g} {time_unit}".rstrip()
    )
    ax.set_title(title)
    handles: list[Any] = [Patch(color=c, label=label) for label, c in GANTT_STATES.values()]
    if flow and gantt.flows:
        note = "part moves" if drawn == len(gantt.flows) else f"part moves (1 in {step})"
        handles.append(
            matplotlib.lines.Line2D([], [], color="#455a64", alpha=0.6, linewidth=1, label=note)
        )
    handles.append(
        Patch(facecolor="white", edgecolor="#999999", label="no part (starved or off shift)")
    )
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize="small", frameon=False)
    return fig


def plot_gantt(
    out: str | os.PathLike[str],
    gantt: Gantt,
    *,
    flow: bool = True,
    time_unit: str = "",
) -> None:
    """Draw the chart into a PNG, SVG or PDF file (by suffix), atomically."""
    import matplotlib.pyplot as plt

    fmt = Path(out).suffix.lower().lstrip(".")
    fig = gantt_figure(gantt, flow=flow, time_unit=time_unit)
    try:
        with atomic_path(out) as tmp:
            fig.savefig(tmp, format=fmt, dpi=130)
    finally:
        plt.close(fig)
