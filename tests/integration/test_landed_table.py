"""Landed-cost tables line by line: a published one, and a hand-worked one with every key.

The published table (:data:`BIRNBAUM`, at the end) is a garment importer's landed-duty-paid
breakdown: price, duty on FOB, two freight legs. The hand-worked table below goes further, in
the style of a purchasing textbook's landed-cost calculation (two freight legs, pallets,
losses, stock on hand and overhead; no published table with all of them was found). Every
line is computed by hand below from the scenario's inputs; the tests run each scenario through
``simline run --backend des`` and check each line to the cent.

Inputs: a part bought at a material cost of 10.00 from a supplier with a 10 % margin, made on
a line with no labour, equipment or energy cost, so the price at the gate is
``P = 10.00 x 1.10 = 11.00``; demand 120,000 parts a year; carrying rate 25 % a year.

Freight, per shipped part (a 12,000-part container, fewer than a year's 120,000):

====================================  ==========================  =========
line                                  working                     per part
====================================  ==========================  =========
sea freight                           2,400 / 12,000              0.20
road freight (same container)         360 / 12,000                0.03
freight                               0.20 + 0.03                 0.23
insurance                             0.005 x (11.00 + 0.23)      0.05615
duty (CIF)                            0.04 x (11.23 + 0.05615)    0.451446
fees                                  0.01 x 11 + 600/12,000      0.17
                                      + 120/12,000
value at the market                   11 + .23 + .05615           11.907596
                                      + .451446 + .17
in transit, 828 h + 48 h = 876 h      0.25 x (11 + .23 + .451446) 0.2920362
                                      x 876 / 8,760
stock on hand, 10,000 parts           0.25 x 11.907596            0.2480749
                                      x 10,000 / 120,000
pallets                               15 / 500                    0.03
====================================  ==========================  =========

Losses: 4 % of the shipped parts are lost before use, so each good part carries
``1 / 0.96`` of every item paid on a shipped part before the loss (the price items, freight,
insurance, duty, fees, the in-transit stock and the pallets); the stock at the market is
counted in good parts and is not divided. Overhead is 5 % of the price ``P``.

=======================  ===============================  ==============
breakdown item           working                          per good part
=======================  ===============================  ==============
material                 10.00 / 0.96                     10.4166667
margin                   1.00 / 0.96                      1.0416667
freight                  0.23 / 0.96                      0.2395833
insurance                0.05615 / 0.96                   0.0584896
duty                     0.451446 / 0.96                  0.4702563
fees                     0.17 / 0.96                      0.1770833
inventory                (0.2920362 + 0.03) / 0.96        0.5835292
                         + 0.2480749
carbon                   no carbon price                  0
overhead                 0.05 x 11.00                     0.55
unit cost                10.00 / 0.96                     10.4166667
landed cost (= TCO)      11.00 / 0.96 + 0.2395833         13.5372751
                         + 0.0584896 + 0.4702563
                         + 0.1770833 + 0.5835292 + 0.55
=======================  ===============================  ==============

Door to door: 876 h of transit plus the line's 0.5 min, 52,560.5 min.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.spec import run_cli

#: The scenario of the table. The line releases a part every minute into a half-minute
#: machine, and the measured window starts and ends a quarter-minute into a cycle, so exactly
#: as many parts are released as leave it good: material is 10.00 per good part, exactly.
SCENARIO = """\
simline: 1
name: landed-table
time_unit: min
currency: EUR
run: {warmup: 60.25, length: 1440, replications: 1, seed: 1}
release:
  interarrival: 1
products:
  housing: {routing: [mill], material_cost: 10.00, mass_kg: 0.8}
stations:
  mill: {kind: machine, process_time: 0.5}
site: {labour_cost_per_hour: 0, energy_price_per_kwh: 0, inventory_carrying_rate: 0.25}
demand: {annual: 120000}
logistics:
  legs:
    - mode: sea
      rate_per_container: 2400
      units_per_container: 12000
      transit: 828h
      fees_per_shipment: 600
    - {mode: road, rate_per_container: 360, transit: 48h, fees_per_shipment: 120}
  insurance_rate: 0.005
  duty_rate: 0.04
  fees_rate: 0.01
  units_per_pallet: 500
  per_pallet: 15
  loss_rate: 0.04
  stock_on_hand: 10000
tco: {supplier_margin: 0.10, overhead_rate: 0.05}
"""

#: The table above, per good part.
TABLE = {
    "material": 10.4166667,
    "labour": 0.0,
    "equipment": 0.0,
    "energy": 0.0,
    "margin": 1.0416667,
    "freight": 0.2395833,
    "insurance": 0.0584896,
    "duty": 0.4702563,
    "fees": 0.1770833,
    "inventory": 0.5835292,
    "carbon": 0.0,
    "overhead": 0.55,
    "risk": 0.0,
    "strategic": 0.0,
}


def _run(tmp_path: Path, text: str) -> tuple[int, str, str]:
    path = tmp_path / "landed.yaml"
    path.write_text(text)
    proc = run_cli("run", str(path), "--backend", "des", "--format", "json")
    return proc.returncode, proc.stdout, proc.stderr


def test_two_leg_table_line_by_line(tmp_path: Path) -> None:
    code, out, err = _run(tmp_path, SCENARIO)
    assert code == 0, err
    cost = json.loads(out)["cost"]
    for item, value in TABLE.items():
        assert cost["breakdown"][item]["mean"] == pytest.approx(value, abs=0.005), item
    assert cost["unit_cost"]["mean"] == pytest.approx(10.4166667, abs=0.005)
    assert cost["landed_cost"]["mean"] == pytest.approx(13.5372751, abs=0.005)
    assert cost["tco"]["mean"] == pytest.approx(13.5372751, abs=0.005)
    assert cost["lead_time_door_to_door"]["mean"] == pytest.approx(52560.5, abs=0.01)
    # the breakdown still sums to the TCO with the new item
    assert sum(v["mean"] for v in cost["breakdown"].values()) == pytest.approx(
        cost["tco"]["mean"], abs=1e-9
    )


def test_one_leg_equals_the_single_leg_keys(tmp_path: Path) -> None:
    single = SCENARIO.replace(
        SCENARIO[SCENARIO.index("  legs:") : SCENARIO.index("  insurance_rate")],
        "  mode: sea\n  rate_per_container: 2400\n  units_per_container: 12000\n"
        "  transit: 828h\n  fees_per_shipment: 600\n",
    )
    one_leg = SCENARIO.replace(
        "    - {mode: road, rate_per_container: 360, transit: 48h, fees_per_shipment: 120}\n", ""
    )
    figures = []
    for text in (single, one_leg):
        code, out, err = _run(tmp_path, text)
        assert code == 0, err
        cost = json.loads(out)["cost"]
        figures.append({k: v["mean"] for k, v in cost["breakdown"].items()})
    assert figures[0] == figures[1]
    assert figures[0]["freight"] == pytest.approx(0.20 / 0.96)


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (("  legs:", "  transit: 30d\n  legs:"), ":15: logistics.transit: 'legs' is instead of"),
        (
            ("      units_per_container: 12000\n", ""),
            ":17: logistics.legs[0].rate_per_container: 'rate_per_container' needs "
            "'units_per_container' on this leg or one before it",
        ),
        (("  units_per_pallet: 500\n", ""), ": logistics.per_pallet: 'per_pallet' needs"),
        (("loss_rate: 0.04", "loss_rate: 1"), ": logistics.loss_rate: 'loss_rate' must be < 1"),
        (
            ("rate_per_container: 360", "rate_per_kg: 0.05", ", mass_kg: 0.8", ""),
            ":9: products.housing: product 'housing' has no 'mass_kg', which "
            "'logistics.legs[1].rate_per_kg' needs",
        ),
    ],
)
def test_bad_logistics_keys_exit_2_with_the_line(
    tmp_path: Path, edit: tuple[str, ...], where: str
) -> None:
    text = SCENARIO
    for old, new in zip(edit[::2], edit[1::2], strict=True):
        text = text.replace(old, new)
    code, out, err = _run(tmp_path, text)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.startswith(f"simline: error: {tmp_path / 'landed.yaml'}")
    assert where in err


#: A published landed-duty-paid table: the cost breakdown of a men's woven cotton shirt sold
#: in the US, David Birnbaum (2005), as reproduced in "Calculations in Logistics"
#: (scribd.com/doc/259166235). Fabric 3.00 + cut-make-trim 2.00 + quota 1.80 = FOB 6.80;
#: duty 19.8 % (on FOB) 1.34; freight 0.30; clearance and inland transport 0.14; landed duty
#: paid 8.58 (USD per shirt). simline buys the shirt at the FOB price (material 6.80 on a
#: line with no other cost), ships it on two legs (sea at 0.30, then clearance and inland at
#: 0.14 a part) and charges the duty on FOB.
BIRNBAUM = """\
simline: 1
name: birnbaum-shirt
time_unit: min
currency: USD
run: {warmup: 60.25, length: 1440, replications: 1, seed: 1}
release:
  interarrival: 1
products:
  shirt: {routing: [sew], material_cost: 6.80}
stations:
  sew: {kind: machine, process_time: 0.5}
site: {labour_cost_per_hour: 0, energy_price_per_kwh: 0}
logistics:
  legs:
    - {mode: sea, rate_per_part: 0.30, transit: 30d}
    - {mode: road, rate_per_part: 0.14, transit: 2d}
  duty_rate: 0.198
  duty_base: fob
"""


def test_a_published_landed_duty_paid_table_line_by_line(tmp_path: Path) -> None:
    code, out, err = _run(tmp_path, BIRNBAUM)
    assert code == 0, err
    cost = json.loads(out)["cost"]
    lines = {"material": 6.80, "duty": 1.34, "freight": 0.30 + 0.14}
    for item, published in lines.items():
        # the table prints whole cents, rounded down (19.8 % of 6.80 is 1.3464)
        assert 0 <= cost["breakdown"][item]["mean"] - published < 0.01, item
    assert cost["breakdown"]["duty"]["mean"] == pytest.approx(0.198 * 6.80, abs=1e-9)
    assert 0 <= cost["landed_cost"]["mean"] - 8.58 < 0.01
    for item in ("insurance", "fees", "inventory", "carbon", "overhead", "margin"):
        assert cost["breakdown"][item]["mean"] == 0.0, item
