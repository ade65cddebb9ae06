"""Run ``python -m simline`` as a user would, bounded, and judge the outcome by the contract.

Every run is a child process in its own session (``start_new_session=True``) under an
address-space limit; a watchdog thread samples ``/proc`` for all processes of that session
(the CLI and any worker it spawns), records the peak count and the peak sum of their
resident memory, and kills the whole process group on a timeout, on too much memory or on
too many processes, so a case that would eat the machine fails quickly instead. After the
CLI exits, no process of its session may stay alive (workers die with their parent).

The generic contract, checked for every input (``spec/cli.md`` and issue #8):

- exit status 0, 1 or 2 (130/143 only after a signal);
- no traceback: ``Traceback`` and ``Exception ignored`` never appear on stderr;
- stderr carries no control or bidi characters and no line longer than
  :data:`MAX_LINE`;
- on exit 2, exactly one line on stderr (one per bad file for ``validate``), starting
  ``simline: error: `` and naming the file when the bad input is a file;
- on exit 1, one ``simline: error: `` line (a reader that went away may get none);
- nothing written on error: the working directory of the case is unchanged byte for byte
  and mode (no stray temporary files either); on success only the declared outputs change;
- memory and time under the case's bounds.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simline.errors import MAX_PROBLEMS

ROOT = Path(__file__).resolve().parents[2]
MIB = 1 << 20
GIB = 1 << 30

#: The longest stderr line accepted: long values must be cut in messages (issue item 27).
MAX_LINE = 2000
#: Address-space limit of every process of a case (Numba/LLVM compiles within 2 GiB).
ADDRESS_SPACE = 2 * GIB
#: Processes of one case beyond which the watchdog kills the group (a runaway ``-j``).
KILL_PROCESSES = 4 * (len(os.sched_getaffinity(0)) or 1) + 8
#: Sum of resident memory of one case beyond which the watchdog kills the group.
KILL_RSS = 4 * GIB
#: Cores this process may use: the cap on worker processes (issue item 9).
CORES = len(os.sched_getaffinity(0)) or 1
ERROR = "simline: error: "
#: Words that misdescribe a file that exists (issue item 25).
MISLEADING = ("not found", "no such file", "does not exist")

_PAGE = os.sysconf("SC_PAGE_SIZE")
_BIDI = {
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}


@dataclass(frozen=True)
class Signal:
    """A signal sent during a run: when the session has ``procs`` processes (or after
    ``wait`` seconds at the latest), then ``delay`` seconds later."""

    signum: int
    procs: int = 1
    wait: float = 10.0
    delay: float = 0.0


@dataclass
class Invocation:
    """One command line of a case, with its files already made in ``cwd``."""

    args: list[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    #: ``pipe`` (captured), ``closed`` (fd 1 closed, like ``>&-``), ``devfull``, ``devnull``,
    #: or ``head:N`` (read N bytes, then close the pipe, like ``| head -c N``).
    stdout: str = "pipe"
    #: Paths (relative to ``cwd``) the command may create or change when it succeeds.
    outputs: tuple[str, ...] = ()
    signal: Signal | None = None
    #: RLIMIT_FSIZE in bytes: writes beyond it fail with EFBIG (a disk that fills up).
    fsize: int | None = None
    address_space: int = ADDRESS_SPACE

    def command(self) -> str:
        """The command line as a user would type it (cut)."""
        text = "simline " + " ".join(_quote(a) for a in self.args)
        if self.stdout == "closed":
            text += " >&-"
        elif self.stdout == "devfull":
            text += " >/dev/full"
        elif self.stdout.startswith("head:"):
            text += f" | head -c {self.stdout[5:]}"
        return text


def _quote(arg: str) -> str:
    return arg if arg and all(c.isalnum() or c in "-_./=:+" for c in arg) else repr(arg)


@dataclass
class Outcome:
    """What a run did."""

    command: str
    code: int | None
    stdout: bytes
    stderr: str
    seconds: float
    rss_mb: float  # peak RSS of the child and its reaped descendants (wait4's ru_maxrss)
    group_rss_mb: float  # peak sum of RSS over the session, sampled
    procs: int  # peak number of live processes in the session
    leftovers: list[str]  # processes of the session still alive after the linger time
    killed: str | None  # why the watchdog killed the group, if it did
    changes: list[str]  # paths under cwd that changed (created, removed, modified)
    cwd: Path

    def lines(self) -> list[str]:
        """Non-empty lines of stderr."""
        return [line for line in self.stderr.splitlines() if line.strip()]


@dataclass(frozen=True)
class Expect:
    """What a case must do, in the contract's generic terms (never exact wording)."""

    codes: frozenset[int]
    #: On exit 2: for each entry, one of these names appears on stderr.
    names: tuple[tuple[str, ...], ...] = ()
    #: Lines on stderr on exit 2 (``validate`` says one per bad file); ``None``: one or more,
    #: one per problem of the file (then a count line past ``MAX_PROBLEMS``).
    error_lines: int | None = 1
    #: Exit 1 may come without an error line (the reader of stdout went away).
    quiet_ok: bool = False
    seconds: float = 30.0
    rss_mb: float = 1024.0
    group_rss_mb: float = 1536.0
    procs: int | None = None
    linger: float = 5.0
    checks: tuple[Callable[[Outcome], list[str]], ...] = ()


def expect(
    *codes: int,
    names: Sequence[str | tuple[str, ...]] = (),
    **kwargs: object,
) -> Expect:
    """Shorthand: ``expect(2, names=["a.yaml", ("x", "y")], seconds=10)``."""
    named = tuple((n,) if isinstance(n, str) else tuple(n) for n in names)
    return Expect(codes=frozenset(codes), names=named, **kwargs)  # type: ignore[arg-type]


# --- the child process -------------------------------------------------------------------


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a run: this checkout's code, no debug tracebacks, no user tweaks."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SIMLINE_DEBUG", "PYTHONUNBUFFERED", "PYTHONWARNINGS", "PYTHONSTARTUP")
    }
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("COLUMNS", None)
    env.update(extra or {})
    return env


def _sample(sid: int) -> tuple[dict[int, int], dict[int, str]]:
    """Live processes of session ``sid``: pid -> RSS bytes, pid -> state."""
    rss: dict[int, int] = {}
    states: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                text = f.read().decode("latin-1")
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        if len(fields) < 22 or int(fields[3]) != sid or fields[0] in ("Z", "X"):
            continue
        pid = int(entry.name)
        rss[pid] = int(fields[21]) * _PAGE
        states[pid] = fields[0]
    return rss, states


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()[:200]
    except OSError:
        return "?"


def _kill_session(sid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(sid, signal.SIGKILL)
    for pid in _sample(sid)[0]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


class _Reader(threading.Thread):
    """Drain a pipe (keeping the first ``keep`` bytes), or read ``head`` bytes and close it."""

    def __init__(self, pipe: object, keep: int = 4 * MIB, head: int | None = None) -> None:
        super().__init__(daemon=True)
        self.pipe = pipe
        self.keep = keep
        self.head = head
        self.data = bytearray()

    def run(self) -> None:
        pipe = self.pipe
        assert hasattr(pipe, "read")
        try:
            while True:
                want = 65536 if self.head is None else self.head - len(self.data)
                if want <= 0:
                    break
                chunk = os.read(pipe.fileno(), want)  # type: ignore[attr-defined]
                if not chunk:
                    break
                if len(self.data) < self.keep:
                    self.data += chunk[: self.keep - len(self.data)]
        except (OSError, ValueError):
            pass
        finally:
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[attr-defined]


def run(inv: Invocation, *, timeout: float, linger: float = 5.0) -> Outcome:
    """Run one invocation under the limits; never leave a process behind."""
    before = snapshot(inv.cwd)
    stdout_arg: Any
    devfull = None
    close_stdout = False
    head: int | None = None
    if inv.stdout == "devfull":
        devfull = open("/dev/full", "wb")  # noqa: SIM115
        stdout_arg = devfull
    elif inv.stdout == "devnull":
        stdout_arg = subprocess.DEVNULL
    elif inv.stdout == "closed":
        stdout_arg = subprocess.DEVNULL
        close_stdout = True
    else:
        stdout_arg = subprocess.PIPE
        if inv.stdout.startswith("head:"):
            head = int(inv.stdout[5:])

    address_space, fsize = inv.address_space, inv.fsize

    def limits() -> None:  # runs in the child, before exec
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        if close_stdout:
            os.close(1)

    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "simline", *inv.args],
        cwd=inv.cwd,
        env=child_env(inv.env),
        stdin=subprocess.DEVNULL,
        stdout=stdout_arg,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=limits,
    )
    if devfull is not None:
        devfull.close()
    sid = proc.pid
    readers = [_Reader(proc.stderr, keep=1 * MIB)]
    if proc.stdout is not None:
        readers.append(_Reader(proc.stdout, head=head))
    for reader in readers:
        reader.start()

    peak_rss = 0
    peak_procs = 0
    killed: str | None = None
    status = 0
    usage: resource.struct_rusage | None = None
    sig = inv.signal
    sig_at: float | None = None
    sent = False
    try:
        while True:
            done, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if done:
                break
            now = time.monotonic() - start
            rss, _ = _sample(sid)
            peak_rss = max(peak_rss, sum(rss.values()))
            peak_procs = max(peak_procs, len(rss))
            if sig is not None and not sent:
                if sig_at is None and (len(rss) >= sig.procs or now >= sig.wait):
                    sig_at = now + sig.delay
                if sig_at is not None and now >= sig_at:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(proc.pid, sig.signum)
                    sent = True
            reason = None
            if now > timeout:
                reason = f"timeout after {timeout:.0f} s"
            elif sum(rss.values()) > KILL_RSS:
                reason = f"memory over {KILL_RSS // MIB} MiB"
            elif len(rss) > KILL_PROCESSES:
                reason = f"over {KILL_PROCESSES} processes"
            if reason is not None:
                killed = reason
                _kill_session(sid)
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.03)
        seconds = time.monotonic() - start
        # Workers must die with their parent: wait up to `linger` for the session to empty.
        leftovers: list[str] = []
        deadline = time.monotonic() + linger
        while True:
            rss, _ = _sample(sid)
            if not rss:
                break
            peak_rss = max(peak_rss, sum(rss.values()))
            if time.monotonic() >= deadline:
                leftovers = [f"{pid}: {_cmdline(pid)}" for pid in sorted(rss)]
                break
            time.sleep(0.05)
    finally:
        _kill_session(sid)
        if proc.returncode is None and usage is None:
            with contextlib.suppress(ChildProcessError):
                os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped by wait4: keep Popen from waiting again
    for reader in readers:
        reader.join(timeout=5)
    code = os.waitstatus_to_exitcode(status)
    stdout = bytes(readers[1].data) if len(readers) > 1 else b""
    after = snapshot(inv.cwd)
    return Outcome(
        command=inv.command(),
        code=code,
        stdout=stdout,
        stderr=bytes(readers[0].data).decode("utf-8", "replace"),
        seconds=seconds,
        rss_mb=(usage.ru_maxrss / 1024.0) if usage is not None else 0.0,
        group_rss_mb=peak_rss / MIB,
        procs=peak_procs,
        leftovers=leftovers,
        killed=killed,
        changes=diff(before, after),
        cwd=inv.cwd,
    )


# --- the file system -----------------------------------------------------------------------

Snapshot = dict[str, tuple[object, ...]]


def snapshot(top: Path) -> Snapshot:
    """Every entry under ``top``: kind, mode and content hash (or link target); no links
    followed, special files never opened."""
    out: Snapshot = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, top)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                digest = hashlib.sha1()
                try:
                    with open(path, "rb") as f:
                        while block := f.read(1 << 20):
                            digest.update(block)
                except OSError:
                    pass
                out[rel] = ("file", mode, st.st_size, digest.hexdigest())
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", mode)
            else:
                out[rel] = ("special", stat.S_IFMT(st.st_mode), mode)
    return out


def diff(before: Snapshot, after: Snapshot) -> list[str]:
    """Paths created, removed or changed between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


# --- the verdict ----------------------------------------------------------------------------


def bad_characters(text: str) -> list[str]:
    """Control (other than newline and tab) and bidi characters in ``text``."""
    found = []
    for ch in set(text):
        if ch in "\n\t":
            continue
        if ch in _BIDI or unicodedata.category(ch) == "Cc":
            found.append(f"U+{ord(ch):04X}")
    return sorted(found)


def verdict(exp: Expect, out: Outcome, *, outputs: Sequence[str] = ()) -> list[str]:
    """Every way ``out`` breaks the contract or the case's expectation (empty: it passes)."""
    bad: list[str] = []
    if out.killed:
        bad.append(f"killed: {out.killed}")
    if out.code not in exp.codes:
        bad.append(f"exit {out.code}, expected {sorted(exp.codes)}")
    for word in ("Traceback", "Exception ignored"):
        if word in out.stderr:
            bad.append(f"{word!r} on stderr")
    chars = bad_characters(out.stderr)
    if chars:
        bad.append(f"stderr has control/bidi characters {', '.join(chars[:5])}")
    longest = max((len(line) for line in out.stderr.splitlines()), default=0)
    if longest > MAX_LINE:
        bad.append(f"a stderr line of {longest} characters (> {MAX_LINE})")
    lines = out.lines()
    errors = [line for line in lines if line.startswith(ERROR)]
    if out.code == 2:
        if exp.error_lines is None:
            tail = lines[len(errors) :]
            if not errors or len(errors) > MAX_PROBLEMS or len(tail) > 1:
                bad.append(f"exit 2 with {len(lines)} stderr lines, expected one per problem")
            elif tail and not tail[0].startswith("(and "):
                bad.append(f"exit 2 with a stderr line that is not an error: {tail[0]!r}")
        elif len(lines) != exp.error_lines or len(errors) != exp.error_lines:
            bad.append(
                f"exit 2 with {len(lines)} stderr lines ({len(errors)} '{ERROR.strip()}'), "
                f"expected {exp.error_lines}"
            )
        for names in exp.names:
            if not any(n in out.stderr for n in names):
                bad.append(f"error does not name {' or '.join(map(repr, names))}")
    elif out.code == 1:
        if len(errors) > 1 or (not errors and not exp.quiet_ok):
            bad.append(f"exit 1 with {len(errors)} error lines, expected 1")
    elif out.code == 0 and errors:
        bad.append("exit 0 with an error line")
    allowed = set(outputs) if out.code == 0 else set()
    changed = [p for p in out.changes if p not in allowed]
    if changed:
        what = "written on error" if out.code != 0 else "changed beyond the outputs"
        bad.append(f"{what}: {', '.join(changed[:4])}")
    if out.leftovers:
        bad.append(f"{len(out.leftovers)} processes alive {exp.linger:.0f} s after exit")
    if out.seconds > exp.seconds:
        bad.append(f"took {out.seconds:.1f} s (> {exp.seconds:.0f} s)")
    if out.rss_mb > exp.rss_mb:
        bad.append(f"peak RSS {out.rss_mb:.0f} MiB (> {exp.rss_mb:.0f})")
    if out.group_rss_mb > exp.group_rss_mb:
        bad.append(
            f"peak RSS of all its processes {out.group_rss_mb:.0f} MiB (> {exp.group_rss_mb:.0f})"
        )
    if exp.procs is not None and out.procs > exp.procs:
        bad.append(f"{out.procs} processes at once (> {exp.procs})")
    if not out.killed:
        for check in exp.checks:
            bad.extend(check(out))
    return bad
