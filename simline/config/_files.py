"""Reading a YAML file's text: only a regular file, at most :data:`MAX_FILE_BYTES`, UTF-8.

A path named in a scenario file may be anything (``/dev/zero``, a named pipe, a directory, a
symbolic link loop): it is looked at with :func:`os.stat` before it is opened, opened so that
it cannot block, and looked at again once open.
"""

from __future__ import annotations

import errno
import os
import stat

from simline.errors import ConfigError

__all__ = ["MAX_FILE_BYTES", "file_problem", "read_text"]

#: The largest YAML file read, in bytes (10 MB). A 5,000-product scenario with setups is about
#: 1 MB and an empirical list of a million observations about 8 MB; 10 MB takes about 3 s of
#: CPU with libyaml (17 s with the pure-Python parser) and 0.4 GB (0.6 GB) of memory.
MAX_FILE_BYTES = 10_000_000

_MAX_MB = f"{MAX_FILE_BYTES / 1e6:g}"
_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _stat_problem(st: os.stat_result, what: str) -> str | None:
    if stat.S_ISDIR(st.st_mode):
        return f"is a directory, not {what}"
    if not stat.S_ISREG(st.st_mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(st.st_mode), "a special file")
        return f"is {kind}, not a regular file"
    if st.st_size > MAX_FILE_BYTES:
        return f"is too large: {st.st_size / 1e6:,.1f} MB, at most {_MAX_MB} MB is read"
    return None


def _os_problem(exc: OSError) -> str:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "not found"
    if exc.errno == errno.ELOOP:
        return "is a symbolic link loop"
    return f"cannot be read ({exc.strerror or exc})"


def file_problem(path: str | os.PathLike[str], what: str = "a YAML file") -> str | None:
    """Say why ``path`` cannot be read as a YAML file, without opening it; ``None`` if it can.

    Parameters
    ----------
    path
        The file.
    what
        What the file should be, for the message about a directory.

    Returns
    -------
    str or None
        ``"not found"``, ``"is a directory, not a site file"``, ``"is a symbolic link loop"``,
        ``"is a named pipe, not a regular file"``, ``"is too large: ..."`` or
        ``"cannot be read (...)"``.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return "is a symbolic link to a missing file"
        return _os_problem(exc)
    return _stat_problem(st, what)


def _read_bytes(path: str | os.PathLike[str], file: str) -> bytes:
    """Read a regular file of at most :data:`MAX_FILE_BYTES`; never blocks on a pipe."""
    problem = file_problem(path)
    if problem is not None:
        raise ConfigError("file not found" if problem == "not found" else problem, file=file)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ConfigError(_os_problem(exc), file=file) from None
    with open(fd, "rb", closefd=True) as stream:
        # the file may have been replaced since the stat above: check what was opened
        problem = _stat_problem(os.fstat(fd), "a YAML file")
        if problem is not None:
            raise ConfigError(problem, file=file)
        try:
            raw = stream.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"cannot be read ({exc.strerror or exc})", file=file) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(f"is too large: more than {_MAX_MB} MB, the most read", file=file)
    return raw


def _wide_encoding(raw: bytes) -> str | None:
    """Say whether ``raw`` is UTF-16 or UTF-32 text, by YAML's rules (its first bytes)."""
    boms = (
        (b"\x00\x00\xfe\xff", "UTF-32 (big-endian"),
        (b"\xff\xfe\x00\x00", "UTF-32 (little-endian"),
        (b"\xfe\xff", "UTF-16 (big-endian"),
        (b"\xff\xfe", "UTF-16 (little-endian"),
    )
    for bom, encoding in boms:
        if raw.startswith(bom):
            return f"the file is {encoding}, with a byte order mark) text"
    head = raw[:4]
    name = None
    if len(head) == 4 and head[:3] == b"\x00\x00\x00" and head[3]:
        name = "UTF-32 (big-endian)"
    elif len(head) == 4 and head[0] and head[1:] == b"\x00\x00\x00":
        name = "UTF-32 (little-endian)"
    elif len(head) >= 2 and head[0] == 0 and head[1]:
        name = "UTF-16 (big-endian)"
    elif len(head) >= 2 and head[0] and head[1] == 0:
        name = "UTF-16 (little-endian)"
    return None if name is None else f"the file looks like {name} text"


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a regular UTF-8 file of at most :data:`MAX_FILE_BYTES` (a UTF-8 BOM is dropped).

    Raises
    ------
    ConfigError
        Naming the file (and the line of a byte that is not UTF-8): when it is missing,
        unreadable, not a regular file, too large, UTF-16/32 or otherwise not UTF-8 text.
    """
    file = str(path)
    raw = _read_bytes(path, file)
    encoding = _wide_encoding(raw)
    if encoding is not None:
        raise ConfigError(f"{encoding}, not UTF-8: save it as UTF-8", file=file, line=1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}) at byte {exc.start - line_start + 1} "
            "of the line: save the file as UTF-8",
            file=file,
            line=raw[: exc.start].count(b"\n") + 1,
        ) from None
    return text
