"""Issue #8, the input/output items: result files, standard output, usage errors, messages.

Items (as numbered in the issue): 1 an output onto an input, 2 a lost write to stdout,
3 mode, owner and symlinks of ``-o``, 7 trace and output together, 22 ``> /dev/full``,
25 ``-o`` onto what cannot hold a result, 26 click's usage errors as one line, 27 control and
bidi characters and long values in messages. Where exit status and streams matter, the real
command runs in a subprocess (``python -m simline``); elsewhere through click's runner.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from simline.cli import cli
from simline.errors import MAX_MESSAGE, ConfigError, printable
from simline.experiment import replicate
from simline.report.output import atomic_paths, write_data

ROOT = Path(__file__).resolve().parents[2]

SCENARIO = """\
simline: 1
name: tiny
run: {length: 60, replications: 2}
stations:
  a: {kind: machine, process_time: 1}
"""

SITE = """\
currency: EUR
labour_cost_per_hour: 43.4
energy_price_per_kwh: 0.2
"""


def _scenario(directory: Path, name: str = "s.yaml", *, site: str | None = None) -> Path:
    path = directory / name
    path.write_text(SCENARIO + (f"site: {site}\n" if site else ""))
    return path


def _wide_scenario(directory: Path, stations: int = 400) -> Path:
    """A scenario whose JSON result (about 350 kB) is far larger than a pipe's buffer."""
    lines = ["simline: 1", "name: wide", "run: {length: 1, replications: 1}", "stations:"]
    lines += [f"  s{i}: {{kind: machine, process_time: 1}}" for i in range(stations)]
    path = directory / "wide.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "SIMLINE_DEBUG")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def _simline(*args: str) -> list[str]:
    return [sys.executable, "-m", "simline", *args]


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record every call to simulate (a spy): a refused run must not simulate."""
    calls: list[int] = []
    real = replicate.run_replications

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(replicate, "run_replications", spy)
    return calls


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _one_line(result: Result | subprocess.CompletedProcess[str]) -> str:
    """Return the one line on stderr, checking it is one ``simline: error:`` line, no noise."""
    stderr = result.stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("simline: error: "), stderr
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr
    return lines[0]


# --- 1: an output path that is an input -------------------------------------------------------


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "relative"])
def test_output_onto_the_scenario_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_simulation: list[int], how: str
) -> None:
    monkeypatch.chdir(tmp_path)
    scenario = _scenario(tmp_path)
    target = tmp_path / "out.yaml"
    if how == "same":
        target = scenario
    elif how == "symlink":
        target.symlink_to(scenario)
    elif how == "hardlink":
        os.link(scenario, target)
    else:
        (tmp_path / "sub").mkdir()
        target = Path("sub/../s.yaml")
    result = invoke("run", str(scenario), "-q", "--backend", "des", "-o", str(target))
    assert result.exit_code == 2
    line = _one_line(result)
    assert "--output" in line
    assert "the scenario file" in line
    assert scenario.read_text() == SCENARIO
    assert no_simulation == []


def test_output_onto_the_site_file_is_refused(tmp_path: Path, no_simulation: list[int]) -> None:
    (tmp_path / "sites").mkdir()
    site = tmp_path / "sites" / "de.yaml"
    site.write_text(SITE)
    scenario = _scenario(tmp_path, site="sites/de.yaml")
    for option in ("-o", "--trace"):
        target = site if option == "-o" else tmp_path / "link.csv"
        if option == "--trace":
            target.symlink_to(site)
        result = invoke("run", str(scenario), "-q", "--backend", "des", option, str(target))
        assert result.exit_code == 2, result.stderr
        assert "the site file of" in _one_line(result)
    assert site.read_text() == SITE
    assert no_simulation == []


def test_compare_output_and_plot_onto_an_input_are_refused(
    tmp_path: Path, no_simulation: list[int]
) -> None:
    first = _scenario(tmp_path, "a.yaml")
    second = tmp_path / "b.yaml"
    second.write_text(SCENARIO.replace("tiny", "other"))
    result = invoke("compare", str(first), str(second), "-q", "--backend", "des", "-o", str(second))
    assert result.exit_code == 2
    assert "--output" in _one_line(result)
    assert second.read_text() == SCENARIO.replace("tiny", "other")
    assert no_simulation == []


def test_trace_and_output_the_same_file_is_refused(
    tmp_path: Path, no_simulation: list[int]
) -> None:
    scenario = _scenario(tmp_path)
    out = tmp_path / "out.csv"
    result = invoke(
        "run", str(scenario), "-q", "--backend", "des", "--format", "csv", "-o", str(out),
        "--trace", str(tmp_path / "." / "out.csv"),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "it is also the --output file" in _one_line(result)
    assert not out.exists()
    assert no_simulation == []


# --- 2 and 22: standard output --------------------------------------------------------------


def test_closed_stdout_is_not_success(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    proc = subprocess.run(
        _simline("run", str(scenario), "-q", "--backend", "des", "--format", "json"),
        capture_output=False,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        preexec_fn=lambda: os.close(1),
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert _one_line(proc) == (
        "simline: error: cannot write the result to standard output: it is closed"
    )


@pytest.mark.parametrize("unbuffered", [False, True])
def test_a_reader_that_goes_away_is_not_success(tmp_path: Path, unbuffered: bool) -> None:
    scenario = _wide_scenario(tmp_path)
    env = _env(PYTHONUNBUFFERED="1") if unbuffered else _env()
    with subprocess.Popen(
        _simline("run", str(scenario), "-q", "--backend", "des", "--format", "json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        head = os.read(proc.stdout.fileno(), 10)
        proc.stdout.close()  # like `| head -c 10`: the reader leaves after 10 bytes
        stderr = proc.stderr.read().decode()
        code = proc.wait(timeout=120)
    assert head.startswith(b"{")
    assert code == 1  # a result that was cut off is not success
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr


@pytest.mark.parametrize("fmt", ["json", "table", "csv"])
def test_full_disk_on_stdout_is_one_line_exit_1(tmp_path: Path, fmt: str) -> None:
    scenario = _scenario(tmp_path)
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            _simline("run", str(scenario), "-q", "--backend", "des", "--format", fmt),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            timeout=120,
            check=False,
        )
    assert proc.returncode == 1
    assert _one_line(proc) == (
        "simline: error: cannot write the result to standard output: no space left on device"
    )


def test_validate_and_schema_on_a_full_disk(tmp_path: Path) -> None:
    """Also --help and --version, which click writes itself (once a 35-line traceback)."""
    scenario = _scenario(tmp_path)
    for args in (
        ("validate", str(scenario)),
        ("schema",),
        ("--help",),
        ("--version",),
        ("run", "--help"),
    ):
        with open("/dev/full", "w") as full:
            proc = subprocess.run(
                _simline(*args), stdout=full, stderr=subprocess.PIPE, text=True,
                env=_env(), timeout=120, check=False,
            )  # fmt: skip
        assert proc.returncode == 1
        assert "no space left on device" in _one_line(proc)
        assert "Traceback" not in proc.stderr


# --- 3: mode, owner and symlinks of an existing -o -------------------------------------------


def test_output_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    out = tmp_path / "out.json"
    out.write_text("old")
    out.chmod(0o600)
    result = invoke(
        "run", str(scenario), "-q", "--backend", "des", "--format", "json", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    assert out.read_text().startswith("{")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_output_keeps_the_owner_of_an_existing_file(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    out = tmp_path / "out.json"
    out.write_text("old")
    os.chown(out, 1234, 5678)
    result = invoke(
        "run", str(scenario), "-q", "--backend", "des", "--format", "json", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    st = out.stat()
    assert (st.st_uid, st.st_gid) == (1234, 5678)


def test_output_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    (tmp_path / "results").mkdir()
    real = tmp_path / "results" / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    result = invoke(
        "run", str(scenario), "-q", "--backend", "des", "--format", "json", "-o", str(link)
    )
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_text().startswith("{")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path / "results")) == ["real.json"]


def test_output_onto_a_read_only_file_is_refused(tmp_path: Path, no_simulation: list[int]) -> None:
    scenario = _scenario(tmp_path)
    out = tmp_path / "out.json"
    out.write_text("old")
    out.chmod(0o444)
    result = invoke("run", str(scenario), "-q", "--backend", "des", "-o", str(out))
    assert result.exit_code == 2
    assert _one_line(result) == (
        f"simline: error: --output: cannot write {str(out)!r}: it is read-only (mode 0444)"
    )
    assert out.read_text() == "old"
    assert no_simulation == []


def test_a_new_output_respects_the_umask(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    out = tmp_path / "new.json"
    old = os.umask(0o027)
    try:
        result = invoke("run", str(scenario), "-q", "--backend", "des", "-o", str(out))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


# --- 7: --trace and -o are committed together ------------------------------------------------


@contextlib.contextmanager
def _small_tmpfs(directory: Path, size: str = "64k") -> Iterator[Path]:
    directory.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield directory
    finally:
        subprocess.run(["umount", str(directory)], check=False)


def _old_files(tmp_path: Path, out_dir: Path) -> tuple[Path, Path]:
    trace = tmp_path / "trace.csv"
    trace.write_text("old trace\n")
    out = out_dir / "out.json"
    out.write_text("old result\n")
    return trace, out


def test_full_disk_on_output_leaves_the_trace_and_output_untouched(tmp_path: Path) -> None:
    scenario = _wide_scenario(tmp_path)
    with _small_tmpfs(tmp_path / "small") as small:
        trace, out = _old_files(tmp_path, small)
        proc = subprocess.run(
            _simline(
                "run", str(scenario), "-q", "--backend", "des", "--format", "json",
                "-o", str(out), "--trace", str(trace),
            ),
            capture_output=True, text=True, env=_env(), timeout=120, check=False,
        )  # fmt: skip
        assert proc.returncode == 1
        assert _one_line(proc) == (
            f"simline: error: cannot write {str(out)!r}: No space left on device"
        )
        assert out.read_text() == "old result\n"
        assert os.listdir(small) == ["out.json"]
    assert trace.read_text() == "old trace\n"
    assert sorted(os.listdir(tmp_path)) == ["small", "trace.csv", "wide.yaml"]


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("failing", ["output", "trace"])
def test_a_failing_write_commits_neither_file(tmp_path: Path, failing: str) -> None:
    scenario = _wide_scenario(tmp_path, stations=40 if failing == "trace" else 400)
    trace, out = _old_files(tmp_path, tmp_path)
    # The wide result (350 kB) passes 20 kB; with 40 stations the trace does instead.
    length = ["--length", "600"] if failing == "trace" else []
    proc = subprocess.run(
        _simline(
            "run", str(scenario), "-q", "--backend", "des", "--format", "json",
            "-o", str(out), "--trace", str(trace), *length,
        ),
        capture_output=True, text=True, env=_env(), timeout=120, check=False,
        preexec_fn=_file_size_limit(20_000),
    )  # fmt: skip
    assert proc.returncode == 1
    failed = out if failing == "output" else trace
    assert _one_line(proc) == f"simline: error: cannot write {str(failed)!r}: File too large"
    assert trace.read_text() == "old trace\n"
    assert out.read_text() == "old result\n"
    assert sorted(os.listdir(tmp_path)) == ["out.json", "trace.csv", "wide.yaml"]


def test_trace_and_output_are_both_written(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    trace, out = _old_files(tmp_path, tmp_path)
    result = invoke(
        "run", str(scenario), "-q", "--backend", "des", "--format", "csv",
        "-o", str(out), "--trace", str(trace),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert trace.read_text().startswith("replication,time,part,product,station,event\n")
    assert out.read_text().startswith("scenario,figure,")


# --- 25: -o onto what cannot hold a result ---------------------------------------------------


@pytest.mark.parametrize(
    ("target", "what"),
    [
        ("/proc/version", "it is read-only (mode 0444)"),
        ("/proc/simline-result.json", "directory '/proc' takes no new files"),
        ("socket", "it is a socket"),
        (".", "it is a directory"),
        ("loop", "it is a symlink loop"),
    ],
)
def test_output_that_cannot_be_written_says_what_it_is(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_simulation: list[int],
    target: str,
    what: str,
) -> None:
    if target.startswith("/proc") and not Path("/proc/version").exists():
        pytest.skip("no /proc here")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "loop").symlink_to("loop")
    listening = socket.socket(socket.AF_UNIX)
    listening.bind("socket")
    scenario = _scenario(tmp_path)
    with listening:
        result = invoke("run", str(scenario), "-q", "--backend", "des", "-o", target)
    assert result.exit_code == 2
    line = _one_line(result)
    assert line.startswith(f"simline: error: --output: cannot write {target!r}: ")
    assert what in line
    assert "No such file" not in line
    assert "not found" not in line
    assert no_simulation == []


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_output_to_dev_null_is_taken(tmp_path: Path, fmt: str) -> None:
    before = os.stat("/dev/null")
    scenario = _scenario(tmp_path)
    result = invoke("run", str(scenario), "-q", "--backend", "des", "--format", fmt,
                    "-o", "/dev/null")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_rdev, after.st_mode) == (before.st_rdev, before.st_mode)
    assert not [n for n in os.listdir("/dev") if n.startswith(".null.")]


def test_output_to_a_named_pipe_reaches_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "result.fifo"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(
        target=lambda: got.append(fifo.read_text(encoding="utf-8")), daemon=True
    )
    reader.start()
    result = invoke("run", str(_scenario(tmp_path)), "-q", "--backend", "des",
                    "--format", "json", "-o", str(fifo))  # fmt: skip
    if result.exit_code != 0:  # nothing was written: let the reader see the end of the pipe
        with contextlib.suppress(OSError), open(fifo, "w"):
            pass
    reader.join(timeout=60)
    assert result.exit_code == 0, result.stderr
    assert json.loads(got[0])["scenario"] == "tiny"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert set(os.listdir(tmp_path)) == {"result.fifo", "s.yaml"}


def test_a_failed_write_leaves_dev_null_alone(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_paths(["/dev/null", tmp_path / "r.txt"]) as tmps:
        assert tmps[0] == Path("/dev/null")
        write_data(tmps[0], "gone\n")
        raise RuntimeError("a failure while writing")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert os.listdir(tmp_path) == []


# --- 26: click's usage errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "s.yaml", "-j", "0"), "-j/--jobs: expected a whole number >= 1 (got 0)"),
        (("run", "s.yaml", "-r", "0"), "-r/--replications: expected a whole number >= 1 (got 0)"),
        (("run", "s.yaml", "--seed", "-1"), "--seed: expected a whole number >= 0 (got -1)"),
        (("run", "s.yaml", "--seed", "1.5"), "--seed: expected a whole number >= 0 (got '1.5')"),
        (
            ("run", "s.yaml", "--format", "xml"),
            "--format: expected one of table, json, csv (got 'xml')",
        ),
        (
            ("run", "s.yaml", "--backend", "gpu"),
            "--backend: expected one of auto, des, fast (got 'gpu')",
        ),
        (("run", "s.yaml", "-o", "."), "--output: cannot write '.': it is a directory"),
        (
            ("run", "s.yaml", "--no-such-option"),
            "--no-such-option: no such option (see 'simline run --help')",
        ),
        (("run", "."), ".: cannot read: it is a directory"),
        (("run", "/dev/null"), "/dev/null: cannot read: it is a character device"),
        (("run",), "CONFIG: missing argument (see 'simline run --help')"),
        (
            ("nosuchcommand",),
            "no such command 'nosuchcommand' "
            "(commands: check, compare, experiment, plot-trace, run, schema, sites, validate, "
            "warmup-cache)",
        ),
        (
            ("compare", "-j", "0", "s.yaml", "s.yaml"),
            "-j/--jobs: expected a whole number >= 1 (got 0)",
        ),
        (("run", "s.yaml", "--format"), "--format: requires an argument"),
        (("compare", "s.yaml"), "CONFIG: expected two scenario files or more"),
        (("validate",), "CONFIGS: missing argument (see 'simline validate --help')"),
        (
            (),
            "missing command (one of check, compare, experiment, plot-trace, run, schema, sites, "
            "validate, warmup-cache) (see 'simline --help')",
        ),
    ],
)
def test_usage_errors_are_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_simulation: list[int],
    args: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    _scenario(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2
    assert _one_line(result) == f"simline: error: {message}"
    assert "Usage:" not in result.output
    assert no_simulation == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_config_is_one_line(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    scenario.chmod(0)
    result = invoke("run", str(scenario))
    assert result.exit_code == 2
    assert "cannot read: Permission denied" in _one_line(result)


def test_usage_error_through_a_real_process(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    proc = subprocess.run(
        _simline("run", str(scenario), "-j", "0"),
        capture_output=True, text=True, env=_env(), timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr == "simline: error: -j/--jobs: expected a whole number >= 1 (got 0)\n"
    assert proc.stdout == ""


@pytest.mark.parametrize("args", [("--help",), ("run", "--help"), ("-h",), ("--version",)])
def test_help_and_version_still_exit_0(args: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout


# --- 27: escaping and cutting in messages ----------------------------------------------------


def test_printable_escapes_controls_and_bidi() -> None:
    text = "a\u202eb\u2066c\u200f\x1b[31m\x00\x7f\x85\u061c\u2028d\ne\tf"
    assert printable(text) == (
        "a\\u202eb\\u2066c\\u200f\\x1b[31m\\x00\\x7f\\x85\\u061c\\u2028d\\ne\\tf"
    )
    assert printable("Köln – 5 °C, 東京") == "Köln – 5 °C, 東京"


def test_printable_cuts_a_long_quoted_value_and_says_how_long() -> None:
    value = "exponential(" + ", ".join(["1"] * 100_000) + ")"
    line = printable(f"too many parameters in {value!r}; exponential takes mean")
    assert len(line) <= MAX_MESSAGE
    assert f"({len(value)} characters)" in line
    assert line.startswith("too many parameters in 'exponential(1, 1")
    assert line.endswith("; exponential takes mean")
    assert len(printable("x" * 10_000)) <= MAX_MESSAGE
    short = "expected a whole number >= 0 (got 'ten')"
    assert printable(short) == short


def test_config_error_escapes_file_and_path() -> None:
    err = ConfigError("bad (got 'x')", file="a\u202e.yaml", path="stations.a\u202eb", line=5)
    assert str(err) == "a\\u202e.yaml:5: stations.a\\u202eb: bad (got 'x')"


def test_bidi_station_name_is_escaped_through_the_cli(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO.replace("  a:", '  "a\u202eb":'), encoding="utf-8")
    result = invoke("validate", str(scenario))
    assert result.exit_code == 2
    line = _one_line(result)
    assert "\u202e" not in line
    assert "a\\u202eb" in line


def test_a_100000_argument_short_form_gives_a_short_line(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    args = ", ".join(["1"] * 100_000)
    scenario.write_text(SCENARIO.replace("process_time: 1", f'process_time: "exponential({args})"'))
    result = invoke("validate", str(scenario))
    assert result.exit_code == 2
    line = _one_line(result)
    assert len(line) <= len("simline: error: ") + MAX_MESSAGE
    assert "characters)" in line
    assert str(scenario) in line


def test_internal_error_message_is_escaped_and_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import simline.plan

    def broken(config: Any) -> Any:
        raise RuntimeError("\u202e" + "y" * 50_000)

    monkeypatch.setattr(simline.plan, "compile_plan", broken)
    result = invoke("run", str(_scenario(tmp_path)), "-q")
    assert result.exit_code == 1
    line = _one_line(result)
    assert "internal error" in line
    assert "\u202e" not in line
    assert len(line) <= len("simline: error: ") + MAX_MESSAGE


def test_closed_stdout_with_an_output_file_is_fine(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    out = tmp_path / "out.json"
    proc = subprocess.run(
        _simline("run", str(scenario), "-q", "--backend", "des", "--format", "json",
                 "-o", str(out)),
        stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env(),
        preexec_fn=lambda: os.close(1), timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["scenario"] == "tiny"


def test_atomic_paths_commit_all_or_nothing(tmp_path: Path) -> None:
    from simline.report.output import atomic_paths

    first, second = tmp_path / "a.csv", tmp_path / "b.json"
    first.write_text("old a")
    second.write_text("old b")
    with pytest.raises(OSError, match="disk full"), atomic_paths([first, second]) as tmps:
        tmps[0].write_text("new a")
        raise OSError(28, "disk full")
    assert (first.read_text(), second.read_text()) == ("old a", "old b")
    assert sorted(os.listdir(tmp_path)) == ["a.csv", "b.json"]
    with atomic_paths([first, second]) as tmps:
        tmps[0].write_text("new a")
        tmps[1].write_text("new b")
    assert (first.read_text(), second.read_text()) == ("new a", "new b")
    assert sorted(os.listdir(tmp_path)) == ["a.csv", "b.json"]


def test_a_long_name_in_a_path_is_cut_and_what_was_expected_stays() -> None:
    """A 900-character station name was cut with the end of the line, losing the rule."""
    name = "s" * 900
    line = printable(f"x.yaml:5: stations.{name}.process_time: expected a duration >= 0 (got -1)")
    assert len(line) <= MAX_MESSAGE
    assert line.endswith("expected a duration >= 0 (got -1)")
    assert line.startswith("x.yaml:5: stations.sss")
    assert "(923 characters)" in line
