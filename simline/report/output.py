"""Results as data: the documented JSON object, CSV rows, event traces, atomic files.

:func:`run_to_json` builds exactly the object of ``spec/config.md`` ("Output of
``simline run CONFIG --format json``"); :func:`run_to_csv_rows` gives the same figures one
row each. Nothing here prints: :mod:`simline.cli` decides where text goes, and files are
written atomically (a temporary file in the same directory, renamed into place), so a
reader never sees half a file and a failure leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import math
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from simline.errors import ConfigError
from simline.stats import LINE_FIGURES, PRODUCT_FIGURES, STATION_FIGURES, FigureKey, estimate

if TYPE_CHECKING:
    from simline.engine.results import RunResult
    from simline.plan import Plan
    from simline.stats import RunSummary

__all__ = [
    "CSV_COLUMNS",
    "TRACE_COLUMNS",
    "atomic_path",
    "atomic_paths",
    "atomic_write",
    "check_target",
    "comparison_to_csv_rows",
    "cost_to_csv_rows",
    "describe_mode",
    "dumps_json",
    "figure_unit",
    "is_stream",
    "rows_to_csv",
    "run_to_csv_rows",
    "run_to_json",
    "write_data",
    "write_trace",
    "write_trace_file",
]

#: Columns of ``--format csv``, in order.
CSV_COLUMNS: tuple[str, ...] = ("scenario", "figure", "mean", "ci95_lo", "ci95_hi", "unit")

#: Columns of an event trace, in order.
TRACE_COLUMNS: tuple[str, ...] = ("replication", "time", "part", "product", "station", "event")

_COUNTS = frozenset({"good_parts", "scrap_parts", "parts_out", "wip"})


def figure_unit(key: FigureKey, time_unit: str) -> str:
    """Return the unit of a figure: ``parts/h``, the time unit, ``parts`` or ``fraction``.

    Parameters
    ----------
    key
        The figure's key, e.g. ``("stations", "saw", "busy")``.
    time_unit
        The scenario's time unit (the unit of lead times).
    """
    name = key[-1]
    if key[:2] == ("bottleneck", "active_period"):
        return time_unit
    if name == "throughput_per_hour":
        return "parts/h"
    if name == "lead_time":
        return time_unit
    if name in _COUNTS:
        return "parts"
    return "fraction"


def run_to_json(
    plan: Plan,
    summary: RunSummary,
    *,
    backend: str,
    version: str,
    cost: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the result of ``simline run`` as the spec's JSON object.

    Parameters
    ----------
    plan
        The plan that ran (name, time unit, seed).
    summary
        Its figures over replications.
    backend
        The backend that ran it (``des`` or ``fast``, never ``auto``).
    version
        simline's version.
    cost
        The cost model's figures, added under ``"cost"`` when given.

    Returns
    -------
    dict
        Plain JSON types only; an undefined figure is ``None`` (``null``), never ``nan``.
        A figure that only ``k`` of the replications defined (a lead time when some had no
        finished good part) carries ``"n": k`` beside its mean and interval.
    """
    out: dict[str, Any] = {
        "scenario": plan.name,
        "simline_version": version,
        "backend": backend,
        "time_unit": plan.time_unit,
        "replications": summary.replications,
        "seed": plan.seed,
    }
    reps = summary.replications
    for name in LINE_FIGURES:
        out[name] = getattr(summary, name).to_json(reps)
    out["products"] = {
        product: {name: getattr(ps, name).to_json(reps) for name in PRODUCT_FIGURES}
        for product, ps in summary.products.items()
    }
    out["stations"] = {
        station: {name: getattr(ss, name).to_json(reps) for name in STATION_FIGURES}
        for station, ss in summary.stations.items()
    }
    out["bottleneck"] = summary.bottleneck.to_json(reps)
    out["oee"] = summary.oee.to_json(reps)
    if cost is not None:
        out["cost"] = cost
    return out


def series_to_json(results: Sequence[RunResult], hours_per_unit: float) -> dict[str, Any] | None:
    """Return the ``series`` object: WIP and throughput per bin over replications, or ``None``.

    ``None`` when the replications kept no series. Bin ``k`` starts at ``k * bin_width``
    (scenario time unit, from time 0: the warm-up included); each figure of a bin is the
    spec's ``{"mean", "ci95"}`` over the replications.
    """
    kept = [r.series for r in results if r.series is not None]
    if not kept:
        return None
    width = kept[0].width
    bins = len(kept[0].good)
    wip = [estimate(s.wip_integral[k] / width for s in kept) for k in range(bins)]
    rate = [estimate(s.good[k] / (width * hours_per_unit) for s in kept) for k in range(bins)]
    return {
        "bins": bins,
        "bin_width": width,
        "start": [k * width for k in range(bins)],
        "wip": [e.to_json() for e in wip],
        "throughput_per_hour": [e.to_json() for e in rate],
    }


def dumps_json(obj: Any) -> str:
    """Serialise to strict JSON (no ``NaN``/``Infinity``), indented by 2, with a final newline.

    Raises
    ------
    ValueError
        If ``obj`` holds a non-finite float.
    """
    return json.dumps(obj, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def run_to_csv_rows(plan: Plan, summary: RunSummary) -> list[dict[str, str | float | None]]:
    """Every figure as one row of :data:`CSV_COLUMNS`.

    ``figure`` is the figure's dotted path as in the JSON object (``stations.saw.busy``);
    an undefined value is ``None`` (an empty cell).
    """
    rows: list[dict[str, str | float | None]] = []
    for key, est in summary.figures():
        rows.append(
            {
                "scenario": plan.name,
                "figure": ".".join(key),
                "mean": _cell(est.mean),
                "ci95_lo": _cell(est.lo),
                "ci95_hi": _cell(est.hi),
                "unit": figure_unit(key, plan.time_unit),
            }
        )
    return rows


def _cell(x: float) -> float | None:
    return None if math.isnan(x) else x


def rows_to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str] = CSV_COLUMNS) -> str:
    """CSV text with a header line; ``None`` becomes an empty cell."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _resolve(path: str | os.PathLike[str]) -> Path:
    """Return where a write to ``path`` lands: through symlinks, to the file they name."""
    return Path(os.path.realpath(path))


def _read_only(st: os.stat_result, path: Path) -> bool:
    """Whether a file may not be written: no write bit for root, else ``os.access``."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return not st.st_mode & 0o222
    return not os.access(path, os.W_OK)


def _keep_attributes(tmp: Path, old: os.stat_result | None) -> None:
    """Give a temporary file the mode and owner of the file it replaces (or the umask's)."""
    if old is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    os.chmod(tmp, stat.S_IMODE(old.st_mode))
    if hasattr(os, "chown"):
        mine = tmp.stat()
        if (mine.st_uid, mine.st_gid) != (old.st_uid, old.st_gid):
            try:
                os.chown(tmp, old.st_uid, old.st_gid)
            except PermissionError:
                # Not root: keep the group at least, where we belong to it.
                with contextlib.suppress(PermissionError):
                    os.chown(tmp, -1, old.st_gid)


@contextlib.contextmanager
def atomic_paths(paths: Sequence[str | os.PathLike[str]]) -> Iterator[list[Path]]:
    """Yield a temporary path beside each of ``paths``; rename all into place if the block succeeds.

    Every file is written in full before the first is renamed, so a failure while writing
    (a full disk, an interruption) removes every temporary file and leaves every file that
    was there untouched: the files are committed together or not at all. A path that is a
    symlink is written through it, atomically at the file it names, and the symlink stays.
    A file that is replaced keeps its mode and owner; a new one gets the usual permissions
    (``0o666`` less the umask). A path that is a stream (:func:`is_stream`: ``/dev/null``, a
    terminal, a named pipe) cannot be renamed onto: it is yielded itself, written directly
    in the block and left as it is.

    Raises
    ------
    ConfigError
        If the directory of a path does not exist.
    OSError
        If a file cannot be created or renamed, or an existing one is read-only.
    """
    targets = [_resolve(p) for p in paths]
    for given, target in zip(paths, targets, strict=True):
        if not target.parent.is_dir():
            directory = Path(given).parent
            raise ConfigError(f"directory {str(directory)!r} does not exist", file=str(given))
    streams = [is_stream(target) for target in targets]
    files = [(t, s) for t, s in zip(targets, streams, strict=True) if not s]
    made: dict[Path, Path] = {}  # target -> its temporary file, for files only
    try:
        for target, _ in files:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            os.close(fd)
            made[target] = Path(name)
        yield [made.get(target, target) for target in targets]
        for target, tmp in made.items():
            try:
                old: os.stat_result | None = os.stat(target)
            except FileNotFoundError:
                old = None
            if old is not None and _read_only(old, target):
                mode = stat.S_IMODE(old.st_mode)
                raise PermissionError(
                    errno.EACCES, f"it is read-only (mode {mode:04o})", str(target)
                )
            _keep_attributes(tmp, old)
        for target, tmp in made.items():
            os.replace(tmp, target)
    except BaseException:
        for tmp in made.values():  # never a stream: /dev/null stays
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


def is_stream(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is written as a stream, not replaced as a file.

    True for a character device (``/dev/null``, a terminal) and a named pipe (FIFO): data
    written there goes straight to the device or the reader; there is nothing to rename.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` if the block succeeds.

    The temporary file is removed if the block raises, so nothing is left at ``path`` and a
    file already there is untouched. See :func:`atomic_paths` (symlinks, mode and owner).

    Raises
    ------
    ConfigError
        If the directory of ``path`` does not exist.
    OSError
        If the file cannot be created or renamed.
    """
    with atomic_paths([path]) as (tmp,):
        yield tmp


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write text (UTF-8) or bytes to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        write_data(tmp, data)


def write_data(path: Path, data: str | bytes) -> None:
    """Write text (UTF-8, newlines as given) or bytes to ``path``, not atomically."""
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)


def check_target(
    path: str | os.PathLike[str],
    option: str,
    *,
    inputs: Iterable[tuple[str | os.PathLike[str], str]] = (),
    others: Iterable[tuple[str | os.PathLike[str], str]] = (),
) -> None:
    """Refuse, before anything runs, a result file that could not or must not be written.

    Refused (each a :class:`~simline.errors.ConfigError` naming ``option``): a path that is
    one of ``inputs`` (the same file, through symlinks and hard links: a run must never
    overwrite its own scenario or site file), the same as one of ``others`` (two results
    into one file), a directory, a block device or socket, a symlink loop, a read-only file,
    a directory that does not exist, is not writable or takes no new files (``/proc``).
    A character device such as ``/dev/null`` and a named pipe are taken, when writable
    (:func:`is_stream`).

    Parameters
    ----------
    path
        The result file.
    option
        The option that named it, e.g. ``--output``.
    inputs
        Input files and what each is, e.g. ``("a.yaml", "the scenario file")``.
    others
        Other result files of the same run and their options.

    Raises
    ------
    ConfigError
        If the file is refused.
    """
    shown = repr(str(path))

    def refuse(why: str) -> NoReturn:
        raise ConfigError(f"cannot write {shown}: {why}", path=option)

    given = Path(path)
    if given.is_symlink():
        try:
            os.stat(given)
        except OSError as err:
            if err.errno == errno.ELOOP:
                refuse("it is a symlink loop")
    target = _resolve(given)
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as err:
        refuse(err.strerror or str(err))
    for other, other_option in others:
        if _resolve(other) == target or (st is not None and _same_file(st, other)):
            refuse(f"it is also the {other_option} file")
    if st is not None:
        for source, what in inputs:
            if _same_file(st, source):
                refuse(f"it is {what}, an input of this run")
        if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
            if not os.access(target, os.W_OK):
                refuse(f"it is {describe_mode(st.st_mode)} that is not writable")
            return
        if not stat.S_ISREG(st.st_mode):
            refuse(f"it is {describe_mode(st.st_mode)}")
        if _read_only(st, target):
            refuse(f"it is read-only (mode {stat.S_IMODE(st.st_mode):04o})")
    directory = target.parent
    if not directory.is_dir():
        raise ConfigError(f"directory {str(given.parent)!r} does not exist", path=option)
    if not os.access(directory, os.W_OK | os.X_OK):
        refuse(f"directory {str(directory)!r} is not writable")
    # Create and remove a temporary file, as the atomic write will: root passes the access
    # checks that the write itself then fails.
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        if err.errno == errno.ENOENT:
            refuse(f"directory {str(directory)!r} takes no new files (a virtual file system?)")
        refuse(f"cannot create a file in {str(directory)!r}: {err.strerror or err}")
    os.close(fd)
    Path(probe).unlink(missing_ok=True)


def _same_file(st: os.stat_result, other: str | os.PathLike[str]) -> bool:
    try:
        other_st = os.stat(other)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (other_st.st_dev, other_st.st_ino)


def describe_mode(mode: int) -> str:
    """Say in words what a file that is not a regular file is: ``a directory``, ..."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((what for test, what in kinds if test(mode)), "not a regular file")


def write_trace(path: str | os.PathLike[str], results: Sequence[RunResult]) -> int:
    """Write the event traces of replications to one file, atomically.

    The format follows the suffix: ``.parquet`` writes Parquet (needs ``pyarrow``), anything
    else CSV. Columns are :data:`TRACE_COLUMNS`: the replication index, then each event's
    time (in the scenario's time unit), part id, product, station and event name.

    Parameters
    ----------
    path
        Where to write.
    results
        Results that carry a trace (run with ``trace=True``).

    Returns
    -------
    int
        The number of events written.

    Raises
    ------
    ConfigError
        If Parquet is asked for and ``pyarrow`` is not installed, or the directory does not
        exist.
    """
    parquet = Path(path).suffix.lower() == ".parquet"
    with atomic_path(path) as tmp:
        return write_trace_file(tmp, results, parquet=parquet)


def write_trace_file(path: Path, results: Sequence[RunResult], *, parquet: bool) -> int:
    """Write the event traces to ``path`` as CSV or Parquet, not atomically.

    :func:`write_trace` does this through a temporary file; the command line calls this
    on its own temporary files, to commit the trace and the result together.

    Returns
    -------
    int
        The number of events written.
    """
    if parquet:
        return _write_trace_parquet(path, results)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(TRACE_COLUMNS)
        for result in results:
            for row in result.trace or ():
                writer.writerow((result.replication, *row))
                count += 1
    return count


def _write_trace_parquet(target: Path, results: Sequence[RunResult]) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(
            "writing Parquet needs pyarrow (pip install 'simline[parquet]'); "
            "or give the trace a .csv suffix",
            path="--trace",
        ) from None
    columns: dict[str, list[Any]] = {name: [] for name in TRACE_COLUMNS}
    for result in results:
        for time, part, product, station, event in result.trace or ():
            columns["replication"].append(result.replication)
            columns["time"].append(time)
            columns["part"].append(part)
            columns["product"].append(product)
            columns["station"].append(station)
            columns["event"].append(event)
    schema = pa.schema(
        [
            ("replication", pa.int32()),
            ("time", pa.float64()),
            ("part", pa.int64()),
            ("product", pa.dictionary(pa.int32(), pa.string())),
            ("station", pa.dictionary(pa.int32(), pa.string())),
            ("event", pa.dictionary(pa.int32(), pa.string())),
        ]
    )
    table = pa.Table.from_pydict(
        {
            "replication": pa.array(columns["replication"], pa.int32()),
            "time": pa.array(columns["time"], pa.float64()),
            "part": pa.array(columns["part"], pa.int64()),
            "product": pa.array(columns["product"], pa.string()).dictionary_encode(),
            "station": pa.array(columns["station"], pa.string()).dictionary_encode(),
            "event": pa.array(columns["event"], pa.string()).dictionary_encode(),
        },
        schema=schema,
    )
    pq.write_table(table, target)
    return len(columns["time"])


def cost_to_csv_rows(plan: Plan, cost: dict[str, Any]) -> list[dict[str, str | float | None]]:
    """Return the ``cost`` block as rows of :data:`CSV_COLUMNS`, e.g. ``cost.breakdown.labour``.

    The unit is the currency per good part, ``kg`` for emissions, ``parts/yr`` for capacity.
    """
    currency = str(cost["currency"])
    rows: list[dict[str, str | float | None]] = []

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict) and "mean" in node and "ci95" in node:
            name = prefix.rsplit(".", 1)[-1]
            unit = f"{currency}/part"
            if name == "co2_kg_per_part":
                unit = "kg/part"
            elif name == "capacity":
                unit = "parts/yr"
            elif prefix in ("cost.annual.tco", "cost.annual.npv"):
                unit = currency
            elif name == "machine_hour_rate" or ".machine_hour_items." in prefix:
                unit = f"{currency}/h"
            elif name == "lead_time_door_to_door":
                unit = plan.time_unit
            lo, hi = node["ci95"]
            rows.append(
                {
                    "scenario": plan.name,
                    "figure": prefix,
                    "mean": node["mean"],
                    "ci95_lo": lo,
                    "ci95_hi": hi,
                    "unit": unit,
                }
            )
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}", value)
        elif isinstance(node, int | float) and not isinstance(node, bool) and node is not None:
            rows.append(
                {
                    "scenario": plan.name,
                    "figure": prefix,
                    "mean": float(node),
                    "ci95_lo": None,
                    "ci95_hi": None,
                    "unit": "parts/yr" if prefix.endswith("demand") else "lines",
                }
            )

    walk("cost", {k: v for k, v in cost.items() if k != "currency"})
    return rows


#: Units of the figures of a comparison's differences (``{cur}`` is the money currency).
_DIFFERENCE_UNITS: dict[str, str] = {
    "tco": "{cur}/part",
    "landed_cost": "{cur}/part",
    "unit_cost": "{cur}/part",
    "npv": "{cur}",
    "throughput_per_hour": "parts/h",
    "lead_time_hours": "h",
    "lead_time_door_to_door_hours": "h",
    "wip": "parts",
    "co2_kg_per_part": "kg/part",
    "bottleneck_utilization": "fraction",
    "utilization": "fraction",
}


def comparison_to_csv_rows(
    comparison: dict[str, Any], plans: Sequence[Plan]
) -> list[dict[str, str | float | None]]:
    """Rows of ``simline compare --format csv``: each scenario's figures, then the differences.

    A scenario's own figures are the rows of ``simline run --format csv`` (with its cost
    rows when it has a site) and an empty ``versus``; a difference row has the scenario in
    ``scenario``, the first scenario in ``versus`` and the figure's name as in the JSON
    ``differences`` (``stations.saw.utilization`` for a station's utilization).
    """
    rows: list[dict[str, str | float | None]] = []
    for plan, run in zip(plans, comparison["scenarios"], strict=True):
        rows += _run_rows_from_json(plan, run)
        if "cost" in run:
            rows += [{**r, "versus": None} for r in cost_to_csv_rows(plan, run["cost"])]
    currency = str(comparison.get("currency", ""))

    def walk(d: dict[str, Any], prefix: str, node: Any) -> None:
        if isinstance(node, dict) and "mean" in node and "ci95" in node:
            lo, hi = node["ci95"]
            unit = _DIFFERENCE_UNITS.get(prefix.rsplit(".", 1)[-1], "")
            rows.append(
                {
                    "scenario": d["scenario"],
                    "versus": d["versus"],
                    "figure": prefix,
                    "mean": node["mean"],
                    "ci95_lo": lo,
                    "ci95_hi": hi,
                    "unit": unit.format(cur=currency),
                }
            )
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "stations" and not prefix:
                    for station, est in value.items():
                        walk(d, f"stations.{station}.utilization", est)
                elif key not in ("scenario", "versus"):
                    walk(d, f"{prefix}.{key}" if prefix else key, value)

    for d in comparison["differences"]:
        walk(d, "", d)
    return rows


def _run_rows_from_json(plan: Plan, run: dict[str, Any]) -> list[dict[str, str | float | None]]:
    """Return a scenario's figures (as ``simline run --format csv``) from its JSON object."""
    rows: list[dict[str, str | float | None]] = []

    def add(key: FigureKey, node: dict[str, Any]) -> None:
        lo, hi = node["ci95"]
        rows.append(
            {
                "scenario": plan.name,
                "versus": None,
                "figure": ".".join(key),
                "mean": node["mean"],
                "ci95_lo": lo,
                "ci95_hi": hi,
                "unit": figure_unit(key, plan.time_unit),
            }
        )

    for name in LINE_FIGURES:
        add((name,), run[name])
    for product, figures in run["products"].items():
        for name in PRODUCT_FIGURES:
            add(("products", product, name), figures[name])
    for station, figures in run["stations"].items():
        for name in STATION_FIGURES:
            add(("stations", station, name), figures[name])
    for name in ("utilization", "active_period"):
        for station, node in run["bottleneck"][name].items():
            add(("bottleneck", name, station), node)
    add(("oee",), run["oee"])
    return rows
