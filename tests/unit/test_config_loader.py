"""YAML reading: syntax errors with lines, duplicate keys, YAML 1.2 scalars, site files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simline.config import load_scenario, parse_scenario
from simline.config.loader import format_path, line_of, parse_yaml
from simline.errors import ConfigError

SCENARIO = """\
simline: 1
name: demo
run: {length: 8h}
stations:
  saw: {kind: machine, process_time: 1}
"""

SITE = """\
name: Netherlands
country: NL
currency: EUR
labour_cost_per_hour: 45.5
energy_price_per_kwh: 0.21
sources:
  labour_cost_per_hour: "CBS 2024"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_lines_of_keys_and_items() -> None:
    data, lines = parse_yaml("a:\n  b: [1, 2]\n  c:\n    - x\n    - y: 3\n", "f")
    assert data == {"a": {"b": [1, 2], "c": ["x", {"y": 3}]}}
    assert lines[()] == 1
    assert lines[("a",)] == 1
    assert lines[("a", "b")] == 2
    assert lines[("a", "b", 1)] == 2
    assert lines[("a", "c", 0)] == 4
    assert lines[("a", "c", 1)] == 5
    assert lines[("a", "c", 1, "y")] == 5
    assert line_of(("a", "c", 1, "y", "deeper"), lines) == 5
    assert format_path(("products", "a", "routing", 2)) == "products.a.routing[2]"


def test_yaml_12_scalars() -> None:
    text = "t: 14:00\nno: NO\nb: true\nd: 2024-01-01\ni: 010\nf: 1e3\nu: 200_000\nn: ~\ny: yes\n"
    data, _ = parse_yaml(text, "f")
    assert data == {
        "t": "14:00",
        "no": "NO",
        "b": True,
        "d": "2024-01-01",
        "i": 10,
        "f": 1000.0,
        "u": 200000,
        "n": None,
        "y": "yes",
    }


def test_anchors_and_merge_keys() -> None:
    text = "base: &b {kind: machine, servers: 2}\nx: {<<: *b, servers: 3}\ny: *b\n"
    data, _ = parse_yaml(text, "f")
    assert data["x"] == {"kind": "machine", "servers": 3}
    assert data["y"] == {"kind": "machine", "servers": 2}


@pytest.mark.parametrize(
    ("text", "line", "match"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 3, "invalid YAML: while parsing a flow sequence"),
        ("a: 1\nb:\n  c: 1\n   d: 2\n", 4, "invalid YAML: mapping values are not allowed here"),
        ("a: 1\n\tb: 2\n", 2, "invalid YAML"),
        ("a: 'open\n", 2, "invalid YAML: while scanning a quoted scalar"),
        ("a: 1\n---\nb: 2\n", 2, "invalid YAML: expected a single document"),
        ("a: *nope\n", 1, "invalid YAML: found undefined alias"),
    ],
)
def test_syntax_errors_carry_the_line(text: str, line: int, match: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(match)) as info:
        parse_yaml(text, "s.yaml")
    assert info.value.line == line
    assert info.value.file == "s.yaml"
    assert "\n" not in str(info.value)


def test_duplicate_key() -> None:
    with pytest.raises(
        ConfigError, match=re.escape("duplicate key 'b' (first given at line 2)")
    ) as info:
        parse_yaml("a:\n  b: 1\n  c: 2\n  b: 3\n", "s.yaml")
    assert (info.value.path, info.value.line) == ("a.b", 4)


def test_non_scalar_key_and_odd_tags() -> None:
    with pytest.raises(ConfigError, match="a key must be a plain name") as info:
        parse_yaml("? [a, b]\n: 1\n", "s.yaml")
    assert info.value.line == 1
    with pytest.raises(ConfigError, match="unsupported YAML tag"):
        parse_yaml("a: !!set {x, y}\n", "s.yaml")
    with pytest.raises(ConfigError, match="invalid value") as info:
        parse_yaml("a:\n  b: !!python/name:os.system x\n", "s.yaml")
    assert (info.value.path, info.value.line) == ("a.b", 2)


def test_load_valid_file(tmp_path: Path) -> None:
    config = load_scenario(write(tmp_path / "s.yaml", SCENARIO))
    assert config.name == "demo"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "at the top level (got an empty file)"),
        ("# only a comment\n", "at the top level (got an empty file)"),
        (
            "- a\n- b\n",
            "expected a mapping of scenario keys (simline, name, run, stations, ...) "
            "at the top level (got a list)",
        ),
        ("just text\n", "at the top level (got 'just text')"),
    ],
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(match)) as info:
        load_scenario(write(tmp_path / "s.yaml", text))
    assert info.value.path is None


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found") as info:
        load_scenario(tmp_path / "nope.yaml")
    assert info.value.file == str(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="is a directory"):
        load_scenario(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"simline: 1\nname: d\xe9mo\n")
    with pytest.raises(ConfigError, match=re.escape("not UTF-8 text (byte 0xe9)")) as info:
        load_scenario(path)
    assert info.value.line == 2


def test_utf8_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SCENARIO.encode())
    assert load_scenario(path).name == "demo"


def test_site_file_relative_to_the_scenario(tmp_path: Path) -> None:
    write(tmp_path / "sites" / "nl.yaml", SITE)
    scenario = write(tmp_path / "lines" / "s.yaml", SCENARIO + "site: ../sites/nl.yaml\n")
    config = load_scenario(scenario)
    assert config.site is not None
    assert config.site.labour_cost_per_hour == 45.5
    assert config.site.sources == {"labour_cost_per_hour": "CBS 2024"}
    assert config.site.hours_per_year == 8760
    assert config.currency == "EUR"


def test_site_file_currency_becomes_the_scenario_currency(tmp_path: Path) -> None:
    write(tmp_path / "cn.yaml", SITE.replace("EUR", "CNY"))
    config = load_scenario(write(tmp_path / "s.yaml", SCENARIO + "site: cn.yaml\n"))
    assert config.currency == "CNY"


def test_site_file_errors_name_the_site_file(tmp_path: Path) -> None:
    site = write(
        tmp_path / "nl.yaml", SITE.replace("energy_price_per_kwh: 0.21", "energy_price_per_kwh: -1")
    )
    with pytest.raises(
        ConfigError, match=re.escape("'energy_price_per_kwh' must be >= 0 (got -1)")
    ) as info:
        load_scenario(write(tmp_path / "s.yaml", SCENARIO + "site: nl.yaml\n"))
    assert (info.value.file, info.value.path, info.value.line) == (
        str(site),
        "energy_price_per_kwh",
        5,
    )

    write(tmp_path / "nl.yaml", SITE + "wages: 3\n")
    with pytest.raises(
        ConfigError, match="unknown key 'wages'; allowed keys: name, country,"
    ) as info:
        load_scenario(tmp_path / "s.yaml")
    assert info.value.line == 8

    write(tmp_path / "nl.yaml", "- 1\n")
    with pytest.raises(ConfigError, match="expected a mapping of site figures") as info:
        load_scenario(tmp_path / "s.yaml")
    assert info.value.file == str(site)


def test_missing_site_file(tmp_path: Path) -> None:
    scenario = write(tmp_path / "s.yaml", SCENARIO + "site: sites/xx.yaml\n")
    with pytest.raises(ConfigError, match=re.escape("site file 'sites/xx.yaml' not found")) as info:
        load_scenario(scenario)
    assert (info.value.file, info.value.path, info.value.line) == (str(scenario), "site", 6)
    assert str(tmp_path / "sites" / "xx.yaml") in info.value.message


def test_parse_scenario_resolves_site_from_base_dir(tmp_path: Path) -> None:
    write(tmp_path / "nl.yaml", SITE)
    data = {
        "simline": 1,
        "name": "d",
        "run": {"length": 10},
        "stations": {"a": {"kind": "robot", "process_time": 1}},
        "site": "nl.yaml",
    }
    config = parse_scenario(data, base_dir=tmp_path)
    assert config.site is not None and config.site.country == "NL"
    # the input mapping is not changed
    assert data["site"] == "nl.yaml"


def test_site_path_on_the_model_directly_is_an_error() -> None:
    from simline.config import ScenarioConfig

    data = {
        "simline": 1,
        "name": "d",
        "run": {"length": 10},
        "stations": {"a": {"kind": "robot", "process_time": 1}},
        "site": "nl.yaml",
    }
    with pytest.raises(ValueError, match="a site file path is read by load_scenario"):
        ScenarioConfig.model_validate(data)


def test_unquoted_short_form_in_a_flow_mapping_gets_a_hint(tmp_path: Path) -> None:
    text = SCENARIO.replace(
        "  saw: {kind: machine, process_time: 1}\n",
        "  saw:\n    kind: machine\n    process_time: {part: tri(6, 8, 12)}\n",
    )
    with pytest.raises(ConfigError, match=re.escape("'tri(6' is cut off")) as info:
        load_scenario(write(tmp_path / "s.yaml", text))
    assert info.value.path == "stations.saw.process_time.part"
    assert info.value.line == 7
    assert 'quote the short form there, e.g. "tri(6, 8, 12)"' in info.value.message
    quoted = text.replace("tri(6, 8, 12)", '"tri(6, 8, 12)"')
    assert load_scenario(write(tmp_path / "s.yaml", quoted)).name == "demo"
