"""simline.config.sites: shipped profiles by name, 'base' with overrides, 'simline sites'."""

from __future__ import annotations

import json
import re
import shutil
from importlib.resources import files
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simline.cli import cli
from simline.config import load_scenario, parse_scenario, shipped_site, site_names
from simline.config.sites import is_site_name
from simline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
NINE = ("cn", "de", "in", "mx", "nl", "pl", "ro", "se", "vn")

SCENARIO = """\
simline: 1
name: demo
run: {length: 8h}
stations:
  saw: {kind: machine, process_time: 1}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_profiles_are_package_data() -> None:
    folder = files("simline").joinpath("sites")
    shipped = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    assert shipped == [f"{name}.yaml" for name in NINE]
    assert site_names() == NINE
    # one copy of each: none left under configs/
    assert not (ROOT / "configs" / "sites").exists()
    nl = yaml.safe_load(folder.joinpath("nl.yaml").read_text(encoding="utf-8"))
    assert shipped_site("nl").labour_cost_per_hour == nl["labour_cost_per_hour"]


@pytest.mark.parametrize(
    ("ref", "name"),
    [("nl", True), ("my-site_2", True), ("nl.yaml", False), ("nl.YML", False),
     ("./nl", False), ("sites/nl", False), ("..\\nl", False), ("", False), (" ", False)],
)  # fmt: skip
def test_what_is_a_name(ref: str, name: bool) -> None:
    assert is_site_name(ref) is name


def test_a_name_is_the_shipped_profile_wherever_the_scenario_is(tmp_path: Path) -> None:
    config = load_scenario(write(tmp_path / "deep" / "s.yaml", SCENARIO + "site: pl\n"))
    assert config.site == shipped_site("pl")
    assert config.site is not None and config.site.country == "PL"
    assert config.currency == "EUR"


def test_an_unknown_name_is_one_line_naming_file_line_and_the_names(tmp_path: Path) -> None:
    scenario = write(tmp_path / "s.yaml", SCENARIO + "site: xx\n")
    with pytest.raises(ConfigError) as info:
        load_scenario(scenario)
    assert (info.value.file, info.value.path, info.value.line) == (str(scenario), "site", 6)
    assert str(info.value) == (
        f"{scenario}:6: site: unknown site 'xx'; the shipped sites are "
        "cn, de, in, mx, nl, pl, ro, se, vn (a site file is a path ending in .yaml)"
    )


def test_an_unknown_name_exits_2_with_one_line(tmp_path: Path) -> None:
    scenario = write(tmp_path / "s.yaml", SCENARIO + "site: atlantis\n")
    result = CliRunner().invoke(cli, ["validate", str(scenario)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"simline: error: {scenario}:6: site: unknown site 'atlantis'")
    assert "cn, de, in, mx, nl, pl, ro, se, vn" in lines[0]


def test_a_path_is_read_relative_to_the_scenario_as_before(tmp_path: Path) -> None:
    own = (ROOT / "simline" / "sites" / "nl.yaml").read_text().replace("45.2", "50.5")
    write(tmp_path / "mine" / "nl.yaml", own)
    scenario = write(tmp_path / "lines" / "s.yaml", SCENARIO + "site: ../mine/nl.yaml\n")
    config = load_scenario(scenario)
    assert config.site is not None and config.site.labour_cost_per_hour == 50.5
    # a file without a suffix, whose name no profile has, is still the file
    write(tmp_path / "lines" / "plant", own)
    config = load_scenario(write(tmp_path / "lines" / "t.yaml", SCENARIO + "site: plant\n"))
    assert config.site is not None and config.site.labour_cost_per_hour == 50.5


def test_base_takes_the_profile_and_replaces_the_given_figures(tmp_path: Path) -> None:
    text = SCENARIO + "site: {base: nl, labour_cost_per_hour: 48, name: NL at 48}\n"
    config = load_scenario(write(tmp_path / "s.yaml", text))
    nl = shipped_site("nl")
    site = config.site
    assert site is not None
    assert (site.labour_cost_per_hour, site.name) == (48, "NL at 48")
    kept = ("country", "currency", "energy_price_per_kwh", "grid_co2_kg_per_kwh",
            "rent_per_m2_year", "interest_rate", "co2_price_per_t", "hours_per_year")  # fmt: skip
    assert all(getattr(site, key) == getattr(nl, key) for key in kept)
    # the profile's source of a figure given here is not its source any more
    assert "labour_cost_per_hour" not in site.sources
    assert site.sources["energy_price_per_kwh"] == nl.sources["energy_price_per_kwh"]


def test_base_may_be_a_path_and_sources_may_be_given(tmp_path: Path) -> None:
    write(tmp_path / "sites" / "own.yaml", "labour_cost_per_hour: 20\nenergy_price_per_kwh: 0.1\n")
    text = SCENARIO + (
        "site:\n  base: sites/own.yaml\n  rent_per_m2_year: 70\n"
        "  sources: {rent_per_m2_year: our lease 2025}\n"
    )
    config = load_scenario(write(tmp_path / "s.yaml", text))
    assert config.site is not None
    assert (config.site.labour_cost_per_hour, config.site.rent_per_m2_year) == (20, 70)
    assert config.site.sources == {"rent_per_m2_year": "our lease 2025"}


@pytest.mark.parametrize(
    ("site", "where", "message"),
    [
        ("  labour_cost_per_hour: -3\n", "8: site.labour_cost_per_hour",
         "'labour_cost_per_hour' must be >= 0 (got -3)"),
        ("  wages: 3\n", "8: site.wages", "unknown key 'wages'; allowed keys: name, country,"),
        ("  sources: {wages: x}\n", "8: site.sources.wages", "unknown figure 'wages'"),
        ("  currency: usd\n", "8: site.currency", "expected a currency code"),
    ],
)  # fmt: skip
def test_a_bad_figure_beside_base_is_named_at_its_line(
    tmp_path: Path, site: str, where: str, message: str
) -> None:
    scenario = write(tmp_path / "s.yaml", SCENARIO + "site:\n  base: nl\n" + site)
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_scenario(scenario)
    assert str(info.value).startswith(f"{scenario}:{where}: ")


@pytest.mark.parametrize(
    ("base", "message"),
    [("zz", "unknown site 'zz'; the shipped sites are cn, de,"),
     ("3", "expected the name of a shipped site (cn, de, in, mx, nl, pl, ro, se, vn) or a site "
      "file path (got 3)"),
     ("nope.yaml", "site file 'nope.yaml' not found")],
)  # fmt: skip
def test_a_bad_base_is_named_at_its_line(tmp_path: Path, base: str, message: str) -> None:
    scenario = write(tmp_path / "s.yaml", SCENARIO + f"site:\n  base: {base}\n")
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_scenario(scenario)
    assert (info.value.file, info.value.path, info.value.line) == (str(scenario), "site.base", 7)


def test_parse_scenario_takes_names_and_base() -> None:
    data = yaml.safe_load(SCENARIO)
    assert parse_scenario({**data, "site": "se"}).site == shipped_site("se")
    based = parse_scenario({**data, "site": {"base": "se", "interest_rate": 0.1}}).site
    assert based is not None and based.interest_rate == 0.1


def test_a_copied_shipped_scenario_runs_anywhere(tmp_path: Path) -> None:
    for path in sorted((ROOT / "configs" / "reshoring").glob("*.yaml")):
        copy = tmp_path / path.name
        shutil.copy(path, copy)
        assert load_scenario(copy).site == load_scenario(path).site is not None


def test_sites_lists_the_profiles_within_80_columns() -> None:
    result = CliRunner().invoke(cli, ["sites"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].split() == ["name", "site", "cur", "labour", "energy", "grid", "rent",
                                "interest"]  # fmt: skip
    rows = {line.split()[0]: line for line in lines[2:11]}
    assert tuple(rows) == NINE
    assert re.fullmatch(
        r"nl +Netherlands, Eindhoven region +EUR +45\.20 +0\.17 +0\.33 +90 +8 %", rows["nl"]
    )
    assert "site: nl" in result.stdout


def test_sites_json_has_every_figure_and_source() -> None:
    result = CliRunner().invoke(cli, ["sites", "--format", "json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert tuple(obj["sites"]) == NINE
    assert obj["sites"]["de"] == shipped_site("de").model_dump(mode="json")
    assert obj["sites"]["de"]["country"] == "DE"
    assert "labour_cost_per_hour" in obj["sites"]["de"]["sources"]
    bad = CliRunner().invoke(cli, ["sites", "--format", "csv"])
    assert bad.exit_code == 2
    assert "expected one of table, json (got 'csv')" in bad.stderr
