"""simline.capacity: each station's capacity, offered rate and load, against figures by hand."""

from __future__ import annotations

from typing import Any

import pytest

from simline.capacity import StationLoad, station_loads
from simline.config import parse_scenario
from simline.plan import compile_plan


def loads(stations: dict[str, Any], **top: Any) -> dict[str, StationLoad]:
    data: dict[str, Any] = {"simline": 1, "name": "t", "time_unit": "min", "stations": stations}
    data.update(top)
    return station_loads(compile_plan(parse_scenario(data)))


def test_a_single_station_fed_at_random_has_the_rates_of_its_means() -> None:
    # M/M/1: arrivals every 2 min (30/h), service 1.5 min (40/h): load 0.75
    (sl,) = loads(
        {"a": {"kind": "machine", "process_time": "exp(1.5)"}},
        release={"interarrival": "exp(2)"},
    ).values()
    assert sl.capacity_per_hour == pytest.approx(40.0)
    assert sl.offered_per_hour == pytest.approx(30.0)
    assert sl.load == pytest.approx(0.75)
    assert sl.excess == "none"


def test_parallel_servers_add_up() -> None:
    (sl,) = loads(
        {"a": {"kind": "machine", "servers": 3, "process_time": 6}},
        release={"interarrival": 4},
    ).values()
    assert sl.capacity_per_hour == pytest.approx(3 * 60 / 6)  # 30/h
    assert sl.load == pytest.approx(15 / 30)


@pytest.mark.parametrize("basis", ["operating", "calendar"])
def test_failures_cost_the_share_of_time_down_on_either_basis(basis: str) -> None:
    # mtbf 9 h, mttr 1 h: up 90 % of the time (calendar), or 1 h of repair per 9 h of work
    # (operating): either way 30/h at full load becomes 27/h
    failures = {"mtbf": "9h", "mttr": {"dist": "lognormal", "mean": "1h", "cv": 0.5}}
    (sl,) = loads(
        {"a": {"kind": "machine", "process_time": 2, "failures": {**failures, "basis": basis}}},
        release={"interarrival": 3},
    ).values()
    assert sl.capacity_per_hour == pytest.approx(30 * 0.9)


def test_a_manned_station_works_only_while_its_operators_are_on_duty() -> None:
    # One shift of three (06-14 every day): a third of the time, 15/h becomes 5/h; the
    # machine next to it runs lights-out around the clock
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    out = loads(
        {
            "bench": {"kind": "manual", "process_time": 4},
            "robot": {"kind": "robot", "process_time": 4},
        },
        release={"interarrival": 20},
        workforce={"operators": 1, "shifts": [["06:00", "14:00"]], "days": every_day},
    )
    assert out["bench"].capacity_per_hour == pytest.approx(15 / 3)
    assert out["robot"].capacity_per_hour == pytest.approx(15)


def test_a_station_works_with_as_many_servers_as_operators_on_duty_allow() -> None:
    # shifts 06-14 and 10-18 of two operators each, Monday to Friday: two on duty 06-10 and
    # 14-18, four 10-14. Three benches of one operator: 2*4 + 3*4 + 2*4 = 28 server-hours of
    # 72 a weekday; two stations of two operators: 1*4 + 2*4 + 1*4 = 16 of 48
    days = ["mon", "tue", "wed", "thu", "fri"]
    shifts = [["06:00", "14:00"], ["10:00", "18:00"]]
    out = loads(
        {
            "three": {"kind": "manual", "servers": 3, "process_time": 6},
            "heavy": {"kind": "manual", "servers": 2, "operators": 2, "process_time": 6},
        },
        release={"interarrival": 60},
        workforce={"operators": 2, "shifts": shifts, "days": days},
    )
    assert out["three"].capacity_per_hour == pytest.approx(3 * 10 * (28 / 72) * 5 / 7)
    assert out["heavy"].capacity_per_hour == pytest.approx(2 * 10 * (16 / 48) * 5 / 7)


def test_a_batch_station_makes_full_builds() -> None:
    # builds of 10: 60 min + 3 min a part = 90 min for 10 parts, 9 min a part; two printers
    (sl,) = loads(
        {
            "print": {
                "kind": "additive",
                "servers": 2,
                "batch": {"size": 10, "max_wait": "2h"},
                "process_time": "1h",
                "per_part_time": "uniform(2, 4)",
                "buffer": 20,
            }
        },
        release={"interarrival": "exp(10)"},
    ).values()
    assert sl.capacity_per_hour == pytest.approx(2 * 60 / 9)
    assert sl.offered_per_hour == pytest.approx(6.0)


def test_two_products_weight_the_work_by_the_mix_that_visits() -> None:
    # 15 parts/h, 60 % p [a, b] and 40 % q [a, c]; at a p takes 2 min and q 3 min: 2.4 min
    # a part, 25/h; b is offered 9/h, c 6/h
    out = loads(
        {
            "a": {"kind": "machine", "process_time": {"p": 2, "q": 3}},
            "b": {"kind": "machine", "process_time": 5},
            "c": {"kind": "machine", "process_time": 12},
        },
        release={"interarrival": "exp(4)"},
        products={
            "p": {"routing": ["a", "b"], "mix": 0.6},
            "q": {"routing": ["a", "c"], "mix": 0.4},
        },
    )
    assert out["a"].capacity_per_hour == pytest.approx(60 / 2.4)
    assert out["a"].offered_per_hour == pytest.approx(15)
    assert (out["b"].offered_per_hour, out["c"].offered_per_hour) == pytest.approx((9, 6))
    assert out["c"].capacity_per_hour == pytest.approx(5)
    assert out["c"].load == pytest.approx(1.2)


def test_setups_cost_their_mean_on_each_change_of_product() -> None:
    # consecutive parts differ with probability 1 - 0.6**2 - 0.4**2 = 0.48: 0.48 min of
    # setup a part (any change 1 min); with a matrix, p->q 2 min (0.24) and q->p 5 (0.24)
    products = {"p": {"routing": ["a"], "mix": 0.6}, "q": {"routing": ["a"], "mix": 0.4}}
    base = {"kind": "machine", "process_time": {"p": 2, "q": 3}}
    one = loads({"a": {**base, "setup": 1}}, release={"interarrival": 4}, products=products)
    assert one["a"].capacity_per_hour == pytest.approx(60 / (2.4 + 0.48))
    matrix = {"from_to": {"p": {"q": 2}, "q": {"p": 5}}}
    two = loads({"a": {**base, "setup": matrix}}, release={"interarrival": 4}, products=products)
    assert two["a"].capacity_per_hour == pytest.approx(60 / (2.4 + 0.24 * 2 + 0.24 * 5))


def test_scrap_thins_the_flow_downstream() -> None:
    out = loads(
        {
            "a": {"kind": "machine", "process_time": 1, "scrap": 0.1},
            "b": {"kind": "machine", "process_time": 1, "scrap": 0.5},
            "c": {"kind": "machine", "process_time": 1},
        },
        release={"interarrival": 4},
    )
    offered = [sl.offered_per_hour for sl in out.values()]
    assert offered == pytest.approx([15, 13.5, 6.75])


def test_saturated_release_offers_what_the_first_station_makes() -> None:
    # cut makes 40/h and never starves; print makes 30/h. Behind an unlimited buffer the
    # excess is WIP; behind a finite one cut is blocked and print is the bottleneck
    stations = {
        "cut": {"kind": "machine", "process_time": "exp(1.5)", "buffer": 5},
        "print": {"kind": "machine", "process_time": "exp(2)"},
    }
    out = loads(stations, release="saturated")
    assert out["cut"].load == pytest.approx(1.0)
    assert out["cut"].released_per_hour == pytest.approx(40)
    assert out["cut"].excess == "none"
    assert out["print"].offered_per_hour == pytest.approx(40)
    assert out["print"].load == pytest.approx(4 / 3)
    assert out["print"].excess == "wip"
    assert out["print"].short_per_hour == pytest.approx(10)
    stations["print"] = {**stations["print"], "buffer": 10}
    assert loads(stations, release="saturated")["print"].excess == "blocking"


def test_an_overloaded_station_passes_on_only_its_capacity() -> None:
    out = loads(
        {
            "a": {"kind": "machine", "process_time": 3},
            "b": {"kind": "machine", "process_time": 2},
            "c": {"kind": "machine", "process_time": 2.5},
        },
        release={"interarrival": 1},
    )
    assert [sl.offered_per_hour for sl in out.values()] == pytest.approx([60, 20, 20])
    assert [sl.excess for sl in out.values()] == ["wip", "none", "none"]


def test_finite_buffers_under_interarrival_push_the_excess_outside() -> None:
    stations = {
        "a": {"kind": "machine", "process_time": 1, "buffer": 3},
        "b": {"kind": "machine", "process_time": 2, "buffer": 3},
    }
    assert loads(stations, release={"interarrival": 1.8})["b"].excess == "outside"
    # an unlimited buffer upstream fills instead: WIP grows there
    stations["a"] = {"kind": "machine", "process_time": 1}
    assert loads(stations, release={"interarrival": 1.8})["b"].excess == "wip"


def test_a_first_station_that_is_also_fed_releases_what_is_left() -> None:
    # p [s1, s2], q [s2]: s1 makes 30 p/h and pushes them to s2 (60/h), which fills the
    # rest with 30 q/h of its own
    out = loads(
        {
            "s1": {"kind": "machine", "process_time": 2},
            "s2": {"kind": "machine", "process_time": 1},
        },
        release="saturated",
        products={"p": {"routing": ["s1", "s2"]}, "q": {"routing": ["s2"]}},
    )
    assert out["s2"].released_per_hour == pytest.approx(30)
    assert out["s2"].load == pytest.approx(1.0)
    assert out["s2"].excess == "none"


def test_conwip_is_never_unstable() -> None:
    out = loads(
        {
            "a": {"kind": "machine", "process_time": 1},
            "b": {"kind": "machine", "process_time": 2},
        },
        release={"conwip": 5},
    )
    assert max(sl.load for sl in out.values()) == pytest.approx(1.0)
    assert out["b"].offered_per_hour == pytest.approx(30)
    assert all(sl.excess == "none" for sl in out.values())


def test_ideal_leaves_out_failures_shifts_and_setups() -> None:
    (sl,) = loads(
        {"a": {"kind": "machine", "process_time": 2, "failures": {"mtbf": "1h", "mttr": "1h"}}},
        release={"interarrival": 3},
    ).values()
    assert sl.capacity_per_hour == pytest.approx(15)
    plan = compile_plan(
        parse_scenario(
            {
                "simline": 1,
                "name": "t",
                "time_unit": "min",
                "release": {"interarrival": 3},
                "stations": {
                    "a": {
                        "kind": "machine",
                        "process_time": 2,
                        "failures": {"mtbf": "1h", "mttr": "1h"},
                    }
                },
            }
        )
    )
    assert station_loads(plan, ideal=True)["a"].capacity_per_hour == pytest.approx(30)


@pytest.mark.parametrize(("time", "excess"), [("2", "none"), ("exp(2)", "wip")])
def test_equal_capacities_keep_pace_only_when_nothing_is_random(time: str, excess: str) -> None:
    # a load of exactly 1: with constant times the queue between the two stays as it is;
    # with random ones it is a random walk, which grows like the square root of the time
    out = loads(
        {
            "a": {"kind": "machine", "process_time": time, "buffer": 2},
            "b": {"kind": "machine", "process_time": time},
        },
        release="saturated",
    )
    assert out["b"].load == pytest.approx(1.0)
    assert out["b"].excess == excess
