"""The run store of an experiment: every finished replication, kept durably in one directory.

The layout is ``spec/experiment.md`` ("The run store")::

    experiment.yaml        the experiment file as given
    manifest.json          versions, platform, command, runs (written by the runner)
    scenarios/<id>.yaml    each run's resolved scenario
    replications.parquet   one row per (run, replication)
    summary.parquet        one row per run (summary.csv beside it on request)
    summary.json
    errors/<id>.txt        the error of a run that failed
    store.sqlite           the replications themselves (and store.lock, held while in use)

The truth is the SQLite database ``store.sqlite``: one row per finished replication (run
id, replication index, seed, its figures as JSON and the pickled :class:`RunResult`, both
zlib-compressed: a row then takes about 1 kB, a quarter of its plain size), added in a
transaction of its own in write-ahead-log mode with ``synchronous=NORMAL``: when
:meth:`RunStore.add` returns, the replication is in the operating system's hands, so a
process killed at any moment (SIGKILL included) loses at most the replication it was adding,
never the database. (SQLite's guarantee for WAL with NORMAL: durable across application
crashes; a power cut or an operating-system crash may roll back the transactions since the
last checkpoint, a few hundred replications, and a rerun computes them again. ``FULL``
would add a flush to disk per replication: measured 1 to 5 ms against 0.2 ms here, as long
as a short fast-engine replication itself.) Everything else
is derived from it and rewritten whole, atomically (a temporary file in the same directory,
flushed to disk, then renamed into place), so a reader sees the old file or the new one.

A store remembers the *identity* of what made it (the experiment file's hash, simline's
version, ...): opening it for anything else is refused unless ``fresh`` starts it over, so
a store never mixes results. A lock file keeps a second process out while one uses it.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import math
import os
import pickle
import secrets
import sqlite3
import sys
import threading
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Protocol

from simline.errors import ConfigError, ExperimentError

if TYPE_CHECKING:
    import pyarrow as pa

    from simline.config import ScenarioConfig
    from simline.engine.results import RunResult

__all__ = [
    "DATABASE",
    "LOCK",
    "STORE_DIRS",
    "STORE_FILES",
    "RunStore",
    "SpecLike",
]

#: The database of replications, the store's truth.
DATABASE = "store.sqlite"
#: The lock file, held (``flock``) by the process using the store.
LOCK = "store.lock"
EXPERIMENT = "experiment.yaml"
MANIFEST = "manifest.json"
REPLICATIONS = "replications.parquet"
SUMMARY = "summary.parquet"
SUMMARY_CSV = "summary.csv"
SUMMARY_JSON = "summary.json"
#: Optuna's study of an ``optimize`` experiment (its RDB storage on SQLite).
STUDY = "optuna.sqlite3"
SCENARIOS = "scenarios"
ERRORS = "errors"

#: Every file of the layout: what ``fresh`` removes (SQLite's own side files included).
STORE_FILES: tuple[str, ...] = (
    DATABASE,
    f"{DATABASE}-wal",
    f"{DATABASE}-shm",
    f"{DATABASE}-journal",
    EXPERIMENT,
    MANIFEST,
    REPLICATIONS,
    SUMMARY,
    SUMMARY_CSV,
    SUMMARY_JSON,
    STUDY,
    f"{STUDY}-wal",
    f"{STUDY}-shm",
    f"{STUDY}-journal",
)
#: The layout's directories and the suffix of the files in them (``fresh`` removes those).
STORE_DIRS: dict[str, str] = {SCENARIOS: ".yaml", ERRORS: ".txt"}

#: The version of the database's layout, kept in it; another one is refused like another
#: experiment.
_FORMAT = 1

#: How long (seconds) SQLite waits for a lock inside the database (never long: the lock file
#: keeps other processes out).
_BUSY_TIMEOUT_S = 10.0

#: How messages name the keys of an identity.
_IDENTITY_LABELS = {
    "experiment_sha256": "experiment file",
    "experiment_file": "experiment file",
    "experiment": "experiment",
    "simline_version": "simline version",
    "backend": "backend",
    "overrides": "run options",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS replications (
    run_id TEXT NOT NULL,
    replication INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    figures BLOB NOT NULL,
    result BLOB NOT NULL,
    PRIMARY KEY (run_id, replication)
);
"""


class SpecLike(Protocol):
    """What the store needs of a run (:class:`simline.experiment.design.RunSpec` has it)."""

    @property
    def id(self) -> str:
        """The run's id."""
        ...

    @property
    def factors(self) -> dict[str, Any]:
        """Factor path -> value, as JSON values."""
        ...

    @property
    def config(self) -> ScenarioConfig:
        """The resolved scenario."""
        ...


class RunStore:
    """One experiment's run store, open and locked by this process (see the module docs).

    Use :meth:`open`, not the constructor; close it (or use it as a context manager) to
    release the lock. Methods may be called from any one thread at a time.
    """

    def __init__(
        self, directory: Path, db: sqlite3.Connection, lock: IO[bytes], identity: dict[str, Any]
    ) -> None:
        self.directory = directory
        self._db = db
        self._lock = lock
        self._identity = identity
        self._mutex = threading.Lock()

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        directory: Path,
        *,
        identity: dict[str, Any],
        experiment_text: str,
        fresh: bool = False,
    ) -> RunStore:
        """Create a run store, or reopen one made with the same identity.

        Parameters
        ----------
        directory
            The store's directory; created (with its parents) if missing. It must be new,
            empty, or a store.
        identity
            What made the results (JSON values): e.g. the experiment file's sha256, simline's
            version, the backend and the run options given on the command line. It is kept
            in the store and must be equal when the store is reopened.
        experiment_text
            The experiment file as read: written to ``experiment.yaml``.
        fresh
            Start over: remove the store's files (only those its layout names) first.

        Returns
        -------
        RunStore
            Open, holding the store's lock.

        Raises
        ------
        ConfigError
            With ``path="--store"``: the path is a file or cannot be written; the directory
            holds other files and no store; another process uses the store; the store was
            made with another identity (naming what differs) and ``fresh`` is not given; the
            database is not readable.
        """
        shown = repr(str(directory))
        _make_directory(directory, shown)
        _refuse_foreign(directory, shown)
        lock = _take_lock(directory, shown)
        try:
            if fresh:
                _remove_layout(directory, shown)
            else:
                _remove_temporaries(directory)
            db = _connect(directory / DATABASE, shown)
            try:
                wanted = _canonical(identity)
                stored = _init_or_read_identity(db, wanted, shown)
                if stored is not None and stored != wanted:
                    raise ConfigError(_identity_message(shown, stored, wanted), path="--store")
                store = cls(directory, db, lock, wanted)
                experiment = directory / EXPERIMENT
                if not _same_text(experiment, experiment_text):
                    _write_text(experiment, experiment_text)
                return store
            except BaseException:
                db.close()
                raise
        except BaseException:
            lock.close()
            raise

    @property
    def identity(self) -> dict[str, Any]:
        """The identity the store was opened with (as JSON values)."""
        return dict(self._identity)

    # -- replications ---------------------------------------------------------------------

    def completed(self) -> dict[str, set[int]]:
        """Return every run id with the replication indices the store holds for it."""
        out: dict[str, set[int]] = {}
        with self._mutex:
            rows = self._query("SELECT run_id, replication FROM replications", ())
        for run_id, replication in rows:
            out.setdefault(str(run_id), set()).add(int(replication))
        return out

    def add(
        self,
        run_id: str,
        replication: int,
        seed: int,
        figures: dict[str, float],
        result: RunResult,
    ) -> None:
        """Keep one finished replication; it is on disk when this returns.

        Adding a replication the store already holds replaces it. Each call is one
        transaction, committed to the write-ahead log before it returns (about 0.2 ms),
        so the replication survives the process being killed from then on.

        Parameters
        ----------
        run_id
            The run's id.
        replication
            The replication's index.
        seed
            The seed it ran with.
        figures
            Its figures (dotted name -> value; ``nan`` where undefined).
        result
            Its result.

        Raises
        ------
        ExperimentError
            If the database cannot be written (a full disk).
        """
        self.add_many([(run_id, replication, seed, figures, result)])

    def add_many(self, items: Sequence[tuple[str, int, int, dict[str, float], RunResult]]) -> None:
        """Keep several finished replications in one transaction: all are on disk, or none.

        Each item is ``(run_id, replication, seed, figures, result)`` as for :meth:`add`.
        One transaction costs one flush to disk (milliseconds, see :meth:`add`), so a caller
        that finishes many short replications at once may group them; a kill then loses at
        most the group being written.

        Raises
        ------
        ExperimentError
            If the database cannot be written (a full disk).
        """
        values = [
            (
                run_id,
                int(replication),
                int(seed),
                _pack_figures(figures),
                zlib.compress(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)),
            )
            for run_id, replication, seed, figures, result in items
        ]
        with self._mutex:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO replications VALUES (?, ?, ?, ?, ?)", values
                    )
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise ExperimentError(
                    f"cannot write to the run store {str(self.directory)!r}: {exc}"
                ) from exc

    def results(self, run_id: str, count: int | None = None) -> list[RunResult]:
        """Return a run's stored results, by replication index.

        Parameters
        ----------
        run_id
            The run.
        count
            Replications ``0 .. count - 1``; ``None``: every stored one.

        Raises
        ------
        ExperimentError
            If one of replications ``0 .. count - 1`` is not stored.
        """
        rows = self._rows("replication, result", run_id, count)
        return [pickle.loads(zlib.decompress(blob)) for _, blob in rows]

    def figure_values(self, run_id: str, figure: str, count: int | None = None) -> list[float]:
        """Return one figure of a run's stored replications, by replication index.

        ``nan`` where a replication left the figure undefined or does not have it. ``count``
        is as for :meth:`results`.
        """
        rows = self._rows("replication, figures", run_id, count)
        out: list[float] = []
        for _, blob in rows:
            value = _unpack_figures(blob).get(figure)
            out.append(math.nan if value is None else float(value))
        return out

    def _rows(self, columns: str, run_id: str, count: int | None) -> list[tuple[Any, ...]]:
        if count is None:
            sql = f"SELECT {columns} FROM replications WHERE run_id = ? ORDER BY replication"
            params: tuple[Any, ...] = (run_id,)
        else:
            sql = (
                f"SELECT {columns} FROM replications WHERE run_id = ? AND replication >= 0 "
                "AND replication < ? ORDER BY replication"
            )
            params = (run_id, int(count))
        with self._mutex:
            rows = self._query(sql, params)
        if count is not None and len(rows) != count:
            have = {int(r[0]) for r in rows}
            missing = [i for i in range(count) if i not in have]
            raise ExperimentError(
                f"the run store {str(self.directory)!r} lacks replication {missing[0]} of run "
                f"{run_id!r} ({len(missing)} of 0..{count - 1} missing)"
            )
        return rows

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return list(self._db.execute(sql, params).fetchall())
        except sqlite3.Error as exc:
            raise ExperimentError(
                f"cannot read the run store {str(self.directory)!r}: {exc}"
            ) from exc

    # -- derived files --------------------------------------------------------------------

    def write_scenario(self, spec: SpecLike, *, text: str | None = None) -> None:
        """Write ``scenarios/<id>.yaml``: the run's resolved scenario, runnable on its own.

        Parameters
        ----------
        spec
            The run.
        text
            The YAML to write; by default :func:`simline.experiment.design.scenario_yaml`
            of ``spec.config``.
        """
        if text is None:
            from simline.experiment.design import (  # type: ignore[import-not-found,unused-ignore]
                scenario_yaml,
            )

            text = str(scenario_yaml(spec.config))
        _write_text(self._subdirectory(SCENARIOS) / f"{spec.id}.yaml", text)

    def write_error(self, run_id: str, text: str) -> None:
        """Write ``errors/<id>.txt``: why a run failed."""
        _write_text(self._subdirectory(ERRORS) / f"{run_id}.txt", text)

    def clear_error(self, run_id: str) -> None:
        """Remove ``errors/<id>.txt`` if there is one (the run was run again)."""
        path = self.directory / ERRORS / f"{run_id}.txt"
        try:
            path.unlink()
        except FileNotFoundError:
            return
        _sync_directory(path.parent)

    def write_replications(
        self, specs: Sequence[SpecLike], *, counts: Mapping[str, int] | None = None
    ) -> None:
        """Write ``replications.parquet``: one row per stored replication of ``specs``.

        With ``counts`` (run id -> replications), only replications ``0 .. count - 1`` of
        each run: those its figures are computed from (the store may hold more, from a
        command that asked for more).

        Columns: ``id``, one per factor (named by its path; the union over ``specs``, in
        order of first appearance), ``replication``, ``seed``, then every figure (the union
        over the runs' replications, as float64). A value that a run does not have is null.
        Factor values of one kind stay typed (bool, int64, float64, string); a column mixing
        kinds holds strings, non-strings as JSON. Rows follow ``specs``, then the
        replication index. Runs are read one at a time, so memory does not grow with the
        number of runs.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        factor_names = _union(spec.factors for spec in specs)
        factor_arrays = {
            name: _column([spec.factors.get(name) for spec in specs]) for name in factor_names
        }
        figure_names: dict[str, None] = {}
        for spec in specs:
            for (blob,) in self._select("figures", spec.id):
                figure_names.update(dict.fromkeys(_unpack_figures(blob)))
        fields = [pa.field("id", pa.string())]
        fields += [pa.field(name, factor_arrays[name].type) for name in factor_names]
        fields += [pa.field("replication", pa.int64()), pa.field("seed", pa.int64())]
        fields += [pa.field(name, pa.float64()) for name in figure_names]
        schema = pa.schema(fields)
        target = self.directory / REPLICATIONS
        with _atomic(target) as tmp, pq.ParquetWriter(tmp, schema) as writer:
            for index, spec in enumerate(specs):
                rows = self._select("replication, seed, figures", spec.id)
                if counts is not None:
                    rows = [r for r in rows if r[0] < counts.get(spec.id, 0)]
                if not rows:
                    continue
                n = len(rows)
                parsed = [_unpack_figures(blob) for _, _, blob in rows]
                columns: list[pa.Array] = [pa.array([spec.id] * n, pa.string())]
                for name in factor_names:
                    array = factor_arrays[name]
                    columns.append(pa.array([array[index].as_py()] * n, array.type))
                columns.append(pa.array([r[0] for r in rows], pa.int64()))
                columns.append(pa.array([r[1] for r in rows], pa.int64()))
                for name in figure_names:
                    columns.append(pa.array([p.get(name) for p in parsed], pa.float64()))
                writer.write_batch(pa.record_batch(columns, schema=schema))

    def _select(self, columns: str, run_id: str) -> list[tuple[Any, ...]]:
        with self._mutex:
            return self._query(
                f"SELECT {columns} FROM replications WHERE run_id = ? ORDER BY replication",
                (run_id,),
            )

    def write_summary(
        self, rows: list[dict[str, Any]], obj: dict[str, Any], *, csv: bool = False
    ) -> None:
        """Write ``summary.parquet`` from ``rows`` and ``summary.json`` from ``obj``.

        Parameters
        ----------
        rows
            One per run; the columns are the union of their keys, in order of first
            appearance, typed as in :meth:`write_replications`; a missing key is null.
        obj
            The JSON summary; ``nan`` and infinities become ``null``.
        csv
            Also write ``summary.csv`` (the same rows; null is an empty cell).
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        names = _union(rows)
        table = pa.table({name: _column([row.get(name) for row in rows]) for name in names})
        with _atomic(self.directory / SUMMARY) as tmp:
            pq.write_table(table, tmp)
        if csv:
            _write_text(self.directory / SUMMARY_CSV, _csv_text(names, rows))
        _write_text(self.directory / SUMMARY_JSON, _json_text(obj))

    def write_manifest(self, obj: dict[str, Any]) -> None:
        """Write ``manifest.json``: ``obj``, with the store's ``identity`` added if absent."""
        out = dict(obj)
        out.setdefault("identity", self._identity)
        _write_text(self.directory / MANIFEST, _json_text(out))

    def _subdirectory(self, name: str) -> Path:
        path = self.directory / name
        if not path.is_dir():
            path.mkdir(exist_ok=True)
            _sync_directory(self.directory)
        return path

    # -- closing --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database and release the lock (again: nothing happens)."""
        with self._mutex:
            if self._lock.closed:
                return
            try:
                self._db.close()
            finally:
                self._lock.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _pack_figures(figures: dict[str, float]) -> bytes:
    """Return a figures row as compressed JSON (``nan`` as ``null``)."""
    plain = {name: (None if math.isnan(v) else float(v)) for name, v in figures.items()}
    return zlib.compress(json.dumps(plain, separators=(",", ":")).encode("utf-8"))


def _unpack_figures(blob: bytes) -> dict[str, float | None]:
    out: dict[str, float | None] = json.loads(zlib.decompress(blob))
    return out


# -- opening, locking, identity -----------------------------------------------------------


def _make_directory(directory: Path, shown: str) -> None:
    if directory.exists() and not directory.is_dir():
        raise ConfigError(
            f"cannot use {shown} as the run store: it is not a directory", path="--store"
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the run store {shown}: {exc.strerror or exc}", path="--store"
        ) from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ConfigError(f"cannot write the run store {shown}: permission denied", path="--store")


def _refuse_foreign(directory: Path, shown: str) -> None:
    """Refuse a directory that holds other files and no store: it is someone else's."""
    if (directory / DATABASE).exists():
        return
    try:
        names = os.listdir(directory)
    except OSError as exc:
        raise ConfigError(
            f"cannot read the run store {shown}: {exc.strerror or exc}", path="--store"
        ) from None
    others = sorted(n for n in names if not _of_layout(n))
    if others:
        raise ConfigError(
            f"{shown} is not a simline run store (it holds {others[0]!r} and no {DATABASE}): "
            "name a new or empty directory",
            path="--store",
        )


def _take_lock(directory: Path, shown: str) -> IO[bytes]:
    """Open and lock ``store.lock`` (without waiting); write this process's id in it."""
    path = directory / LOCK
    try:
        lock = open(path, "a+b")  # noqa: SIM115 (held until the store is closed)
    except OSError as exc:
        raise ConfigError(
            f"cannot write the run store {shown}: {exc.strerror or exc}", path="--store"
        ) from None
    try:
        _lock_file(lock)
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
            lock.close()  # locks not supported here (some network file systems)
            raise ConfigError(
                f"cannot lock the run store {shown}: {exc.strerror or exc}", path="--store"
            ) from None
        lock.seek(0)
        holder = lock.read().decode("ascii", "replace").strip()
        lock.close()
        who = f" (process {holder})" if holder.isdigit() else ""
        raise ConfigError(
            f"the run store {shown} is in use by another simline process{who}: it holds "
            f"{str(path)!r}; wait for it to finish or give another --store",
            path="--store",
        ) from None
    lock.seek(0)
    lock.truncate()
    lock.write(f"{os.getpid()}\n".encode())
    lock.flush()
    return lock


def _lock_file(lock: IO[bytes]) -> None:
    """Lock a whole open file for this process, or raise :class:`OSError` if another holds it."""
    if sys.platform == "win32":
        import msvcrt

        lock.seek(0)
        msvcrt.locking(lock.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _of_layout(name: str) -> bool:
    """Whether a name in a store's directory is the store's own.

    A store that was interrupted while ``fresh`` removed its database is still a store,
    which ``fresh`` may start over.
    """
    return (
        name in STORE_FILES
        or name in STORE_DIRS
        or name == LOCK
        or any(_is_temporary(name, n) for n in STORE_FILES)
    )


def _remove_temporaries(directory: Path) -> None:
    """Remove what atomic writes killed midway left behind (they are never read)."""
    with contextlib.suppress(OSError):
        for path in directory.iterdir():
            if any(_is_temporary(path.name, name) for name in STORE_FILES):
                path.unlink()
        for name, suffix in STORE_DIRS.items():
            sub = directory / name
            if sub.is_dir():
                for path in sub.iterdir():
                    if _is_temporary(path.name, suffix):
                        path.unlink()


def _remove_layout(directory: Path, shown: str) -> None:
    """Remove the files the store's layout names (and temporary files of atomic writes)."""
    try:
        for name in STORE_FILES:
            (directory / name).unlink(missing_ok=True)
        for name, suffix in STORE_DIRS.items():
            sub = directory / name
            if sub.is_dir():
                for path in sub.iterdir():
                    ours = path.name.endswith(suffix) or _is_temporary(path.name, suffix)
                    if ours and not path.is_dir():
                        path.unlink()
                with contextlib.suppress(OSError):  # not empty: something else is in it
                    sub.rmdir()
        for path in directory.iterdir():
            if any(_is_temporary(path.name, name) for name in STORE_FILES):
                path.unlink()
    except OSError as exc:
        raise ConfigError(
            f"cannot start the run store {shown} over: {exc.strerror or exc}", path="--store"
        ) from None
    _sync_directory(directory)


def _is_temporary(name: str, of: str) -> bool:
    """Whether ``name`` is a temporary file of :func:`_atomic` for a file named like ``of``.

    ``of`` is a whole name (``summary.json``) or a suffix (``.yaml``, for ``<id>.yaml``).
    """
    if not (name.startswith(".") and name.endswith(".tmp")):
        return False
    target = name[1:].rsplit(".", 2)[0]
    return target == of or (of.startswith(".") and target.endswith(of))


def _connect(path: Path, shown: str) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(
            path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot open the run store {shown}: {exc}", path="--store") from None
    try:
        db.execute("PRAGMA journal_mode=WAL").fetchall()
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise ConfigError(
            f"cannot read the run store {shown}: {path.name}: {exc}; give --fresh to start over",
            path="--store",
        ) from None
    return db


def _init_or_read_identity(
    db: sqlite3.Connection, wanted: dict[str, Any], shown: str
) -> dict[str, Any] | None:
    """Return the stored identity, or store ``wanted`` in a new store and return ``None``."""
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if "identity" not in rows:
                db.executemany(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                    [("format", str(_FORMAT)), ("identity", json.dumps(wanted, sort_keys=True))],
                )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot read the run store {shown}: {exc}", path="--store") from None
    if "identity" not in rows:
        return None
    if rows.get("format") != str(_FORMAT):
        raise ConfigError(
            f"the run store {shown} was made by another simline version (store format "
            f"{rows.get('format')}, this one has {_FORMAT}): give --fresh to start over",
            path="--store",
        )
    stored: dict[str, Any] = json.loads(rows["identity"])
    return stored


def _canonical(identity: dict[str, Any]) -> dict[str, Any]:
    """Return the identity as it reads back from JSON (tuples become lists, keys strings)."""
    try:
        out: dict[str, Any] = json.loads(json.dumps(identity, sort_keys=True, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a store identity must be plain JSON values ({exc})") from exc
    return out


def _identity_message(shown: str, stored: dict[str, Any], wanted: dict[str, Any]) -> str:
    parts = []
    for key in sorted(set(stored) | set(wanted), key=str):
        old, new = stored.get(key), wanted.get(key)
        if old == new:
            continue
        label = _IDENTITY_LABELS.get(key, repr(key))
        if isinstance(old, dict | list) or isinstance(new, dict | list):
            parts.append(f"its {label} differ ({_short(old)}, now {_short(new)})")
        elif len(repr(old)) <= 24 and len(repr(new)) <= 24:
            parts.append(f"its {label} is {old!r} (now {new!r})")
        else:
            parts.append(f"its {label} differs")
    return (
        f"the run store {shown} holds results made another way: "
        f"{'; '.join(parts)}; give --fresh to start over"
    )


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."


# -- atomic files -------------------------------------------------------------------------


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Yield a new temporary path beside ``path``, renamed onto ``path`` if the block succeeds.

    On success the file is flushed to disk, renamed and the directory flushed; on failure it
    is removed (``path`` stays as it was). The temporary file is created with mode
    ``0o666`` less the umask, like any new file.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_directory(path.parent)


def _write_text(path: Path, text: str) -> None:
    with _atomic(path) as tmp:
        tmp.write_bytes(text.encode("utf-8"))


def _same_text(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() == text.encode("utf-8")
    except OSError:
        return False


def _sync_directory(directory: Path) -> None:
    """Flush a directory's entries (a rename, a new file) to disk, where the system can."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows: a directory cannot be opened; renames are durable there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- columns ------------------------------------------------------------------------------


def _union(mappings: Iterator[dict[str, Any]] | Sequence[dict[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for mapping in mappings:
        names.update(dict.fromkeys(mapping))
    return list(names)


def _column(values: list[Any]) -> pa.Array:
    """One typed column: bool, int64, float64 or string; mixed kinds as strings (JSON)."""
    import pyarrow as pa

    kinds = {_kind(v) for v in values if v is not None}
    if kinds == {"bool"}:
        return pa.array(values, pa.bool_())
    if kinds == {"int"}:
        return pa.array(values, pa.int64())
    if kinds and kinds <= {"int", "float"}:
        return pa.array([None if v is None else _finite(float(v)) for v in values], pa.float64())
    if kinds == {"str"}:
        return pa.array(values, pa.string())
    return pa.array(
        [v if v is None or isinstance(v, str) else _json_scalar(v) for v in values], pa.string()
    )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return "other"


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


def _json_scalar(value: Any) -> str:
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, allow_nan=False)


def _plain(obj: Any) -> Any:
    """``obj`` with ``nan`` and infinities as ``None`` and tuples as lists."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj


def _json_text(obj: Any) -> str:
    return json.dumps(_plain(obj), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _csv_text(names: list[str], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_cell(row.get(name)) for name in names])
    return buf.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return _json_scalar(value)
