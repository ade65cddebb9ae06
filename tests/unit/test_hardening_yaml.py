"""Issue #8, the YAML reader: untrusted scenario and site files are bounded and every problem
is one line with exit status 2 (items 8, 15, 16, 17, 24, 25 and the long key of 27)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simline.cli import cli
from simline.config import load_scenario
from simline.config import loader as loader_module
from simline.config.loader import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_KEY_LENGTH,
    parse_yaml,
    read_yaml,
)
from simline.errors import ConfigError
from tests.spec import ROOT
from tests.unit.test_config_loader import SCENARIO

SITE = """\
name: Netherlands
country: NL
currency: EUR
labour_cost_per_hour: 45.5
energy_price_per_kwh: 0.21
"""

#: Nine levels of nine aliases: 387 million strings once built.
LAUGHS = (
    SCENARIO
    + "x:\n"
    + '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"  {c}: &{c} [{','.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "description: *i\n"
)


@pytest.fixture(params=["libyaml", "python"])
def either_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the C loader (when PyYAML has it) and with the pure-Python fallback."""
    if request.param == "python":
        monkeypatch.setattr(loader_module, "_FAST_LOADER", None)
    elif loader_module._FAST_LOADER is None:  # pragma: no cover
        pytest.skip("PyYAML without libyaml")
    return str(request.param)


def validate(*paths: Path) -> tuple[int, list[str], list[str]]:
    """``simline validate PATHS``: exit status, stderr lines, stdout lines."""
    result = CliRunner().invoke(cli, ["validate", *map(str, paths)])
    return result.exit_code, result.stderr.splitlines(), result.stdout.splitlines()


def assert_refused(
    path: Path, good: Path, message: str, line: int | None = None, *, named: Path | None = None
) -> str:
    """``validate path good``: exit 2, one line naming ``path`` (or ``named``, and ``line``),
    and ``good`` is checked after it."""
    code, err, out = validate(path, good)
    assert code == 2, (err, out)
    assert len(err) == 1, err
    where = f"simline: error: {named or path}" + (f":{line}:" if line is not None else "")
    assert err[0].startswith(where), err[0]
    assert message in err[0], err[0]
    assert "Traceback" not in err[0]
    assert out == [f"{good}: ok"]
    return err[0]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def limited_python(code: str, *, memory: int = 1_500_000_000) -> subprocess.CompletedProcess[str]:
    """Run ``python -c code`` from the repository root with at most ``memory`` bytes."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
        preexec_fn=limit,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


# -- 8: aliases and file size ---------------------------------------------------------------


def test_billion_laughs_is_refused_fast_in_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    start = time.monotonic()
    argv = ["simline", "validate", str(path)]
    result = limited_python(f"import sys; from simline.cli import cli; sys.argv = {argv!r}; cli()")
    assert time.monotonic() - start < 30
    assert result.returncode == 2, result.stderr[-500:]
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"simline: error: {path}:")
    assert f"aliases and merge keys copy more than {MAX_ALIAS_NODES:,} values" in lines[0]


@pytest.mark.parametrize("fast", [True, False], ids=["libyaml", "python"])
def test_aliases_are_limited_with_either_loader(tmp_path: Path, fast: bool) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    code = (
        "from simline.config import loader\n"
        "from simline.errors import ConfigError\n"
        f"if not {fast}:\n    loader._FAST_LOADER = None\n"
        f"try:\n    loader.read_yaml({str(path)!r})\nexcept ConfigError as e:\n    print(e)\n"
    )
    result = limited_python(code)  # in a process of its own: a regression must not eat memory
    assert result.stdout.startswith(f"{path}:11: x.f[0]: aliases and merge keys copy more than")


def test_merge_keys_are_limited(either_loader: str) -> None:
    keys = ", ".join(f"k{i}: {i}" for i in range(1000))
    text = f"base: &b {{{keys}}}\nitems:\n" + "".join("  - {<<: *b}\n" for _ in range(200))
    with pytest.raises(ConfigError, match="aliases and merge keys copy more than") as info:
        parse_yaml(text, "merges.yaml")
    assert info.value.file == "merges.yaml"
    assert info.value.line is not None and info.value.line > 2


def test_legitimate_aliases_fit(either_loader: str) -> None:
    template = "{kind: machine, process_time: 1, failures: {mtbf: 8h, mttr: 30min}}"
    stations = "".join(f"  s{i}: *m\n" for i in range(200))
    values = ", ".join(str(i % 7 + 1) for i in range(1000))
    text = (
        f"templates:\n  m: &m {template}\n  v: &v [{values}]\nstations:\n{stations}"
        "dists:\n" + "".join(f"  d{i}: {{dist: empirical, values: *v}}\n" for i in range(50))
    )
    data, lines = parse_yaml(text, "reuse.yaml")
    assert data["stations"]["s199"]["failures"] == {"mtbf": "8h", "mttr": "30min"}
    assert len(data["dists"]["d49"]["values"]) == 1000
    assert lines[("dists", "d49")] == 255


def test_a_5000_product_scenario_fits() -> None:
    # 5,000 products written out: 140,000 nodes, no alias
    products = "".join(
        f"  p{i}: {{routing: [a, b, c, d], mix: 0.5, material_cost: 3.1}}\n" for i in range(5000)
    )
    times = "".join(f"      p{i}: {{dist: lognormal, mean: 2.0, cv: 0.2}}\n" for i in range(5000))
    data, _ = parse_yaml(f"products:\n{products}stations:\n  a:\n    process_time:\n{times}", "f")
    assert len(data["products"]) == len(data["stations"]["a"]["process_time"]) == 5000


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path, good: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("w", encoding="utf-8") as stream:
        stream.write(SCENARIO)
        line = "# " + "x" * 97 + "\n"
        stream.write(line * ((MAX_FILE_BYTES - len(SCENARIO)) // len(line) + 1))
    assert path.stat().st_size > MAX_FILE_BYTES
    assert_refused(path, good, "is too large: 10.0 MB, at most 10 MB is read")


def test_text_over_the_size_limit_is_refused() -> None:
    with pytest.raises(ConfigError, match="at most 10,000,000 are read"):
        parse_yaml("a: 1\n" + "#" * MAX_FILE_BYTES, "big.yaml")


# -- 15: the C loader -------------------------------------------------------------------------


def test_libyaml_composes_valid_files_when_pyyaml_has_it() -> None:
    loader, node = loader_module._compose(SCENARIO, "s.yaml")
    assert node is not None
    assert (type(loader).__name__ == "_CLoader") == bool(yaml.__with_libyaml__)
    loader.dispose()  # type: ignore[attr-defined]


CONFIGS = sorted((ROOT / "configs").rglob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[str(p.relative_to(ROOT)) for p in CONFIGS])
def test_both_loaders_read_the_shipped_configs_alike(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = read_yaml(path)
    monkeypatch.setattr(loader_module, "_FAST_LOADER", None)
    assert read_yaml(path) == fast


def test_both_loaders_read_scalars_merges_and_lines_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "t: 14:00\nno: NO\nb: true\nd: 2024-01-01\ni: 010\nh: 0x1F\nf: 1e3\nu: 200_000\nn: ~\n"
        "y: yes\ne: ''\nq: '1'\ninf: -.inf\nbase: &b {kind: machine, servers: 2}\n"
        "x: {<<: *b, servers: 3}\nz: {<<: [*b, {extra: 1}]}\nlist:\n  - *b\n  - [1, 2]\n"
    )
    fast = parse_yaml(text, "f")
    monkeypatch.setattr(loader_module, "_FAST_LOADER", None)
    assert parse_yaml(text, "f") == fast
    assert list(fast[0]["x"]) == ["kind", "servers"]


# -- 16: bytes that are not YAML text: one line, exit 2, and validate goes on ----------------


def described(text: str) -> bytes:
    return (SCENARIO + f"description: {text}\n").encode()


@pytest.mark.parametrize(
    ("raw", "line", "message"),
    [
        (described("de\x00mo"), 6, "control character (U+0000 NUL) at column 16"),
        (described("a\x1bb"), 6, "control character (U+001B ESC) at column 15"),
        (described("a\x7fb"), 6, "control character (U+007F DEL) at column 15"),
        (described("a\x80b"), 6, "control character (U+0080) at column 15"),
        (described("\ufffe"), 6, "the character U+FFFE at column 14"),
        (SCENARIO.encode("utf-16-le"), 1, "the file looks like UTF-16 (little-endian) text"),
        (SCENARIO.encode("utf-16-be"), 1, "the file looks like UTF-16 (big-endian) text"),
        (SCENARIO.encode("utf-16"), 1, "UTF-16 (little-endian, with a byte order mark) text"),
        (b"\xfe\xff" + SCENARIO.encode("utf-16-be"), 1, "UTF-16 (big-endian, with a byte order"),
        (SCENARIO.encode("utf-32"), 1, "UTF-32 (little-endian, with a byte order mark) text"),
        (SCENARIO.encode("utf-32-be"), 1, "the file looks like UTF-32 (big-endian) text"),
        (SCENARIO.encode() + b"description: caf\xc3\n", 6, "not UTF-8 text (byte 0xc3) at byte 17"),
    ],
)  # fmt: skip
def test_bytes_that_are_not_yaml_text(
    tmp_path: Path, good: Path, raw: bytes, line: int, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(raw)
    assert_refused(path, good, message, line)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int x", "cannot read 'x' as a whole number"),
        ("!!bool maybe", "cannot read 'maybe' as true or false"),
        ("!!float x", "cannot read 'x' as a number"),
        ("!!timestamp someday", "cannot read 'someday' as a date"),
        ("9" * 5000, "as a whole number (at most 4,300 digits)"),
    ],
)
def test_scalars_their_tag_cannot_read(
    tmp_path: Path, good: Path, value: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SCENARIO + f"description: {value}\n", encoding="utf-8")
    text = assert_refused(path, good, message, 6)
    assert len(text.replace(str(path), "")) < 160


def test_every_yaml_error_is_a_config_error(tmp_path: Path, good: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SCENARIO + "x: [1, 2\n", encoding="utf-8")
    assert_refused(path, good, "invalid YAML: while parsing a flow sequence")
    path.write_text(SCENARIO + "x: &a [*a]\n", encoding="utf-8")
    assert_refused(path, good, "an alias refers to the node that contains it", 6)


# -- 17: nesting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "[" * 1000 + "]" * 1000,
        "[" * 100_000 + "]" * 100_000,
        "{a: " * 1000 + "1" + "}" * 1000,
        "".join("\n" + "  " * (i + 1) + "a:" for i in range(1000)) + " 1",
        "".join("\n" + "  " * (i + 1) + "-" for i in range(1000)) + " 1",
    ],
    ids=["lists-1000", "lists-100000", "mappings-1000", "block-mappings", "block-lists"],
)
def test_deep_nesting_is_refused(
    tmp_path: Path, good: Path, value: str, either_loader: str
) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(SCENARIO + f"description: {value}\n", encoding="utf-8")
    assert_refused(path, good, f"nested more than {MAX_DEPTH} levels deep")


def test_nesting_up_to_the_limit_is_read(either_loader: str) -> None:
    inner = MAX_DEPTH - 2  # the top-level mapping and the number at the bottom count
    data, _ = parse_yaml("a: " + "[" * inner + "1" + "]" * inner + "\n", "f")
    assert data["a"] == eval("[" * inner + "1" + "]" * inner)
    with pytest.raises(ConfigError, match="nested more than 64 levels deep") as info:
        parse_yaml("a: " + "[" * (inner + 1) + "1" + "]" * (inner + 1) + "\n", "f")
    assert (info.value.file, info.value.line) == ("f", 1)


# -- 24, 25: site paths that are not site files ------------------------------------------------


def scenario_with_site(tmp_path: Path, site: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO + f"site: {site}\n", encoding="utf-8")
    return path


def test_a_foreign_file_as_site_is_refused_without_quoting_it(tmp_path: Path, good: Path) -> None:
    (tmp_path / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    )
    scenario = scenario_with_site(tmp_path, "passwd")
    text = assert_refused(
        scenario,
        good,
        "expected a mapping of site figures at the top level (got a string)",
        named=tmp_path / "passwd",
    )
    assert "root" not in text.replace(str(tmp_path), "")
    # a key: value file that is not a site either: its keys and values are not echoed
    (tmp_path / "passwd").write_text("token: s3cr3t-value\nuser: alice\n")
    with pytest.raises(ConfigError) as info:
        load_scenario(scenario)
    assert "got a mapping of 2 keys, none of them a site figure" in info.value.message
    assert "s3cr3t" not in str(info.value)
    assert "token" not in str(info.value)
    # a list, a number, an empty file
    for content, kind in (("- 1\n", "a list"), ("42\n", "a number"), ("", "an empty file")):
        (tmp_path / "passwd").write_text(content)
        with pytest.raises(ConfigError, match=f"at the top level \\(got {kind}\\)"):
            load_scenario(scenario)


def test_a_site_value_from_a_foreign_file_is_echoed_short(tmp_path: Path) -> None:
    (tmp_path / "nl.yaml").write_text(SITE.replace("45.5", "s3cr3t" * 100))
    with pytest.raises(ConfigError, match="labour_cost_per_hour") as info:
        load_scenario(scenario_with_site(tmp_path, "nl.yaml"))
    assert len(str(info.value)) < 250
    assert str(info.value).count("s3cr3t") < 12


def make_fifo(path: Path) -> Path:
    if not hasattr(os, "mkfifo"):  # pragma: no cover
        pytest.skip("no named pipes here")
    os.mkfifo(path)
    return path


@pytest.fixture
def specials(tmp_path: Path) -> Iterator[dict[str, str]]:
    (tmp_path / "sitedir").mkdir()
    os.symlink("loop2", tmp_path / "loop1")
    os.symlink("loop1", tmp_path / "loop2")
    os.symlink("missing.yaml", tmp_path / "dangling")
    make_fifo(tmp_path / "fifo")
    with (tmp_path / "huge.yaml").open("wb") as stream:
        stream.truncate(MAX_FILE_BYTES + 1)
    yield {
        "sitedir": "is a directory, not a site file",
        "loop1": "is a symbolic link loop",
        "dangling": "is a symbolic link to a missing file",
        "/dev/zero": "is a character device, not a regular file",
        "fifo": "is a named pipe, not a regular file",
        "huge.yaml": "is too large: 10.0 MB, at most 10 MB is read",
        "nope.yaml": "not found",
    }


@pytest.mark.parametrize(
    "site", ["sitedir", "loop1", "dangling", "/dev/zero", "fifo", "huge.yaml", "nope.yaml"]
)
def test_site_paths_that_are_not_files(
    tmp_path: Path, good: Path, specials: dict[str, str], site: str
) -> None:
    if site == "/dev/zero" and not Path(site).exists():  # pragma: no cover
        pytest.skip("no /dev/zero")
    scenario = scenario_with_site(tmp_path, site)
    text = assert_refused(scenario, good, f"site: site file {site!r} {specials[site]}", 6)
    assert "(looked for " in text


def test_read_yaml_never_blocks_on_a_named_pipe(tmp_path: Path) -> None:
    fifo = make_fifo(tmp_path / "fifo.yaml")
    code = (
        "from simline.config.loader import read_yaml\n"
        "from simline.errors import ConfigError\n"
        f"try:\n    read_yaml({str(fifo)!r})\nexcept ConfigError as e:\n    print(e)\n"
    )
    result = limited_python(code)  # the old reader blocked in open() until the timeout
    assert result.stdout.strip() == f"{fifo}: is a named pipe, not a regular file"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("sitedir", "is a directory, not a YAML file"),
        ("loop1", "is a symbolic link loop"),
        ("/dev/zero", "is a character device, not a regular file"),
        ("huge.yaml", "is too large"),
    ],
)
def test_read_yaml_names_what_a_path_is(
    tmp_path: Path, specials: dict[str, str], name: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        read_yaml(tmp_path / name)


def test_a_fifo_scenario_does_not_hang_validate(tmp_path: Path, good: Path) -> None:
    fifo = make_fifo(tmp_path / "fifo.yaml")
    code, err, out = validate(fifo, good)
    assert code == 2
    assert len(err) == 1 and err[0].startswith(f"simline: error: {fifo}")
    assert out == [f"{good}: ok"]


# -- 27: a key longer than PyYAML reads --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "length"),
    [
        ("k" * 5000 + ": 1\n", 6, 5000),
        ("extra:\n  " + "k" * 1500 + ": 1\n", 7, 1500),
        ("extra: {a: 1, " + "k" * 2000 + ": 1}\n", 6, 2000),
        ("extra:\n  - " + "k" * 2000 + ": 1\n", 7, 2000),
        ('"' + "k" * 2000 + '": 1\n', 6, 2002),
    ],
)
def test_a_key_longer_than_1024_characters(
    tmp_path: Path, good: Path, text: str, line: int, length: int, either_loader: str
) -> None:
    path = tmp_path / "key.yaml"
    path.write_text(SCENARIO + text, encoding="utf-8")
    assert_refused(
        path,
        good,
        f"a key longer than {MAX_KEY_LENGTH:,} characters is not allowed "
        f"(a key here has {length:,})",
        line,
    )


def test_a_long_value_with_a_colon_is_not_called_a_long_key() -> None:
    with pytest.raises(ConfigError, match="mapping values are not allowed here"):
        parse_yaml("a: " + "k" * 2000 + ": 3\n", "f")
    data, _ = parse_yaml("description: " + "k" * 2000 + "\n", "f")
    assert len(data["description"]) == 2000
